import ETLCore

/// Where each field of a `map`'s output comes from, worked out once for an input
/// key list: an input field (by slot) or an expression (by index). Records of one
/// shape (a JSON payload's, a CSV file's) then share one output key list and get
/// their values placed in one allocation, instead of growing two arrays and
/// searching them for every field of every record.
///
/// It is derived by running the map's own reshaping (`MapTransform.reshape`) on
/// markers, so it cannot disagree with it. A class: held across a batch, it is
/// handed around as one reference instead of three arrays.
final class MapLayout {
    enum Source { case input(Int), expression(Int) }

    /// The input keys it was worked out for; nil when the output does not depend
    /// on them (`replace: true`: rename, keep and drop then have nothing to act on).
    let inputKeys: [String]?
    let outputKeys: [String]
    let sources: [Source]

    /// The layout of `map` for records with these keys, or nil when it has none
    /// (a dotted output path builds nested objects, whose keys depend on values).
    init?(_ map: MapTransform, inputKeys keys: [String]) {
        guard map.hasFlatOutput else { return nil }
        // Input slot i is marked .int(i), expression j .int(-1 - j).
        let input = Fields(uncheckedKeys: keys, values: keys.indices.map { .int(Int64($0)) })
        let evaluated = map.fields.indices.map { Value.int(Int64(-1 - $0)) }
        let output = map.reshape(input, evaluated)
        var sources: [Source] = []
        for value in output.values {
            guard case .int(let mark) = value else { return nil }
            sources.append(mark >= 0 ? .input(Int(mark)) : .expression(Int(-1 - mark)))
        }
        self.inputKeys = map.replace ? nil : keys
        outputKeys = output.keys
        self.sources = sources
    }

    func fits(_ keys: [String]) -> Bool {
        guard let inputKeys else { return true }
        return inputKeys == keys   // identical storage (a shared key list) answers at once
    }

    func apply(_ input: Fields, _ evaluated: [Value]) -> Fields {
        var values: [Value] = []
        values.reserveCapacity(sources.count)
        let inputValues = input.values
        for source in sources {
            switch source {
            case .input(let i): values.append(inputValues[i])
            case .expression(let j): values.append(evaluated[j])
            }
        }
        return Fields(uncheckedKeys: outputKeys, values: values)
    }
}
