import Crypto
import CryptoExtras
import Foundation
import JWTKit
import TestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// An OpenID Connect provider played by the test: RSA and P-256 keys it makes, a JWKS it serves as a
/// file and over HTTP (Python's http.server on loopback), and tokens it signs.
final class TestProvider: @unchecked Sendable {
    static let issuer = "https://id.example.test/"
    static let audience = "statusd-tests"

    let folder: URL
    let signer = JWTKeyCollection()
    private let rsa: JWTKit.Insecure.RSA.PrivateKey
    private let ec = ES256PrivateKey()
    private var web: Process?
    private(set) var jwksURL = ""

    var jwksFile: String { folder.appendingPathComponent("jwks.json").path }

    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("statusd-oidc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        rsa = try JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
        await signer.add(rsa: rsa, digestAlgorithm: .sha256, kid: "rsa-1")
        await signer.add(ecdsa: ec, kid: "ec-1")
    }

    /// Writes the JWKS with the keys named (`rsa-1`, `ec-1`).
    func publish(_ kids: Set<String>) throws {
        var keys: [[String: String]] = []
        if kids.contains("rsa-1") {
            let (modulus, exponent) = try rsa.publicKey.getKeyPrimitives()
            keys.append([
                "kty": "RSA", "kid": "rsa-1", "alg": "RS256", "use": "sig", "n": Self.base64URL(modulus),
                "e": Self.base64URL(exponent),
            ])
        }
        if kids.contains("ec-1"), let point = ec.publicKey.parameters {
            keys.append(["kty": "EC", "kid": "ec-1", "alg": "ES256", "crv": "P-256", "x": point.x, "y": point.y])
        }
        let data = try JSONSerialization.data(withJSONObject: ["keys": keys])
        try data.write(to: URL(fileURLWithPath: jwksFile))
    }

    /// Serves the folder over HTTP on a free loopback port.
    func serve() throws {
        let process = Process()
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", folder.path,
        ]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        web = process
        var text = ""
        while !text.contains("port ") || !text.contains("(") {
            guard let chunk = PipeReader.next(output.fileHandleForReading) else { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let port = text.split(separator: " ").drop { $0 != "port" }.dropFirst().first.map(String.init) ?? "0"
        jwksURL = "http://127.0.0.1:\(port)/jwks.json"
    }

    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var nbf: NotBeforeClaim?
        var email: String?
        var email_verified: Bool?
        var name: String?
        var statusd_org: String?

        func verify(using algorithm: some JWTAlgorithm) throws {}
    }

    /// A signed token; by default valid for an hour, for `sub` with a verified email.
    func token(
        sub: String, email: String?, verified: Bool = true, kid: String = "rsa-1", issuer: String = issuer,
        audience: String = audience, expires: TimeInterval = 3_600, notBefore: TimeInterval? = nil,
        organization: String? = nil
    ) async throws -> String {
        let claims = Claims(
            iss: IssuerClaim(value: issuer), sub: SubjectClaim(value: sub), aud: AudienceClaim(value: [audience]),
            exp: ExpirationClaim(value: Date().addingTimeInterval(expires)),
            nbf: notBefore.map { NotBeforeClaim(value: Date().addingTimeInterval($0)) }, email: email,
            email_verified: verified, name: "Person", statusd_org: organization)
        return try await signer.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// The path of the `python3` on PATH, resolved through any launcher (pyenv's shims).
    static func python() throws -> String {
        let probe = Process()
        let output = Pipe()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import sys; print(sys.executable)"]
        probe.standardOutput = output
        try probe.run()
        var text = ""
        while let chunk = PipeReader.next(output.fileHandleForReading) {
            text += String(decoding: chunk, as: UTF8.self)
        }
        probe.waitUntilExit()
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// SIGKILL, not SIGTERM: a child started from the test runner may inherit a mask that blocks
    /// SIGTERM, and the web server has nothing to save.
    func stop() {
        if let web, web.isRunning {
            kill(web.processIdentifier, SIGKILL)
            web.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: folder)
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// OpenID Connect bearer tokens end to end: RS256 from a JWKS file, ES256 from a JWKS URL fetched again
/// for an unknown key id, accounts by `(iss, sub)`, and the tokens that must be refused.
@Suite(.sameOnEitherLog) struct OIDCTests {
    static func server(jwks: String) throws -> StatusdProcess {
        try StatusdProcess(arguments: [
            "--oidc-issuer", TestProvider.issuer, "--oidc-audience", TestProvider.audience, "--oidc-jwks", jwks,
        ])
    }

    static func client(_ token: String, _ server: StatusdProcess) -> APIClient {
        APIClient(token: token).with(server)
    }

    @Test func rs256FromAFile_makesAnAccountOnce_andActsAsIt() async throws {
        let provider = try await TestProvider()
        defer { provider.stop() }
        try provider.publish(["rsa-1"])
        let server = try Self.server(jwks: provider.jwksFile)
        let token = try await provider.token(sub: "user-1", email: "fed@example.com")
        let first = try await Self.client(token, server).call("GET", "/api/auth/me")
        #expect(first.status == 200, "\(first.text)")
        let account = (first.json["account"] as? [String: Any])?["id"] as? String
        let again = try await Self.client(try await provider.token(sub: "user-1", email: "fed@example.com"), server)
            .call("GET", "/api/auth/me")
        #expect((again.json["account"] as? [String: Any])?["id"] as? String == account, "(iss, sub) names one account")
        let org = try await Self.client(token, server).call(
            "POST", "/api/organizations", ["slug": "fed-co", "name": "Fed"])
        #expect(org.status == 201)
        #expect(try await Self.client(token, server).call("POST", "/api/services", ["name": "API"]).status == 201)
    }

    @Test func organizationClaim_choosesAmongMemberships_neverGrantsOne() async throws {
        let provider = try await TestProvider()
        defer { provider.stop() }
        try provider.publish(["rsa-1"])
        let server = try Self.server(jwks: provider.jwksFile)
        let person = Self.client(try await provider.token(sub: "multi", email: "multi@example.com"), server)
        _ = try await person.call("POST", "/api/organizations", ["slug": "one-co", "name": "One"])
        _ = try await person.call("POST", "/api/organizations", ["slug": "two-co", "name": "Two"])
        let (stranger, _) = try await AccountTests.signUp("stranger@example.com", on: server)
        _ = try await stranger.call("POST", "/api/organizations", ["slug": "else-co", "name": "Else"])
        #expect(try await person.call("GET", "/api/organizations/current").status == 400, "two memberships")
        let chooser = Self.client(
            try await provider.token(sub: "multi", email: "multi@example.com", organization: "two-co"), server)
        #expect(try await chooser.call("GET", "/api/organizations/current").json["slug"] as? String == "two-co")
        let grabber = Self.client(
            try await provider.token(sub: "multi", email: "multi@example.com", organization: "else-co"), server)
        #expect(try await grabber.call("GET", "/api/organizations/current").status == 404, "a claim never grants")
    }

    @Test func es256FromAURL_andAKeyAddedLater_isFetchedAgain() async throws {
        let provider = try await TestProvider()
        defer { provider.stop() }
        try provider.publish(["rsa-1"])
        try provider.serve()
        let server = try Self.server(jwks: provider.jwksURL)
        let rsaToken = try await provider.token(sub: "u-rsa", email: "rsa@example.com")
        #expect(try await Self.client(rsaToken, server).call("GET", "/api/auth/me").status == 200)
        // The provider rotates in an EC key: statusd has not seen `ec-1`, fetches the JWKS again.
        try provider.publish(["rsa-1", "ec-1"])
        let ecToken = try await provider.token(sub: "u-ec", email: "ec@example.com", kid: "ec-1")
        let answer = try await Self.client(ecToken, server).call("GET", "/api/auth/me")
        #expect(answer.status == 200, "\(answer.text)")
    }

    @Test func badTokens_areRefused() async throws {
        let provider = try await TestProvider()
        defer { provider.stop() }
        try provider.publish(["rsa-1"])
        let server = try Self.server(jwks: provider.jwksFile)
        let refused: [(String, String)] = [
            ("expired", try await provider.token(sub: "u", email: "u@example.com", expires: -60)),
            ("not yet valid", try await provider.token(sub: "u", email: "u@example.com", notBefore: 600)),
            ("wrong issuer", try await provider.token(sub: "u", email: "u@example.com", issuer: "https://evil.test/")),
            ("wrong audience", try await provider.token(sub: "u", email: "u@example.com", audience: "someone-else")),
            ("unknown key", try await provider.token(sub: "u", email: "u@example.com", kid: "ec-1")),
            ("alg none", Self.unsigned(try await provider.token(sub: "u", email: "u@example.com"))),
            ("HS256 with the public key", try await Self.hmacSigned(provider)),
        ]
        for (label, token) in refused {
            let answer = try await Self.client(token, server).call("GET", "/api/auth/me")
            #expect(answer.status == 401, "\(label): \(answer.status) \(answer.text)")
        }
    }

    @Test func invitations_needAVerifiedEmail() async throws {
        let provider = try await TestProvider()
        defer { provider.stop() }
        try provider.publish(["rsa-1"])
        let server = try Self.server(jwks: provider.jwksFile)
        let (owner, _) = try await AccountTests.signUp("owner@example.com", on: server)
        _ = try await owner.call("POST", "/api/organizations", ["slug": "inv-co", "name": "Inv"])
        let invite = try await owner.call("POST", "/api/team/invite", ["email": "fed@example.com", "role": "viewer"])
        let token = try #require(invite.json["token"] as? String)
        let unverified = Self.client(
            try await provider.token(sub: "f-1", email: "fed@example.com", verified: false), server)
        #expect(try await unverified.call("POST", "/api/team/invitations/\(token)/accept").status == 403)
        let verified = Self.client(try await provider.token(sub: "f-1", email: "fed@example.com"), server)
        let accepted = try await verified.call("POST", "/api/team/invitations/\(token)/accept")
        #expect(accepted.status == 200 && accepted.json["role"] as? String == "viewer", "\(accepted.text)")
    }

    /// The same claims with `alg: none` and no signature.
    static func unsigned(_ token: String) -> String {
        let parts = token.split(separator: ".")
        let header = TestProvider.base64URL(Data(#"{"alg":"none","typ":"JWT"}"#.utf8))
        return header + "." + parts[1] + "."
    }

    /// The classic confusion attack: HS256 with the RSA public key's PEM as the HMAC secret.
    static func hmacSigned(_ provider: TestProvider) async throws -> String {
        let unsignedToken = try await provider.token(sub: "u", email: "u@example.com")
        let parts = unsignedToken.split(separator: ".")
        let header = TestProvider.base64URL(Data(#"{"alg":"HS256","typ":"JWT","kid":"rsa-1"}"#.utf8))
        let input = header + "." + parts[1]
        let jwks = try Data(contentsOf: URL(fileURLWithPath: provider.jwksFile))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: jwks))
        return input + "." + TestProvider.base64URL(Data(mac))
    }
}
