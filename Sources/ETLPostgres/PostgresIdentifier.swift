/// Identifiers can't be bound parameters, so names from configuration are quoted.
extension PostgresConnection {
    /// `schema.table` → `"schema"."table"`; embedded `"` doubled. Each dot starts a new part.
    public static func quoteIdentifier(_ name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false)
            .map { quoteIdentifierPart(String($0)) }
            .joined(separator: ".")
    }

    /// One name, dots and all: `a.b` → `"a.b"`. For column names.
    public static func quoteIdentifierPart(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

import Foundation
