import Foundation

/// The name of a `readdir` entry, read in place: directory walks that run on every
/// run (TMPDIR, the archive folder) match names as bytes instead of building a
/// Foundation path for each entry.
public enum DirectoryEntryName {
    /// The bytes of the entry's name, without its terminating NUL.
    public static func withBytes<R>(of entry: UnsafeMutablePointer<dirent>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeBytes(of: &entry.pointee.d_name) { raw in
            let length = strnlen(raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count)
            return body(UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: length))
        }
    }

    public static func string(of entry: UnsafeMutablePointer<dirent>) -> String {
        withBytes(of: entry) { String(decoding: $0, as: UTF8.self) }
    }
}
