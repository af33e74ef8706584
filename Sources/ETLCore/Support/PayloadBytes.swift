import Foundation

/// The bytes a payload reader parses: an array already in memory, or a file
/// mapped read-only. A mapped payload costs memory only for the pages being
/// read: the readers hand back the pages they are done with (`release(before:)`),
/// so resident memory does not grow with the payload, where reading it into an
/// array cost its whole size (and more while it was copied).
///
/// A mapped file must not shrink while it is read (the process would get
/// SIGBUS): map files this program owns — a spooled download, an archive copy.
public final class PayloadBytes {
    private let base: UnsafeRawPointer?
    public let count: Int
    private let array: [UInt8]?
    private let mappedLength: Int
    /// Bytes before this offset were handed back to the kernel.
    private var released = 0

    public init(_ bytes: [UInt8]) {
        array = bytes
        base = nil
        count = bytes.count
        mappedLength = 0
    }

    /// Maps the file at `path`. Throws `PayloadBytesError` when it cannot be opened or mapped.
    public init(mapping path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw PayloadBytesError(path: path, errno: errno, action: "open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw PayloadBytesError(path: path, errno: errno, action: "read") }
        let size = Int(info.st_size)
        array = nil
        count = size
        mappedLength = size
        guard size > 0 else { base = nil; return }   // mmap refuses a length of zero
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw PayloadBytesError(path: path, errno: errno, action: "map")
        }
        // The readers go front to back: read ahead aggressively.
        _ = madvise(p, size, MADV_SEQUENTIAL)
        base = UnsafeRawPointer(p)
    }

    deinit {
        if let base, mappedLength > 0 { munmap(UnsafeMutableRawPointer(mutating: base), mappedLength) }
    }

    /// Whether the bytes come from a mapped file (and `release(before:)` frees memory).
    public var isMapped: Bool { array == nil }

    /// The bytes, valid only inside `body`.
    @inline(__always)
    public func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        if let array { return try array.withUnsafeBufferPointer(body) }
        return try body(UnsafeBufferPointer(start: base?.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// The bytes as `Data`, not copied, valid only inside `body` (uploads, which read them once).
    public func withData<T>(_ body: (Data) throws -> T) rethrows -> T {
        if let array { return try body(Data(array)) }
        guard let base, count > 0 else { return try body(Data()) }
        return try body(Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: base), count: count, deallocator: .none))
    }

    /// Tells the kernel the pages wholly before `offset` are no longer needed:
    /// they leave the resident set. Reading them again still works (they are
    /// read back from the file), which error messages that count lines from
    /// the start rely on. A no-op for arrays.
    public func release(before offset: Int) {
        guard let base, mappedLength > 0 else { return }
        let page = Self.pageSize
        let end = min(offset, count) / page * page
        guard end > released else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base) + released, end - released, MADV_DONTNEED)
        released = end
    }

    private static let pageSize = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))
}

/// A payload file that could not be opened or mapped.
public struct PayloadBytesError: Error, CustomStringConvertible {
    public let path: String
    public let errno: Int32
    public let action: String

    public var description: String { "cannot \(action) \(path): \(String(cString: strerror(errno)))" }
}
