/// A payload that does not decode: the reader reports it as corruption at the record's file offset.
struct CodecError: Error, CustomStringConvertible {
    let detail: String
    init(_ detail: String) { self.detail = detail }
    var description: String { detail }
}
