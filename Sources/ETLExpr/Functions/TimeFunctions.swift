import Foundation
import ETLCore

/// Time functions. Timestamps are instants; formatting is in UTC.
enum TimeFunctions {
    static let specs: [FunctionSpec] = [
        FunctionSpec("now", "now() -> timestamp", "The evaluation's timestamp: one value for a whole run, not the wall clock per record.",
                     arity: 0...0, returns: .timestamp, .nullary { ctx in .timestamp(ctx.now) }),
        FunctionSpec("parse_time", "parse_time(s, fmt?) -> timestamp",
                     "Parses ISO-8601 (`2024-03-01T12:00:00+02:00`; no offset means UTC), or the strftime subset %Y %m %d %H %M %S %z.",
                     arity: 1...2, parameters: [[.string, .timestamp], .string], returns: .timestamp, .variadic { a in
            try parseTime(a[0], format: a.count > 1 && !a[1].isNull ? try Args.string(a[1], "parse_time", 2) : nil)
        }),
        FunctionSpec("format_time", "format_time(t, fmt?) -> string",
                     "Formats a timestamp (or ISO-8601 text) in UTC with %Y %m %d %H %M %S %z; without fmt gives ISO-8601.",
                     arity: 1...2, parameters: [[.string, .timestamp], .string], returns: .string, .variadic { a in
            let t = try parseTime(a[0], format: nil, function: "format_time")
            guard case .timestamp(let date) = t else { return .null }
            guard a.count > 1, !a[1].isNull else { return .string(Timestamps.iso8601(date)) }
            return .string(TimeCodec.format(date, try Args.string(a[1], "format_time", 2)))
        }),
        FunctionSpec("epoch", "epoch(t) -> number", "Seconds since 1970-01-01T00:00:00Z: an int for whole seconds, else a double.",
                     arity: 1...1, parameters: [[.string, .timestamp]], .unary { v in
            guard case .timestamp(let date) = try parseTime(v, format: nil, function: "epoch") else { return .null }
            let s = date.timeIntervalSince1970
            if s.rounded(.down) == s, let i = Int64(exactly: s) { return .int(i) }
            return .double(s)
        }),
    ]

    static func parseTime(_ v: Value, format: String?, function: String = "parse_time") throws -> Value {
        switch v {
        case .null, .timestamp: return v
        case .string(let s):
            if let format {
                guard let d = TimeCodec.parse(s, format: format) else {
                    throw ExpressionRuntimeError("\(function): cannot parse \"\(s)\" with format \"\(format)\"")
                }
                return .timestamp(d)
            }
            guard let d = TimeCodec.parseISO(s) else {
                throw ExpressionRuntimeError("\(function): cannot parse \"\(s)\" as an ISO-8601 time (e.g. 2024-03-01T12:00:00Z)")
            }
            return .timestamp(d)
        default: throw Args.wrongType(v, function, 1, "a timestamp or time text")
        }
    }
}
