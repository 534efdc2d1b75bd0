/// Who caused an event: a member's account, an API key, or statusd itself (timers, restores).
public enum Principal: Hashable, Sendable, Codable {
    case account(AccountID)
    case apiKey(KeyID)
    case system
}
