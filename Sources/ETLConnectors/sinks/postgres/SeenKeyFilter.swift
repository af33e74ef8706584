import Foundation

/// Remembers which key hashes went by in a fixed 16 MiB, however many there
/// are: a blocked Bloom filter (each key's bits in one 64-byte block, so one
/// cache miss a key). It can answer "seen" for a key it never saw — the caller
/// then takes its slower, exact path — but never "new" for one it did. Up to a
/// few million keys such false alarms are rare; past that they become likely,
/// and memory still does not grow. (A `Set` of the hashes cost 48 MB at 3M keys.)
final class SeenKeyFilter {
    private static let blockBits = 18            // 2^18 blocks of 64 bytes = 16 MiB
    private static let wordsPerBlock = 8
    private static let bitsPerKey = 12
    private let words: UnsafeMutablePointer<UInt64>

    init() {
        // calloc: the kernel hands out zeroed pages only as blocks are first written.
        let count = (1 << Self.blockBits) * Self.wordsPerBlock
        guard let raw = calloc(count, MemoryLayout<UInt64>.size) else { fatalError("out of memory for the duplicate-key filter") }
        words = raw.assumingMemoryBound(to: UInt64.self)
    }

    deinit { free(words) }

    /// Records `hash`; true when it may have been recorded before.
    func insert(_ hash: Int) -> Bool {
        let raw = UInt64(bitPattern: Int64(hash))
        // The block from the top bits of a remix of the whole hash; the bits inside it from
        // 9-bit slices of the hash itself (7) and of its byte-swapped remix (5): two keys
        // share a block and every bit only when their whole hashes agree, or by chance.
        let block = words + Int((raw &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - Self.blockBits)) * Self.wordsPerBlock
        var slices = raw
        var seen = true
        for i in 0..<Self.bitsPerKey {
            if i == 7 { slices = raw.byteSwapped &* 0xC2B2_AE3D_27D4_EB4F }
            let bit = Int(slices & 511)
            slices >>= 9
            let mask: UInt64 = 1 << UInt64(bit & 63)
            if block[bit >> 6] & mask == 0 {
                seen = false
                block[bit >> 6] |= mask
            }
        }
        return seen
    }
}
