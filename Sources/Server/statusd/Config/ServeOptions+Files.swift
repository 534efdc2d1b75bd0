import Foundation

extension ServeOptions {
    /// The files the settings name that `serve` reads at start: named here with the other problems
    /// rather than found one at a time.
    func fileProblems() -> [String] {
        var problems: [String] = []
        let files = FileManager.default
        for (setting, path) in [("smtp-ca-file", smtpCaFile), ("oidc-jwks", oidcJwks)] {
            if let path, !path.hasPrefix("https://"), !path.hasPrefix("http://"), !files.isReadableFile(atPath: path) {
                problems.append("\(setting): \(path) cannot be read")
            }
        }
        for (setting, path) in [("tls-certificate", tlsCertificate), ("tls-key", tlsKey)] {
            if let path, !files.isReadableFile(atPath: path) {
                problems.append("\(setting): \(path) cannot be read")
            }
        }
        if let tlsKey, let mode = (try? files.attributesOfItem(atPath: tlsKey))?[.posixPermissions] as? Int,
            mode & 0o007 != 0
        {
            problems.append(
                "tls-key: \(tlsKey) may be read by every user of this machine (mode \(String(mode, radix: 8))): "
                    + "chmod 600, or 640 with the group statusd runs as")
        }
        return problems
    }
}
