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
        return problems
    }
}
