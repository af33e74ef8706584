import Foundation

/// A CSV payload that cannot be read: see `PayloadError`.
public typealias CSVError = PayloadError

/// Reads RFC 4180 CSV from a payload (in memory or a mapped file), batch by batch: quoted fields,
/// `""` inside quotes, line breaks inside quotes, LF or CRLF line ends. The
/// header row names the fields; every value is a `.string`.
///
/// Blank lines are skipped. With `emptyAsNull`, an empty unquoted field is
/// `.null` while a quoted empty field (`""`) stays an empty string, as in
/// PostgreSQL's COPY.
///
/// A row spanning more than `maxRecordBytes` (line end included) is skipped
/// without being built and handed to the caller as an `OversizedRecord`; the
/// pages of a mapped payload are released as batches complete.
public struct CSVReader {
    /// What to do with a row whose field count differs from the header's.
    public enum ColumnCountPolicy: Equatable, Sendable {
        case error
        /// Short rows get `.null` for the missing fields; long rows are still an
        /// error, since dropping data silently is worse.
        case fillMissingWithNull
    }

    public let source: String
    public let delimiter: UInt8
    public let emptyAsNull: Bool
    public let columnCountPolicy: ColumnCountPolicy
    /// Field names, from the header row or given to `init`.
    public private(set) var columns: [String] = []
    /// Data rows handed out so far.
    public private(set) var rowsRead = 0
    /// Bytes one row may span; a larger one is not built.
    public let maxRecordBytes: Int

    private let payload: PayloadBytes
    private var pos = 0
    /// How far into the payload the reader is (progress and ETA).
    public var byteOffset: Int { pos }
    private var line = 1
    /// True while the row being read sees only the window the cap allows.
    private var capped = false

    private static let quote = UInt8(ascii: "\"")
    private static let newline = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// Reads the header right away (unless `columns` are given, in which case
    /// the first row is data), so `columns` is known before the first batch.
    public init(bytes: [UInt8], source: String, delimiter: Character = ",", emptyAsNull: Bool = false,
                columns: [String]? = nil, columnCountPolicy: ColumnCountPolicy = .error, maxRecordBytes: Int = .max) throws {
        try self.init(payload: PayloadBytes(bytes), source: source, delimiter: delimiter, emptyAsNull: emptyAsNull,
                      columns: columns, columnCountPolicy: columnCountPolicy, maxRecordBytes: maxRecordBytes)
    }

    public init(payload: PayloadBytes, source: String, delimiter: Character = ",", emptyAsNull: Bool = false,
                columns: [String]? = nil, columnCountPolicy: ColumnCountPolicy = .error, maxRecordBytes: Int = .max) throws {
        guard let ascii = delimiter.asciiValue, ascii != CSVReader.quote, ascii != CSVReader.newline,
              ascii != CSVReader.carriageReturn else {
            throw ETLError("CSV delimiter must be one ASCII character other than a double quote or a line break, got '\(delimiter)'",
                           hint: "common choices are ',', ';', '|' and a tab")
        }
        self.payload = payload
        self.source = source
        self.delimiter = ascii
        self.emptyAsNull = emptyAsNull
        self.columnCountPolicy = columnCountPolicy
        self.maxRecordBytes = max(1, maxRecordBytes)
        let hasBOM = payload.withBytes { $0.count >= 3 && $0[0] == 0xEF && $0[1] == 0xBB && $0[2] == 0xBF }
        if hasBOM { pos = 3 }   // Excel's BOM

        if let columns {
            try checkDistinct(columns, line: 1)
            self.columns = columns
        } else {
            try readHeader()
        }
    }

    public init(data: Data, source: String, delimiter: Character = ",", emptyAsNull: Bool = false,
                columns: [String]? = nil, columnCountPolicy: ColumnCountPolicy = .error) throws {
        try self.init(bytes: [UInt8](data), source: source, delimiter: delimiter, emptyAsNull: emptyAsNull,
                      columns: columns, columnCountPolicy: columnCountPolicy)
    }

    /// The next record, or nil at the end.
    public mutating func next() throws -> Record? {
        try nextBatch(max: 1).first
    }

    /// Up to `max` records (position = zero-based data row index); empty at the end.
    /// Rows over `maxRecordBytes` go to `oversized` (they take a position, and do not
    /// count towards `max`); without it such a row is an error.
    public mutating func nextBatch(max: Int, oversized: ((OversizedRecord) -> Void)? = nil) throws -> [Record] {
        var out: [Record] = []
        out.reserveCapacity(Swift.min(max, 65_536))
        let payload = self.payload
        defer { payload.release(before: pos) }
        try payload.withBytes { full in
            while out.count < max {
                skipBlankLines(full)
                guard pos < full.count else { break }
                let start = pos, startLine = line
                capped = maxRecordBytes < full.count - start
                let buf = capped ? UnsafeBufferPointer(rebasing: full[..<(start + maxRecordBytes + 1)]) : full
                do {
                    defer { capped = false }
                    if let (cells, quotedEmpty, rowLine) = try readRow(buf), !capped || pos - start <= maxRecordBytes {
                        out.append(try makeRecord(cells, quotedEmpty: quotedEmpty, line: rowLine, buf: full))
                        continue
                    }
                } catch is RecordCapReached {}
                pos = start
                line = startLine
                let end = skipRow(full)
                payload.release(before: pos)   // not kept resident until the batch ends
                let big = OversizedRecord(position: rowsRead, line: startLine, bytes: full, from: start, to: end)
                rowsRead += 1
                guard let oversized else {
                    throw CSVError(big.refusal + big.size(over: maxRecordBytes, option: "the record size limit"), detail: "it starts with \(big.excerpt)",
                                   hint: nil, source: source, line: startLine, column: 1)
                }
                oversized(big)
            }
        }
        return out
    }

    /// Steps over a row without building it (quotes respected), and over its line
    /// end; returns where its content ended.
    private mutating func skipRow(_ buf: UnsafeBufferPointer<UInt8>) -> Int {
        var quoted = false
        while pos < buf.count {
            let b = buf[pos]
            if b == CSVReader.quote { quoted.toggle() }
            else if b == CSVReader.newline {
                if !quoted {
                    let end = pos > 0 && buf[pos - 1] == CSVReader.carriageReturn ? pos - 1 : pos
                    pos += 1; line += 1
                    return end
                }
                line += 1
            }
            pos += 1
            if pos & 0xF_FFFF == 0 { payload.release(before: pos) }   // every MiB of a huge row
        }
        return pos
    }

    private mutating func skipBlankLines(_ buf: UnsafeBufferPointer<UInt8>) {
        while pos < buf.count {
            if buf[pos] == CSVReader.newline { pos += 1; line += 1 }
            else if buf[pos] == CSVReader.carriageReturn, pos + 1 < buf.count, buf[pos + 1] == CSVReader.newline { pos += 2; line += 1 }
            else { break }
        }
    }

    // MARK: Rows

    private mutating func readHeader() throws {
        let payload = self.payload
        try payload.withBytes { buf in
            guard let (cells, _, rowLine) = try readRow(buf) else { return }
            let names = cells.enumerated().map { i, name in name.isEmpty ? "column_\(i + 1)" : name }
            try checkDistinct(names, line: rowLine)
            columns = names
        }
    }

    private func checkDistinct(_ names: [String], line: Int) throws {
        var seen: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            if let first = seen[name] {
                throw CSVError("duplicate column name '\(name)' in the header (columns \(first + 1) and \(i + 1))",
                               source: source, line: line, column: 1, hint: nil)
            }
            seen[name] = i
        }
    }

    private mutating func makeRecord(_ cells: [String], quotedEmpty: [Bool], line rowLine: Int,
                            buf: UnsafeBufferPointer<UInt8>) throws -> Record {
        if cells.count != columns.count {
            let shortAndAllowed = cells.count < columns.count && columnCountPolicy == .fillMissingWithNull
            if !shortAndAllowed {
                throw CSVError("row \(rowsRead + 1) has \(cells.count) field\(cells.count == 1 ? "" : "s"), the header has \(columns.count)",
                               detail: "every row must have one field per column",
                               hint: cells.count == 1 && columns.count > 1 ? "check the delimiter" : "check for an unquoted delimiter inside a field",
                               source: source, line: rowLine, column: 1)
            }
        }
        var fields = Fields()
        fields.reserveCapacity(columns.count)
        for (i, name) in columns.enumerated() {
            if i < cells.count {
                let text = cells[i]
                fields.appendUnchecked(name, emptyAsNull && text.isEmpty && !quotedEmpty[i] ? .null : .string(text))
            } else {
                fields.appendUnchecked(name, .null)
            }
        }
        rowsRead += 1
        return Record(fields, position: rowsRead - 1)
    }

    /// The next row's fields, which fields were quoted and empty, and the line
    /// the row starts on; nil at the end. Blank lines are skipped.
    private mutating func readRow(_ buf: UnsafeBufferPointer<UInt8>) throws -> ([String], [Bool], Int)? {
        skipBlankLines(buf)
        guard pos < buf.count else { return nil }

        let rowLine = line
        var cells: [String] = []
        cells.reserveCapacity(columns.count)
        var quotedEmpty: [Bool] = []
        quotedEmpty.reserveCapacity(columns.count)
        while true {
            if pos < buf.count, buf[pos] == CSVReader.quote {
                let text = try readQuotedField(buf)
                cells.append(text)
                quotedEmpty.append(text.isEmpty)
            } else {
                cells.append(try readPlainField(buf))
                quotedEmpty.append(false)
            }
            // After a field: a delimiter, a line end or the end of the payload.
            guard pos < buf.count else { return (cells, quotedEmpty, rowLine) }
            let b = buf[pos]
            if b == delimiter {
                pos += 1
            } else if b == CSVReader.newline {
                pos += 1; line += 1
                return (cells, quotedEmpty, rowLine)
            } else if b == CSVReader.carriageReturn, pos + 1 < buf.count, buf[pos + 1] == CSVReader.newline {
                pos += 2; line += 1
                return (cells, quotedEmpty, rowLine)
            } else {
                throw error("unexpected \(describe(buf, at: pos)) after the closing quote of a field", at: pos, buf: buf,
                            detail: "a quoted field must end at a delimiter or the end of the line",
                            hint: "write a double quote inside a quoted field as \"\"")
            }
        }
    }

    /// An unquoted field, up to the delimiter or line end. A quote inside it is
    /// kept as it is, as most writers expect.
    private mutating func readPlainField(_ buf: UnsafeBufferPointer<UInt8>) throws -> String {
        let start = pos
        var ascii = true
        while pos < buf.count {
            let b = buf[pos]
            if b == delimiter || b == CSVReader.newline { break }
            if b == CSVReader.carriageReturn, pos + 1 < buf.count, buf[pos + 1] == CSVReader.newline { break }
            if b >= 0x80 { ascii = false }
            pos += 1
        }
        // Cut at the cap, the field's last character may be cut in half too: not a UTF-8 error.
        if capped && pos == buf.count { throw RecordCapReached() }
        return try makeString(UnsafeBufferPointer(rebasing: buf[start..<pos]), ascii: ascii, raw: start..<pos, buf: buf)
    }

    /// A quoted field (pos at its opening quote): `""` is one quote, and line
    /// breaks are part of the value.
    private mutating func readQuotedField(_ buf: UnsafeBufferPointer<UInt8>) throws -> String {
        let openQuote = pos
        pos += 1
        var segmentStart = pos
        var unescaped: [UInt8] = []
        var hasEscapes = false
        var ascii = true
        while pos < buf.count {
            let b = buf[pos]
            if b == CSVReader.quote {
                if pos + 1 < buf.count, buf[pos + 1] == CSVReader.quote {
                    unescaped.append(contentsOf: UnsafeBufferPointer(rebasing: buf[segmentStart...pos]))
                    hasEscapes = true
                    pos += 2
                    segmentStart = pos
                    continue
                }
                let tail = UnsafeBufferPointer(rebasing: buf[segmentStart..<pos])
                let raw = (openQuote + 1)..<pos
                pos += 1
                guard hasEscapes else { return try makeString(tail, ascii: ascii, raw: raw, buf: buf) }
                unescaped.append(contentsOf: tail)
                return try unescaped.withUnsafeBufferPointer { try makeString($0, ascii: ascii, raw: raw, buf: buf) }
            }
            if b == CSVReader.newline { line += 1 }
            if b >= 0x80 { ascii = false }
            pos += 1
        }
        if capped { throw RecordCapReached() }
        throw error("unterminated quoted field", at: openQuote, buf: buf,
                    detail: "the closing quote is missing, so the file looks truncated or a quote inside the field is not doubled",
                    hint: "write a double quote inside a quoted field as \"\"")
    }

    /// `raw` is where the field's bytes sit in the payload, to point at a bad byte.
    private func makeString(_ span: UnsafeBufferPointer<UInt8>, ascii: Bool, raw: Range<Int>,
                            buf: UnsafeBufferPointer<UInt8>) throws -> String {
        if ascii { return String(decoding: span, as: UTF8.self) }
        if let s = String(validating: span, as: UTF8.self) { return s }
        let bad = UTF8Check.firstInvalid(in: buf, from: raw.lowerBound, to: raw.upperBound)
        throw error("invalid UTF-8 (byte 0x\(String(buf[Swift.min(bad, buf.count - 1)], radix: 16, uppercase: true))) in a field",
                    at: bad, buf: buf, detail: "CSV payloads must be UTF-8",
                    hint: "re-export the file as UTF-8 (Excel: 'CSV UTF-8')")
    }

    // MARK: Errors

    /// Lines are tracked as we go (`line` is the line of `pos`); the column is
    /// counted back from the offset to its line start.
    private func error(_ reason: String, at offset: Int, buf: UnsafeBufferPointer<UInt8>, detail: String? = nil,
                       hint: String? = nil) -> CSVError {
        let offset = Swift.min(offset, buf.count)
        var errorLine = line
        for i in Swift.min(offset, pos)..<Swift.max(offset, pos) where buf[i] == CSVReader.newline {
            errorLine += offset < pos ? -1 : 1
        }
        var lineStart = offset
        while lineStart > 0, buf[lineStart - 1] != CSVReader.newline { lineStart -= 1 }
        var column = 1
        for i in lineStart..<offset where buf[i] & 0xC0 != 0x80 { column += 1 }
        return CSVError(reason, detail: detail, hint: hint, source: source, line: errorLine, column: column)
    }

    private func describe(_ buf: UnsafeBufferPointer<UInt8>, at offset: Int) -> String {
        let b = buf[offset]
        if b >= 0x20 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        return "byte 0x\(String(b, radix: 16, uppercase: true))"
    }
}

private extension CSVError {
    init(_ reason: String, source: String, line: Int, column: Int, hint: String?) {
        self.init(reason, detail: nil, hint: hint, source: source, line: line, column: column)
    }
}
