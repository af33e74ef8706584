import ETLCore

/// What the compiler knows about a value before running: the kind of a
/// literal, of an operator's result, of a function's result. Unknown kinds
/// (fields, variables) are never reported as errors; only obvious mistakes are.
enum StaticType: String, Equatable {
    case null, bool, int, double, decimal, string, timestamp, array, object

    init(_ v: Value) { self = StaticType(rawValue: v.typeName) ?? .null }

    var isNumber: Bool { self == .int || self == .double || self == .decimal }
}

/// Which arguments a function accepts, checked when the argument's type is known.
struct ArgumentKinds: OptionSet {
    let rawValue: Int
    static let bool = ArgumentKinds(rawValue: 1)
    static let number = ArgumentKinds(rawValue: 2)
    static let string = ArgumentKinds(rawValue: 4)
    static let timestamp = ArgumentKinds(rawValue: 8)
    static let array = ArgumentKinds(rawValue: 16)
    static let object = ArgumentKinds(rawValue: 32)
    static let any: ArgumentKinds = [.bool, .number, .string, .timestamp, .array, .object]

    func accepts(_ t: StaticType) -> Bool {
        switch t {
        case .null: return true
        case .bool: return contains(.bool)
        case .int, .double, .decimal: return contains(.number)
        case .string: return contains(.string)
        case .timestamp: return contains(.timestamp)
        case .array: return contains(.array)
        case .object: return contains(.object)
        }
    }

    var description: String {
        var names: [String] = []
        if contains(.bool) { names.append("bool") }
        if contains(.number) { names.append("number") }
        if contains(.string) { names.append("string") }
        if contains(.timestamp) { names.append("timestamp") }
        if contains(.array) { names.append("list") }
        if contains(.object) { names.append("object") }
        return names.joined(separator: " or ")
    }
}
