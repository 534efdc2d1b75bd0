package import Engine
import Live
package import Wire

/// Building blocks of JSON Schema 2020-12 (the dialect of OpenAPI 3.1) for the OpenAPI document.
package enum Schema {
    package static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    package static let string: JSONValue = ["type": "string"]
    package static let integer: JSONValue = ["type": "integer"]
    package static let boolean: JSONValue = ["type": "boolean"]
    package static let dateTime: JSONValue = ["type": "string", "format": "date-time"]

    package static func string(maxLength: Int, minLength: Int = 0) -> JSONValue {
        ["type": "string", "minLength": .integer(minLength), "maxLength": .integer(maxLength)]
    }

    /// An id of one kind: its prefix and 20 characters of Crockford's base32.
    package static func id<Kind>(_ type: Identifier<Kind>.Type) -> JSONValue {
        ["type": "string", "pattern": .string("^\(Kind.prefix)_[0-9a-hjkmnp-tv-z]{20}$")]
    }

    /// The canonical values of an enumeration, taken from the engine's type so that they cannot drift.
    package static func enumeration<Value: CaseIterable & RawRepresentable>(_ type: Value.Type) -> JSONValue
    where Value.RawValue == String {
        ["type": "string", "enum": .array(Value.allCases.map { .string($0.rawValue) })]
    }

    package static func enumeration(_ values: [String]) -> JSONValue {
        ["type": "string", "enum": .array(values.map(JSONValue.string))]
    }

    /// `schema` or JSON `null`.
    package static func nullable(_ schema: JSONValue) -> JSONValue {
        if case .string(let type) = schema.members["type"] {
            var members = schema.members
            members["type"] = [.string(type), "null"]
            if case .array(let values) = members["enum"] { members["enum"] = .array(values + [.null]) }
            return .object(members)
        }
        return ["oneOf": [schema, ["type": "null"]]]
    }

    package static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }

    /// An object whose answers carry exactly these members: `required` lists those always present
    /// (every member unless said otherwise); nothing else may appear, so the document cannot fall
    /// behind the server unnoticed.
    package static func object(_ properties: [String: JSONValue], optional: Set<String> = []) -> JSONValue {
        [
            "type": "object", "additionalProperties": false,
            "required": .array(properties.keys.filter { !optional.contains($0) }.sorted().map(JSONValue.string)),
            "properties": .object(properties),
        ]
    }

    /// A request body: these members are read (`required` must be present), others are ignored.
    package static func input(_ properties: [String: JSONValue], required: [String] = []) -> JSONValue {
        var members: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { members["required"] = .array(required.map(JSONValue.string)) }
        return .object(members)
    }

    /// A list page.
    package static func list(_ item: JSONValue) -> JSONValue {
        object(["items": array(item), "next_cursor": nullable(string)])
    }
}
