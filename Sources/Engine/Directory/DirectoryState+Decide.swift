public import Foundation  // Date is part of decide's public signature.
import HashTreeCollections

extension DirectoryState {
    /// Validates `command` and returns its changes, with new ids.
    /// - Throws: `EngineError` naming the field at fault.
    public func decide(_ command: DirectoryCommand, at now: Date) throws -> [DirectoryChange] {
        switch command {
        case .signUp(let email, let name, let passwordHash):
            let email = try Validate.email(email)
            guard accountsByEmail[email] == nil else {
                throw EngineError.conflict("email", "an account with this email already exists")
            }
            let account = Account(
                id: .random(), email: email, name: try Validate.name(name, field: "name"),
                passwordHash: passwordHash, createdAt: now)
            return [.accountCreated(account)]
        case .changePassword(let id, let hash):
            guard accounts[id] != nil else { throw EngineError.notFound("account", "account") }
            return [.passwordChanged(id, passwordHash: hash)]
        case .openSession(let id, let expiresAt):
            guard accounts[id] != nil else { throw EngineError.notFound("account", "account") }
            guard expiresAt > now else { throw EngineError.invalid("expires_at", "must be in the future") }
            return [.sessionOpened(Session(id: .random(), accountID: id, createdAt: now, expiresAt: expiresAt))]
        case .closeSession(let id):
            return sessions[id] == nil ? [] : [.sessionClosed(id)]
        case .linkIdentity(let key, let email, let name):
            return try decideLink(key, email: email, name: name, at: now)
        case .expireSessions:
            return sessions.values.contains { $0.expiresAt <= now } ? [.sessionsExpired(before: now)] : []
        }
    }

    private func decideLink(_ key: IdentityKey, email: String, name: String, at now: Date) throws -> [DirectoryChange] {
        guard identities[key] == nil else { return [] }
        guard !key.issuer.isEmpty, !key.subject.isEmpty, key.subject.count <= 255, key.issuer.count <= 2_000 else {
            throw EngineError.invalid("sub", "issuer and subject must be present")
        }
        // An identity never takes over an existing password account by email alone: a new account is
        // made unless the email is free; linking to an existing account is an explicit, signed-in act.
        let email = try Validate.email(email)
        guard accountsByEmail[email] == nil else {
            throw EngineError.conflict("email", "an account with this email exists; sign in to link it")
        }
        let account = Account(
            id: .random(), email: email, name: try Validate.name(name.isEmpty ? email : name, field: "name"),
            passwordHash: nil, createdAt: now)
        return [.accountCreated(account), .identityLinked(key, account.id)]
    }

    /// Applies one durable event; never throws.
    public mutating func evolve(_ event: DirectoryEvent) {
        precondition(event.seq == seq.next, "directory seq \(event.seq) applied after \(seq)")
        seq = event.seq
        switch event.change {
        case .accountCreated(let account):
            accounts[account.id] = account
            accountsByEmail[account.email] = account.id
        case .passwordChanged(let id, let hash):
            accounts[id]?.passwordHash = hash
            for session in sessions.values where session.accountID == id { sessions[session.id] = nil }
        case .sessionOpened(let session):
            sessions[session.id] = session
        case .sessionClosed(let id):
            sessions[id] = nil
        case .identityLinked(let key, let account):
            identities[key] = account
        case .sessionsExpired(let before):
            for session in sessions.values where session.expiresAt <= before { sessions[session.id] = nil }
        }
    }
}
