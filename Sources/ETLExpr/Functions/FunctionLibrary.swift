/// Every function the expression language knows, by name.
enum FunctionLibrary {
    static let all: [FunctionSpec] = StringFunctions.specs + NumberFunctions.specs + TimeFunctions.specs + ValueFunctions.specs + ObjectFunctions.specs

    static let byName: [String: FunctionSpec] = Dictionary(all.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
}
