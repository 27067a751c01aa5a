/// What one reconcile pass tells its driver: the fixed outcome table of a level-triggered
/// controller. A pass never sleeps; waiting is the driver's, on the injected clock.
/// Errors thrown by a pass are the fourth row: transient ones are retried with per-key
/// exponential backoff, terminal ones are reported and not retried.
public enum ReconcileResult: Sendable, Equatable {
    /// Desired state reached, or a terminal state recorded: nothing to do until a change.
    case done
    /// Look again after this long (a server's Retry-After, a retry's backoff, a lost
    /// compare-and-set, a lock another process holds).
    case requeueAfter(Duration)
    /// Transfers are running; each one's end queues the key again.
    case waiting
}
