import Crypto
package import Engine
package import Foundation
import HTTP
import Wire

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A Statuspage page as its management API v1 gives it (`GET /pages/{id}/components`,
/// `/component-groups`, `/incidents`, `/subscribers`, paged), and the records statusd imports from it.
/// Each id is derived from the page's and the source object's ids, so importing again finds the same
/// records.
package struct StatuspageExport {
    package struct Component: Decodable {
        package let id: String
        package let name: String
        package let description: String?
        package let status: String?
        package let groupId: String?
        package let position: Int?
        package let group: Bool?
        package let createdAt: Date?
    }

    package struct Group: Decodable {
        package let id: String
        package let name: String
        package let description: String?
        package let position: Int?
        package let createdAt: Date?
    }

    package struct Update: Decodable {
        package let id: String
        package let status: String
        package let body: String?
        package let createdAt: Date
        package let displayAt: Date?
    }

    /// An object named by id: `{"id": …}`, or the bare id (a subscriber's `components`).
    package struct Reference: Decodable {
        package let id: String

        package init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                id = text
            } else {
                id = try decoder.container(keyedBy: Key.self).decode(String.self, forKey: .id)
            }
        }

        private enum Key: CodingKey { case id }
    }

    package struct Incident: Decodable {
        package let id: String
        package let name: String
        package let status: String
        package let impact: String?
        package let createdAt: Date
        package let resolvedAt: Date?
        package let scheduledFor: Date?
        package let scheduledUntil: Date?
        package let scheduledAutoInProgress: Bool?
        package let scheduledAutoCompleted: Bool?
        package let components: [Reference]?
        package let incidentUpdates: [Update]?
    }

    /// A subscriber of the whole page. Its state is the list it was read from (`?state=`).
    package struct Subscriber: Decodable {
        package let id: String
        package let mode: String?
        package let email: String?
        package let endpoint: String?
        package let components: [Reference]?
        package let createdAt: Date?
        package let quarantinedAt: Date?
        package var state: String?
    }

    package let pageID: String
    package var groups: [Group] = []
    package var components: [Component] = []
    package var incidents: [Incident] = []
    package var subscribers: [Subscriber] = []

    /// The records to import, groups first (services name them), then services, incidents and windows.
    package var records: [ImportedRecord] {
        var records: [ImportedRecord] = groups.map { group in
            .group(
                id: id(group.id), name: group.name, description: group.description ?? "",
                position: group.position ?? 0, createdAt: group.createdAt ?? WallClock.now())
        }
        let known = Set(groups.map(\.id))
        for component in components where component.group != true {
            records.append(
                .service(
                    id: id(component.id), name: component.name, description: component.description ?? "",
                    status: component.status.flatMap(ServiceStatus.init(input:)) ?? .operational,
                    groupID: component.groupId.flatMap { known.contains($0) ? id($0) : nil },
                    position: component.position ?? 0, createdAt: component.createdAt ?? WallClock.now()))
        }
        for incident in incidents { records.append(record(incident)) }
        records += subscribers.compactMap(record)
        return records
    }

    /// The subscribers statusd cannot take, by why: Slack app installs and integration partners have
    /// no URL to post to, SMS needs a provider statusd does not have yet.
    package var skippedSubscribers: [String: Int] {
        subscribers.reduce(into: [:]) { skipped, subscriber in
            if record(subscriber) == nil { skipped[subscriber.mode ?? "unknown", default: 0] += 1 }
        }
    }

    private func record(_ subscriber: Subscriber) -> ImportedRecord? {
        let state = subscriber.state.flatMap(SubscriberState.init(rawValue:)) ?? .active
        let channel: SubscriberChannel
        let address: String
        switch (subscriber.mode.flatMap(SubscriberChannel.init(rawValue:)), subscriber.email, subscriber.endpoint) {
        case (.email?, let email?, _):
            (channel, address) = (.email, email)
        case (let mode?, _, let endpoint?) where mode.postsToURL && !endpoint.hasSuffix("/…"):  // not a masked URL
            (channel, address) = (mode, endpoint)
        default:
            return nil
        }
        return .subscriber(
            id: id(subscriber.id), channel: channel, address: address,
            contactEmail: channel == .email ? nil : subscriber.email,
            components: (subscriber.components ?? []).map { id($0.id) }, state: state,
            createdAt: subscriber.createdAt ?? WallClock.now(), quarantinedAt: subscriber.quarantinedAt)
    }

    private func record(_ incident: Incident) -> ImportedRecord {
        let services: [ServiceID] = (incident.components ?? []).map { id($0.id) }
        // Statuspage lists updates newest first; statusd keeps them in the order they happened.
        let updates = (incident.incidentUpdates ?? []).sorted { $0.createdAt < $1.createdAt }
        if incident.scheduledFor != nil || incident.impact == "maintenance" {
            let status = Self.maintenanceStatus(incident.status) ?? .scheduled
            let start = incident.scheduledFor ?? incident.createdAt
            return .maintenance(
                id: id(incident.id), name: incident.name, description: "", status: status, start: start,
                end: incident.scheduledUntil.flatMap { $0 > start ? $0 : nil } ?? start.addingTimeInterval(3_600),
                services: services, autoStart: incident.scheduledAutoInProgress ?? false,
                autoComplete: incident.scheduledAutoCompleted ?? false,
                updates: updates.map { update in
                    let status = Self.maintenanceStatus(update.status) ?? status
                    return ImportedUpdate(
                        id: id(update.id), status: status,
                        body: Self.text(update.body)
                            ?? "Maintenance \(status.rawValue.replacingOccurrences(of: "_", with: " ")).",
                        createdAt: update.displayAt ?? update.createdAt)
                }, createdAt: incident.createdAt)
        }
        let status = IncidentStatus(input: incident.status) ?? .investigating
        return .incident(
            id: id(incident.id), name: incident.name, status: status,
            impact: incident.impact.flatMap(IncidentImpact.init(input:)) ?? .none, services: services,
            updates: updates.map { update in
                let status = IncidentStatus(input: update.status) ?? status
                return ImportedUpdate(
                    id: id(update.id), status: status,
                    body: Self.text(update.body) ?? status.defaultUpdateBody,
                    createdAt: update.displayAt ?? update.createdAt)
            }, createdAt: incident.createdAt,
            resolvedAt: status.isActive ? nil : incident.resolvedAt ?? updates.last?.createdAt ?? incident.createdAt)
    }

    /// Statuspage's maintenance statuses, and its incident statuses as a window shows them.
    private static func maintenanceStatus(_ text: String) -> MaintenanceStatus? {
        switch text {
        case "resolved", "postmortem": .completed
        default: MaintenanceStatus(input: text)
        }
    }

    private static func text(_ body: String?) -> String? {
        guard let body, !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return body
    }

    /// The statusd id of a Statuspage object: 100 bits of SHA-256 over the page and the object's id.
    package func id<Kind>(_ source: String) -> Identifier<Kind> {
        let digest = Array(SHA256.hash(data: Data("statuspage|\(pageID)|\(Kind.prefix)|\(source)".utf8)))
        let high = digest[0..<8].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } & ((1 << 36) - 1)
        let low = digest[8..<16].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Identifier(high: high, low: low)!
    }
}

/// Reads a page through Statuspage's management API v1.
package struct StatuspageClient {
    /// `https://api.statuspage.io/v1`, or a server that answers the same.
    package let baseURL: String
    package let apiKey: String
    package let pageID: String
    package static let perPage = 100

    package func export(progress: (String) -> Void) async throws -> StatuspageExport {
        var export = StatuspageExport(pageID: pageID)
        export.groups = try await all("component-groups", as: StatuspageExport.Group.self)
        progress("fetched \(export.groups.count) component groups")
        export.components = try await all("components", as: StatuspageExport.Component.self)
        progress("fetched \(export.components.count) components")
        export.incidents = try await all("incidents", as: StatuspageExport.Incident.self)
        let windows = export.incidents.count { $0.scheduledFor != nil || $0.impact == "maintenance" }
        progress("fetched \(export.incidents.count) incidents (\(windows) scheduled maintenance)")
        for state in SubscriberState.allCases {
            export.subscribers += try await subscribers(state).map { subscriber in
                var read = subscriber
                read.state = state.rawValue
                return read
            }
        }
        let skipped = export.skippedSubscribers.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        progress(
            "fetched \(export.subscribers.count) subscribers"
                + (skipped.isEmpty ? "" : " (skipped, no way to reach them here: \(skipped.joined(separator: ", ")))"))
        return export
    }

    /// The page's subscribers in one state. Statuspage pages this list from 0 with `limit`.
    private func subscribers(_ state: SubscriberState) async throws -> [StatuspageExport.Subscriber] {
        var items: [StatuspageExport.Subscriber] = []
        for page in 0..<Self.pagesMax {
            let batch = try await get(
                "/pages/\(pageID)/subscribers?state=\(state.rawValue)&page=\(page)&limit=\(Self.perPage)",
                as: [StatuspageExport.Subscriber].self)
            if batch.isEmpty { return items }
            items += batch
        }
        throw OperationFailure("subscribers: more than \(Self.pagesMax) pages; is the server ignoring 'page'?")
    }

    /// Every page of a list, until one comes back empty (a server may hold pages smaller than asked).
    private func all<Item: Decodable>(_ list: String, as type: Item.Type) async throws -> [Item] {
        var items: [Item] = []
        for page in 1...Self.pagesMax {
            let batch = try await get("/pages/\(pageID)/\(list)?page=\(page)&per_page=\(Self.perPage)", as: [Item].self)
            if batch.isEmpty { return items }
            items += batch
        }
        throw OperationFailure("\(list): more than \(Self.pagesMax) pages; is the server ignoring 'page'?")
    }

    /// A bound on the pages read, so a server that answers every page the same cannot loop us forever.
    package static let pagesMax = 10_000

    private func get<Value: Decodable>(_ path: String, as type: Value.Type) async throws -> Value {
        guard let url = URL(string: baseURL + path) else { throw OperationFailure("--base-url: not a URL: \(baseURL)") }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.setValue("OAuth \(apiKey)", forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard status == 200 else {
            let body = String(decoding: data.prefix(200), as: UTF8.self)
            throw OperationFailure("GET \(url.absoluteString) answered \(status): \(body)")
        }
        do {
            return try Self.decoder.decode(Value.self, from: data)
        } catch {
            throw OperationFailure("GET \(url.absoluteString): not Statuspage's shape: \(error)")
        }
    }

    package static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .custom { decoder in
            let text = try decoder.singleValueContainer().decode(String.self)
            if let date = (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
                ?? (try? Date(text, strategy: .iso8601))
            {
                return date
            }
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "not a time: \(text)"))
        }
        return decoder
    }()

    package init(baseURL: String, apiKey: String, pageID: String) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.pageID = pageID
    }
}
