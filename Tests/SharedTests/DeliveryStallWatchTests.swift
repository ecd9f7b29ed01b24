import Testing
@testable import TollgateMessaging

/// When a pull consumer counts as stalled: only after two looks, `patience` apart, both finding
/// messages waiting and none handed out in between.
@Suite("A pull consumer's stall watch")
struct DeliveryStallWatchTests {
    typealias State = DeliveryStallWatch.State
    let start = ContinuousClock.now

    func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    func waiting(_ pending: UInt64, delivered: UInt64, ackPending: Int64 = 0) -> State {
        State(pending: pending, deliveredSequence: delivered, ackPending: ackPending, maxAckPending: 64)
    }

    @Test("empty fetches shorter than the patience never ask for the consumer's state")
    func patience() {
        var watch = DeliveryStallWatch(patience: .seconds(5))
        let look1 = watch.fetchedNothing(now: at(0))
        #expect(!look1)
        let look2 = watch.fetchedNothing(now: at(4))
        #expect(!look2)
        let look3 = watch.fetchedNothing(now: at(5))
        #expect(look3)
        // A delivery starts the wait over.
        watch.delivered()
        let look4 = watch.fetchedNothing(now: at(6))
        #expect(!look4)
        let look5 = watch.fetchedNothing(now: at(10))
        #expect(!look5)
        let look6 = watch.fetchedNothing(now: at(11))
        #expect(look6)
    }

    @Test("messages waiting at two looks with the same delivered sequence is a stall; the look after starts afresh")
    func stall() {
        var watch = DeliveryStallWatch(patience: .seconds(5))
        _ = watch.fetchedNothing(now: at(0))
        let look7 = watch.fetchedNothing(now: at(5))
        #expect(look7)
        let look8 = watch.judge(waiting(3, delivered: 100), now: at(5))
        #expect(look8 == .suspect)
        // The next look waits a whole patience again.
        let look9 = watch.fetchedNothing(now: at(9))
        #expect(!look9)
        let look10 = watch.fetchedNothing(now: at(10))
        #expect(look10)
        let look11 = watch.judge(waiting(7, delivered: 100), now: at(10))
        #expect(look11 == .stalled)
        // After acting, one look is only a suspicion again.
        let look12 = watch.judge(waiting(7, delivered: 100), now: at(15))
        #expect(look12 == .suspect)
    }

    @Test("not a stall: nothing waiting, the delivered sequence moving, every acknowledgement slot taken, or a delivery between the looks")
    func notStalled() {
        var watch = DeliveryStallWatch(patience: .seconds(5))
        let look13 = watch.judge(waiting(0, delivered: 100), now: at(5))
        #expect(look13 == .fine)
        let look14 = watch.judge(waiting(0, delivered: 100), now: at(10))
        #expect(look14 == .fine)

        let look15 = watch.judge(waiting(2, delivered: 100), now: at(15))
        #expect(look15 == .suspect)
        let look16 = watch.judge(waiting(2, delivered: 101), now: at(20))
        #expect(look16 == .suspect)
        let look17 = watch.judge(waiting(2, delivered: 102), now: at(25))
        #expect(look17 == .suspect)

        // Every slot taken by messages handed out (to an instance that died, say): JetStream waits for
        // their acknowledgement wait, as it should.
        var full = DeliveryStallWatch(patience: .seconds(5))
        let look18 = full.judge(waiting(9, delivered: 100, ackPending: 64), now: at(5))
        #expect(look18 == .fine)
        let look19 = full.judge(waiting(9, delivered: 100, ackPending: 64), now: at(10))
        #expect(look19 == .fine)

        var interrupted = DeliveryStallWatch(patience: .seconds(5))
        let look20 = interrupted.judge(waiting(4, delivered: 100), now: at(5))
        #expect(look20 == .suspect)
        interrupted.delivered()
        let look21 = interrupted.judge(waiting(4, delivered: 100), now: at(10))
        #expect(look21 == .suspect)

        // A state that could not be read suspects nothing new and keeps what was suspected.
        var unread = DeliveryStallWatch(patience: .seconds(5))
        let look22 = unread.judge(waiting(4, delivered: 100), now: at(5))
        #expect(look22 == .suspect)
        unread.unreadable(now: at(10))
        let look23 = unread.fetchedNothing(now: at(12))
        #expect(!look23)
        let look24 = unread.judge(waiting(4, delivered: 100), now: at(15))
        #expect(look24 == .stalled)
    }
}
