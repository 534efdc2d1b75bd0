package import Engine

/// Wakes the deliverer when a published batch of events asks for a notice, so delivery starts at once
/// rather than at its next once-a-second look. Made before the registry (whose publish hook rings it)
/// and handed to the deliverer made after it.
package final class DeliveryDoorbell: Sendable {
    let rings: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation

    package init() {
        (rings, ring) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Called with every published batch of events.
    package func published(_ events: [OrgEvent]) {
        if events.contains(where: { if case .noticeRequested = $0.change { true } else { false } }) {
            ring.yield()
        }
    }
}
