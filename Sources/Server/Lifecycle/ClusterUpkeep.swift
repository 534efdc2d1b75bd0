package import Engine
import HashTreeCollections
package import Logging
package import Persistence
package import PostgresLog
import ServiceLifecycle

/// The leader's slow round (cluster mode), once a minute while this node leads and has caught up with
/// the log: the names organizations hold are claimed in `statusd_names` where they have no claim, and
/// claims no organization holds are removed once stale (`ClusterNames.reconcile`); the last-use times
/// of API keys that no longer exist are removed. Caught up, because a claim made (or a key created) by
/// an event this node has not applied yet must not look stale.
package struct ClusterUpkeep: ServiceLifecycle.Service {
    let names: ClusterNames
    let keyUsage: ClusterKeyUsage
    let registry: Registry
    let lag: FollowLag
    let leads: @Sendable () -> Bool
    let caughtUpWithin: Double
    let logger: Logger

    package init(
        names: ClusterNames, keyUsage: ClusterKeyUsage, registry: Registry, lag: FollowLag,
        leads: @escaping @Sendable () -> Bool, caughtUpWithin: Double, logger: Logger
    ) {
        self.names = names
        self.keyUsage = keyUsage
        self.registry = registry
        self.lag = lag
        self.leads = leads
        self.caughtUpWithin = caughtUpWithin
        self.logger = logger
    }

    package func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if leads(), lag.report().seconds <= caughtUpWithin {
                    await reconcileNames()
                    await forgetRevokedKeys()
                }
                try? await Task.sleep(for: .seconds(60))
            }
        }
    }

    private func forgetRevokedKeys() async {
        var keys: Set<KeyID> = []
        for actor in registry.all { keys.formUnion(actor.view.state.keys.keys) }
        do {
            _ = try await keyUsage.forget(keysOtherThan: keys)
        } catch {
            logger.debug(
                "removing revoked keys' last use failed (tried again in a minute): \(PostgresEventLog.sentence(error))")
        }
    }

    private func reconcileNames() async {
        var held: [OrgID: Set<OrgName>] = [:]
        for actor in registry.all where actor.view.state.exists {
            held[actor.id] = OrgName.held(by: actor.view.state.settings)
        }
        do {
            let (added, removed) = try await names.reconcile(held: held)
            if added + removed > 0 {
                logger.notice("cluster names: \(added) claims added for names held, \(removed) stale claims removed")
            }
        } catch {
            logger.warning(
                "reconciling the cluster's names failed (tried again in a minute): \(PostgresEventLog.sentence(error))")
        }
    }
}
