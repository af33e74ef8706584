/// Anything that declares one option: an `OptionKey` or, for manifests built
/// at run time, a plain `OptionSpec`.
public protocol OptionDeclaration: Sendable {
    var spec: OptionSpec { get }
}

extension OptionSpec: OptionDeclaration {
    public var spec: OptionSpec { self }
}

/// One option, declared once: the declaration is both the spec (`validate`,
/// `list-connectors`, the docs) and the typed accessor (`options[Self.url]`),
/// so a misspelled read cannot compile and a default is written in one place.
///
/// The Swift type says how absence reads: `OptionKey<String?>` is nil when
/// not given; `OptionKey<String>` must be required or have a default.
public struct OptionKey<T>: OptionDeclaration, @unchecked Sendable {
    public let spec: OptionSpec
    let read: @Sendable (Options) -> T

    /// For shapes the typed initialisers below do not cover.
    public init(spec: OptionSpec, read: @escaping @Sendable (Options) -> T) {
        self.spec = spec; self.read = read
    }

    public var name: String { spec.name }

    static func spec(_ name: String, _ type: OptionType, required: Bool, default value: Value?,
                     doc: String, example: String?) -> OptionSpec {
        precondition(required || value != nil || T.self is ExpressibleByNilLiteral.Type,
                     "option '\(name)' is neither required nor defaulted: declare it as OptionKey<\(T.self)?>")
        return OptionSpec(name, type, required: required, default: value, doc: doc, example: example)
    }
}

public extension Options {
    subscript<T>(_ key: OptionKey<T>) -> T { key.read(self) }

    /// Whether the option was written (or has a default).
    func has<T>(_ key: OptionKey<T>) -> Bool { has(key.name) }

    /// An error about one option, pointing at where it was written.
    func error<T>(_ key: OptionKey<T>, _ message: String, hint: String? = nil) -> ETLError {
        error(key.name, message, hint: hint)
    }
}

public extension OptionType {
    /// A nested block whose options are declared by keys.
    static func block(_ declarations: [any OptionDeclaration]) -> OptionType { .object(declarations.map(\.spec)) }
}

// MARK: typed declarations, one per Swift type an option reads as

public extension OptionKey where T == String {
    /// `.string`, `.url`, `.secret`, `.expression` or `.oneOf`, required or defaulted.
    init(_ name: String, _ type: OptionType = .string, required: Bool = false, default value: String? = nil,
         doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: required, default: value.map(Value.string), doc: doc, example: example)) {
            $0.string(name) ?? value ?? ""
        }
    }
}

public extension OptionKey where T == String? {
    /// nil when not given. `required` options read nil too when an unset `${VARIABLE}`
    /// emptied them (validation warns and goes on): declare one as `String?` when the
    /// connector has its own answer for that case.
    init(_ name: String, _ type: OptionType = .string, required: Bool = false, doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: required, default: nil, doc: doc, example: example)) { $0.string(name) }
    }
}

public extension OptionKey where T == Bool {
    init(_ name: String, default value: Bool, doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, .bool, required: false, default: .bool(value), doc: doc, example: example)) {
            $0.bool(name, default: value)
        }
    }
}

public extension OptionKey where T == Int {
    /// `.int` or `.size` (bytes).
    init(_ name: String, _ type: OptionType = .int, required: Bool = false, default value: Int? = nil,
         doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: required, default: value.map { .int(Int64($0)) }, doc: doc, example: example)) {
            $0.int(name) ?? value ?? 0
        }
    }
}

public extension OptionKey where T == Int? {
    init(_ name: String, _ type: OptionType = .int, doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: false, default: nil, doc: doc, example: example)) { $0.int(name) }
    }
}

public extension OptionKey where T == Double {
    /// `.double` or `.duration` (seconds).
    init(_ name: String, _ type: OptionType = .double, required: Bool = false, default value: Double? = nil,
         doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: required, default: value.map(Value.double), doc: doc, example: example)) {
            $0.double(name) ?? value ?? 0
        }
    }
}

public extension OptionKey where T == Double? {
    init(_ name: String, _ type: OptionType = .double, doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: false, default: nil, doc: doc, example: example)) { $0.double(name) }
    }
}

public extension OptionKey where T == [String] {
    init(_ name: String, _ type: OptionType = .list(.string), required: Bool = false, default value: [String]? = nil,
         doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: required, default: value.map { .array($0.map(Value.string)) },
                                  doc: doc, example: example)) {
            $0.has(name) ? $0.strings(name) : (value ?? [])
        }
    }
}

public extension OptionKey where T == [String]? {
    /// nil when not given, so "not given" (all columns, every field …) differs from an empty list.
    init(_ name: String, _ type: OptionType = .list(.string), doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: false, default: nil, doc: doc, example: example)) {
            $0.has(name) ? $0.strings(name) : nil
        }
    }
}

public extension OptionKey where T == [Double] {
    /// A list of numbers or durations (seconds).
    init(_ name: String, _ type: OptionType = .list(.double), required: Bool = false, default value: [Double]? = nil,
         doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: required, default: value.map { .array($0.map(Value.double)) },
                                  doc: doc, example: example)) {
            $0.has(name) ? $0.list(name).compactMap(\.doubleValue) : (value ?? [])
        }
    }
}

public extension OptionKey where T == [Value] {
    /// A list of items the connector reads itself (rules, routes …).
    init(_ name: String, _ type: OptionType, required: Bool = false, default value: [Value]? = nil,
         doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: required, default: value.map(Value.array), doc: doc, example: example)) {
            $0.has(name) ? $0.list(name) : (value ?? [])
        }
    }
}

public extension OptionKey where T == [Value]? {
    /// A list of items the connector reads itself; nil when not given.
    init(_ name: String, _ type: OptionType, doc: String, example: String? = nil) {
        self.init(spec: Self.spec(name, type, required: false, default: nil, doc: doc, example: example)) {
            $0.has(name) ? $0.list(name) : nil
        }
    }
}

public extension OptionKey where T == Fields {
    /// A map (`headers`, `columns` …); empty when not given.
    init(_ name: String, _ type: OptionType, required: Bool = false, doc: String, example: String? = nil) {
        self.init(spec: OptionSpec(name, type, required: required, default: nil, doc: doc, example: example)) { $0.map(name) }
    }
}

public extension OptionKey where T == Options {
    /// A nested block that always reads (its default, or empty options).
    init(_ name: String, _ declarations: [any OptionDeclaration], required: Bool = false, default value: Fields? = nil,
         doc: String, example: String? = nil) {
        self.init(spec: OptionSpec(name, .block(declarations), required: required, default: value.map(Value.object),
                                   doc: doc, example: example)) { $0.object(name) }
    }
}

public extension OptionKey where T == Options? {
    /// A nested block that is nil when not written.
    init(_ name: String, _ declarations: [any OptionDeclaration], doc: String, example: String? = nil) {
        self.init(spec: OptionSpec(name, .block(declarations), required: false, default: nil, doc: doc, example: example)) {
            $0.has(name) ? $0.object(name) : nil
        }
    }
}

public extension OptionKey where T == Value {
    /// Anything YAML can hold, checked by the connector itself; `.null` when not given.
    init(_ name: String, _ type: OptionType = .any, required: Bool = false, default value: Value? = nil,
         doc: String, example: String? = nil) {
        self.init(spec: OptionSpec(name, type, required: required, default: value, doc: doc, example: example)) { $0[name] }
    }
}
