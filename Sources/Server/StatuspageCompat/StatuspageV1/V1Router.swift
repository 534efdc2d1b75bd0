package import HTTP
package import HTTPTypes
package import Hummingbird

/// The `/v1` routes, each also answering with `.json` on its last segment: Statuspage's own samples
/// write `/v1/pages/{page_id}/incidents.json`, and real clients differ. Every route is registered in
/// both spellings here, in the dialect's own route group, instead of rewriting paths in front of the
/// router for every request. Hummingbird's trie tries a capture with a suffix (`{page_id}.json`)
/// before a bare capture, and a literal before either, so the two spellings never shadow each other.
package struct V1Router: RouterMethods {
    package typealias Context = StatusdRequestContext
    private let group: RouterGroup<StatusdRequestContext>

    package init(_ group: RouterGroup<StatusdRequestContext>) { self.group = group }

    @discardableResult package func on<Responder: HTTPResponder>(
        _ path: RouterPath, method: HTTPRequest.Method, responder: Responder
    ) -> Self where Responder.Context == StatusdRequestContext {
        group.on(path, method: method, responder: responder)
        group.on(Self.withJSONSuffix(path), method: method, responder: responder)
        return self
    }

    @discardableResult package func add(middleware: any MiddlewareProtocol<Request, Response, Context>) -> Self {
        group.add(middleware: middleware)
        return self
    }

    /// `/pages/:page_id` -> `/pages/{page_id}.json`; `/pages` -> `/pages.json`.
    package static func withJSONSuffix(_ path: RouterPath) -> RouterPath {
        RouterPath(path.description + ".json")
    }
}
