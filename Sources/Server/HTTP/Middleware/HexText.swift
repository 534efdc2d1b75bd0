import Foundation

extension Sequence<UInt8> {
    /// Lowercase hexadecimal, two digits a byte (digests in headers, tokens and names).
    var hexText: String { map { String(format: "%02x", $0) }.joined() }
}
