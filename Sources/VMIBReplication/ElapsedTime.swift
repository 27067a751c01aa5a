/// Time on `clock` since this call, as a closure: what the controller, its driver and the
/// regions' pacers read as "now", so that tests can drive them all with one virtual clock.
public func elapsedTime<C: Clock<Duration>>(on clock: C) -> @Sendable () -> Duration {
    let start = clock.now
    return { start.duration(to: clock.now) }
}
