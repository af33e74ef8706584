/// Session-level advisory locks: one run of a pipeline at a time, across machines.
extension PostgresConnection {
    /// Takes the lock if nobody holds it; false if another session does.
    /// Held until `advisoryUnlock` or the connection closes.
    public func tryAdvisoryLock(key: Int64) throws -> Bool {
        try execute("SELECT pg_try_advisory_lock($1::bigint)", parameters: [String(key)]).text(row: 0, column: 0) == "t"
    }

    /// Releases a lock this session holds; false if it held none.
    @discardableResult
    public func advisoryUnlock(key: Int64) throws -> Bool {
        try execute("SELECT pg_advisory_unlock($1::bigint)", parameters: [String(key)]).text(row: 0, column: 0) == "t"
    }

    /// A stable lock key for a name (FNV-1a, 64 bit): the same on every machine and release.
    public static func lockKey(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return Int64(bitPattern: hash)
    }
}
