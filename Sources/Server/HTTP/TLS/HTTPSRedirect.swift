import Foundation
import HTTPTypes
import Hummingbird
package import Logging
package import ServiceLifecycle

/// `--tls-redirect-port`: plain HTTP that only sends people to https, on the same host and path, with
/// 308 so that a form's POST stays a POST. No page, no API, no HSTS (browsers ignore it over http).
package enum HTTPSRedirect {
    package static func application(host: String, port: Int, httpsPort: @escaping @Sendable () -> Int, logger: Logger)
        -> some Service
    {
        Application(
            responder: Responder(httpsPort: httpsPort),
            configuration: .init(address: .hostname(host, port: port), serverName: "statusd"),
            onServerRunning: { channel in
                let base = "http://\(channel.localAddress?.ipAddress ?? host):\(channel.localAddress?.port ?? 0)"
                FileHandle.standardOutput.write(Data("statusd redirecting to https from \(base)\n".utf8))
            },
            logger: logger)
    }

    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let httpsPort: @Sendable () -> Int

        func respond(to request: Request, context: Context) async throws -> Response {
            guard
                let location = Self.location(
                    authority: request.head.authority, path: request.uri.description,
                    httpsPort: httpsPort())
            else {
                return Response(status: .badRequest, headers: [.connection: "close"])
            }
            return Response(status: .permanentRedirect, headers: [.location: location])
        }

        /// `https://<host><:port unless 443><path>`, or nil for a Host that is not a plain name or
        /// address (nothing a client sends can make the Location point at another kind of URL).
        static func location(authority: String?, path: String, httpsPort: Int) -> String? {
            guard var host = authority?.lowercased(), !host.isEmpty else { return nil }
            if host.hasPrefix("[") {
                guard let end = host.firstIndex(of: "]") else { return nil }
                host = String(host[...end])
            } else if let colon = host.firstIndex(of: ":") {
                host = String(host[..<colon])
            }
            let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-[]:")
            guard !host.isEmpty, host.allSatisfy({ allowed.contains($0) }), path.hasPrefix("/") else { return nil }
            return "https://\(host)\(httpsPort == 443 ? "" : ":\(httpsPort)")\(path)"
        }
    }
}
