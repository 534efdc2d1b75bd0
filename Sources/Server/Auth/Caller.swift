import Engine

/// Who a request acts as, and in which organization: resolved once per request by `Authenticator`.
struct Caller: Sendable {
    let principal: Principal
    let organization: OrgActor
}
