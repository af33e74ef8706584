import ETLCore

/// One record per element of an array field (an order → its line items),
/// carrying the parent's other fields.
public final class ExplodeTransform: TransformConnector {
    static let field = OptionKey<String>("field", required: true, doc: "Dotted path of the array.", example: "lineItems")
    static let `as` = OptionKey<String?>("as", doc: "Name for the element in the output (default: the field's own name).")
    static let merge = OptionKey<Bool>("merge", default: false, doc: "Merge an object element's fields into the record instead of nesting it.")
    static let parentPrefix = OptionKey<String>("parent_prefix", default: "", doc: "Prefix for the parent's fields in the output (e.g. `order_`).")
    static let keepEmpty = OptionKey<Bool>("keep_empty", default: false, doc: "A record whose array is empty or missing is kept once (element null) instead of dropped.")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "explode",
        summary: "Emit one record per element of an array field, keeping the parent fields.",
        options: [field, `as`, merge, parentPrefix, keepEmpty],
        example: """
        transforms:
          - type: explode
            field: data.lineItems
            as: item
        """)

    let path: [String]
    let name: String
    let merge: Bool
    let prefix: String
    let keepEmpty: Bool

    public init(options: Options, context: BuildContext) throws {
        path = options[Self.field].split(separator: ".").map(String.init)
        name = options[Self.as] ?? path.last ?? "item"
        merge = options[Self.merge]
        prefix = options[Self.parentPrefix]
        keepEmpty = options[Self.keepEmpty]
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var out: [Record] = []
        var rejects: [Rejection] = []
        for record in batch.records {
            let elements: [Value]
            switch record.value[path: path] {
            case .array(let items): elements = items
            case .null: elements = []
            case let other:
                // Dropping it would lose the record silently.
                let shown = other.typeName == "string" ? "\"\(other.text)\"" : other.text
                rejects.append(Rejection(record: record, stage: "explode",
                                         reasons: ["\(path.joined(separator: ".")) must be an array, found \(other.typeName) \(shown.count > 40 ? String(shown.prefix(40)) + "…" : shown)"]))
                continue
            }
            var parent = Fields()
            // The array itself is not a parent field: each output record carries one element of it.
            for (k, v) in Self.removing(path[...], from: record.fields) { parent[prefix + k] = v }
            if elements.isEmpty && keepEmpty {
                var f = parent; f[name] = .null
                out.append(Record(f, position: record.position, route: record.route))
            }
            for (i, element) in elements.enumerated() {
                var f = parent
                if merge, case .object(let inner) = element { for (k, v) in inner { f[k] = v } } else { f[name] = element }
                f["_index"] = .int(Int64(i))
                out.append(Record(f, position: record.position, route: record.route))
            }
        }
        return TransformOutput(Batch(out), rejects: rejects)
    }

    /// The fields without the value at `path` (through nested objects).
    static func removing(_ path: ArraySlice<String>, from fields: Fields) -> Fields {
        guard let first = path.first else { return fields }
        var copy = fields
        if path.count == 1 { copy[first] = nil; return copy }
        guard case .object(let inner)? = fields[first] else { return fields }
        copy[first] = .object(removing(path.dropFirst(), from: inner))
        return copy
    }
}
