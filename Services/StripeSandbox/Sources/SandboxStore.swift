import Foundation

/// The sandbox's folder under the data folder: `state.json` (every object, event and pending
/// delivery, so a restart keeps them) and `credentials.json` (its API key and webhook signing
/// secret, made on first use; owner-only).
public struct SandboxStore: Sendable {
    public let folder: String

    public init(dataDirectory: String) {
        folder = dataDirectory + "/stripe-sandbox"
    }

    var stateFile: String { folder + "/state.json" }
    var credentialsFile: String { folder + "/credentials.json" }

    public struct StoreError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The saved state, or nil on a first start. A file that cannot be read stops the start: the
    /// sandbox never overwrites what it cannot read.
    func load() throws -> SandboxState? {
        guard let data = FileManager.default.contents(atPath: stateFile) else { return nil }
        do {
            let state = try JSONDecoder().decode(SandboxState.self, from: data)
            state.clock.advance(by: .seconds(max(0, state.clockOffset)))
            return state
        } catch {
            throw StoreError(description: "\(stateFile) cannot be read (\(error)); move it away to start afresh")
        }
    }

    /// Written whole to a temporary file, then renamed over the old one: a crash leaves one or the other.
    func save(_ state: SandboxState) throws {
        let encoder = JSONEncoder()
        encoder.userInfo[SandboxCoding.stateFile] = true
        let data = try encoder.encode(state)
        try makeFolder()
        try data.write(to: URL(fileURLWithPath: stateFile), options: .atomic)
        // Customers' emails are in it: owner-only, as the folder.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: stateFile)
    }

    /// The key Billing calls with and the secret events are signed with: read, or made and saved.
    public func credentials() throws -> SandboxCredentials {
        if let data = FileManager.default.contents(atPath: credentialsFile) {
            do {
                return try JSONDecoder().decode(SandboxCredentials.self, from: data)
            } catch {
                throw StoreError(description: "\(credentialsFile) cannot be read (\(error))")
            }
        }
        let credentials = SandboxCredentials(
            apiKey: SandboxState.newID("sk_test_sandbox_"), webhookSecret: SandboxState.newID("whsec_sandbox_"))
        try makeFolder()
        let data = try JSONEncoder().encode(credentials)
        guard FileManager.default.createFile(atPath: credentialsFile, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw StoreError(description: "cannot write \(credentialsFile)")
        }
        return credentials
    }

    private func makeFolder() throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}

public struct SandboxCredentials: Sendable, Codable {
    public let apiKey: String
    public let webhookSecret: String
}
