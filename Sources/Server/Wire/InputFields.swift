import Foundation

// Kept apart from JSONBody (which needs Hummingbird) so that the fuzz build (Tests/Fuzz) can compile
// the request bodies' decoders without the web stack.

/// Reading input fields: canonical names with their aliases, ids and enumerations by name.
extension KeyedDecodingContainer where Key == InputKey {
    /// The first of `names` present, decoded; nil when none is.
    package func value<Value: Decodable>(_ type: Value.Type, _ names: String...) throws -> Value? {
        for name in names {
            let key = InputKey(name)
            if contains(key), try !decodeNil(forKey: key) { return try decode(Value.self, forKey: key) }
        }
        return nil
    }

    /// Whether any of `names` is present (a JSON `null` counts: it clears an optional field).
    package func has(_ names: String...) -> Bool { names.contains { contains(InputKey($0)) } }

    /// A required field under `names`. - Throws: `keyNotFound` naming the canonical one.
    package func required<Value: Decodable>(_ type: Value.Type, _ names: String...) throws -> Value {
        for name in names where contains(InputKey(name)) {
            return try decode(Value.self, forKey: InputKey(name))
        }
        throw DecodingError.keyNotFound(
            InputKey(names[0]), .init(codingPath: codingPath, debugDescription: "\(names[0]) is required"))
    }

    /// A value parsed from a string field, or a `dataCorrupted` error naming the field and the choices.
    package func parsed<Value>(_ name: String, _ text: String, choices: String, _ parse: (String) -> Value?) throws
        -> Value
    {
        guard let value = parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: InputKey(name), in: self, debugDescription: "\(name) '\(text.prefix(64))' is not \(choices)")
        }
        return value
    }
}

/// A field name of an input object (any name: aliases are looked up by hand).
package struct InputKey: CodingKey {
    package let stringValue: String
    package var intValue: Int? { nil }

    package init(_ name: String) { stringValue = name }
    package init?(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }
}
