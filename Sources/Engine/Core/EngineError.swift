/// Why the engine refused a command. A struct over a private enum so new codes do not break callers
///; the server maps the code to an HTTP status in one place.
public struct EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, in the terms the server maps to a status code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String, Hashable, Sendable {
            case notFound = "not_found"
            case invalid
            case conflict
            case forbidden
            case unavailable
            case quotaExceeded = "quota_exceeded"
        }

        private let value: Value

        /// An id that does not exist in the organization the request acts on (404).
        public static var notFound: Code { Code(value: .notFound) }
        /// A field fails validation (422).
        public static var invalid: Code { Code(value: .invalid) }
        /// The request conflicts with current state, e.g. a taken slug or an illegal transition (409).
        public static var conflict: Code { Code(value: .conflict) }
        /// The principal's role does not allow it (403).
        public static var forbidden: Code { Code(value: .forbidden) }
        /// The organization cannot take writes now: its log failed or it is shutting down (503).
        public static var unavailable: Code { Code(value: .unavailable) }
        /// A per-tenant quota is full (422, named as such).
        public static var quotaExceeded: Code { Code(value: .quotaExceeded) }

        public var description: String { value.rawValue }
    }

    public let code: Code
    /// The input field at fault, in the API's snake_case, when there is one.
    public let field: String?
    /// A sentence for the person reading the error.
    public let detail: String

    public init(_ code: Code, field: String? = nil, _ detail: String) {
        self.code = code
        self.field = field
        self.detail = detail
    }

    public var description: String {
        "\(code)" + (field.map { " [\($0)]" } ?? "") + ": \(detail)"
    }

    static func notFound(_ field: String, _ what: String) -> EngineError {
        EngineError(.notFound, field: field, "\(what) not found")
    }

    static func invalid(_ field: String, _ detail: String) -> EngineError {
        EngineError(.invalid, field: field, detail)
    }

    static func forbidden(_ detail: String) -> EngineError {
        EngineError(.forbidden, detail)
    }

    static func conflict(_ field: String?, _ detail: String) -> EngineError {
        EngineError(.conflict, field: field, detail)
    }
}
