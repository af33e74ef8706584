import ETLExpr

/// The few things the config layer asks of the expression language.
enum ExpressionFacade {
    static func variables(_ source: String) throws -> Set<String> {
        try Expression.compile(source).referencedVariables
    }
}
