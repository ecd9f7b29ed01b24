import AuthService
import Foundation
import HTTPTypes
import StripeSandbox
import Testing
import TollgateSecurity
import TollgateTestSupport

/// Set-up the billing tests share: a system wired to a Stripe stand-in, verified users, an admin.
enum BillingTestKit {
    static func with(
        engine: DatabaseEngine = .sqlite, _ configure: (inout TestSystem.Options) -> Void = { _ in },
        _ body: (TestSystem, StripeSandbox) async throws -> Void
    ) async throws {
        let stripe = try await StripeSandbox.start(webhookSecrets: [TestSystem.stripeWebhookSecret])
        var options = TestSystem.Options()
        options.stripe = stripe
        options.environment["TOLLGATE_BILLING_EVENTS_IN_FLIGHT"] = "16"
        configure(&options)
        do {
            try await TestSystem.with(options, engine: engine) { system in try await body(system, stripe) }
        } catch {
            await stripe.stop()
            throw error
        }
        await stripe.stop()
    }

    /// A registered user who verified their email through the emailed link, signed in.
    static func verifiedUser(_ system: TestSystem, _ name: String) async throws -> SessionTests.SignedIn {
        let user = try await SessionTests.signIn(system, name)
        let token = try await VerificationAndPasswordTests.linkToken(system, "\(name)@example.com")
        let verified = try await system.client.get("/verify?token=\(token)")
        #expect(verified.status == 202, "\(verified.text)")
        return user
    }

    /// An administrator made as `tollgate-auth create-admin` makes one, signed in: the token.
    static func adminToken(_ system: TestSystem) async throws -> String {
        let database = try system.authDatabase()
        do {
            _ = try await AdminAccounts(database: database, hasher: PasswordHasher(parameters: .testing), passwords: PasswordPolicy())
                .createOrPromote(email: "admin@example.com", username: "admin", password: "keys-to-the-castle-1")
        } catch {
            await database.shutdown()
            throw error
        }
        await database.shutdown()
        let login = try await system.client.post("/login", json: ["email": "admin@example.com", "password": "keys-to-the-castle-1"])
        return try #require(login.json["token"] as? String, "\(login.text)")
    }

    static func send(
        _ system: TestSystem, _ method: HTTPRequest.Method, _ path: String, json: [String: Any]? = nil, token: String?
    ) async throws -> HTTPResult {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        return try await system.client.send(
            method, path, headers: headers, body: try json.map { try JSONSerialization.data(withJSONObject: $0) })
    }

    /// The user's subscription as `GET /billing/subscriptions/me` shows it, once `condition` holds.
    static func subscription(
        _ system: TestSystem, _ token: String, _ what: String, timeout: Duration = .seconds(15),
        where condition: @escaping @Sendable ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let client = system.client
        let body = try await eventually(what, timeout: timeout) { () -> Data? in
            let answer = try await client.get("/billing/subscriptions/me", token: token)
            return answer.status == 200 && condition(answer.json) ? answer.body : nil
        }
        return (try JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
    }

    static func payments(_ system: TestSystem, _ token: String) async throws -> [[String: Any]] {
        try await system.client.get("/billing/payments/me", token: token).jsonArray
    }

    /// The emails to `address` whose text contains `marker`, once there are `count` of them.
    static func emails(_ system: TestSystem, to address: String, containing marker: String, count: Int = 1) async throws -> [String] {
        try await eventually("\(count) email(s) to \(address) containing \(marker)") {
            let found = system.emails(to: address).filter { $0.contains(marker) }
            return found.count >= count ? found : nil
        }
    }
}
