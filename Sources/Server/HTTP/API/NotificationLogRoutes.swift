import Auth
import Engine
package import Hummingbird
package import Wire

/// `GET /api/notifications`: the delivery log, for admins and owners (it names subscribers): the
/// organization's recent notifications, newest first, with how many were sent, failed attempts,
/// retries waiting, quarantines, and the latest failures and why. It is kept in memory by the node
/// that delivers (the leader, in a cluster) since it started (`DeliveryLog`); what is owed is in the
/// delivery journal either way.
package struct NotificationLogRoutes: Sendable {
    package let api: ResourceAPI
    package let log: any NotificationLogReading

    package init(api: ResourceAPI, log: any NotificationLogReading) {
        self.api = api
        self.log = log
    }

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/notifications", use: list)
    }

    @Sendable package func list(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await api.authorize(request, for: .readDeliveries)
        return try ResourceAPI.json(NotificationLogList(items: log.notifications(of: state.id)))
    }
}

private struct NotificationLogList: Encodable {
    let items: [NotificationLogBody]
}
