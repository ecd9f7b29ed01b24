import FluentKit
import Foundation
import Logging
import TollgateContracts
import TollgatePersistence
import TollgateServiceKit

/// `POST /refresh-token`, `POST /logout` and `POST /logout-all`.
struct SessionHandlers: Sendable {
    let rotation: RefreshRotation
    let sessions: SessionStore
    let revocations: RevocationOutbox
    let tokens: AccessTokenIssuer
    let database: ServiceDatabase
    let answers: TokenAnswers
    let audit: AuditLog
    let clock: TimeSource
    let logger: Logger

    private var cookie: RefreshCookie { answers.cookie }

    /// Native apps may send the token in the body instead of the cookie.
    struct RefreshBody: Codable {
        let refresh_token: String?
    }

    func refresh(_ request: ServiceRequest) async throws -> ServiceResponse {
        var presented = request.cookies[RefreshCookie.name]
        if presented == nil, !request.body.isEmpty {
            presented = try request.decode(RefreshBody.self).refresh_token
        }
        if presented == nil, answers.refreshTokenInBody {
            presented = request.query["token"]
        }
        guard let presented, !presented.isEmpty, presented.utf8.count <= 256 else {
            throw refused("Refresh token missing")
        }
        switch try await rotation.rotate(presented, now: clock.now) {
        case .invalid:
            throw refused("Invalid token")
        case .reuseDetected(let sessionID, let userID):
            logger.warning("refresh token reused after rotation; session ended", metadata: ["session": "\(sessionID)"])
            await revocations.deliver()
            try await audit.record(.refreshReused, userID: userID, request: request, detail: "session=\(sessionID.uuidString.lowercased())")
            throw refused("Invalid token")
        case .rotated(let sessionID, let userID, let refreshToken):
            guard let user = try await User.find(userID, on: database.database), user.isActive else {
                throw refused("Invalid token")
            }
            let accessToken = try await tokens.issue(userID: userID, sessionID: sessionID, role: user.role)
            return answers.refreshed(accessToken: accessToken, refreshToken: refreshToken)
        }
    }

    func logout(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        if let sessionID = UUID(uuidString: principal.sessionID) {
            try await sessions.end(sessionID, userID: principal.userID)
            await revocations.deliver()
        }
        return ServiceResponse.message(200, "Logged out.")
            .adding(header: "Set-Cookie", cookie.clearing())
    }

    func logoutAll(_ request: ServiceRequest, _ principal: Principal) async throws -> ServiceResponse {
        // Session by session rather than the whole user: a sign-in right after must still work.
        _ = try await sessions.endAll(of: principal.userID)
        await revocations.deliver()
        return ServiceResponse.message(200, "Logged out of every session.")
            .adding(header: "Set-Cookie", cookie.clearing())
    }

    private func refused(_ detail: String) -> HTTPFailure {
        HTTPFailure(401, detail, headers: [("Set-Cookie", cookie.clearing())])
    }
}
