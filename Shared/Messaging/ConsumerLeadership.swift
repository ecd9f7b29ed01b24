import CNats
import Foundation

extension JetStream {
    /// Asks the leader of a clustered consumer to hand its leadership to another replica (JetStream
    /// elects one). Blocking, for the pull consumer's own fetch thread.
    func stepDownLeader(stream: String, consumer: String) throws(NatsError) {
        var reply: OpaquePointer? = nil
        let status = natsConnection_Request(
            &reply, connection.handle, "$JS.API.CONSUMER.LEADER.STEPDOWN.\(stream).\(consumer)", nil, 0, timeout.milliseconds)
        try NatsError.check(status, "step down the leader of \(stream) > \(consumer)")
        guard let reply else { throw NatsError(.jetStream, "no answer to the step-down of \(stream) > \(consumer)") }
        defer { natsMsg_Destroy(reply) }
        try JetStreamAnswer.check(NatsMessage(copying: reply).payload, "step down the leader of \(stream) > \(consumer)")
    }
}
