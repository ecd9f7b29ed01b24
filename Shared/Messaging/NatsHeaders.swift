import CNats

/// NATS message headers: a key may carry several values (for example several `Set-Cookie`).
public struct NatsHeaders: Sendable, Equatable, Sequence {
    private(set) var fields: [(name: String, value: String)] = []

    public init() {}

    public static func == (lhs: NatsHeaders, rhs: NatsHeaders) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    /// The first value for `name` (header names compare case-insensitively).
    public subscript(name: String) -> String? {
        get { fields.first { $0.name.caseInsensitiveEquals(name) }?.value }
        set {
            fields.removeAll { $0.name.caseInsensitiveEquals(name) }
            if let newValue { fields.append((name, newValue)) }
        }
    }

    public func values(_ name: String) -> [String] {
        fields.filter { $0.name.caseInsensitiveEquals(name) }.map(\.value)
    }

    public mutating func add(_ name: String, _ value: String) {
        fields.append((name, value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    /// Copies every header of a libnats message.
    init(copyingFrom msg: OpaquePointer) {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>? = nil
        var count: Int32 = 0
        guard natsMsgHeader_Keys(msg, &keys, &count) == NATS_OK, let keys else { return }
        defer { free(keys) }
        for index in 0..<Int(count) {
            guard let key = keys[index] else { continue }
            var values: UnsafeMutablePointer<UnsafePointer<CChar>?>? = nil
            var valueCount: Int32 = 0
            guard natsMsgHeader_Values(msg, key, &values, &valueCount) == NATS_OK, let values else { continue }
            let name = String(cString: key)
            for valueIndex in 0..<Int(valueCount) {
                if let value = values[valueIndex] { fields.append((name, String(cString: value))) }
            }
            free(values)
        }
    }

    /// Writes every header onto a libnats message.
    func apply(to msg: OpaquePointer) throws(NatsError) {
        for field in fields {
            // NATS headers are line-based: a CR or LF would let a value forge other headers.
            guard !field.name.contains(where: \.isNewline), !field.value.contains(where: \.isNewline) else {
                throw NatsError(.invalidArgument, "header \(field.name) contains a line break")
            }
            try NatsError.check(natsMsgHeader_Add(msg, field.name, field.value), "set header \(field.name)")
        }
    }
}

extension String {
    /// Header names and auth schemes are ASCII: compare bytes with ASCII case folding (no Unicode
    /// work, no allocation; this runs several times per forwarded request).
    public func caseInsensitiveEquals(_ other: String) -> Bool {
        guard utf8.count == other.utf8.count else { return false }
        return zip(utf8, other.utf8).allSatisfy { left, right in
            left == right || (left | 0x20 == right | 0x20 && (left | 0x20) >= 0x61 && (left | 0x20) <= 0x7A)
        }
    }
}
