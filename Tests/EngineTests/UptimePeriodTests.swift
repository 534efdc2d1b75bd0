import Engine
import Foundation
import Testing

/// The period uptime renderings are good for: the organization's day, cut to ten-minute slots while a
/// service is down; the same label within it, a new one when it turns.
@Suite struct UptimePeriodTests {
    @Test func allOperational_isTheDayInTheOrganizationsZone() throws {
        var fixture = try Fixture(timeZone: "Asia/Tokyo")
        _ = try fixture.service("API")
        let view = OrgView(state: fixture.state, publishedAt: fixture.now)
        // 1_790_000_000 is 2026-09-21 14:13:20 UTC, 23:13:20 in Tokyo.
        #expect(view.uptimePeriod.label(at: fixture.now) == "2026-9-21")
        #expect(view.uptimePeriod.label(at: fixture.now + 2_000) == "2026-9-21", "the same day, from the cache")
        #expect(view.uptimePeriod.label(at: fixture.now + 3_000) == "2026-9-22", "past Tokyo's midnight")
        #expect(view.uptimePeriod.label(at: fixture.now) == "2026-9-21", "an earlier time is not served a later day")
    }

    @Test func aServiceDown_addsTheTenMinuteSlot() throws {
        var fixture = try Fixture()
        _ = try fixture.service("API", status: .majorOutage)
        let view = OrgView(state: fixture.state, publishedAt: fixture.now)
        let slot = Int(fixture.now.timeIntervalSince1970) / 600
        #expect(view.uptimePeriod.label(at: fixture.now) == "2026-9-21-\(slot)")
        #expect(view.uptimePeriod.label(at: fixture.now + 600) == "2026-9-21-\(slot + 1)")
        #expect(view.uptimePeriod.label(at: fixture.now + 599 - 200) == "2026-9-21-\(slot)")
    }
}
