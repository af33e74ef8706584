import ETLCore

extension SpecBuilder {
    /// Records per batch are allocated up front: a million is far past any
    /// useful batch, and a billion would exhaust memory before the first record.
    static let batchSizeRange: ClosedRange<Int> = 1...1_000_000

    /// Pipeline-level counts that YAML typing lets through but a run cannot use.
    mutating func checkCounts(_ top: Options, _ root: YAMLNode) {
        if let n = top.int("batch_size"), !Self.batchSizeRange.contains(n) {
            checker.error("batch_size must be from 1 to 1000000, found \(n)", top.locations["batch_size"] ?? root.location,
                          hint: "records passed between stages at a time; the default is 10000")
        }
        if let n = top.object("rejects").int("log_limit"), n < 0 {
            checker.error("rejects.log_limit must be 0 or more, found \(n)",
                          top.locations["rejects.log_limit"] ?? root.location, hint: "0 logs no reject one by one")
        }
    }
}
