import ArgumentParser

/// The options of `statusd serve`. Each has a default, a unit where it has one, and an environment
/// variable `STATUSD_<NAME>` read by `Statusd` before parsing.
struct ServeOptions: ParsableArguments {
    @Option(help: "Address to listen on. Loopback by default: put a proxy in front to serve the world.")
    var host = "127.0.0.1"

    @Option(help: "TCP port; 0 picks a free one and prints it.")
    var port = 8080

    @Flag(inversion: .prefixedNo, help: "Create the demo organization 'demo' at start when it does not exist.")
    var demo = false

    @Option(help: "Seconds public reads may be cached (Cache-Control max-age).")
    var cacheMaxAge = 5

    @Option(help: "Seconds a cache may serve a stale public read while it revalidates.")
    var cacheStaleWhileRevalidate = 30

    mutating func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0...65535, got \(port)") }
        guard cacheMaxAge >= 0 else { throw ValidationError("--cache-max-age must be 0 or more seconds") }
        guard cacheStaleWhileRevalidate >= 0 else {
            throw ValidationError("--cache-stale-while-revalidate must be 0 or more seconds")
        }
    }
}
