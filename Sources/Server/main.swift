import Hummingbird
import ArgumentParser
import ServiceLifecycle
print("x")
