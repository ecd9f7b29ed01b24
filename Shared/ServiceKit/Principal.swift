import Foundation

/// The caller whose access token the gateway verified.
public struct Principal: Sendable, Equatable {
    public let userID: UUID
    public let sessionID: String
    public let role: String

    public init(userID: UUID, sessionID: String, role: String) {
        self.userID = userID
        self.sessionID = sessionID
        self.role = role
    }
}
