import ArgumentParser
import HTTP
import Logging
import Persistence

/// `--fsync`: when a write is acknowledged (README "Durability").
enum FsyncSetting: String, CaseIterable, ExpressibleByArgument {
    case always, interval, none

    func policy(intervalMs: Int) -> FsyncPolicy {
        switch self {
        case .always: .always
        case .interval: .interval(.milliseconds(intervalMs))
        case .none: .none
        }
    }
}

/// `--signup`: who may make an account.
enum SignupSetting: String, CaseIterable, ExpressibleByArgument {
    case open
    case inviteOnly = "invite-only"
    case off

    var mode: AccountPolicy.Signup {
        switch self {
        case .open: .open
        case .inviteOnly: .inviteOnly
        case .off: .off
        }
    }
}

/// `--log-level`: the least severe level written.
enum LogLevelSetting: String, CaseIterable, ExpressibleByArgument {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}
