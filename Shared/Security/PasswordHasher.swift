import CArgon2
import Crypto
import Dispatch
import Foundation
import TollgateContracts

/// Argon2id password hashing through libargon2, with PHC strings.
///
/// Hashing is deliberately slow and memory-hungry, so it runs on `HashingThreads` (one per core, at
/// a low priority), never on an event loop or a cooperative thread.
public final class PasswordHasher: Sendable {
    public let parameters: Argon2Parameters
    /// Verified against when an account does not exist, so unknown emails cost the same time.
    private let dummyHash: String

    public init(parameters: Argon2Parameters) {
        self.parameters = parameters
        self.dummyHash = (try? PasswordHasher.hashNow(Array("tollgate-dummy-password".utf8), parameters)) ?? ""
    }

    public func hash(_ password: String) async throws -> String {
        let bytes = Array(password.utf8)
        let parameters = self.parameters
        return try await run { try PasswordHasher.hashNow(bytes, parameters) }
    }

    /// True when `password` matches the PHC string (any Argon2id parameters, including the Python starter's).
    /// Throws `DeadlinePassed` (only) when the request gave up before a hashing thread was free:
    /// not a wrong password, so nothing counts it as one.
    public func verify(_ password: String, against phc: String) async throws(DeadlinePassed) -> Bool {
        let bytes = Array(password.utf8)
        do {
            return try await run { PasswordHasher.verifyNow(bytes, phc) }
        } catch let late as DeadlinePassed {
            throw late
        } catch {
            return false
        }
    }

    /// Spends the time of one verification without an account, then answers false.
    public func verifyAgainstDummy(_ password: String) async throws(DeadlinePassed) -> Bool {
        _ = try await verify(password, against: dummyHash)
        return false
    }

    /// True when the PHC string was made with other parameters than ours (rehash on next login).
    public func needsRehash(_ phc: String) -> Bool {
        Argon2Parameters(phc: phc) != parameters
    }

    private func run<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await HashingThreads.shared.run(body)
    }

    static func hashNow(_ password: [UInt8], _ parameters: Argon2Parameters) throws -> String {
        let salt = SecureRandom.bytes(16)
        let hashLength = 32
        let encodedLength = argon2_encodedlen(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism, UInt32(salt.count),
            UInt32(hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let result = argon2id_hash_encoded(
            parameters.iterations, parameters.memoryKiB, parameters.parallelism, password, password.count, salt,
            salt.count, hashLength, &encoded, encodedLength)
        guard result == ARGON2_OK.rawValue else {
            throw PasswordHashingError(message: String(cString: argon2_error_message(result)))
        }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func verifyNow(_ password: [UInt8], _ phc: String) -> Bool {
        // Refuse absurd costs: a PHC string from an import must not be able to exhaust memory.
        guard let parameters = Argon2Parameters(phc: phc), parameters.memoryKiB <= 1 << 21,
            parameters.iterations <= 64, parameters.parallelism <= 64
        else { return false }
        return argon2id_verify(phc, password, password.count) == ARGON2_OK.rawValue
    }
}

public struct PasswordHashingError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { "password hashing failed: \(message)" }
}
