import Synchronization

/// Runs background work a little after it is asked for, never twice at once: a request while a run
/// is going makes that run go round again, so a burst of appends costs one run per ``delay``.
final class TrailingRunner: Sendable {
    private struct State {
        var running = false
        var pending = false
    }

    private let state = Mutex(State())
    private let delay: Duration

    init(delay: Duration) {
        self.delay = delay
    }

    /// Starts a run of `work` unless one is going, which then goes on. `work` returning false stops the
    /// loop even if more was asked for meanwhile (the next request tries again).
    func request(_ work: @escaping @Sendable () async -> Bool) {
        let start = state.withLock { state -> Bool in
            state.pending = true
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard start else { return }
        Task.detached(priority: .utility) { [self] in await run(work) }
    }

    private func run(_ work: @Sendable () async -> Bool) async {
        while true {
            try? await Task.sleep(for: delay)
            state.withLock { $0.pending = false }
            let succeeded = await work()
            let again = state.withLock { state -> Bool in
                guard state.pending, succeeded else {
                    state.running = false
                    return false
                }
                return true
            }
            guard again else { return }
        }
    }
}
