import ArgumentParser
import Engine
import Foundation
import Mail

extension ServeOptions {
    /// The mail settings together: a server needs a sender, and neither may carry a secret on the
    /// command line (a password in `smtp-url` would show in `ps`).
    func validateMail() throws {
        guard let smtpURL else {
            guard smtpFrom == nil else { throw ValidationError("--smtp-from needs --smtp-url") }
            return
        }
        guard let url = URLComponents(string: smtpURL), url.scheme == "smtp" || url.scheme == "smtps",
            let host = url.host, !host.isEmpty, url.path.isEmpty || url.path == "/", url.query == nil
        else {
            throw ValidationError(
                "--smtp-url must be smtp://host:port or smtps://host:port, got '\(smtpURL.prefix(80))'")
        }
        guard url.user == nil, url.password == nil else {
            throw ValidationError(
                "--smtp-url must not carry a user or password: use --smtp-username and the secret setting smtp-password"
            )
        }
        let parts = smtpFrom?.split(separator: "@", omittingEmptySubsequences: false) ?? []
        guard let smtpFrom, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."), smtpFrom.allSatisfy(\.isASCII),
            !smtpFrom.contains(where: { "<>()[],;:\"\\ ".contains($0) || $0.isNewline })
        else {
            throw ValidationError(
                "--smtp-from must be a plain email address (status@example.com) when --smtp-url is set")
        }
        guard (1...256).contains(smtpConnections) else {
            throw ValidationError("--smtp-connections must be 1...256, got \(smtpConnections)")
        }
        guard smtpPerSecond >= 0 else { throw ValidationError("--smtp-per-second must be 0 or more") }
    }

    /// How mail leaves, when a mail server is configured.
    func smtpSettings(password: String?) -> SMTPSettings? {
        guard let smtpURL else { return nil }
        var settings = SMTPSettings(url: smtpURL)
        settings.username = smtpUsername
        settings.password = password
        settings.caFile = smtpCaFile
        settings.requireTLS = smtpStarttls
        settings.connections = smtpConnections
        settings.perSecond = smtpPerSecond > 0 ? smtpPerSecond : nil
        return settings
    }

    /// The channels this process can deliver on: webhooks and chat always, email with a mail server.
    var deliverableChannels: Set<SubscriberChannel> {
        var channels: Set<SubscriberChannel> = [.webhook, .slack, .teams, .discord]
        if smtpURL != nil { channels.insert(.email) }
        return channels
    }
}
