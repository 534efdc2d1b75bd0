import Engine
import NIOCore

/// Subscribers, subscription settings and notices in their byte form (docs/FORMAT.md "Subscribers").
extension ByteBuffer {
    mutating func writeWALSubscriber(_ value: Subscriber) {
        writeWALID(value.id)
        writeWALEnum(value.channel)
        writeWALString(value.address)
        writeWALOptional(value.contactEmail) { $0.writeWALString($1) }
        writeWALArray(value.components) { $0.writeWALID($1) }
        writeWALOptional(value.incident) { $0.writeWALID($1) }
        writeWALEnum(value.state)
        writeWALOptional(value.signingSecret) { $0.writeWALBytes($1) }
        writeWALDate(value.createdAt)
        writeWALOptional(value.confirmedAt) { $0.writeWALDate($1) }
        writeWALOptional(value.quarantinedAt) { $0.writeWALDate($1) }
        writeWALOptional(value.quarantineReason) { $0.writeWALString($1) }
    }

    mutating func readWALSubscriber() throws -> Subscriber {
        Subscriber(
            id: try readWALID(), channel: try readWALEnum(), address: try readWALString(),
            contactEmail: try readWALOptional { try $0.readWALString() },
            components: try readWALArray { try $0.readWALID() }, incident: try readWALOptional { try $0.readWALID() },
            state: try readWALEnum(), signingSecret: try readWALOptional { try $0.readWALBytes() },
            createdAt: try readWALDate(), confirmedAt: try readWALOptional { try $0.readWALDate() },
            quarantinedAt: try readWALOptional { try $0.readWALDate() },
            quarantineReason: try readWALOptional { try $0.readWALString() })
    }

    /// The channels as a set of bits in `walCodes` order, then the two switches.
    mutating func writeWALSubscriptionSettings(_ value: SubscriptionSettings) {
        var bits: UInt8 = 0
        for (index, channel) in SubscriberChannel.walCodes.enumerated() where value.channels.contains(channel) {
            bits |= 1 << index
        }
        writeWALInteger(bits)
        writeWALBool(value.allowIncidentSubscribers)
        writeWALBool(value.allowComponentSubscribers)
    }

    mutating func readWALSubscriptionSettings() throws -> SubscriptionSettings {
        let bits = try readWALInteger(as: UInt8.self)
        guard bits >> SubscriberChannel.walCodes.count == 0 else { throw CodecError("unknown channel bits \(bits)") }
        let channels = SubscriberChannel.walCodes.enumerated().filter { bits & (1 << $0.offset) != 0 }.map(\.element)
        return SubscriptionSettings(
            channels: Set(channels), allowIncidentSubscribers: try readWALBool(),
            allowComponentSubscribers: try readWALBool())
    }

    mutating func writeWALNoticeSubject(_ value: NoticeSubject) {
        switch value {
        case .incident(let id, let update): writeWALInteger(UInt8(1)); writeWALID(id); writeWALID(update)
        case .maintenance(let id, let update):
            writeWALInteger(UInt8(2)); writeWALID(id); writeWALOptional(update) { $0.writeWALID($1) }
        case .component(let id, let from, let to):
            writeWALInteger(UInt8(3)); writeWALID(id); writeWALEnum(from); writeWALEnum(to)
        case .subscription(let id, let mail): writeWALInteger(UInt8(4)); writeWALID(id); writeWALEnum(mail)
        case .maintenanceReminder(let id): writeWALInteger(UInt8(5)); writeWALID(id)
        }
    }

    mutating func readWALNoticeSubject() throws -> NoticeSubject {
        switch try readWALInteger(as: UInt8.self) {
        case 1: return .incident(try readWALID(), try readWALID())
        case 2: return .maintenance(try readWALID(), try readWALOptional { try $0.readWALID() })
        case 3: return .component(try readWALID(), from: try readWALEnum(), to: try readWALEnum())
        case 4: return .subscription(try readWALID(), try readWALEnum())
        case 5: return .maintenanceReminder(try readWALID())
        case let tag: throw CodecError("unknown notice subject tag \(tag)")
        }
    }

    /// The subscriber changes (tags 70-78); nil when `change` is not one of them.
    mutating func writeWALSubscriberChange(_ change: OrgChange) -> Bool {
        switch change {
        case .subscriberAdded(let subscriber): writeWALInteger(UInt8(70)); writeWALSubscriber(subscriber)
        case .subscriberConfirmed(let id): writeWALInteger(UInt8(71)); writeWALID(id)
        case .subscriberComponentsChanged(let id, let components):
            writeWALInteger(UInt8(72)); writeWALID(id); writeWALArray(components) { $0.writeWALID($1) }
        case .subscriberQuarantined(let id, let reason):
            writeWALInteger(UInt8(73)); writeWALID(id); writeWALString(reason)
        case .subscriberReactivated(let id): writeWALInteger(UInt8(74)); writeWALID(id)
        case .subscriberRemoved(let id): writeWALInteger(UInt8(75)); writeWALID(id)
        case .subscriptionSettingsChanged(let settings):
            writeWALInteger(UInt8(76)); writeWALSubscriptionSettings(settings)
        case .noticeRequested(let subject): writeWALInteger(UInt8(77)); writeWALNoticeSubject(subject)
        case .noticesCompleted(let seqs):
            writeWALInteger(UInt8(78)); writeWALArray(seqs) { $0.writeWALInteger($1.rawValue) }
        default: return false
        }
        return true
    }

    mutating func readWALSubscriberChange(tag: UInt8) throws -> OrgChange? {
        switch tag {
        case 70: return .subscriberAdded(try readWALSubscriber())
        case 71: return .subscriberConfirmed(try readWALID())
        case 72: return .subscriberComponentsChanged(try readWALID(), try readWALArray { try $0.readWALID() })
        case 73: return .subscriberQuarantined(try readWALID(), reason: try readWALString())
        case 74: return .subscriberReactivated(try readWALID())
        case 75: return .subscriberRemoved(try readWALID())
        case 76: return .subscriptionSettingsChanged(try readWALSubscriptionSettings())
        case 77: return .noticeRequested(try readWALNoticeSubject())
        case 78: return .noticesCompleted(try readWALArray { Seq(try $0.readWALInteger(as: UInt64.self)) })
        default: return nil
        }
    }
}
