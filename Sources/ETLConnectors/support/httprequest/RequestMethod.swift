import Foundation
import ETLCore
import ETLExpr
import ETLHTTP
import struct ETLExpr.Expression

/// The request method: written as is (`PUT`) or chosen per record by an
/// expression (`if is_null(external_id) then "POST" else "PUT"`).
enum RequestMethod {
    case fixed(HTTPMethod)
    case chosen(Expression)

    static let allowed: [HTTPMethod] = [.get, .post, .put, .patch, .delete]

    init(_ text: String, options: Options) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let method = Self.method(named: trimmed) { self = .fixed(method); return }
        do {
            self = .chosen(try Expression.compile(trimmed))
        } catch let e as ExpressionError {
            throw options.error(HTTPRequestOptions.method, "method: \(e.message) at character \(e.offset + 1)",
                                hint: e.hint ?? "write GET, POST, PUT, PATCH or DELETE, or an expression giving one")
        }
    }

    static func method(named name: String) -> HTTPMethod? {
        allowed.first { $0.rawValue == name.uppercased() }
    }

    func resolve(_ record: Fields, now: Date) throws -> HTTPMethod {
        switch self {
        case .fixed(let method): return method
        case .chosen(let expression):
            let value = try expression.evaluate(record: record, now: now)
            guard let name = value.stringValue, let method = Self.method(named: name) else {
                throw ExpressionRuntimeError("method: \(expression.source) gave \(JSONWriter.string(value)), not one of GET, POST, PUT, PATCH, DELETE")
            }
            return method
        }
    }
}
