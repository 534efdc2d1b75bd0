import Engine
import Foundation
import HashTreeCollections
import TestSupport
import Testing

/// docs/RULES.md "Memory bounds": raw changes older than the window fold into exact daily totals, and no
/// uptime figure changes when they do.
@Suite struct HistoryCompactionTests {
    /// A service flipped at random for `days` days, with maintenance now and then, in `zone`.
    static func busyService(days: Int, zone: String, seed: UInt64) throws -> (Fixture, ServiceID) {
        var random = SplitMix64(state: seed)
        var fixture = try Fixture(timeZone: zone)
        fixture.now = Date(timeIntervalSince1970: 1_780_000_000)
        let service = try fixture.service("API")
        let statuses: [ServiceStatus] = [
            .operational, .degradedPerformance, .partialOutage, .majorOutage, .underMaintenance,
        ]
        let end = fixture.now + Double(days) * 86_400
        while fixture.now < end {
            fixture.advance(Double(random.next(upperBound: 20_000 as UInt64) + 60))
            _ = try? fixture.run(.setServiceStatus(service, statuses.randomElement(using: &random)!))
        }
        return (fixture, service)
    }

    @Test(arguments: [("UTC", UInt64(1)), ("America/New_York", 2), ("Asia/Kolkata", 3)])
    func compaction_keepsEveryUptimeFigure_andBoundsRawHistory(zone: String, seed: UInt64) throws {
        var (fixture, service) = try Self.busyService(days: 130, zone: zone, seed: seed)
        let before = try #require(fixture.state.uptime(of: service, days: 130, now: fixture.now))
        let rawBefore = fixture.state.statusHistory[service]!.count
        #expect(fixture.state.needsHistoryCompaction(at: fixture.now))
        try fixture.run(.compactHistory, by: .system)
        let after = try #require(fixture.state.uptime(of: service, days: 130, now: fixture.now))
        #expect(after == before, "every day and the overall figure are unchanged")
        let raw = fixture.state.statusHistory[service]!
        #expect(raw.count < rawBefore)
        #expect(fixture.state.dailyUptime[service]!.count >= 30)
        let window = Double(HistoryPolicy.rawWindowDays + 1) * 86_400
        #expect(raw.allSatisfy { $0.at >= fixture.now - window }, "no raw change older than the window")
        #expect(!fixture.state.needsHistoryCompaction(at: fixture.now), "nothing left to fold today")
        #expect(try fixture.run(.compactHistory, by: .system).isEmpty)
        #expect(fixture.replayed() == fixture.state, "compaction is an event: replay rebuilds it")
    }

    @Test func compaction_isForTheTimerOnly() throws {
        var fixture = try Fixture()
        #expect(engineError { try fixture.run(.compactHistory) }?.code == .forbidden)
    }

    @Test func changesAfterCompaction_countFromTheAnchor() throws {
        var (fixture, service) = try Self.busyService(days: 100, zone: "UTC", seed: 9)
        try fixture.run(.compactHistory, by: .system)
        fixture.advance(3_600)
        try fixture.run(.setServiceStatus(service, .majorOutage))
        fixture.advance(3_600)
        try fixture.run(.setServiceStatus(service, .operational))
        let report = try #require(fixture.state.uptime(of: service, days: 100, now: fixture.now))
        #expect(report.days.filter { $0.uptime != nil }.count >= 99)
    }
}
