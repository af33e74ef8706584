import Foundation
import ETLCore
import ETLExpr
import struct ETLExpr.Expression

/// Builds each output record from expressions over the input record:
/// rename, keep/drop, computed and constant fields, nested output paths.
public final class MapTransform: TransformConnector {
    static let fields = OptionKey<Fields>("fields", .map(.expression), doc: "Output field → expression.", example: "{first_name: data.firstName, source: '\"crm\"'}")
    static let rename = OptionKey<Fields>("rename", .map(.string), doc: "Old field name → new name.")
    static let keep = OptionKey<[String]?>("keep", doc: "Keep only these input fields.")
    static let drop = OptionKey<[String]?>("drop", doc: "Remove these input fields.")
    static let replace = OptionKey<Bool>("replace", default: false, doc: "Start from an empty record instead of the input.")

    public static let spec = ConnectorSpec(
        kind: .transform, name: "map",
        summary: "Reshape records with expressions: computed fields, rename, keep, drop.",
        description: "Order: rename, then keep/drop, then `fields` (evaluated on the input record). A dotted output name (`account.name`) builds nested objects. A record whose expression fails (e.g. to_int(\"abc\")) is rejected with the reason.",
        options: [fields, rename, keep, drop, replace],
        example: """
        transforms:
          - type: map
            replace: true
            fields:
              external_id: id
              email: lower(trim(data.email))
              full_name: data.firstName + " " + data.lastName
              synced_at: now()
        """)

    let fields: [(path: [String], name: String, expression: Expression)]
    /// The expressions of `fields`, in order, apart: evaluating them per record
    /// then copies no tuple (its path, name and expression, a retain for each part).
    let expressions: [Expression]
    let rename: [(String, String)]
    let keep: Set<String>?
    let drop: Set<String>
    let replace: Bool
    /// No dotted output path: the output's keys follow from the input's alone (see `MapLayout`).
    let hasFlatOutput: Bool

    public init(options: Options, context: BuildContext) throws {
        fields = try options[Self.fields].map { name, source in
            do { return (name.split(separator: ".").map(String.init), name, try Expression.compile(source.text)) }
            catch { throw options.error(Self.fields, "field '\(name)': \(error)") }
        }
        expressions = fields.map(\.expression)
        rename = options[Self.rename].map { ($0.0, $0.1.text) }
        keep = options[Self.keep].map(Set.init)
        drop = Set(options[Self.drop] ?? [])
        replace = options[Self.replace]
        hasFlatOutput = fields.allSatisfy { $0.path.count == 1 }
    }

    public func process(_ batch: Batch, _ context: RunContext) throws -> TransformOutput {
        var out: [Record] = []
        out.reserveCapacity(batch.count)
        var rejects: [Rejection] = []
        let now = context.startedAt
        var layout: MapLayout?
        var previousKeys: [String] = []
        var evaluated: [Value] = []
        evaluated.reserveCapacity(fields.count)
        for record in batch.records {
            evaluated.removeAll(keepingCapacity: true)
            var failed: [String] = []
            // Read in place: a copy of each expression would retain and release its parts.
            expressions.withUnsafeBufferPointer { expressions in
                for i in expressions.indices {
                    do {
                        evaluated.append(try expressions[i].evaluate(record: record.fields, variables: nil, now: now))
                    } catch {
                        // Name the output field: a map has many expressions.
                        failed.append("\(fields[i].name): \(error)")
                        evaluated.append(.null)
                    }
                }
            }
            if !failed.isEmpty {
                rejects.append(Rejection(record: record, stage: "map", reasons: failed))
                continue
            }
            out.append(Record(output(record.fields, evaluated, layout: &layout, previousKeys: &previousKeys),
                              position: record.position, route: record.route))
        }
        return TransformOutput(Batch(out), rejects: rejects)
    }

    /// The output record, through a layout when records come in one shape: built
    /// once two records in a row have the same keys (not for every record when
    /// shapes alternate), kept while the keys stay the same.
    private func output(_ input: Fields, _ evaluated: [Value], layout: inout MapLayout?, previousKeys: inout [String]) -> Fields {
        let keys = input.keys
        if let fitting = layout, fitting.fits(keys) { return fitting.apply(input, evaluated) }
        defer { previousKeys = keys }
        if hasFlatOutput && keys == previousKeys, let built = MapLayout(self, inputKeys: keys) {
            layout = built
            return built.apply(input, evaluated)
        }
        return reshape(input, evaluated)
    }

    /// The output record: the input (unless `replace`), renamed, kept, dropped, then
    /// each output field set to its expression's value (`evaluated`, in `fields` order).
    func reshape(_ input: Fields, _ evaluated: [Value]) -> Fields {
        var result = replace ? Fields() : input
        for (old, new) in rename { if let v = result[old] { result[old] = nil; result[new] = v } }
        if let keep { result = Fields(result.filter { keep.contains($0.0) }.map { ($0.0, $0.1) }) }
        for name in drop { result[name] = nil }
        for (f, value) in zip(fields, evaluated) {
            if f.path.count == 1 { result[f.name] = value } else { FieldPath.set(&result, f.path, value) }
        }
        return result
    }
}

/// Writing into nested objects by dotted path.
enum FieldPath {
    static func set(_ fields: inout Fields, _ path: [String], _ value: Value) {
        guard let first = path.first else { return }
        if path.count == 1 { fields[first] = value; return }
        var inner = fields[first]?.objectValue ?? Fields()
        set(&inner, Array(path.dropFirst()), value)
        fields[first] = .object(inner)
    }
}
