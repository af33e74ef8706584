/// A JSON payload that cannot be read: see `PayloadError`.
public typealias JSONError = PayloadError

/// Line and column of a byte offset, worked out only when an error is raised so
/// the hot path never counts columns.
enum TextPosition {
    /// Lines and columns count from 1; a column counts Unicode scalars (UTF-8
    /// lead bytes), so "é" is one column.
    static func of(offset: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (line: Int, column: Int) {
        var line = 1, column = 1
        var i = 0
        let stop = min(offset, bytes.count)
        while i < stop {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (line, column)
    }
}
