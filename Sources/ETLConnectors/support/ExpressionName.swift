import ETLExpr

/// Foundation also has a type named `Expression`; inside this module the name means ours.
typealias Expression = ETLExpr.Expression
