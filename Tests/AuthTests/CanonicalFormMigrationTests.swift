import FluentKit
import Foundation
import Logging
import SQLKit
import Testing
import TollgatePersistence
import TollgateTestSupport

@testable import AuthService

@Suite("Accounts made before look-alikes were folded")
struct CanonicalFormMigrationTests {
    @Test("their canonical forms are rewritten; two accounts that now look alike both keep their old forms")
    func recompute() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let database = try await ServiceDatabase.open(
            url: "sqlite://\(folder.path)/auth.sqlite", migrations: AuthMigrations.all, logger: Logger(label: "test"))
        // As the old form (trim, NFC, case fold) stored them.
        let rows: [(String, String, String, String)] = [
            ("kelvin@example.com", "kelvin", "kelvin@example.com", "kelvin"),
            ("\u{FF4B}elvin@example.com", "\u{FF4B}elvin", "\u{FF4B}elvin@example.com", "\u{FF4B}elvin"),
            ("ann@example.com", "\u{0430}nn", "ann@example.com", "\u{0430}nn"),
        ]
        let users: [User]
        do {
            for (email, username, emailForm, usernameForm) in rows {
                let user = User(email: email, username: username, passwordHash: nil)
                user.emailCanonical = emailForm
                user.usernameCanonical = usernameForm
                try await user.create(on: database.database)
            }
            try await RecomputeCanonicalForms().prepare(on: database.database)
            users = try await User.query(on: database.database).all()
        } catch {
            await database.shutdown()
            throw error
        }
        let forms = Dictionary(uniqueKeysWithValues: users.map { ($0.email, $0.usernameCanonical) })
        await database.shutdown()
        #expect(forms["ann@example.com"] == "ann", "a Cyrillic а folded to a")
        #expect(forms["kelvin@example.com"] == "kelvin")
        #expect(forms["\u{FF4B}elvin@example.com"] == "\u{FF4B}elvin", "it would collide with kelvin: kept as it was")
    }
}
