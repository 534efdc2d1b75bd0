package import Engine

/// Who a request acts as, and in which organization: resolved once per request by `Authenticator`.
package struct Caller: Sendable {
    package let principal: Principal
    package let organization: OrgActor
}
