import CCurl
import Foundation

/// What curl's C callbacks read from and write into during one transfer.
/// Passed to them as an unretained pointer; the client keeps it alive.
final class TransferState {
    var responseBody = Data()
    var responseHeaders = HTTPHeaders()
    /// Where a successful body goes instead of `responseBody`, when the request asks.
    var spool: BodySpool?
    /// The status of the last status line seen (none for `file://`).
    var status: Int?
    let upload: Data
    var uploadOffset = 0
    /// Polled by curl's progress callback: true aborts the transfer (the run was cancelled).
    var shouldAbort: (() -> Bool)?
    /// Told how much of the body has arrived, and how much is expected (0: unknown).
    var onProgress: ((_ received: Int64, _ expected: Int64) -> Void)?

    init(upload: Data) { self.upload = upload }

    /// Whether body bytes go to the spool file: only a success's (or a file's), so
    /// an error page still reaches messages.
    var spoolsBody: Bool { spool != nil && (status.map { (200..<300).contains($0) } ?? true) }

    /// One header line as curl hands it over (with its CRLF). Parsed on the bytes:
    /// this runs for every header of every response.
    func receiveHeaderLine(_ line: UnsafeBufferPointer<UInt8>) {
        var start = 0, end = line.count
        while start < end, Self.isSpace(line[start]) { start += 1 }
        while end > start, Self.isSpace(line[end - 1]) { end -= 1 }
        if end - start >= 5, line[start] == 72, line[start + 1] == 84, line[start + 2] == 84, line[start + 3] == 80, line[start + 4] == 47 {
            // "HTTP/": a new status line (after a redirect or `100 Continue`): only the last response's headers count.
            responseHeaders = HTTPHeaders()
            // The status is the number after the first space: "HTTP/1.1 200 OK".
            var i = start
            while i < end, line[i] != 32 { i += 1 }
            while i < end, line[i] == 32 { i += 1 }
            var code = 0, digits = 0
            while i < end, line[i] >= 48, line[i] <= 57, digits < 3 { code = code * 10 + Int(line[i] - 48); i += 1; digits += 1 }
            status = digits == 3 ? code : nil
            return
        }
        guard let colon = (start..<end).first(where: { line[$0] == 58 }) else { return }
        var nameEnd = colon
        while nameEnd > start, Self.isSpace(line[nameEnd - 1]) { nameEnd -= 1 }
        var valueStart = colon + 1
        while valueStart < end, Self.isSpace(line[valueStart]) { valueStart += 1 }
        let name = String(decoding: UnsafeBufferPointer(rebasing: line[start..<nameEnd]), as: UTF8.self)
        let value = String(decoding: UnsafeBufferPointer(rebasing: line[valueStart..<end]), as: UTF8.self)
        responseHeaders.append(name: name, value: value)
    }

    @inline(__always) private static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 || byte == 13 || byte == 10 }
}

/// curl's callbacks are C function pointers: they cannot capture, so each finds
/// its `TransferState` through the user-data pointer.
enum CurlCallbacks {
    static func state(_ userdata: UnsafeMutableRawPointer?) -> TransferState? {
        guard let userdata else { return nil }
        return Unmanaged<TransferState>.fromOpaque(userdata).takeUnretainedValue()
    }

    static let write: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { ptr, size, count, userdata in
        guard let ptr, let state = CurlCallbacks.state(userdata) else { return 0 }
        let n = size * count
        if state.spoolsBody, let spool = state.spool { return spool.append(ptr, count: n) ? n : 0 }
        ptr.withMemoryRebound(to: UInt8.self, capacity: n) { state.responseBody.append($0, count: n) }
        return n
    }

    static let header: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { ptr, size, count, userdata in
        guard let ptr, let state = CurlCallbacks.state(userdata) else { return 0 }
        let n = size * count
        ptr.withMemoryRebound(to: UInt8.self, capacity: n) { state.receiveHeaderLine(UnsafeBufferPointer(start: $0, count: n)) }
        return n
    }

    static let progress: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = { userdata, expected, received, _, _ in
        guard let state = CurlCallbacks.state(userdata) else { return 0 }
        state.onProgress?(Int64(received), Int64(expected))
        return (state.shouldAbort?() ?? false) ? 1 : 0
    }

    static let read: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { ptr, size, count, userdata in
        guard let ptr, let state = CurlCallbacks.state(userdata) else { return 0 }
        let room = size * count
        let remaining = state.upload.count - state.uploadOffset
        let n = min(room, remaining)
        guard n > 0 else { return 0 }
        let start = state.upload.startIndex + state.uploadOffset
        state.upload.copyBytes(to: UnsafeMutableRawPointer(ptr).assumingMemoryBound(to: UInt8.self), from: start..<(start + n))
        state.uploadOffset += n
        return n
    }
}
