import FluentKit
import Foundation
import Logging
import Testing
import TollgateMessaging
import TollgatePersistence
import TollgateTestSupport

@Suite("Transactional outbox")
struct OutboxTests {
    struct Announcement: Codable, Equatable { let text: String }
    struct Rollback: Error {}

    static func setUp(_ url: String) async throws -> ServiceDatabase {
        let database = try ServiceDatabase(location: try #require(DatabaseLocation(url: url)), logger: Logger(label: "test"))
        try await database.migrate([CreateOutboxMessages()])
        return database
    }

    @Test("a message is stored only if its transaction commits", arguments: DatabaseEngine.available)
    func transactional(engine: DatabaseEngine) async throws {
        try await TestDatabase.with(engine) { testDatabase in
            let database = try await Self.setUp(testDatabase.url)
            try await database.database.transaction { transaction in
                try await OutboxMessage.enqueue(subject: "a.kept", payload: Announcement(text: "kept"), on: transaction)
            }
            await #expect(throws: Rollback.self) {
                try await database.database.transaction { transaction in
                    try await OutboxMessage.enqueue(subject: "a.lost", payload: Announcement(text: "lost"), on: transaction)
                    throw Rollback()
                }
            }
            let rows = try await OutboxMessage.query(on: database.database).all()
            #expect(rows.map(\.subject) == ["a.kept"])
            #expect(rows.first?.publishedAt == nil)
            await database.shutdown()
        }
    }

    @Test("the relay publishes in order with Nats-Msg-Id = row id; a republish after a crash is dropped as a duplicate",
        arguments: DatabaseEngine.available)
    func relay(engine: DatabaseEngine) async throws {
        let nats = try await TestNats.connect()
        let jetStream = try nats.connection.jetStream()
        let stream = StreamSettings(name: nats.prefix.uppercased() + "_OUTBOX", subjects: [nats.subject(">")])
        try await jetStream.createOrUpdateStream(stream)
        try await TestDatabase.with(engine) { testDatabase in
            let database = try await Self.setUp(testDatabase.url)
            let start = Date()
            for index in 0..<5 {
                try await OutboxMessage(
                    subject: nats.subject("note"), payload: Data("\(index)".utf8), createdAt: start.addingTimeInterval(Double(index))
                ).create(on: database.database)
            }
            let rows = try await OutboxMessage.query(on: database.database).sort(\.$createdAt).all()
            let relay = OutboxRelay(database: database, jetStream: jetStream, logger: Logger(label: "test"))
            #expect(try await relay.publishPending(batchSize: 2) == 5)
            #expect(try await relay.publishPending() == 0)
            #expect(try await OutboxMessage.query(on: database.database).count() == 0, "a published row is deleted")

            let consumer = try await jetStream.pullConsumer(
                PullConsumerSettings(stream: stream.name, durableName: "reader", filterSubject: nats.subject(">")))
            var seen: [(String, String?)] = []
            for await message in consumer {
                seen.append((String(decoding: message.payload, as: UTF8.self), message.headers["Nats-Msg-Id"]))
                try message.ack()
                if seen.count == 5 { break }
            }
            #expect(seen.map(\.0) == ["0", "1", "2", "3", "4"])
            #expect(seen.map(\.1) == rows.map { $0.id?.uuidString })

            // The process died after publishing but before deleting the row: it is sent again, and dropped.
            let again = OutboxMessage(subject: rows[0].subject, payload: rows[0].payload, createdAt: rows[0].createdAt)
            again.id = rows[0].id
            try await again.create(on: database.database)
            #expect(try await relay.publishPending() == 1)
            // JetStream answered the publish as a duplicate: the stream still holds five messages.
            struct Info: Decodable {
                struct State: Decodable { let messages: Int }
                let state: State
            }
            let reply = try await nats.connection.request("$JS.API.STREAM.INFO.\(stream.name)", timeout: .seconds(5))
            #expect(try JSONDecoder().decode(Info.self, from: reply.payload).state.messages == 5)
            await consumer.stop(grace: .milliseconds(100))
            await database.shutdown()
        }
    }

    @Test("when JetStream refuses, the row stays pending with the error recorded", arguments: DatabaseEngine.available)
    func failure(engine: DatabaseEngine) async throws {
        let nats = try await TestNats.connect()
        try await TestDatabase.with(engine) { testDatabase in
            let database = try await Self.setUp(testDatabase.url)
            try await OutboxMessage(subject: nats.subject("no.stream.here"), payload: Data()).create(on: database.database)
            let relay = OutboxRelay(database: database, jetStream: try nats.connection.jetStream(), logger: Logger(label: "t"))
            await #expect(throws: NatsError.self) { try await relay.publishPending() }
            let row = try #require(try await OutboxMessage.query(on: database.database).first())
            #expect(row.publishedAt == nil)
            #expect(row.attempts == 1)
            #expect(row.lastError != nil)
            await database.shutdown()
        }
    }
}
