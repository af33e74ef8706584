import ETLTestSupport

/// The shared real SMTP peer (Tests/ETLTestSupport).
typealias SMTPPeer = LoopbackSMTPPeer

/// The shared real HTTP peer (Tests/ETLTestSupport).
typealias HTTPPeer = LoopbackHTTPPeer
