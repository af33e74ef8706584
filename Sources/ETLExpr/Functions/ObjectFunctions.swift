import ETLCore

/// Functions over objects and lists of field names: what changed between two versions
/// of a record, and how to combine versions (the conflict resolver's field-level merge).
enum ObjectFunctions {
    static let specs: [FunctionSpec] = [
        FunctionSpec("changed_fields", "changed_fields(before, after) -> array",
                     "Names of the fields whose value differs between two objects (added, removed or changed; numbers compare by value), in `after`'s order then `before`'s. A null object counts as empty.",
                     arity: 2...2, parameters: [.object, .object], returns: .array, .binary { before, after in
            let a = try object(before, "changed_fields", 1), b = try object(after, "changed_fields", 2)
            var names: [Value] = []
            for (key, value) in b where !Comparison.equal(a[key] ?? .null, value) || a[key] == nil { names.append(.string(key)) }
            for (key, _) in a where b[key] == nil { names.append(.string(key)) }
            return .array(names)
        }),
        FunctionSpec("merge", "merge(a, b, ...) -> object",
                     "One object with the fields of every argument; a later argument's value wins. Null arguments are skipped.",
                     arity: 1...1, variadic: true, parameters: [.object], returns: .object, .variadic { args in
            var out = Fields()
            for (i, arg) in args.enumerated() {
                for (key, value) in try object(arg, "merge", i + 1) { out[key] = value }
            }
            return .object(out)
        }),
        FunctionSpec("pick", "pick(object, names) -> object",
                     "Only the named fields of an object (those it has), in the order of `names`.",
                     arity: 2...2, parameters: [.object, .array], returns: .object, .binary { value, names in
            let o = try object(value, "pick", 1)
            var out = Fields()
            for name in try Args.array(names, "pick", 2) {
                if let key = name.stringValue, let v = o[key] { out[key] = v }
            }
            return .object(out)
        }),
        FunctionSpec("intersect", "intersect(a, b) -> array",
                     "The items of list `a` that list `b` also holds, in `a`'s order (`len(intersect(a, b)) == 0`: nothing in common).",
                     arity: 2...2, parameters: [.array, .array], returns: .array, .binary { a, b in
            let left = a.isNull ? [] : try Args.array(a, "intersect", 1)
            let right = b.isNull ? [] : try Args.array(b, "intersect", 2)
            return .array(left.filter { item in right.contains { Comparison.equal($0, item) } })
        }),
    ]

    private static func object(_ v: Value, _ function: String, _ position: Int) throws -> Fields {
        switch v {
        case .null: return Fields()
        case .object(let o): return o
        default: throw Args.wrongType(v, function, position, "an object")
        }
    }
}
