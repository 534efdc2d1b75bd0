import Engine
import Foundation
import HashTreeCollections
import Testing

/// Maintenance reminders: an hour before a window that names services starts, its subscribers are
/// reminded once per start; never for a window scheduled less than an hour ahead, nor to nobody.
@Suite struct ReminderTests {
    static func window(_ fixture: inout Fixture, _ service: ServiceID, startsIn: TimeInterval) throws -> MaintenanceID {
        let details = MaintenanceDetails(
            name: "Database upgrade", description: "", scheduledStart: fixture.now + startsIn,
            scheduledEnd: fixture.now + startsIn + 3_600, affected: [service], autoStart: false, autoComplete: false)
        guard case .maintenanceScheduled(let window) = try fixture.run(.scheduleMaintenance(details)).first else {
            fatalError("no window")
        }
        return window.id
    }

    static func reminders(_ changes: [OrgChange]) -> [MaintenanceID] {
        changes.compactMap { change in
            if case .noticeRequested(.maintenanceReminder(let id)) = change { return id }
            return nil
        }
    }

    @Test func aWindow_isRemindedAnHourBefore_once_andAgainWhenMovedLater() throws {
        var fixture = try Fixture()
        let api = try fixture.service("API")
        let nobodyYet = try Self.window(&fixture, api, startsIn: 86_400)
        #expect(fixture.state.nextDeadline == nil, "nobody listens: no reminder to wait for")
        _ = try SubscriberTests.add(
            &fixture, SubscriberDraft(channel: .email, address: "a@example.com", confirmed: true))
        let soon = try Self.window(&fixture, api, startsIn: 1_800)  // less than an hour ahead: no reminder
        let later = try Self.window(&fixture, api, startsIn: 7_200)
        #expect(fixture.state.nextDeadline == fixture.now + 3_600, "the later window's reminder")

        fixture.advance(3_599)
        #expect(try fixture.run(.advanceMaintenance, by: .system).isEmpty)
        fixture.advance(1)
        #expect(Self.reminders(try fixture.run(.advanceMaintenance, by: .system)) == [later])
        #expect(fixture.state.remindedWindows[later] == fixture.now + 3_600)
        #expect(Self.reminders(try fixture.run(.advanceMaintenance, by: .system)).isEmpty, "once")
        let notice = try #require(
            fixture.state.pendingNotices.values.first { $0.subject == .maintenanceReminder(later) })
        #expect(fixture.state.recipients(of: notice).map(\.address) == ["a@example.com"])

        // Moved a day later: reminded again an hour before the new start.
        let moved = MaintenancePatch(scheduledStart: fixture.now + 86_400, scheduledEnd: fixture.now + 90_000)
        try fixture.run(.editMaintenance(later, moved))
        fixture.advance(86_400 - 3_600)
        let due = Self.reminders(try fixture.run(.advanceMaintenance, by: .system))
        #expect(due == [nobodyYet, later] || due == [later, nobodyYet], "the first window's hour came too")
        #expect(!due.contains(soon))

        // Started before its reminder is delivered: nobody is told.
        try fixture.run(.setMaintenanceStatus(later, .inProgress, body: "Started early", notify: false))
        let late = try #require(
            fixture.state.pendingNotices.values.filter { $0.subject == .maintenanceReminder(later) }.max {
                $0.seq < $1.seq
            })
        #expect(fixture.state.recipients(of: late).isEmpty)
        #expect(fixture.replayed() == fixture.state)
    }
}
