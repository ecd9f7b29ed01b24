import FluentPostgresDriver
import FluentSQLiteDriver
import NIOCore
import NIOPosix

/// Tells "the database cannot be reached right now" apart from every other failure: the first is
/// answered 503 with `Retry-After` (the client should come back; the pool reconnects by itself),
/// the second is a bug and stays a 500.
public enum DatabaseAvailability {
    /// True for errors that mean the database is down, starting, shutting down, refusing
    /// connections, out of connections, or (SQLite) locked by another process beyond the busy timeout.
    public static func isUnavailable(_ error: any Error) -> Bool {
        switch error {
        case let error as PSQLError:
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed:
                return true
            case .server:
                return error.serverInfo?[.sqlState].map(isUnavailableState) ?? false
            default:
                return false
            }
        case let error as PostgresError:
            switch error {
            case .connectionClosed: return true
            case .server(let message): return message.fields[.sqlState].map(isUnavailableState) ?? false
            case .protocol: return false
            }
        case let error as SQLiteError:
            switch error.reason {
            case .busy, .locked, .busyTimeout, .busyInRecovery, .busyInSnapshot, .lockedBySharedCache, .cantOpen, .full,
                .ioError:
                return true
            default:
                return false
            }
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is NIOConnectionError, is IOError:
            return true
        case let error as ChannelError:
            switch error {
            case .connectTimeout, .ioOnClosedChannel, .alreadyClosed, .eof: return true
            default: return false
            }
        default:
            return false
        }
    }

    /// SQLSTATE classes and codes that say "not now" rather than "not so": 08 connection exception,
    /// 53 insufficient resources (too many connections, disk full), 57P01–57P03 shutdown and start-up
    /// (`57P03`: "the database system is shutting down" / "is starting up").
    static func isUnavailableState(_ state: String) -> Bool {
        state.hasPrefix("08") || state.hasPrefix("53") || ["57P01", "57P02", "57P03", "57P05"].contains(state)
    }
}
