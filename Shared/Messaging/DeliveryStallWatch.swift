/// Tells when a pull consumer or a bucket watch is stalled: it keeps receiving nothing while
/// JetStream says messages wait for it. A JetStream cluster (nats-server 2.9 with libnats 3.4) can
/// leave either so after losing a server: a consumer whose new leader hands out nothing, a watch
/// whose ordered consumer died with the server and is recreated only tens of seconds later, if at
/// all. Waiting does not help; a new consumer leader, or a new watch, does.
///
/// After `patience` of receiving nothing the state is read. Messages waiting once may be ones
/// published a moment ago; waiting twice, with nothing received in between (the delivered
/// sequence unchanged), is a stall.
struct DeliveryStallWatch {
    /// What JetStream reports about the consumer (or the bucket against what the watch has seen).
    struct State: Equatable {
        /// Messages of the stream the consumer has not yet handed out.
        var pending: UInt64
        /// The last stream sequence it handed out.
        var deliveredSequence: UInt64
        /// Handed out, not yet settled; at `maxAckPending` JetStream rightly hands out nothing more.
        var ackPending: Int64 = 0
        var maxAckPending: Int64 = .max
    }

    enum Verdict: Equatable {
        /// Nothing waits, or what waits is held back for a reason JetStream gives.
        case fine
        /// Messages wait: look again after another `patience`.
        case suspect
        /// Messages waited at both looks and none was received: ask for a new leader, or watch anew.
        case stalled
    }

    let patience: Duration
    private var idleSince: ContinuousClock.Instant?
    private var suspectedAt: UInt64?

    init(patience: Duration) {
        self.patience = patience
    }

    /// A fetch handed out messages: whatever was suspected is over.
    mutating func delivered() {
        idleSince = nil
        suspectedAt = nil
    }

    /// A fetch came back empty; true when it is time to read the consumer's state.
    mutating func fetchedNothing(now: ContinuousClock.Instant) -> Bool {
        guard let since = idleSince else {
            idleSince = now
            return false
        }
        return now - since >= patience
    }

    /// The state read after `fetchedNothing` said so; the next look comes `patience` later.
    mutating func judge(_ state: State, now: ContinuousClock.Instant) -> Verdict {
        idleSince = now
        let waiting = state.pending > 0 && state.ackPending < state.maxAckPending
        guard waiting else {
            suspectedAt = nil
            return .fine
        }
        if let suspectedAt, suspectedAt == state.deliveredSequence {
            self.suspectedAt = nil
            return .stalled
        }
        suspectedAt = state.deliveredSequence
        return .suspect
    }

    /// The state could not be read (JetStream unavailable): look again later, suspecting nothing new.
    mutating func unreadable(now: ContinuousClock.Instant) {
        idleSince = now
    }
}
