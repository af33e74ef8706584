import Foundation
import Crypto
import ETLCore

/// Functions about values in general: presence, size, type, identity.
enum ValueFunctions {
    static let specs: [FunctionSpec] = [
        FunctionSpec("coalesce", "coalesce(a, b, ...) -> any", "The first argument that is not null (missing fields are null).",
                     arity: 1...1, variadic: true, parameters: [.any], .variadic { a in a.first { !$0.isNull } ?? .null }),
        FunctionSpec("exists", "exists(path) -> bool", "Whether a field path is present in the record or variables (even if its value is null).",
                     arity: 1...1, parameters: [.any], returns: .bool, .special),
        FunctionSpec("len", "len(x) -> int", "Characters in text, items in a list, fields in an object; 0 for null.",
                     arity: 1...1, parameters: [[.string, .array, .object]], returns: .int, .unary { v in
            switch v {
            case .null: return .int(0)
            case .string(let s): return .int(Int64(s.count))
            case .array(let a): return .int(Int64(a.count))
            case .object(let o): return .int(Int64(o.count))
            default: throw Args.wrongType(v, "len", 1, "a string, list or object")
            }
        }),
        FunctionSpec("is_null", "is_null(x) -> bool", "Whether the value is null or missing.", arity: 1...1, parameters: [.any],
                     returns: .bool, .unary { v in .bool(v.isNull) }),
        FunctionSpec("type_of", "type_of(x) -> string",
                     "The value's type: null, bool, int, double, decimal, string, timestamp, array or object.",
                     arity: 1...1, parameters: [.any], returns: .string, .unary { v in .string(v.typeName) }),
        FunctionSpec("hash", "hash(x) -> string", "SHA-256 of the value's text form, as lower-case hex.", arity: 1...1,
                     parameters: [.any], returns: .string, .unary { v in
            let digest = SHA256.hash(data: Array(v.text.utf8))
            return .string(digest.map { hexByte($0) }.joined())
        }),
        // The name webhook configurations use for the body's digest (`sha256(_raw_body)`).
        FunctionSpec("sha256", "sha256(x) -> string", "SHA-256 of the value's text form, as lower-case hex (same as hash).",
                     arity: 1...1, parameters: [.any], returns: .string, .unary { v in
            .string(SHA256.hash(data: Array(v.text.utf8)).map { hexByte($0) }.joined())
        }),
        FunctionSpec("uuid", "uuid() -> string", "A new random UUID (v4), lower-case.", arity: 0...0, returns: .string,
                     .nullary { _ in .string(UUID().uuidString.lowercased()) }),
    ]

    private static let hexDigits = Array("0123456789abcdef")
    private static func hexByte(_ b: UInt8) -> String {
        String([hexDigits[Int(b >> 4)], hexDigits[Int(b & 0x0f)]])
    }
}
