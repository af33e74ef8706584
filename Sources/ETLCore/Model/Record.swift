/// One record flowing through a pipeline, with where it came from so that any
/// rejection can name the record ("record 17 of https://erp/inventory").
public struct Record: Equatable, Sendable {
    public var fields: Fields
    /// Zero-based position in the source payload.
    public var position: Int
    /// Set by a `route` transform; a sink with a `route` takes only its own records.
    public var route: String?

    public init(_ fields: Fields, position: Int = 0, route: String? = nil) {
        self.fields = fields
        self.position = position
        self.route = route
    }

    public subscript(key: String) -> Value? {
        get { fields[key] }
        set { fields[key] = newValue }
    }

    public var value: Value { .object(fields) }
}

/// Stages exchange batches, so sinks can COPY and transforms run tight loops.
public struct Batch: Sendable {
    public var records: [Record]
    public init(_ records: [Record] = []) { self.records = records }
    public var count: Int { records.count }
    public var isEmpty: Bool { records.isEmpty }
}

/// A record a stage refused, with every reason. Rejects never stop the run by
/// themselves; they are logged, counted in the ledger and may go to a sink.
public struct Rejection: Sendable, Equatable {
    public var record: Record
    public var stage: String
    public var reasons: [String]
    public init(record: Record, stage: String, reasons: [String]) {
        self.record = record; self.stage = stage; self.reasons = reasons
    }
    public var message: String {
        "\(RecordNumber.describe(record.position)) rejected by \(stage): \(reasons.joined(separator: "; "))"
    }
}
