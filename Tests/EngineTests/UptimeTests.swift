import Engine
import Foundation
import HashTreeCollections
import Testing

/// docs/RULES.md "Uptime": weights, days in the organization's zone, maintenance out of the denominator.
@Suite struct UptimeTests {
    static func instant(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    /// An organization whose service was created at `created`, in `zone`.
    static func fixture(zone: String = "UTC", created: String) throws -> (Fixture, ServiceID) {
        var fixture = try Fixture(timeZone: zone)
        fixture.now = instant(created)
        let service = try fixture.service("API")
        return (fixture, service)
    }

    static func set(_ fixture: inout Fixture, _ service: ServiceID, _ status: ServiceStatus, at time: String) throws {
        fixture.now = instant(time)
        try fixture.run(.setServiceStatus(service, status))
    }

    @Test func fullDayOperational_isOne_andDaysBeforeCreationHaveNoData() throws {
        var (fixture, api) = try Self.fixture(created: "2026-11-20T00:00:00Z")
        fixture.now = Self.instant("2026-11-22T00:00:00Z")
        let report = try #require(fixture.state.uptime(of: api, days: 5, now: fixture.now))
        #expect(report.days.map(\.date) == ["2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22"])
        #expect(report.days[0].uptime == nil && report.days[0].worst == nil)
        #expect(report.days[1].uptime == nil)
        #expect(report.days[2].uptime == 1)
        #expect(report.days[2].worst == .operational)
        #expect(report.days[4].uptime == nil, "today at midnight has not started counting")
        #expect(report.overall == 1)
    }

    @Test func weights_majorFull_partialThreeTenths_degradedUp() throws {
        var (fixture, api) = try Self.fixture(created: "2026-11-20T00:00:00Z")
        try Self.set(&fixture, api, .majorOutage, at: "2026-11-20T01:00:00Z")
        try Self.set(&fixture, api, .partialOutage, at: "2026-11-20T02:00:00Z")
        try Self.set(&fixture, api, .degradedPerformance, at: "2026-11-20T03:40:00Z")
        try Self.set(&fixture, api, .operational, at: "2026-11-20T05:00:00Z")
        let report = try #require(fixture.state.uptime(of: api, days: 2, now: Self.instant("2026-11-21T12:00:00Z")))
        let day = report.days[0]
        let expected = 1 - (60.0 + 0.3 * 100.0) / 1440.0
        #expect(abs(day.uptime! - expected) < 1e-9)
        #expect(day.worst == .majorOutage)
        #expect(report.days[1].uptime == 1, "today counts up to now")
        #expect(abs(report.days[1].countedSeconds - 12 * 3600) < 1e-6)
    }

    @Test func maintenance_leavesTheDenominator() throws {
        var (fixture, api) = try Self.fixture(created: "2026-11-20T00:00:00Z")
        try Self.set(&fixture, api, .underMaintenance, at: "2026-11-20T00:00:00Z")
        try Self.set(&fixture, api, .majorOutage, at: "2026-11-20T04:00:00Z")
        try Self.set(&fixture, api, .operational, at: "2026-11-20T05:00:00Z")
        let report = try #require(fixture.state.uptime(of: api, days: 1, now: Self.instant("2026-11-20T23:59:59Z")))
        let counted = 1440.0 * 60 - 1 - 240 * 60
        #expect(abs(report.days[0].uptime! - (1 - 3600 / counted)) < 1e-9)
    }

    @Test func dstDay_has25Hours_inTheOrganizationsZone() throws {
        // In New York, 2026-11-01 ends daylight saving time: the local day lasts 25 hours.
        var (fixture, api) = try Self.fixture(zone: "America/New_York", created: "2026-10-31T04:00:00Z")
        try Self.set(&fixture, api, .majorOutage, at: "2026-11-01T12:00:00Z")
        try Self.set(&fixture, api, .operational, at: "2026-11-01T13:00:00Z")
        let report = try #require(fixture.state.uptime(of: api, days: 3, now: Self.instant("2026-11-02T12:00:00Z")))
        let day = try #require(report.days.first { $0.date == "2026-11-01" })
        #expect(abs(day.countedSeconds - 25 * 3600) < 1e-6)
        #expect(abs(day.uptime! - (1 - 1.0 / 25)) < 1e-9)
    }

    @Test func wholeDayInMaintenance_hasNoUptimeButAWorstStatus() throws {
        var (fixture, api) = try Self.fixture(created: "2026-11-20T00:00:00Z")
        try Self.set(&fixture, api, .underMaintenance, at: "2026-11-20T00:00:00Z")
        let report = try #require(fixture.state.uptime(of: api, days: 1, now: Self.instant("2026-11-20T20:00:00Z")))
        #expect(report.days[0].uptime == nil)
        #expect(report.days[0].worst == .underMaintenance)
        #expect(report.overall == nil)
    }
}
