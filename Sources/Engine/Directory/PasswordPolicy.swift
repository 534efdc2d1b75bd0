/// What a local account's password must be. Length only, as NIST SP 800-63B advises (no composition
/// rules); the upper bound keeps one KDF run bounded. The API, the CLI (`statusd org create`) and the
/// OpenAPI document read it here.
public enum PasswordPolicy {
    /// How long a password may be, in characters.
    public static let length = 8...1024

    /// Why `password` is refused, or nil when it is acceptable; `field` names it in the sentence.
    public static func refusal(of password: String, field: String) -> String? {
        length.contains(password.count)
            ? nil : "\(field) must be \(length.lowerBound) to \(length.upperBound) characters"
    }
}
