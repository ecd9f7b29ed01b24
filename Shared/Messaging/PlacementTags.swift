import CNats
import Foundation

/// Placement tags as libnats takes them: a stream (or a bucket's) with tags lives only on servers
/// whose `server_tags` include every one. The C strings live as long as this value's `with` call.
struct PlacementTags {
    let tags: [String]

    /// Runs `body` with a `jsPlacement` for the tags, or nil when there are none.
    func with<Result>(_ body: (UnsafeMutablePointer<jsPlacement>?) throws(NatsError) -> Result) throws(NatsError) -> Result {
        guard !tags.isEmpty else { return try body(nil) }
        let copies = tags.map { strdup($0) }
        // libnats writes the cluster name whatever it is (a null one crashes it); empty is "any".
        let anyCluster = strdup("")
        defer {
            copies.forEach { free($0) }
            free(anyCluster)
        }
        var pointers: [UnsafePointer<CChar>?] = copies.map { UnsafePointer($0) }
        let count = Int32(pointers.count)
        let placement = UnsafeMutablePointer<jsPlacement>.allocate(capacity: 1)
        defer { placement.deallocate() }
        return try pointers.withUnsafeMutableBufferPointer { buffer throws(NatsError) -> Result in
            placement.initialize(to: jsPlacement(Cluster: UnsafePointer(anyCluster), Tags: buffer.baseAddress, TagsLen: count))
            return try body(placement)
        }
    }

    /// The tags a stream's configuration holds.
    static func of(_ config: jsStreamConfig) -> [String] {
        guard let placement = config.Placement?.pointee, let tags = placement.Tags else { return [] }
        return (0..<Int(placement.TagsLen)).compactMap { tags[$0].map { String(cString: $0) } }
    }
}
