import Foundation
import TollgateContracts
import TollgateServiceKit

/// Whether an account may be sent one more email of a kind that carries a one-time secret (reset
/// link, sign-in code, verification link): `limits.sends` per kind per window. Over the cap the
/// email is silently not sent, and the caller answers exactly as if it had been, so the cap reveals
/// nothing about the account.
struct MailAllowance: Sendable {
    let counters: AccountCounters
    let limits: SecretLimits
    let audit: AuditLog

    func allows(_ template: EmailTemplate, to userID: UUID, request: ServiceRequest?) async throws -> Bool {
        let sent = try await counters.increment(AccountCounters.mails(template.rawValue, userID), window: limits.sendWindow)
        guard sent <= limits.sends else {
            // Audited once per window, not once per refused request (a flood would fill the log).
            if sent == limits.sends + 1 {
                try await audit.record(.mailCapped, userID: userID, request: request, detail: "template=\(template.rawValue)")
            }
            return false
        }
        return true
    }
}
