/// A strict reading of a JSON text (RFC 8259) before it is decoded: Foundation's decoder takes the
/// last of two equal keys (so a validator and a handler could read different values) and is lenient
/// in places; here a duplicate key, a trailing comma, a NUL inside a string or nesting deeper than
/// `maximumDepth` is a problem with a name.
enum JSONSyntax {
    enum Problem: Error, Equatable {
        case invalid
        case duplicateKey(String)
        case nul
        case tooDeep
    }

    static let maximumDepth = 64

    /// The first problem of the text, or nil when it is strict JSON.
    static func problem(in bytes: some Collection<UInt8>) -> Problem? {
        func read(_ buffer: UnsafeBufferPointer<UInt8>) -> Problem? {
            var reader = Reader(bytes: buffer)
            do {
                try reader.document()
                return nil
            } catch {
                return error as? Problem ?? .invalid
            }
        }
        return bytes.withContiguousStorageIfAvailable(read) ?? Array(bytes).withUnsafeBufferPointer(read)
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        mutating func document() throws {
            skipSpace()
            try value(depth: 0)
            skipSpace()
            guard index == bytes.count else { throw Problem.invalid }
        }

        private mutating func value(depth: Int) throws {
            guard depth < JSONSyntax.maximumDepth else { throw Problem.tooDeep }
            guard let byte = peek() else { throw Problem.invalid }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth + 1)
            case UInt8(ascii: "["): try array(depth: depth + 1)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            default: try number()
            }
        }

        private mutating func object(depth: Int) throws {
            index += 1
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                index += 1
                return
            }
            var keys: Set<String> = []
            while true {
                skipSpace()
                guard peek() == UInt8(ascii: "\"") else { throw Problem.invalid }
                let key = try string()
                guard keys.insert(key).inserted else { throw Problem.duplicateKey(key) }
                skipSpace()
                guard peek() == UInt8(ascii: ":") else { throw Problem.invalid }
                index += 1
                skipSpace()
                try value(depth: depth)
                skipSpace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "}"):
                    index += 1
                    return
                default: throw Problem.invalid
                }
            }
        }

        private mutating func array(depth: Int) throws {
            index += 1
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                index += 1
                return
            }
            while true {
                skipSpace()
                try value(depth: depth)
                skipSpace()
                switch peek() {
                case UInt8(ascii: ","): index += 1
                case UInt8(ascii: "]"):
                    index += 1
                    return
                default: throw Problem.invalid
                }
            }
        }

        /// Reads a string and returns its text (escapes resolved, so `"a"` and `"\u0061"` are one key).
        private mutating func string() throws -> String {
            index += 1
            var scalars: [UInt8] = []
            var escaped = false
            let start = index
            while let byte = peek() {
                switch byte {
                case UInt8(ascii: "\""):
                    let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    return escaped ? String(decoding: scalars, as: UTF8.self) : String(decoding: raw, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    if !escaped { scalars = Array(bytes[start..<index]) }
                    escaped = true
                    index += 1
                    try escape(into: &scalars)
                case 0..<0x20:
                    // Control characters must be escaped; a raw NUL is reported as what it is.
                    throw byte == 0 ? Problem.nul : Problem.invalid
                default:
                    if escaped { scalars.append(byte) }
                    index += 1
                }
            }
            throw Problem.invalid
        }

        private mutating func escape(into scalars: inout [UInt8]) throws {
            guard let byte = peek() else { throw Problem.invalid }
            index += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(byte)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var unit = try hexUnit()
                if unit == 0 { throw Problem.nul }
                if (0xD800...0xDBFF).contains(unit), peek() == UInt8(ascii: "\\"), peek(1) == UInt8(ascii: "u") {
                    index += 2
                    let low = try hexUnit()
                    guard (0xDC00...0xDFFF).contains(low) else { throw Problem.invalid }
                    unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                }
                // A lone surrogate cannot become text; Foundation refuses it too.
                guard let scalar = Unicode.Scalar(unit) else { throw Problem.invalid }
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw Problem.invalid
            }
        }

        private mutating func hexUnit() throws -> UInt32 {
            var unit: UInt32 = 0
            for _ in 0..<4 {
                guard let byte = peek(), let digit = Self.hexDigit(byte) else { throw Problem.invalid }
                unit = unit << 4 | digit
                index += 1
            }
            return unit
        }

        private static func hexDigit(_ byte: UInt8) -> UInt32? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): UInt32(byte - UInt8(ascii: "A") + 10)
            default: nil
            }
        }

        /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
        private mutating func number() throws {
            if peek() == UInt8(ascii: "-") { index += 1 }
            guard let first = peek(), Self.isDigit(first) else { throw Problem.invalid }
            index += 1
            if first != UInt8(ascii: "0") { skipDigits() }
            if peek() == UInt8(ascii: ".") {
                index += 1
                guard let digit = peek(), Self.isDigit(digit) else { throw Problem.invalid }
                skipDigits()
            }
            if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
                index += 1
                if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
                guard let digit = peek(), Self.isDigit(digit) else { throw Problem.invalid }
                skipDigits()
            }
        }

        private mutating func literal(_ word: String) throws {
            let text = word.utf8
            guard bytes.count - index >= text.count, bytes[index..<(index + text.count)].elementsEqual(text) else {
                throw Problem.invalid
            }
            index += text.count
        }

        private mutating func skipDigits() {
            while let byte = peek(), Self.isDigit(byte) { index += 1 }
        }

        private mutating func skipSpace() {
            while let byte = peek(),
                byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
            {
                index += 1
            }
        }

        private static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

        private func peek(_ offset: Int = 0) -> UInt8? {
            index + offset < bytes.count ? bytes[index + offset] : nil
        }
    }
}
