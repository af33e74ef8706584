import Foundation

/// Remembers the keys of the last object seen at each nesting depth. Records
/// in a payload almost always share one shape, so the key at slot i of the next
/// object is usually the same bytes as last time: we hand out the same String
/// (no allocation, no UTF-8 validation, storage shared by every record) and we
/// know it cannot be a duplicate without searching.
///
/// Invariant: the keys cached for one depth are pairwise distinct.
/// A struct, not a class: the parser owns it while it runs, which keeps the
/// hot path free of dynamic exclusivity checks.
struct JSONKeyCache {
    struct Entry {
        var bytes: [UInt8]
        var string: String
    }

    static let maxDepth = 8
    static let maxKeys = 64

    /// Entries for depth d live at d * maxKeys ..< d * maxKeys + used[d].
    /// Storage is allocated on first use, so an unused cache costs nothing.
    private var entries: [Entry] = []
    private var used: [Int] = []
    /// Field count of the last object at each depth, to reserve capacity up front.
    private var counts: [Int] = []
    /// The cached keys of each depth as one list, handed to every object whose keys
    /// are exactly these: objects of one shape share one key array, not one each.
    private var shapes: [[String]] = []

    /// A cache with no storage yet.
    static var empty: JSONKeyCache { JSONKeyCache() }

    private mutating func allocate() {
        entries = Array(repeating: Entry(bytes: [], string: ""), count: Self.maxDepth * Self.maxKeys)
        used = Array(repeating: 0, count: Self.maxDepth)
        counts = Array(repeating: 0, count: Self.maxDepth)
        shapes = Array(repeating: [], count: Self.maxDepth)
    }

    /// The first `count` cached keys at `depth` (all of them: the shared list itself).
    func shape(depth: Int, count: Int) -> [String] {
        guard depth < shapes.count else { return [] }
        let all = shapes[depth]
        return count == all.count ? all : Array(all.prefix(count))
    }

    func expectedCount(depth: Int) -> Int { depth < counts.count ? counts[depth] : 0 }

    mutating func recordCount(_ n: Int, depth: Int) {
        guard depth < Self.maxDepth else { return }
        if counts.isEmpty { allocate() }
        counts[depth] = n
    }

    /// The cached key at `slot` if it has exactly these bytes.
    @inline(__always)
    func lookup(depth: Int, slot: Int, _ key: UnsafeBufferPointer<UInt8>) -> String? {
        guard depth < used.count, slot < used[depth] else { return nil }
        // Read in place: copying the entry out would retain and release its byte array.
        return entries.withUnsafeBufferPointer { all -> String? in
            let entry = UnsafePointer(all.baseAddress! + (depth * Self.maxKeys + slot))
            let same = entry.pointee.bytes.withUnsafeBufferPointer { cached -> Bool in
                guard cached.count == key.count else { return false }
                guard let a = cached.baseAddress, let b = key.baseAddress else { return true }   // both empty
                return memcmp(a, b, key.count) == 0
            }
            return same ? entry.pointee.string : nil
        }
    }

    /// Stores `key` at `slot`, which must follow keys that all matched the cache
    /// and be distinct from them; later slots are dropped to keep the invariant.
    mutating func store(depth: Int, slot: Int, bytes key: UnsafeBufferPointer<UInt8>, string: String) {
        guard depth < Self.maxDepth, slot < Self.maxKeys else { return }
        if used.isEmpty { allocate() }
        guard slot <= used[depth] else { return }
        entries[depth * Self.maxKeys + slot] = Entry(bytes: Array(key), string: string)
        used[depth] = slot + 1
        shapes[depth].removeSubrange(min(slot, shapes[depth].count)...)
        shapes[depth].append(string)
    }
}
