import ArgumentParser
import Engine
import Foundation
import HTTP
import HashTreeCollections
import Live
import Persistence
import StatuspageCompat
import Wire

/// `statusd import statuspage`: copies a Statuspage page (components, groups, incidents with their
/// updates, scheduled maintenance, the page's subscribers) into an organization of a stopped server's data directory, with
/// the source's times. Idempotent: ids derive from Statuspage's, so a second run changes only what
/// changed there since.
struct ImportCommandGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import another status page offline.",
        subcommands: [ImportStatuspageCommand.self])
}

struct ImportStatuspageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "statuspage",
        abstract: "Copy a Statuspage page into an organization through Statuspage's API v1 (run again to update).")

    @Option(help: "The Statuspage page id.")
    var pageId: String

    @Option(help: "Statuspage's API v1 base URL.")
    var baseURL = "https://api.statuspage.io/v1"

    @Option(help: "Slug or id of the organization to import into (statusd org create makes one).")
    var into: String

    @OptionGroup var data: DataDirectoryOption

    /// Where the Statuspage API key is read from: the environment, never the command line (where `ps`
    /// would show it).
    static let apiKeyVariable = "STATUSD_STATUSPAGE_API_KEY"

    func run() async throws {
        guard let apiKey = ProcessInfo.processInfo.environment[Self.apiKeyVariable], !apiKey.isEmpty else {
            throw OperationFailure(
                "set \(Self.apiKeyVariable) to a Statuspage API key (sent as 'Authorization: OAuth <key>')")
        }
        let client = StatuspageClient(
            baseURL: baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL, apiKey: apiKey, pageID: pageId)
        let export = try await client.export { print("import: \($0)") }
        try await withOfflineRegistry(data.dataDir) { registry, _ in try await write(export, into: registry) }
    }

    private func write(_ export: StatuspageExport, into registry: Registry) async throws {
        guard let organization = registry.organization(slug: into) ?? OrgID(into).flatMap(registry.organization(id:))
        else { throw OperationFailure("--into: no organization '\(into)' in \(data.dataDir)") }
        var tally: [String: (created: Int, changed: Int, unchanged: Int)] = [:]
        for record in export.records {
            let kind = Self.kind(record)
            let existed = Self.exists(record, in: organization.view.state)
            let events: Int
            do {
                events = try await registry.submit(.importRecord(record), to: organization, by: .system).events.count
            } catch let error as EngineError {
                throw OperationFailure(
                    "\(kind) '\(Self.name(record))': \(error.field.map { "\($0): " } ?? "")\(error.detail)")
            }
            var counts = tally[kind] ?? (0, 0, 0)
            if !existed {
                counts.created += 1
            } else if events > 0 {
                counts.changed += 1
            } else {
                counts.unchanged += 1
            }
            tally[kind] = counts
        }
        for kind in ["groups", "services", "incidents", "maintenance", "subscribers"] {
            let counts = tally[kind] ?? (0, 0, 0)
            print(
                "import: \(kind): \(counts.created) created, \(counts.changed) updated, \(counts.unchanged) unchanged")
        }
        print("import: done into \(organization.view.state.settings.slug)")
    }

    private static func kind(_ record: ImportedRecord) -> String {
        switch record {
        case .group: "groups"
        case .service: "services"
        case .incident: "incidents"
        case .maintenance: "maintenance"
        case .subscriber: "subscribers"
        }
    }

    private static func name(_ record: ImportedRecord) -> String {
        switch record {
        case .group(_, let name, _, _, _), .service(_, let name, _, _, _, _, _),
            .incident(_, let name, _, _, _, _, _, _),
            .maintenance(_, let name, _, _, _, _, _, _, _, _, _):
            name
        case .subscriber(let id, let channel, _, _, _, _, _, _): "\(channel.rawValue) subscriber \(id.rawValue)"
        }
    }

    private static func exists(_ record: ImportedRecord, in state: OrgState) -> Bool {
        switch record {
        case .group(let id, _, _, _, _): state.groups[id] != nil
        case .service(let id, _, _, _, _, _, _): state.services[id] != nil
        case .incident(let id, _, _, _, _, _, _, _): state.incidents[id] != nil
        case .maintenance(let id, _, _, _, _, _, _, _, _, _, _): state.maintenance[id] != nil
        case .subscriber(let id, _, _, _, _, _, _, _): state.subscribers[id] != nil
        }
    }
}
