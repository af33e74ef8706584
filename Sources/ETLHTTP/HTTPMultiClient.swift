import CCurl
import Foundation

/// Sends many requests at once through one libcurl multi handle: up to
/// `maxInFlight` transfers run together on one thread, connections (and TLS
/// sessions, DNS entries) are kept in the multi handle's cache between calls.
///
/// One loop drives everything a batch of requests needs: it starts transfers
/// while slots are free and the rate limit allows, lets curl move them
/// (`curl_multi_perform`), collects the finished ones (`curl_multi_info_read`)
/// and waits for the next event (`curl_multi_poll`) — at most 100 ms, so a
/// cancelled run aborts everything in flight within that time. A request that
/// failed in a retryable way (network, timeout, 429, 5xx) waits for its backoff
/// step without holding a slot, while the others go on.
public final class HTTPMultiClient {
    public let maxInFlight: Int
    public var userAgent: String
    /// Polled by the loop: once true, transfers in flight are aborted and nothing more is sent.
    public var abortWhen: (() -> Bool)?

    private let multi: UnsafeMutableRawPointer?
    private var idle: [EasySlot] = []
    private let lock = NSLock()
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) }()
    /// Longest wait between two looks at `abortWhen`.
    private static let pollCeiling = 0.1

    public init(maxInFlight: Int = 8, userAgent: String = "etl/1.0") {
        _ = HTTPMultiClient.globalInit
        self.maxInFlight = max(1, maxInFlight)
        self.userAgent = userAgent
        multi = curl_multi_init()
    }

    deinit {
        idle.removeAll()   // easy handles are cleaned before the multi handle that cached their connections
        if let multi { curl_multi_cleanup(multi) }
    }

    /// Sends every request, at most `maxInFlight` at a time and no faster than
    /// `rateLimit`, retrying as `retry` says (its backoff steps, jitter and
    /// Retry-After; its `sleep` is not used: waits are scheduled, not slept).
    /// Returns one exchange per request, in the order given. `onSend` is called
    /// with the request's index each time it goes on the wire.
    public func send(_ requests: [HTTPRequest], retry: RetryPolicy = .none, rateLimit: TokenBucket? = nil,
                     onSend: (Int) -> Void = { _ in }, log: (String) -> Void = { _ in }) -> [HTTPExchange] {
        lock.lock(); defer { lock.unlock() }
        var run = MultiRun(requests: requests)
        guard let multi else {
            for i in requests.indices {
                run.finish(i, error: HTTPError(kind: .invalidRequest("libcurl could not be initialised"),
                                               method: requests[i].method.rawValue, url: requests[i].url))
            }
            return run.exchanges
        }
        let cancelled = { [abortWhen] in (abortWhen?() ?? false) || retry.isCancelled() }
        let clock = TokenBucket.monotonicSeconds

        while run.unfinished > 0 {
            if cancelled() { abortAll(&run, multi: multi); break }
            var wake = Self.pollCeiling

            // Start what may start: a free slot, a request due, a token.
            while run.active.count < maxInFlight, let index = run.peekReady(now: clock()) {
                if let rateLimit {
                    let wait = rateLimit.take()
                    if wait > 0 { wake = min(wake, wait); break }
                }
                run.popReady(index)
                let request = requests[index]
                do { try CurlTransfer.check(request) } catch let error as HTTPError {
                    run.finish(index, error: error); continue
                } catch { continue }
                let slot = takeSlot()
                let transfer = CurlTransfer(request, on: slot.handle, userAgent: userAgent, errorBuffer: slot.errorBuffer, abortWhen: nil)
                guard curl_multi_add_handle(multi, slot.handle) == CURLM_OK else {
                    idle.append(slot)
                    run.finish(index, error: HTTPError(kind: .invalidRequest("libcurl refused the transfer"),
                                                       method: request.method.rawValue, url: request.url))
                    continue
                }
                run.attempts[index] += 1
                run.active[slot.handle] = MultiRun.Active(index: index, transfer: transfer, slot: slot)
                onSend(index)
            }

            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)

            var finishedAny = false
            var queued: Int32 = 0
            while let message = curl_multi_info_read(multi, &queued) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                      let active = run.active.removeValue(forKey: easy) else { continue }
                let code = message.pointee.data.result
                curl_multi_remove_handle(multi, easy)
                let outcome = active.transfer.outcome(code, handle: easy, errorBuffer: active.slot.errorBuffer)
                idle.append(active.slot)
                finishedAny = true
                settle(active.index, outcome, &run, retry: retry, cancelled: cancelled(), now: clock(), log: log)
            }
            if run.unfinished == 0 { break }
            if finishedAny && run.active.count < maxInFlight && run.hasReady(now: clock()) { continue }

            if let due = run.nextRetryDue, run.active.count < maxInFlight {
                wake = min(wake, max(0, due - clock()))
            }
            let ms = Int32(max(1, (wake * 1000).rounded(.up)))
            _ = curl_multi_poll(multi, nil, 0, ms, nil)
        }
        return run.exchanges
    }

    /// A finished attempt: done, or back in the queue for its next backoff step.
    private func settle(_ index: Int, _ outcome: Result<HTTPResponse, HTTPError>, _ run: inout MultiRun,
                        retry: RetryPolicy, cancelled: Bool, now: Double, log: (String) -> Void) {
        let attempt = run.attempts[index]
        let request = run.requests[index]
        let mayRetry = !cancelled && attempt < retry.maxAttempts
        switch outcome {
        case .success(let response):
            guard response.status >= 400, RetryPolicy.isRetryable(status: response.status), mayRetry else {
                run.finish(index, response: response); return
            }
            let wait = retry.delay(beforeRetry: attempt - 1, response: response)
            log("\(request.method.rawValue) \(URLRedaction.redact(request.url)) returned HTTP \(response.status) on attempt \(attempt) of \(retry.maxAttempts); retrying in \(Self.format(wait))s")
            run.retryLater(index, at: now + wait)
        case .failure(var error):
            error.attempts = attempt
            guard error.isRetryable, mayRetry else { run.finish(index, error: error); return }
            let wait = retry.delay(beforeRetry: attempt - 1, response: nil)
            let what = error.kind == .timeout ? "timed out" : "failed (\(error.message))"
            log("\(request.method.rawValue) \(URLRedaction.redact(request.url)) \(what) on attempt \(attempt) of \(retry.maxAttempts); retrying in \(Self.format(wait))s")
            run.retryLater(index, at: now + wait)
        }
    }

    /// The run was cancelled: transfers in flight are torn down, nothing waiting is sent.
    private func abortAll(_ run: inout MultiRun, multi: UnsafeMutableRawPointer) {
        for (easy, active) in run.active {
            curl_multi_remove_handle(multi, easy)
            idle.append(active.slot)
        }
        run.active.removeAll()
        for i in run.requests.indices where !run.done[i] {
            run.finish(i, error: HTTPError(kind: .cancelled, method: run.requests[i].method.rawValue, url: run.requests[i].url,
                                           attempts: run.attempts[i]))
        }
    }

    private func takeSlot() -> EasySlot {
        if let slot = idle.popLast() { return slot }
        return EasySlot()
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }
}

/// An easy handle and its error buffer, reused from one transfer to the next.
final class EasySlot {
    let handle: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init() {
        handle = curl_easy_init()!
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        curl_easy_cleanup(handle)
        errorBuffer.deallocate()
    }
}
