import Foundation
import TollgateConfig
import TollgateContracts
import TollgateSecurity

/// The deployment's credentials on disk (`CredentialsLayout`): an nkey seed per identity, the
/// Notifier's email key pair and the server's authorization block written from their public
/// halves. Made once and reused; the folder and every secret file are readable by the owner only.
public struct CredentialsFolder: Sendable {
    public let layout: CredentialsLayout

    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    public init(layout: CredentialsLayout) {
        self.layout = layout
    }

    /// What `prepare` found or made.
    public struct Report: Sendable {
        public var created: [String] = []
        public var publicKeys: [BusIdentity: String] = [:]
    }

    /// Makes every missing credential, then writes the authorization block for `subjects` (so a
    /// changed prefix or a new permission takes effect at the next start).
    @discardableResult
    public func prepare(_ subjects: Subjects) throws -> Report {
        var report = Report()
        try makeDirectory(layout.directory)
        try makeDirectory(layout.directory + "/nats")
        try makeDirectory(layout.directory + "/email")
        for identity in BusIdentity.allCases {
            let path = layout.natsSeed(identity.rawValue)
            if !FileManager.default.fileExists(atPath: path) {
                try writeSecret(NKey.generateUser().seed + "\n", to: path)
                report.created.append(path)
            }
            report.publicKeys[identity] = try key(identity).publicKey
        }
        if !FileManager.default.fileExists(atPath: layout.emailPrivateKey) {
            let pair = EmailKeys.generate()
            try writeSecret(pair.privateKey + "\n", to: layout.emailPrivateKey)
            try writeFile(pair.publicKey + "\n", to: layout.emailPublicKey, mode: 0o644)
            report.created.append(layout.emailPrivateKey)
        }
        try makeDirectory(layout.directory + "/assertion")
        if !FileManager.default.fileExists(atPath: layout.assertionPrivateKey) {
            let pair = AssertionKeys.generate()
            try writeSecret(pair.privateKey + "\n", to: layout.assertionPrivateKey)
            try writeFile(pair.publicKey + "\n", to: layout.assertionPublicKeys, mode: 0o644)
            report.created.append(layout.assertionPrivateKey)
        }
        if !FileManager.default.fileExists(atPath: layout.natsRoutePassword) {
            try writeSecret(SecureRandom.token() + "\n", to: layout.natsRoutePassword)
            report.created.append(layout.natsRoutePassword)
        }
        try writeAuthorization(publicKeys: report.publicKeys, subjects)
        return report
    }

    /// The password of the cluster's routes (made by `prepare`).
    public func routePassword() throws -> String {
        guard let secret = SecretText.read(file: layout.natsRoutePassword) else {
            throw Problem(description: "cannot read \(layout.natsRoutePassword)")
        }
        return secret.value
    }

    /// Writes the configuration of each server of a cluster whose routes are at `peers`, the
    /// servers `numbers` (1-based) being this machine's, into `folder` (the credentials folder by
    /// default), each including the authorization block from `authorization` (the one beside it
    /// by default); returns the files written.
    public func writeClusterNodes(
        _ numbers: [Int], peers: [NatsClusterNode.Address], clientHost: String, clientPorts: [Int], storeDirectory: String,
        routeListenHost: String? = nil, folder: String? = nil, authorization: String = "nats-authorization.conf"
    ) throws -> [String] {
        if let folder { try makeDirectory(folder) }
        let password = try routePassword()
        var written: [String] = []
        for (index, number) in numbers.enumerated() {
            let node = NatsClusterNode(
                serverName: "tollgate-\(number)", client: .init(host: clientHost, port: clientPorts[index]),
                route: peers[number - 1], peers: peers, storeDirectory: "\(storeDirectory)/node-\(number)",
                routePassword: password, authorizationFile: authorization, routeListenHost: routeListenHost)
            let path = folder.map { "\($0)/nats-node-\(number).conf" } ?? layout.natsClusterNode(number)
            try writeSecret(node.rendered(), to: path)
            written.append(path)
        }
        return written
    }

    /// A new key for `identity`; the server takes it at its next start or configuration reload.
    public func rotate(_ identity: BusIdentity, _ subjects: Subjects) throws -> String {
        let key = NKey.generateUser()
        try writeSecret(key.seed + "\n", to: layout.natsSeed(identity.rawValue))
        try prepare(subjects)
        return key.publicKey
    }

    /// A new email key pair. The previous private key stays, second, so that what was sealed for it
    /// (emails still in the stream) can still be opened; the one before it is dropped.
    public func rotateEmailKey() throws -> String {
        let pair = EmailKeys.generate()
        let previous = (try? String(contentsOfFile: layout.emailPrivateKey, encoding: .utf8))?
            .split(whereSeparator: \.isNewline).first.map(String.init)
        try writeSecret(([pair.privateKey] + (previous.map { [$0] } ?? [])).joined(separator: "\n") + "\n", to: layout.emailPrivateKey)
        try writeFile(pair.publicKey + "\n", to: layout.emailPublicKey, mode: 0o644)
        return EmailKeys.keyID(try EmailKeys.publicKey(pair.publicKey))
    }

    /// A new assertion key pair: the gateways sign with the new one once restarted; the public file
    /// keeps the one it replaced, second, so that apps still verify assertions signed before (the
    /// one before that is dropped). Returns the new key id.
    public func rotateAssertionKey() throws -> String {
        let pair = AssertionKeys.generate()
        let previous = (try? String(contentsOfFile: layout.assertionPublicKeys, encoding: .utf8))?
            .split(whereSeparator: \.isNewline).first.map(String.init)
        try writeSecret(pair.privateKey + "\n", to: layout.assertionPrivateKey)
        try writeFile(([pair.publicKey] + (previous.map { [$0] } ?? [])).joined(separator: "\n") + "\n", to: layout.assertionPublicKeys, mode: 0o644)
        return AssertionKeys.keyID(try AssertionKeys.privateKey(pair.privateKey).publicKey)
    }

    /// Hands the folder and everything in it to another owner (the containers' user, when the
    /// folder is made by root for Docker secrets); the modes stay owner-only.
    public func chown(uid: UInt32, gid: UInt32) throws {
        let paths = [layout.directory] + (FileManager.default.subpaths(atPath: layout.directory) ?? []).map {
            layout.directory + "/" + $0
        }
        for path in paths where Foundation.chown(path, uid, gid) != 0 {
            throw Problem(description: "cannot give \(path) to \(uid):\(gid)")
        }
    }

    public func key(_ identity: BusIdentity) throws -> NKey {
        let path = layout.natsSeed(identity.rawValue)
        guard let secret = SecretText.read(file: path) else { throw Problem(description: "cannot read \(path)") }
        do { return try NKey(seed: secret.value) } catch {
            throw Problem(description: "\(path): \(error)")
        }
    }

    private func writeAuthorization(publicKeys: [BusIdentity: String], _ subjects: Subjects) throws {
        let users = BusIdentity.allCases.compactMap { identity in
            publicKeys[identity].map {
                NatsAuthorization.User(
                    label: "\(subjects.prefix) \(identity.rawValue)", publicKey: $0,
                    permissions: BusPermissions.of(identity, subjects))
            }
        }
        try writeFile(NatsAuthorization(users: users).rendered(), to: layout.natsAuthorization, mode: 0o600)
    }

    private func makeDirectory(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: path)
    }

    private func writeSecret(_ text: String, to path: String) throws {
        try writeFile(text, to: path, mode: 0o600)
    }

    /// Written beside and renamed into place, created with its mode: never readable by others, even briefly.
    private func writeFile(_ text: String, to path: String, mode: Int) throws {
        let temporary = path + ".new"
        guard FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: mode]),
            let handle = FileHandle(forWritingAtPath: temporary)
        else { throw Problem(description: "cannot write \(path)") }
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: temporary)
        if rename(temporary, path) != 0 { throw Problem(description: "cannot write \(path)") }
    }
}
