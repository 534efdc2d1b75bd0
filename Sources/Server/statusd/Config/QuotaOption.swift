import ArgumentParser
import Engine
import HTTP
import Live
import StatuspageCompat
import Wire

/// `--quotas services=500,active_incidents=100,...`: the per-tenant limits,
/// each a whole number of at least 1; names not given keep their defaults.
extension OrgQuotas {
    static var optionNames: [String: WritableKeyPath<OrgQuotas, Int>] {
        [
            "services": \.servicesMax, "groups": \.groupsMax, "active_incidents": \.activeIncidentsMax,
            "updates_per_incident": \.updatesPerIncidentMax, "open_maintenance": \.openMaintenanceMax,
            "members": \.membersMax, "invitations": \.invitationsMax, "keys": \.keysMax,
        ]
    }

    /// Parses the option's text.
    /// - Throws: `ValidationError` naming the bad entry and the accepted names.
    static func parse(_ text: String) throws -> OrgQuotas {
        var quotas = OrgQuotas()
        guard !text.isEmpty else { return quotas }
        for entry in text.split(separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let path = optionNames[parts[0]] else {
                throw ValidationError(
                    "--quotas: '\(entry)' is not name=count; names: \(optionNames.keys.sorted().joined(separator: ", "))"
                )
            }
            guard let value = Int(parts[1]), (1...1_000_000).contains(value) else {
                throw ValidationError(
                    "--quotas: \(parts[0]) must be a whole number from 1 to 1000000, got '\(parts[1])'")
            }
            quotas[keyPath: path] = value
        }
        return quotas
    }
}
