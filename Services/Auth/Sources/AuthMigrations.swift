import FluentKit
import TollgatePersistence

/// Auth's schema changes, in order. Never edit one that has shipped; add a new one.
public enum AuthMigrations {
    public static let all: [any Migration] = [
        CreateUsers(),
        CreateSessions(),
        CreateVerificationTokens(),
        CreateOutboxMessages(),
        CreateAuditEvents(),
        CreateLoginFailures(),
        CreateLoginCodes(),
        CreateOAuthTables(),
        ExtendAuditEvents(),
        IndexPendingOutboxMessages(),
        PruneSentOutboxMessages(),
        AddSealedSuccessors(),
        CreateAccountCounters(),
        RecomputeCanonicalForms(),
    ]
}
