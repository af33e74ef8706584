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

    init(upload: Data) { self.upload = upload }

    /// Whether body bytes go to the spool file: only a success's (or a file's), so
    /// an error page still reaches messages.
    var spoolsBody: Bool { spool != nil && (status.map { (200..<300).contains($0) } ?? true) }

    func receiveHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new status line (after a redirect or `100 Continue`): only the last response's headers count.
            responseHeaders = HTTPHeaders()
            status = trimmed.split(separator: " ").dropFirst().first.flatMap { Int($0) }
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = trimmed[..<colon].trimmingCharacters(in: .whitespaces)
        let value = trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        responseHeaders.append(name: name, value: value)
    }
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
        let line = ptr.withMemoryRebound(to: UInt8.self, capacity: n) {
            String(decoding: UnsafeBufferPointer(start: $0, count: n), as: UTF8.self)
        }
        state.receiveHeaderLine(line)
        return n
    }

    static let progress: @convention(c) (UnsafeMutableRawPointer?, curl_off_t, curl_off_t, curl_off_t, curl_off_t) -> Int32 = { userdata, _, _, _, _ in
        guard let state = CurlCallbacks.state(userdata), let shouldAbort = state.shouldAbort else { return 0 }
        return shouldAbort() ? 1 : 0
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
