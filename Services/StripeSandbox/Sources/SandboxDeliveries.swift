import Foundation

/// Events go to the Webhook service signed as Stripe signs them. Each is tried once as it happens;
/// one refused (any answer but 2xx, or none) is kept pending — in the state file too — and tried
/// again after 0.1 s, then twice as long each time up to 30 s, until accepted. (Stripe spaces its
/// retries over three days; a sandbox is for waiting minutes, not days.)
extension StripeSandbox {
    static let longestPause: Double = 30

    /// How long to wait after the `attempts`-th refusal.
    static func pause(afterAttempts attempts: Int) -> Double {
        min(longestPause, 0.1 * Double(1 << min(attempts - 1, 20)))
    }

    func deliverInBackground(_ events: [Event]) {
        guard !events.isEmpty else { return }
        Task { for event in events { await attemptDelivery(event) } }
    }

    /// One attempt; the outcome is recorded (accepted: no longer pending; refused: tried again later).
    func attemptDelivery(_ event: Event) async {
        guard let target = state.withLock({ $0.webhookTarget }) else { return }
        let header = Self.signature(for: event.body, secrets: secrets.withLock { $0 }, timestamp: Int64(Date().timeIntervalSince1970))
        let status = await PlainHTTPClient.postEvent(to: target, signature: header, body: event.body)
        let accepted = status.map { (200..<300).contains($0) } ?? false
        state.withLock { state in
            if accepted {
                state.pendingDeliveries[event.id] = nil
            } else {
                var pending = state.pendingDeliveries[event.id] ?? .init(attempts: 0, nextAttemptAt: 0)
                pending.attempts += 1
                pending.nextAttemptAt = Date().timeIntervalSince1970 + Self.pause(afterAttempts: pending.attempts)
                state.pendingDeliveries[event.id] = pending
            }
        }
        markChanged()
    }

    /// Runs until the sandbox stops: every 200 ms, carries out what fell due (when the sandbox runs
    /// its own time), tries again the deliveries whose pause is over, and writes the state file when
    /// something changed.
    func retryDeliveries() async {
        while !Task.isCancelled {
            if options.runsDueWork, state.withLock({ $0.hasDueWork(until: $0.now) }) {
                await change { state in ((), state.runDueWork(until: state.now)) }
            }
            let due = state.withLock { state -> [Event] in
                let now = Date().timeIntervalSince1970
                let ids = Set(state.pendingDeliveries.filter { $0.value.nextAttemptAt <= now }.keys)
                guard !ids.isEmpty, state.webhookTarget != nil, !state.holdDeliveries else { return [] }
                // Claimed for this round, so the next round does not send them again meanwhile.
                for id in ids { state.pendingDeliveries[id]?.nextAttemptAt = now + Self.longestPause }
                return state.events.filter { ids.contains($0.id) }
            }
            for event in due { await attemptDelivery(event) }
            flushIfChanged()
            try? await Task.sleep(for: .milliseconds(200))
        }
        flushIfChanged()
    }

    /// Posts one event, signed; retries a refused delivery `attempts` times in all, sooner than
    /// Stripe. Returns the last HTTP status. (For tests that deliver held events themselves.)
    @discardableResult
    public func deliver(_ event: Event, timestamp: Int64? = nil, attempts: Int = 4) async -> Int {
        guard let target = state.withLock({ $0.webhookTarget }) else { return 0 }
        var status = 0
        for attempt in 0..<attempts {
            let header = Self.signature(
                for: event.body, secrets: secrets.withLock { $0 }, timestamp: timestamp ?? Int64(Date().timeIntervalSince1970))
            status = await PlainHTTPClient.postEvent(to: target, signature: header, body: event.body) ?? 0
            if (200..<300).contains(status) { return status }
            try? await Task.sleep(for: .milliseconds(100 * (1 << attempt)))
        }
        return status
    }
}
