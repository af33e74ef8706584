import Foundation

/// The file a response body is written to as it arrives (`HTTPRequest.bodyFile`),
/// so a body of any size costs no memory. Each attempt starts the file afresh.
final class BodySpool {
    let path: String
    private var fd: Int32
    private(set) var bytesWritten = 0
    /// Why the file could not be created or written (disk full …); the transfer then fails with it.
    private(set) var failure: String?

    init(path: String) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd < 0 { failure = BodySpool.problem("cannot create", path, errno) }
    }

    deinit { finish() }

    /// Writes all `count` bytes; false (and `failure` set) when the file refuses them.
    func append(_ bytes: UnsafeRawPointer, count: Int) -> Bool {
        guard fd >= 0 else { return false }
        var done = 0
        while done < count {
            let n = write(fd, bytes + done, count - done)
            if n < 0 {
                if errno == EINTR { continue }
                failure = BodySpool.problem("cannot write", path, errno)
                return false
            }
            done += n
        }
        bytesWritten += count
        return true
    }

    func finish() {
        if fd >= 0 { _ = close(fd); fd = -1 }
    }

    private static func problem(_ action: String, _ path: String, _ code: Int32) -> String {
        "\(action) the response body file \(path): \(String(cString: strerror(code)))"
    }
}
