import ArgumentParser
import Auth
import Engine
import Foundation
import HTTP
import Live
import Persistence
import Wire

/// `statusd org create --slug --name --owner-email`: creates an organization in a stopped server's data
/// directory, with the owner's account (made when the email is new) and an owner API key, printed once.
struct OrgCommandGroup: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org", abstract: "Manage organizations offline.", subcommands: [OrgCreateCommand.self])
}

struct OrgCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create an organization and print its owner API key (shown once).")

    @Option(help: "The organization's slug: 2 to 40 of a-z, 0-9 and -.")
    var slug: String

    @Option(help: "The organization's name.")
    var name: String

    @Option(help: "The owner's email; an account is created for it when it is new.")
    var ownerEmail: String

    @Option(help: "IANA time zone for the organization's days.")
    var timeZone = "UTC"

    @Flag(help: "Read a password for a new owner account from standard input (one line), so the owner can log in.")
    var ownerPasswordStdin = false

    @OptionGroup var data: DataDirectoryOption

    func run() async throws {
        try await withOfflineRegistry(data.dataDir) { registry, directory in try await create(registry, directory) }
    }

    private func create(_ registry: Registry, _ directory: Directory) async throws {
        do {
            let owner = try await ownerAccount(directory)
            let created = try await registry.createOrganization(
                slug: slug, name: name, timeZone: timeZone, owner: owner)
            guard let actor = registry.organization(id: created.events[0].change.organizationID!) else { return }
            let (secret, hash) = APIKeyToken.makeSecret()
            let commit = try await registry.submit(
                .createKey(name: "owner key (statusd org create)", role: .owner, secretHash: hash), to: actor,
                by: .account(owner))
            guard case .keyCreated(let key) = commit.events.first?.change else { return }
            print("created \(slug) (\(actor.id)), owner \(ownerEmail)")
            print("owner API key (shown once, keep it secret): \(APIKeyToken.token(id: key.id, secret: secret))")
        } catch let error as EngineError {
            throw OperationFailure(
                "\(error.field.map { "--\($0.replacingOccurrences(of: "_", with: "-")): " } ?? "")\(error.detail)")
        }
    }

    private func ownerAccount(_ directory: Directory) async throws -> AccountID {
        if let existing = directory.state.account(email: ownerEmail) {
            if ownerPasswordStdin {
                throw OperationFailure("--owner-email: the account exists; its password is its own")
            }
            return existing.id
        }
        var hash: [UInt8]? = nil
        if ownerPasswordStdin {
            // A line, not an argument: a password on the command line would show in `ps` and shell history.
            guard let password = readLine(strippingNewline: true) else {
                throw OperationFailure("--owner-password-stdin: no password on standard input")
            }
            if let refusal = PasswordPolicy.refusal(of: password, field: "the password") {
                throw OperationFailure("--owner-password-stdin: \(refusal)")
            }
            hash = try await PasswordHasher(cost: .configured, threads: 1).hash(password)
        }
        let events = try await directory.submit(.signUp(email: ownerEmail, name: ownerEmail, passwordHash: hash))
        guard case .accountCreated(let account) = events.first?.change else {
            throw OperationFailure("could not create the owner's account")
        }
        return account.id
    }
}
