import Crypto
import Foundation
package import NIOCore

/// The server's side of RFC 6455 framing, written by hand because the hub needs what NIO's
/// `WebSocketFrameEncoder` does not give: a frame encoded once, header and payload in one buffer, and
/// written as is to every subscriber (server frames are unmasked, so the bytes are the same for all).
/// Client frames are read with NIO's `WebSocketFrameDecoder`.
package enum WebSocketWire {
    package enum Opcode: UInt8 {
        case text = 0x1
        case close = 0x8
        case ping = 0x9
        case pong = 0xA
    }

    /// Close codes statusd sends (RFC 6455 section 7.4.1).
    package enum CloseCode: UInt16 {
        case normal = 1000
        /// The server is shutting down.
        case goingAway = 1001
        case protocolError = 1002
        /// A binary frame: statusd speaks JSON text only.
        case unsupportedData = 1003
        /// A text frame that is not UTF-8.
        case invalidPayload = 1007
        /// A rule was broken: a limit, a refused credential, a reader too slow.
        case policyViolation = 1008
        case messageTooBig = 1009
        case internalError = 1011
        /// The server is at its connection limit.
        case tryAgainLater = 1013
    }

    /// One final, unmasked text frame carrying `payload`.
    package static func text(_ payload: some Collection<UInt8>) -> ByteBuffer {
        frame(.text, payload)
    }

    /// A close frame: the code, then a reason of at most 123 bytes (a control frame's payload is at
    /// most 125).
    package static func close(_ code: CloseCode, reason: String) -> ByteBuffer {
        var payload: [UInt8] = [UInt8(code.rawValue >> 8), UInt8(code.rawValue & 0xFF)]
        payload += reason.utf8.prefix(123)
        return frame(.close, payload)
    }

    package static func pong(_ payload: ByteBuffer) -> ByteBuffer {
        frame(.pong, payload.readableBytesView.prefix(125))
    }

    package static let ping = frame(.ping, [UInt8]())

    private static func frame(_ opcode: Opcode, _ payload: some Collection<UInt8>) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(payload.count + 10)
        buffer.writeInteger(0x80 | opcode.rawValue)  // FIN, no extension bits
        switch payload.count {
        case ..<126:
            buffer.writeInteger(UInt8(payload.count))
        case ..<65_536:
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(payload.count))
        default:
            buffer.writeInteger(UInt8(127))
            buffer.writeInteger(UInt64(payload.count))
        }
        buffer.writeBytes(payload)
        return buffer
    }

    /// `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key` (RFC 6455 section 4.2.2).
    package static func accept(key: String) -> String {
        let digest = Insecure.SHA1.hash(data: Data((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8))
        return Data(digest).base64EncodedString()
    }
}
