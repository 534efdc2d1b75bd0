#ifndef STATUSD_COPENSSLCRYPTO_SHIM_H
#define STATUSD_COPENSSLCRYPTO_SHIM_H
// scrypt from the system's OpenSSL libcrypto (docs/RULES.md "Roles"): swift-crypto has no memory-hard
// password KDF, and OpenSSL's is the maintained, reviewed one.
#include <openssl/evp.h>
#endif
