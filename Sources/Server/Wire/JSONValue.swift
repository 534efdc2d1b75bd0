package import Foundation

/// A JSON document written as Swift literals: the OpenAPI document is built in code so that its
/// repeated parts (list envelopes, error answers, id parameters) are functions instead of copies, and
/// so that it ships inside the one `statusd` binary. Foundation's `JSONSerialization` would take
/// `[String: Any]`, which loses the compile-time check that every value is JSON.
package indirect enum JSONValue: Encodable, Sendable, Equatable {
    case string(String)
    case integer(Int)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    package func encode(to encoder: any Encoder) throws {
        switch self {
        case .string(let text):
            var container = encoder.singleValueContainer()
            try container.encode(text)
        case .integer(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .number(let number):
            var container = encoder.singleValueContainer()
            try container.encode(number)
        case .bool(let flag):
            var container = encoder.singleValueContainer()
            try container.encode(flag)
        case .array(let items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case .object(let members):
            var container = encoder.container(keyedBy: InputKey.self)
            for (name, value) in members { try container.encode(value, forKey: InputKey(name)) }
        case .null:
            var container = encoder.singleValueContainer()
            try container.encodeNil()
        }
    }

    /// The members of an object (empty for anything else).
    package var members: [String: JSONValue] {
        if case .object(let members) = self { members } else { [:] }
    }

    /// This object with `other`'s members added (`other` wins on a shared name).
    package func merging(_ other: [String: JSONValue]) -> JSONValue {
        .object(members.merging(other) { _, new in new })
    }

    /// Compact bytes with sorted keys, for answers.
    package func compact() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// Pretty, sorted bytes: the document is encoded once at start-up and diffs well when saved.
    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        return try encoder.encode(self)
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    package init(stringLiteral value: String) { self = .string(value) }
    package init(integerLiteral value: Int) { self = .integer(value) }
    package init(booleanLiteral value: Bool) { self = .bool(value) }
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements) { _, last in last })
    }
}
