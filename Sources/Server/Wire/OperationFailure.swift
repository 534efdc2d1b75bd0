/// Work that could not be done, said in one sentence: a file the server cannot write, a setting that
/// does not parse, a document that does not match. The command line prints it as one `Error:` line
/// and exits 1 (a `ValidationError` would add the usage text, which is for mistyped arguments); the
/// server logs it as it is.
package struct OperationFailure: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
