import ArgumentParser
import Foundation

/// A self-signed certificate for 127.0.0.1 (P-256), made with the openssl command line for a
/// benchmark's TLS servers: statusd's `--tls-certificate` and nginx's `ssl_certificate`.
struct BenchCertificate {
    let folder: String
    var certificate: String { folder + "/server.pem" }
    var key: String { folder + "/server.key" }

    init(in folder: String) throws {
        self.folder = folder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        // nginx reads it as root before its workers start; statusd refuses a key every user may read.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", folder + "/server.key",
            "-out", folder + "/server.pem",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("openssl could not make a certificate in \(folder)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: folder + "/server.key")
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: folder)
    }
}
