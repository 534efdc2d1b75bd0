import Auth
package import Engine
import Foundation
package import Hummingbird
import Live
import Wire

/// `/api/organizations/{id}/domain`: the custom domain's ownership check. The organization's
/// `custom_domain` setting names it; `GET` says what to publish (a TXT record or a file), `POST
/// .../verify` runs the check, and the domain is served (`/api/v2/...` by Host) once one passes,
/// until the setting changes.
package struct DomainRoutes: Sendable {
    package let api: ResourceAPI
    package let verifier: DomainVerifier

    package func add(to router: Router<StatusdRequestContext>) {
        router.get("/api/organizations/:id/domain", use: read)
        router.post("/api/organizations/:id/domain/verify", use: verify)
    }

    package struct DomainBody: Encodable {
        package struct DNS: Encodable {
            package let name: String
            package let type = "TXT"
            package let value: String
        }

        package struct HTTP: Encodable {
            package let url: String
            package let body: String
        }

        package let domain: String
        package let verified: Bool
        package let dns: DNS
        package let http: HTTP

        package init(_ state: OrgState, _ challenge: DomainChallenge) {
            domain = challenge.domain
            verified = state.servedDomain == challenge.domain
            dns = DNS(name: challenge.dnsName, value: challenge.token)
            http = HTTP(url: "http://\(challenge.domain)\(challenge.httpPath)", body: challenge.token)
        }
    }

    package struct VerifyInput: Decodable {
        package let methods: [DomainVerifier.Method]

        package init(from decoder: any Decoder) throws {
            let input = try decoder.container(keyedBy: InputKey.self)
            let text = try input.value(String.self, "method")
            methods =
                try text.map { text in
                    [try input.parsed("method", text, choices: "dns or http") { DomainVerifier.Method(rawValue: $0) }]
                } ?? DomainVerifier.Method.allCases
        }

        package init() { methods = DomainVerifier.Method.allCases }
    }

    @Sendable package func read(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (_, state) = try await organization(request, context)
        return try ResourceAPI.json(DomainBody(state, try challenge(state)))
    }

    /// Runs the check (DNS first unless `method` names one); 422 saying what each check found when
    /// none passes.
    @Sendable package func verify(request: Request, context: StatusdRequestContext) async throws -> Response {
        let (caller, state) = try await organization(request, context)
        let challenge = try challenge(state)
        let input =
            request.headers[.contentLength].flatMap(Int.init) ?? 0 > 0
            ? try await JSONBody.decode(VerifyInput.self, from: request) : VerifyInput()
        let outcome = await verifier.verify(challenge, methods: input.methods)
        guard outcome.passed != nil else {
            throw Problem(
                status: .unprocessableContent,
                detail: "\(challenge.domain) is not verified: " + outcome.findings.joined(separator: "; "),
                field: "custom_domain")
        }
        let (_, after) = try await api.run(.markCustomDomainVerified(challenge.domain), as: caller)
        return try ResourceAPI.json(DomainBody(after, try self.challenge(after)))
    }

    private func organization(_ request: Request, _ context: StatusdRequestContext) async throws -> (Caller, OrgState) {
        let caller = try await api.authenticator.caller(for: request, naming: context.parameters.get("id") ?? "")
        return try api.authorize(caller, for: .editSettings)  // the challenge serves only who sets the domain
    }

    private func challenge(_ state: OrgState) throws -> DomainChallenge {
        guard let domain = state.settings.customDomain else {
            throw Problem(
                status: .notFound, detail: "no custom domain is configured: set custom_domain first",
                field: "custom_domain")
        }
        return DomainChallenge(organization: state.id, domain: domain)
    }

    package init(api: ResourceAPI, verifier: DomainVerifier) {
        self.api = api
        self.verifier = verifier
    }
}
