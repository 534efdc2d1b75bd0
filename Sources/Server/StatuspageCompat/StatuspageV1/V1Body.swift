import Engine
package import Foundation
import HTTP
package import Hummingbird
import NIOCore
package import Wire

/// A Statuspage v1 request body as Statuspage's clients send it: a JSON object with the resource in
/// an envelope (`{"incident": {...}}`), or the same as a form (`incident[name]=...&incident[component_ids][]=...`),
/// which Hummingbird's `URLEncodedFormDecoder` reads into the same tree. Values are read leniently
/// (`"true"` for true, `"5"` for 5, an empty form value for null), because a form carries only text
/// and real clients mix the two; a value of the wrong kind answers 422 naming the field as sent.
package struct V1Body: Sendable {
    /// The body's top-level members (empty for a request without a body).
    package let members: [String: V1Value]

    package static let empty = V1Body(members: [:])

    /// Reads the body: a form when the request says so (and it does not open with `{`), else JSON. - Throws: 413 above `JSONBody.bytesMax`,
    /// 400 for bytes that are not what the content type says, 422 for a body that is not an object.
    package static func read(_ request: Request) async throws -> V1Body {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: JSONBody.bytesMax)
        } catch is NIOTooManyBytesError {
            throw Problem(status: .contentTooLarge, detail: "the body is larger than \(JSONBody.bytesMax) bytes")
        }
        guard buffer.readableBytes > 0 else { return .empty }
        // A body that opens with `{` is JSON whatever its type says: `curl -d '{...}'`, the way
        // Statuspage's own samples are often adapted, labels JSON as a form.
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let opensObject = buffer.readableBytesView.first { !" \t\r\n".utf8.contains($0) } == UInt8(ascii: "{")
        let value: V1Value
        if contentType.hasPrefix("application/x-www-form-urlencoded") && !opensObject {
            guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
                throw Problem(status: .badRequest, detail: "the form body is not UTF-8")
            }
            do {
                value = try URLEncodedFormDecoder().decode(V1Value.self, from: text)
            } catch {
                throw Problem(status: .badRequest, detail: "the form body cannot be read: \(error)")
            }
        } else {
            do {
                value = try JSONDecoder().decode(V1Value.self, from: Data(buffer.readableBytesView))
            } catch {
                throw Problem(status: .badRequest, detail: "the body is not valid JSON in UTF-8")
            }
        }
        guard case .object(let members) = value else {
            throw Problem(status: .unprocessableContent, detail: "the body must be a JSON object or a form")
        }
        return V1Body(members: members)
    }

    /// The resource's fields: the members of `envelope`, or the top level for a client that sent them
    /// bare.
    package func fields(_ envelope: String) throws -> V1Fields {
        switch members[envelope] {
        case .object(let inner)?: return V1Fields(members: inner, prefix: envelope)
        case nil: return V1Fields(members: members, prefix: nil)
        case .some:
            throw Problem(status: .unprocessableContent, detail: "\(envelope) must be an object", field: envelope)
        }
    }

    /// The members outside any envelope (a component group's `description`).
    package var topLevel: V1Fields { V1Fields(members: members, prefix: nil) }
}

/// The fields of one resource in a v1 body, read leniently by name.
package struct V1Fields: Sendable {
    package let members: [String: V1Value]
    /// The envelope's name, for error messages in the client's own terms (`incident[status]`).
    package let prefix: String?

    package func has(_ name: String) -> Bool { members[name] != nil }

    /// Whether `name` is present as null (JSON `null`, or an empty form value): it clears a field.
    package func isNull(_ name: String) -> Bool {
        switch members[name] {
        case .null?: true
        case .string(let text)?: text.isEmpty
        default: false
        }
    }

    package func string(_ name: String) throws -> String? {
        switch members[name] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case .number(let number)?:
            // Int(_:) traps outside its range: only whole numbers well inside it are written as one.
            return number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .bool(let flag)?: return String(flag)
        default: throw invalid(name, "a string")
        }
    }

    /// A non-empty string; an empty one reads as absent (a form cannot send null).
    package func text(_ name: String) throws -> String? {
        guard let text = try string(name), !text.isEmpty else { return nil }
        return text
    }

    package func bool(_ name: String) throws -> Bool? {
        switch members[name] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .number(let number)?: return number != 0
        case .string(let text)?:
            switch text.lowercased() {
            case "": return nil
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw invalid(name, "true or false")
            }
        default: throw invalid(name, "true or false")
        }
    }

    package func integer(_ name: String) throws -> Int? {
        switch members[name] {
        case nil, .null?: return nil
        case .number(let number)? where number.rounded() == number && abs(number) < 1e15: return Int(number)
        case .string(let text)?:
            if text.isEmpty { return nil }
            guard let number = Int(text) else { throw invalid(name, "a whole number") }
            return number
        default: throw invalid(name, "a whole number")
        }
    }

    /// A list of strings: a JSON array, a form's `name[]=...` list, or one comma-separated string.
    package func strings(_ name: String) throws -> [String]? {
        switch members[name] {
        case nil, .null?: return nil
        case .array(let items)?:
            return try items.map { item in
                guard case .string(let text) = item else { throw invalid(name, "a list of strings") }
                return text
            }
        case .string(let text)?:
            return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        default: throw invalid(name, "a list of strings")
        }
    }

    /// An object of strings (`components: {"<id>": "major_outage"}`).
    package func stringMap(_ name: String) throws -> [String: String]? {
        switch members[name] {
        case nil, .null?: return nil
        case .object(let members)?:
            return try members.mapValues { value in
                guard case .string(let text) = value else { throw invalid(name, "an object of strings") }
                return text
            }
        default: throw invalid(name, "an object of strings")
        }
    }

    /// A Statuspage time: RFC 3339 with or without fractional seconds, or seconds since 1970.
    package func date(_ name: String) throws -> Date? {
        guard let text = try text(name) else { return nil }
        if let seconds = Double(text), seconds.isFinite { return Date(timeIntervalSince1970: seconds) }
        guard
            let date = (try? Date(text, strategy: .iso8601))
                ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        else { throw invalid(name, "a time such as 2026-11-23T08:00:00Z") }
        return date
    }

    /// A value of an enumeration, by Statuspage's name or one of our input aliases.
    package func choice<Value>(_ name: String, _ choices: String, _ parse: (String) -> Value?) throws -> Value? {
        guard let text = try text(name) else { return nil }
        guard let value = parse(text) else {
            throw Problem(
                status: .unprocessableContent, detail: "\(field(name)) '\(text.prefix(64))' is not \(choices)",
                field: field(name))
        }
        return value
    }

    /// The field as the client named it.
    package func field(_ name: String) -> String { prefix.map { "\($0)[\(name)]" } ?? name }

    package func invalid(_ name: String, _ kind: String) -> Problem {
        Problem(status: .unprocessableContent, detail: "\(field(name)) must be \(kind)", field: field(name))
    }

    package func required(_ name: String) -> Problem {
        Problem(status: .unprocessableContent, detail: "\(field(name)) can't be blank", field: field(name))
    }
}

/// A JSON or form value. Decoding tries an object, then a list, then a scalar, so one type reads both
/// JSON and Hummingbird's form decoder (whose leaves are text).
package indirect enum V1Value: Decodable, Sendable {
    case object([String: V1Value])
    case array([V1Value])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    package init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: InputKey.self) {
            var members: [String: V1Value] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(V1Value.self, forKey: key) }
            self = .object(members)
        } else if var list = try? decoder.unkeyedContainer() {
            var items: [V1Value] = []
            while !list.isAtEnd { items.append(try list.decode(V1Value.self)) }
            self = .array(items)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                self = .null
            } else if let text = try? single.decode(String.self) {
                self = .string(text)
            } else if let flag = try? single.decode(Bool.self) {
                self = .bool(flag)
            } else {
                self = .number(try single.decode(Double.self))
            }
        }
    }
}
