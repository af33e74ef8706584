import Foundation

/// One element of the record array (or one NDJSON line), with where it was.
public struct JSONElement: Equatable, Sendable {
    /// Zero-based index among the elements read.
    public var position: Int
    public var value: Value
    /// Offset of the element's first byte in the payload.
    public var byteOffset: Int
    /// Line (from 1) of the element's first byte.
    public var line: Int
    /// Set when the element is larger than the reader's `maxRecordBytes`: it was
    /// skipped, not built, and `value` is null.
    public var oversized: OversizedRecord?

    public init(position: Int, value: Value, byteOffset: Int, line: Int, oversized: OversizedRecord? = nil) {
        self.position = position; self.value = value; self.byteOffset = byteOffset; self.line = line
        self.oversized = oversized
    }
}

/// Reads the records of a JSON payload (in memory or a mapped file), one element
/// at a time, so only the current batch is ever materialised: a 32 MB payload
/// of a million records is read in well under a second with flat memory, where
/// Foundation's JSONSerialization took 8 s and 3 GB. The pages of a mapped
/// payload are released as batches complete, and no element may be larger
/// than `maxRecordBytes`: a bigger one is skipped and handed out as oversized.
///
///     var reader = JSONStreamReader(bytes: body, source: url, mode: .recordPath(["data", "items"]))
///     while case let batch = try reader.nextBatch(max: 10_000), !batch.isEmpty { ... }
///
/// The whole payload is checked as it is read: truncation, trailing data and a
/// wrong shape are errors, raised when reading reaches them.
public struct JSONStreamReader {
    public enum Mode: Equatable, Sendable {
        /// The payload is a JSON array; its elements are the records.
        case array
        /// The records are the array at this path of member names in a top-level
        /// object (`["data", "items"]`); every other member is skipped unparsed.
        /// An empty path means `.array`.
        case recordPath([String])
        /// Newline-delimited JSON: one value per line, blank lines ignored.
        case ndjson
    }

    public let source: String
    public let mode: Mode
    /// Plain decimal numbers with a fraction (`12.50`), and integers too big for
    /// Int64, become `.decimal` instead of `.double`, keeping every digit.
    public let decimalNumbers: Bool
    /// Deeper nesting is refused, so hostile input cannot overflow the stack.
    public let maxDepth: Int
    /// Bytes one element (or NDJSON line) may span; a larger one is not built.
    public let maxRecordBytes: Int

    /// Elements handed out so far.
    public private(set) var elementsRead = 0
    /// How far into the payload reading has got, for progress reports.
    public var byteOffset: Int { pos }
    public var byteCount: Int { payload.count }
    /// True once the end of the payload has been reached and checked.
    public var isFinished: Bool { if case .finished = state { return true } else { return false } }

    private enum State {
        case start
        case elements(first: Bool)
        case finished
        case failed(JSONError)
    }

    private let payload: PayloadBytes
    /// `mode == .ndjson`, asked once per element: comparing the enum costs a call each time.
    private let isNDJSON: Bool
    private var pos = 0
    private var line = 1
    private var state = State.start
    /// Containers open around the record array's elements.
    private var elementDepth = 1
    private var keys = JSONKeyCache()

    public init(payload: PayloadBytes, source: String, mode: Mode = .array, decimalNumbers: Bool = false, maxDepth: Int = 512,
                maxRecordBytes: Int = .max) {
        self.payload = payload
        self.source = source
        if case .recordPath(let path) = mode, path.isEmpty { self.mode = .array } else { self.mode = mode }
        isNDJSON = mode == .ndjson
        self.decimalNumbers = decimalNumbers
        self.maxDepth = max(1, maxDepth)
        self.maxRecordBytes = max(1, maxRecordBytes)
    }

    public init(bytes: [UInt8], source: String, mode: Mode = .array, decimalNumbers: Bool = false, maxDepth: Int = 512,
                maxRecordBytes: Int = .max) {
        self.init(payload: PayloadBytes(bytes), source: source, mode: mode, decimalNumbers: decimalNumbers, maxDepth: maxDepth,
                  maxRecordBytes: maxRecordBytes)
    }

    public init(data: Data, source: String, mode: Mode = .array, decimalNumbers: Bool = false, maxDepth: Int = 512) {
        self.init(bytes: [UInt8](data), source: source, mode: mode, decimalNumbers: decimalNumbers, maxDepth: maxDepth)
    }

    /// Parses a whole, small document (config-like JSON, tests). Trailing data is an error.
    public static func parse(_ bytes: [UInt8], source: String = "JSON", decimalNumbers: Bool = false,
                             maxDepth: Int = 512) throws -> Value {
        try bytes.withUnsafeBufferPointer { try parse($0, source: source, decimalNumbers: decimalNumbers, maxDepth: maxDepth) }
    }

    /// The same from borrowed bytes (a database field), without copying them first.
    public static func parse(_ buf: UnsafeBufferPointer<UInt8>, source: String = "JSON", decimalNumbers: Bool = false,
                             maxDepth: Int = 512) throws -> Value {
        var p = JSONParser(buf: buf, pos: 0, line: 1, source: source, decimalNumbers: decimalNumbers,
                           maxDepth: max(1, maxDepth), keys: JSONKeyCache())
        p.skipByteOrderMark()
        let value = try p.parseValue(depth: 0)
        try expectEnd(&p)
        return value
    }

    public static func parse(_ text: String, source: String = "JSON", decimalNumbers: Bool = false) throws -> Value {
        try parse(Array(text.utf8), source: source, decimalNumbers: decimalNumbers)
    }

    /// The named members of a top-level object, parsed; every other member is
    /// skipped without being built (a page's `has_more` next to 10,000 records).
    /// A top level that is not an object has no members.
    public static func members(of bytes: [UInt8], named names: Set<String>, source: String = "JSON") throws -> Fields {
        try members(of: PayloadBytes(bytes), named: names, source: source)
    }

    public static func members(of payload: PayloadBytes, named names: Set<String>, source: String = "JSON") throws -> Fields {
        try payload.withBytes { buf in
            var p = JSONParser(buf: buf, pos: 0, line: 1, source: source, decimalNumbers: false, maxDepth: 512, keys: JSONKeyCache())
            if payload.isMapped { p.pages = payload }   // the skipped records' pages go as the skip passes them
            p.skipByteOrderMark()
            p.skipWhitespace()
            guard !p.atEnd, p.buf[p.pos] == UInt8(ascii: "{") else { return Fields() }
            p.pos += 1
            var found = Fields()
            p.skipWhitespace()
            if !p.atEnd && p.buf[p.pos] == UInt8(ascii: "}") { return found }
            while true {
                guard !p.atEnd else { throw p.endOfInput() }
                guard p.buf[p.pos] == UInt8(ascii: "\"") else { throw p.unexpected(at: p.pos, expected: "a member name in double quotes") }
                let key = try p.parseString()
                p.skipWhitespace()
                guard !p.atEnd, p.buf[p.pos] == UInt8(ascii: ":") else { throw p.unexpected(at: p.pos, expected: "':' after a member name") }
                p.pos += 1
                p.skipWhitespace()
                if names.contains(key) { found[key] = try p.parseValue(depth: 1) } else { try p.skipValue(depth: 1) }
                p.skipWhitespace()
                guard !p.atEnd else { throw p.endOfInput() }
                switch p.buf[p.pos] {
                case UInt8(ascii: ","): p.pos += 1; p.skipWhitespace()
                case UInt8(ascii: "}"): return found
                default: throw p.unexpected(at: p.pos, expected: "',' or '}' after an object member")
                }
            }
        }
    }

    // MARK: Reading

    /// The next element's value, or nil at the end of the records.
    public mutating func next() throws -> Value? {
        try Self.withParser(&self) { r, p in try r.nextElement(&p)?.value }
    }

    /// Up to `max` elements; empty once the records are exhausted.
    public mutating func nextElements(max: Int) throws -> [JSONElement] {
        try Self.withParser(&self) { r, p in
            var out: [JSONElement] = []
            out.reserveCapacity(Swift.min(max, 65_536))
            while out.count < max, let e = try r.nextElement(&p) {
                out.append(JSONElement(position: e.position, value: e.value, byteOffset: e.byteOffset, line: e.line, oversized: e.oversized))
            }
            return out
        }
    }

    /// Up to `max` records; empty once the records are exhausted. Every element
    /// must be a JSON object: anything else means the payload has the wrong
    /// shape and fails the read (use `nextElements` to handle other values).
    public mutating func nextBatch(max: Int) throws -> [Record] {
        try Self.withParser(&self) { r, p in
            var out: [Record] = []
            out.reserveCapacity(Swift.min(max, 65_536))
            while out.count < max, let element = try r.nextElement(&p) {
                if let big = element.oversized {
                    throw p.error(big.refusal + big.size(over: r.maxRecordBytes, option: "the record size limit"), at: element.byteOffset,
                                  detail: "it starts with \(big.excerpt)")
                }
                guard case .object(let fields) = element.value else {
                    throw p.error("\(RecordNumber.describe(element.position)) is \(element.value.kindDescription), not an object",
                                  at: element.byteOffset, detail: "every record must be a JSON object",
                                  hint: r.mode == .array ? "if the records are nested, set a record path" : nil)
                }
                out.append(Record(fields, position: element.position))
            }
            return out
        }
    }

    /// Up to `max` elements, split the way a source needs them: the objects as records
    /// (positions from `firstPosition` on), everything else (not an object, or oversized)
    /// in `others`, in order. No array of elements is built on the way.
    public mutating func nextRecords(max: Int, firstPosition: Int = 0) throws -> JSONRecordBatch {
        try Self.withParser(&self) { r, p in
            var batch = JSONRecordBatch()
            batch.records.reserveCapacity(Swift.min(max, 65_536))
            while batch.elementCount < max, let element = try r.nextElement(&p) {
                batch.elementCount += 1
                // Taken apart, so the fields move into the record without a copy.
                let (position, value, byteOffset, line, oversized) = element
                if oversized == nil, case .object(let fields) = value {
                    batch.records.append(Record(fields, position: firstPosition + position))
                } else {
                    batch.others.append(JSONElement(position: position, value: value, byteOffset: byteOffset, line: line, oversized: oversized))
                }
            }
            return batch
        }
    }

    /// Runs `body` with a parser over the payload, carrying the position over
    /// between calls. After an error, every later call throws it again.
    private static func withParser<T>(_ r: inout JSONStreamReader,
                                      _ body: (inout JSONStreamReader, inout JSONParser) throws -> T) throws -> T {
        if case .failed(let e) = r.state { throw e }
        let payload = r.payload
        // The pages of a mapped payload behind the batch are read no more.
        defer { payload.release(before: r.pos) }
        do {
            return try payload.withBytes { buf in
                var p = JSONParser(buf: buf, pos: r.pos, line: r.line, source: r.source, decimalNumbers: r.decimalNumbers,
                                   maxDepth: r.maxDepth, keys: JSONKeyCache.empty)
                if payload.isMapped { p.pages = payload }
                swap(&p.keys, &r.keys)   // the parser owns the cache while it runs
                defer { r.pos = p.pos; r.line = p.line; swap(&p.keys, &r.keys) }
                return try body(&r, &p)
            }
        } catch let e as JSONError {
            r.state = .failed(e)
            throw e
        }
    }

    /// One element as read: a tuple, not a `JSONElement`, so that a caller can take
    /// its value apart without copying it.
    private typealias ReadElement = (position: Int, value: Value, byteOffset: Int, line: Int, oversized: OversizedRecord?)

    private mutating func nextElement(_ p: inout JSONParser) throws -> ReadElement? {
        switch state {
        case .finished, .failed:
            return nil
        case .start:
            p.skipByteOrderMark()
            if mode == .ndjson { state = .elements(first: true); return try nextLine(&p) }
            try openRecordArray(&p)
            state = .elements(first: true)
            return try nextElement(&p)
        case .elements(let first):
            if isNDJSON { return try nextLine(&p) }
            p.skipWhitespace()
            guard !p.atEnd else { throw p.endOfInput() }
            if p.buf[p.pos] == UInt8(ascii: "]") {
                p.pos += 1
                try closeDocument(&p)
                state = .finished
                return nil
            }
            if !first {
                guard p.buf[p.pos] == UInt8(ascii: ",") else {
                    throw p.unexpected(at: p.pos, expected: "',' or ']' after an array element")
                }
                p.pos += 1
                p.skipWhitespace()
            }
            let offset = p.pos, line = p.line
            let (value, oversized) = try parseElement(&p, depth: elementDepth)
            if first { state = .elements(first: false) }
            elementsRead += 1
            return (elementsRead - 1, value, offset, line, oversized)
        }
    }

    // MARK: NDJSON

    private mutating func nextLine(_ p: inout JSONParser) throws -> ReadElement? {
        p.skipWhitespace()   // blank lines included
        if p.atEnd { state = .finished; return nil }
        let offset = p.pos, line = p.line
        let (value, oversized) = try parseElement(&p, depth: 0)
        while !p.atEnd, p.buf[p.pos] == 0x20 || p.buf[p.pos] == 0x09 || p.buf[p.pos] == 0x0D { p.pos += 1 }
        if !p.atEnd {
            guard p.buf[p.pos] == 0x0A else {
                throw p.unexpected(at: p.pos, expected: "a new line after the value",
                                   hint: "NDJSON holds exactly one JSON value per line")
            }
            p.pos += 1
            p.line += 1
        }
        elementsRead += 1
        return (elementsRead - 1, value, offset, line, oversized)
    }

    // MARK: Record cap

    /// One element, parsed inside a window of `maxRecordBytes` (+1, so a number
    /// running past the cap is seen to) from its start: reaching the window's
    /// end means it is too large, and it is skipped instead, unbuilt.
    private func parseElement(_ p: inout JSONParser, depth: Int) throws -> (Value, OversizedRecord?) {
        let start = p.pos, line = p.line
        let full = p.buf
        guard maxRecordBytes < full.count - start else { return (try p.parseValue(depth: depth), nil) }
        p.buf = UnsafeBufferPointer(rebasing: full[..<(start + maxRecordBytes + 1)])
        p.capped = true
        var value: Value?
        do {
            defer { p.buf = full; p.capped = false }
            value = try p.parseValue(depth: depth)
        } catch is RecordCapReached {}
        if let value, p.pos - start <= maxRecordBytes { return (value, nil) }
        p.pos = start
        p.line = line
        try p.skipValue(depth: depth)
        // Its pages are not kept resident until the batch ends: nothing refers to them.
        payload.release(before: p.pos)
        return (.null, OversizedRecord(position: elementsRead, line: line, bytes: full, from: start, to: p.pos))
    }

    // MARK: Document structure

    /// Moves to just inside the record array: the top-level `[`, or the array at
    /// the record path.
    private mutating func openRecordArray(_ p: inout JSONParser) throws {
        p.skipWhitespace()
        guard !p.atEnd else { throw p.endOfInput() }
        guard case .recordPath(let path) = mode else {
            guard p.buf[p.pos] == UInt8(ascii: "[") else {
                throw p.error("expected a JSON array at the top level, found \(p.describeValueKind(at: p.pos))", at: p.pos,
                              hint: p.buf[p.pos] == UInt8(ascii: "{") ? "if the records sit inside the object, set a record path (e.g. data.items)" : nil)
            }
            p.pos += 1
            elementDepth = 1
            return
        }
        let dotted = path.joined(separator: ".")
        guard p.buf[p.pos] == UInt8(ascii: "{") else {
            throw p.error("expected a JSON object at the top level (record path \(dotted)), found \(p.describeValueKind(at: p.pos))",
                          at: p.pos, hint: p.buf[p.pos] == UInt8(ascii: "[") ? "the payload is a plain array: drop the record path" : nil)
        }
        for (level, name) in path.enumerated() {
            p.pos += 1   // into the object
            let here = level == 0 ? "the top-level object" : "the object at \(path[..<level].joined(separator: "."))"
            try findMember(&p, named: name, depth: level + 1, recordPath: dotted, here: here)
            guard !p.atEnd else { throw p.endOfInput() }
            let isLast = level == path.count - 1
            let wanted = isLast ? UInt8(ascii: "[") : UInt8(ascii: "{")
            guard p.buf[p.pos] == wanted else {
                let at = path[...level].joined(separator: ".")
                throw p.error("expected a JSON \(isLast ? "array" : "object") at \(at)\(isLast ? "" : " (record path \(dotted))"), found \(p.describeValueKind(at: p.pos))",
                              at: p.pos)
            }
        }
        p.pos += 1   // into the array
        elementDepth = path.count + 1
    }

    /// Walks the members of the object `p` is inside until `name`, skipping the
    /// others unparsed; leaves `p` at the member's value.
    private func findMember(_ p: inout JSONParser, named name: String, depth: Int, recordPath: String, here: String) throws {
        var seen: [String] = []
        p.skipWhitespace()
        guard !p.atEnd else { throw p.endOfInput() }
        if p.buf[p.pos] == UInt8(ascii: "}") { throw missingMember(p, name, recordPath, here, seen) }
        while true {
            guard !p.atEnd else { throw p.endOfInput() }
            guard p.buf[p.pos] == UInt8(ascii: "\"") else { throw p.unexpected(at: p.pos, expected: "a member name in double quotes") }
            let key = try p.parseString()
            p.skipWhitespace()
            guard !p.atEnd else { throw p.endOfInput() }
            guard p.buf[p.pos] == UInt8(ascii: ":") else { throw p.unexpected(at: p.pos, expected: "':' after a member name") }
            p.pos += 1
            p.skipWhitespace()
            if key == name { return }
            if seen.count < 20, !seen.contains(key) { seen.append(key) }
            try p.skipValue(depth: depth)
            p.skipWhitespace()
            guard !p.atEnd else { throw p.endOfInput() }
            switch p.buf[p.pos] {
            case UInt8(ascii: ","): p.pos += 1; p.skipWhitespace()
            case UInt8(ascii: "}"): throw missingMember(p, name, recordPath, here, seen)
            default: throw p.unexpected(at: p.pos, expected: "',' or '}' after an object member")
            }
        }
    }

    private func missingMember(_ p: JSONParser, _ name: String, _ recordPath: String, _ here: String, _ seen: [String]) -> JSONError {
        p.error("record path \(recordPath) not found: \(here) has no member '\(name)'", at: p.pos,
                detail: seen.isEmpty ? "it is empty" : "its members are \(seen.joined(separator: ", "))",
                hint: Suggest.didYouMean(name, seen))
    }

    /// After the record array: the rest of the enclosing objects, then nothing
    /// but whitespace.
    private mutating func closeDocument(_ p: inout JSONParser) throws {
        if case .recordPath(let path) = mode {
            for level in stride(from: path.count, through: 1, by: -1) {
                try skipRestOfObject(&p, depth: level)
            }
        }
        try JSONStreamReader.expectEnd(&p)
    }

    private func skipRestOfObject(_ p: inout JSONParser, depth: Int) throws {
        while true {
            p.skipWhitespace()
            guard !p.atEnd else { throw p.endOfInput() }
            switch p.buf[p.pos] {
            case UInt8(ascii: "}"):
                p.pos += 1
                return
            case UInt8(ascii: ","):
                p.pos += 1
                p.skipWhitespace()
                guard !p.atEnd else { throw p.endOfInput() }
                guard p.buf[p.pos] == UInt8(ascii: "\"") else { throw p.unexpected(at: p.pos, expected: "a member name in double quotes") }
                try p.skipString()
                p.skipWhitespace()
                guard !p.atEnd else { throw p.endOfInput() }
                guard p.buf[p.pos] == UInt8(ascii: ":") else { throw p.unexpected(at: p.pos, expected: "':' after a member name") }
                p.pos += 1
                try p.skipValue(depth: depth)
            default:
                throw p.unexpected(at: p.pos, expected: "',' or '}' after an object member")
            }
        }
    }

    static func expectEnd(_ p: inout JSONParser) throws {
        p.skipWhitespace()
        guard p.atEnd else {
            throw p.error("unexpected \(p.describeCharacter(at: p.pos)) after the end of the top-level value", at: p.pos,
                          detail: "trailing data after the JSON document",
                          hint: "if the payload holds one JSON value per line, read it as NDJSON")
        }
    }
}

/// One read of `JSONStreamReader.nextRecords`.
public struct JSONRecordBatch: Sendable {
    /// The elements that are objects, as records.
    public var records: [Record] = []
    /// The other elements (not objects, or over the size limit), with their own positions.
    public var others: [JSONElement] = []
    /// How many elements were read: zero once the records are exhausted.
    public var elementCount = 0
}

extension Value {
    /// "a string", "an array", ... for messages.
    var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double, .decimal: return "a number"
        case .string: return "a string"
        case .timestamp: return "a timestamp"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}
