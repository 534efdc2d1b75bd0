import Engine
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TestSupport
import Testing
import Wire

@testable import Live

/// The live hub without sockets: what a subscriber gets first (a replay of exactly the frames after
/// its seq, or `resync` when the ring cannot fill the gap or the seq is ahead of the feed, as after a
/// restored log), frames chained by `prev`, the rings a cluster node keeps for organizations nobody
/// follows on it, and `closeAll` asking every subscriber to leave.
@Suite struct LiveHubTests {
    /// Records what the hub hands it, on its loop.
    final class Recorder: LiveHub.Subscriber, @unchecked Sendable {
        let frames = Mutex<[LiveHub.Frame]>([])
        let left = Atomic<Bool>(false)

        func deliver(_ frames: [LiveHub.Frame], to subscription: LiveHub.Subscription) {
            let fresh = frames.filter { $0.seq > subscription.lastSent }
            subscription.lastSent = fresh.last?.seq ?? subscription.lastSent
            self.frames.withLock { $0 += fresh }
        }

        func heartbeat() {}
        func leave() { left.store(true, ordering: .relaxed) }
    }

    /// An organization whose every publication reaches `hub`, with one service to change.
    struct Page {
        let registry: Registry
        let actor: OrgActor
        let service: ServiceID
        let owner = AccountID.random()

        init(hub: LiveHub) async throws {
            registry = Registry(log: InMemoryEventLog(), onPublish: { view, events in hub.publish(view, events) })
            _ = try await registry.createOrganization(slug: "acme", name: "Acme", timeZone: "UTC", owner: owner)
            actor = try #require(registry.organization(slug: "acme"))
            let commit = try await actor.submit(
                .createService(name: "API", description: "", status: .operational, groupID: nil, position: nil),
                by: .account(owner))
            guard case .serviceCreated(let service) = commit.events.first?.change else { throw Missing() }
            self.service = service.id
        }

        /// Changes the service's status `count` times: one public frame each.
        func change(_ count: Int) async throws {
            let statuses: [ServiceStatus] = [.degradedPerformance, .partialOutage, .majorOutage, .operational]
            for index in 0..<count {
                _ = try await actor.submit(
                    .setServiceStatus(service, statuses[index % statuses.count]), by: .account(owner))
            }
        }

        struct Missing: Error {}
    }

    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    static func subscribe(_ hub: LiveHub, _ recorder: Recorder, to page: Page, since: Seq?) async throws
        -> (subscription: LiveHub.Subscription, current: Seq, start: LiveHub.Start)
    {
        let loop = group.next()
        let actor = page.actor
        return try await loop.submit { hub.subscribe(recorder, to: actor, as: .everyone, since: since, on: loop) }
            .get()
    }

    static func replayed(_ start: LiveHub.Start) -> [LiveHub.Frame]? {
        if case .replay(let frames) = start { return frames }
        return nil
    }

    @Test func aSubscriberResumingWithinTheRing_getsExactlyTheFramesAfterItsSeq_chainedByPrev() async throws {
        let hub = LiveHub(ringFramesMax: 32)
        let page = try await Page(hub: hub)
        // Live frames reach a subscriber on its loop.
        let live = Recorder()
        let first = try await Self.subscribe(hub, live, to: page, since: nil)
        try await page.change(5)
        #expect(await eventually { live.frames.withLock { $0.last?.seq } == page.actor.view.publicSeq })
        let all = live.frames.withLock { $0 }
        #expect(all.first?.prev == first.current, "the first frame follows what hello announced")
        #expect(zip(all.dropFirst(), all).allSatisfy { $0.prev == $1.seq }, "each names the one before")
        // A client that has the first two resumes with exactly the rest, the same bytes.
        let resumed = try await Self.subscribe(hub, Recorder(), to: page, since: all[1].seq)
        let frames = try #require(Self.replayed(resumed.start))
        #expect(frames.map(\.seq) == all.dropFirst(2).map(\.seq))
        #expect(frames.map(\.webSocket) == all.dropFirst(2).map(\.webSocket))
        #expect(resumed.current == page.actor.view.publicSeq)
    }

    @Test func aSeqOlderThanTheRing_orAheadOfTheFeed_getsResync() async throws {
        let hub = LiveHub(ringFramesMax: 3)
        let page = try await Page(hub: hub)
        let first = try await Self.subscribe(hub, Recorder(), to: page, since: nil)
        try await page.change(6)
        let old = try await Self.subscribe(hub, Recorder(), to: page, since: first.current)
        guard case .resync = old.start else {
            Issue.record("a gap the ring cannot fill: \(old.start)")
            return
        }
        #expect(old.subscription.lastSent == page.actor.view.publicSeq, "it follows from the current seq")
        // A client that followed a log since restored behind it.
        let ahead = try await Self.subscribe(
            hub, Recorder(), to: page, since: Seq(page.actor.view.publicSeq.rawValue + 10))
        guard case .resync = ahead.start else {
            Issue.record("a seq past the feed: \(ahead.start)")
            return
        }
        let upToDate = try await Self.subscribe(hub, Recorder(), to: page, since: page.actor.view.publicSeq)
        #expect(Self.replayed(upToDate.start)?.isEmpty == true)
    }

    @Test func aClusterNode_keepsTheRingOfAnOrganizationNobodyFollowsOnIt() async throws {
        for keeps in [true, false] {
            let hub = LiveHub(ringFramesMax: 64, keepsUnfollowedRings: keeps)
            let page = try await Page(hub: hub)
            try await page.change(1)
            let since = page.actor.view.publicSeq
            try await page.change(4)
            // A client of a node that died resumes here with the seq it had.
            let resumed = try await Self.subscribe(hub, Recorder(), to: page, since: since)
            if keeps {
                let frames = try #require(Self.replayed(resumed.start))
                #expect(frames.first?.prev == since && frames.last?.seq == page.actor.view.publicSeq)
                #expect(zip(frames.dropFirst(), frames).allSatisfy { $0.prev == $1.seq })
            } else {
                guard case .resync = resumed.start else {
                    Issue.record("one process keeps no ring nobody follows: \(resumed.start)")
                    continue
                }
            }
        }
    }

    @Test func closeAll_asksEverySubscriberToLeave() async throws {
        let hub = LiveHub()
        let page = try await Page(hub: hub)
        let recorders = [Recorder(), Recorder()]
        for recorder in recorders { _ = try await Self.subscribe(hub, recorder, to: page, since: nil) }
        hub.closeAll()
        #expect(await eventually { recorders.allSatisfy { $0.left.load(ordering: .relaxed) } })
    }
}
