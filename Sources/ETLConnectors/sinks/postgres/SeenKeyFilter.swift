import Foundation

/// Remembers which key hashes went by in at most 21.25 MiB, however many there
/// are: blocked Bloom filters (each key's bits in one 64-byte block, so one
/// cache miss a key). It can answer "seen" for a key it never saw — the caller
/// then takes its slower, exact path — but never "new" for one it did.
///
/// The memory grows with the keys, in levels four times larger each (256 KiB for the
/// first 16k keys, 1 MiB for the next 64k, 4 MiB for the next 256k, then 16 MiB): a key
/// is looked for in every level and recorded in the newest. One 16 MiB filter from the
/// start cost a 50k-record run ~50 ms, most of it page faults as the kernel zeroed the
/// 4,096 pages its keys touched. Levels fill to 4 keys a block on average; counting the
/// blocks that get many more, a run of 1M distinct keys raises a false alarm about once
/// in 2,000 runs (8 keys a block made it one in 15). Past ~4M keys false alarms become
/// likely, and memory still does not grow. (A `Set` of the hashes cost 48 MB at 3M keys.)
final class SeenKeyFilter {
    private static let firstLevelBlockBits = 12      // 2^12 blocks of 64 bytes = 256 KiB
    private static let lastLevelBlockBits = 18       // 2^18 blocks = 16 MiB
    private static let keysPerBlock = 4
    private static let wordsPerBlock = 8
    private static let bitsPerKey = 12

    private struct Level {
        let blockBits: Int
        let words: UnsafeMutablePointer<UInt64>
        var keys = 0
        var capacity: Int { (1 << blockBits) * SeenKeyFilter.keysPerBlock }
    }

    /// Unchecked: every access is from `insert`, on one thread, never overlapping; the
    /// checked form's two dynamic exclusivity checks cost ~170 instructions a key,
    /// a third of the filter's work.
    @exclusivity(unchecked) private var levels: [Level] = []

    init() { addLevel(blockBits: Self.firstLevelBlockBits) }

    deinit { for level in levels { free(level.words) } }

    /// How many bytes the levels hold now.
    var bytes: Int { levels.reduce(0) { $0 + (1 << $1.blockBits) * Self.wordsPerBlock * 8 } }

    private func addLevel(blockBits: Int) {
        // calloc: the kernel hands out zeroed pages only as blocks are first written.
        let count = (1 << blockBits) * Self.wordsPerBlock
        guard let raw = calloc(count, MemoryLayout<UInt64>.size) else { fatalError("out of memory for the duplicate-key filter") }
        levels.append(Level(blockBits: blockBits, words: raw.assumingMemoryBound(to: UInt64.self)))
    }

    /// Records `hash`; true when it may have been recorded before.
    func insert(_ hash: Int) -> Bool {
        let raw = UInt64(bitPattern: Int64(hash))
        let newest = levels.count - 1
        for i in 0..<newest where Self.contains(raw, levels[i]) { return true }
        let seen = Self.set(raw, levels[newest])
        levels[newest].keys += 1
        let full = levels[newest]
        if full.keys >= full.capacity && full.blockBits < Self.lastLevelBlockBits {
            addLevel(blockBits: full.blockBits + 2)
        }
        return seen
    }

    // The block comes from the top bits of a remix of the whole hash; the bits inside it
    // from 9-bit slices of the hash itself (7) and of its byte-swapped remix (5): two keys
    // share a block and every bit only when their whole hashes agree, or by chance.

    private static func block(_ raw: UInt64, _ level: Level) -> UnsafeMutablePointer<UInt64> {
        level.words + Int((raw &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - level.blockBits)) * wordsPerBlock
    }

    /// Calls `body` with each of the key's bits: the word within the block and its mask.
    @inline(__always)
    private static func forEachBit(_ raw: UInt64, _ body: (Int, UInt64) -> Bool) {
        var slices = raw
        for i in 0..<bitsPerKey {
            if i == 7 { slices = raw.byteSwapped &* 0xC2B2_AE3D_27D4_EB4F }
            let bit = Int(slices & 511)
            slices >>= 9
            guard body(bit >> 6, 1 << UInt64(bit & 63)) else { return }
        }
    }

    /// Whether every bit of the key is set in an older level (read only: no page is written).
    private static func contains(_ raw: UInt64, _ level: Level) -> Bool {
        let block = block(raw, level)
        var all = true
        forEachBit(raw) { word, mask in
            all = block[word] & mask != 0
            return all
        }
        return all
    }

    /// Sets the key's bits in the newest level; true when they all were set already.
    private static func set(_ raw: UInt64, _ level: Level) -> Bool {
        let block = block(raw, level)
        var seen = true
        forEachBit(raw) { word, mask in
            if block[word] & mask == 0 { seen = false; block[word] |= mask }
            return true
        }
        return seen
    }
}
