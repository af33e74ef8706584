/// Where each of a stage's top-level fields sits in a record's key list, worked out
/// again only when the keys change: records of one shape share one key list, so
/// most records are read without searching or comparing a single key.
public struct FieldSlots {
    private let names: [String?]
    /// The key list `of` was worked out for. Empty at first, which is right: no
    /// field is found among no keys.
    private var keys: [String] = []
    /// Per field: its index in `keys`, nil when absent (or not a top-level name).
    public private(set) var of: [Int?]

    /// `names`: one per field the stage reads, nil for a nested path (read by path instead).
    public init(names: [String?]) {
        self.names = names
        of = Array(repeating: nil, count: names.count)
    }

    public mutating func locate(in recordKeys: [String]) {
        if keys == recordKeys { return }   // the same storage answers without comparing
        for f in names.indices { of[f] = names[f].flatMap { recordKeys.firstIndex(of: $0) } }
        keys = recordKeys
    }
}
