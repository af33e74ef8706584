import Foundation
import ETLCore

/// The records of one webhook request, handed over by `etl serve` from the
/// pipeline's inbox: the JSON body is one record, or the array under `records`
/// holds them. Each record also carries `_headers` (lower-cased names) and
/// `_received_at`. It reads nothing by itself: `etl run` refuses a webhook pipeline.
public final class WebhookSource: SourceConnector {
    static let recordsPath = OptionKey<String?>("records", doc: "Dotted path to an array in the body whose elements are the records; default: the body is one record.",
                                                example: "items")

    public static let spec = ConnectorSpec(
        kind: .source, name: "webhook",
        summary: "Records from webhook requests received by `etl serve` (see `trigger:`).",
        options: [recordsPath],
        example: """
        source:
          type: webhook
          records: items
        """)

    let path: [String]

    public init(options: Options, context: BuildContext) throws {
        let text = options[Self.recordsPath] ?? ""
        path = text.split(separator: ".").map(String.init)
        if !text.isEmpty && (path.isEmpty || path.contains(where: { $0.isEmpty }) || text.hasPrefix(".") || text.hasSuffix(".")) {
            throw options.error(Self.recordsPath, "records path '\(text)' is not a dotted field path", hint: "e.g. records: items or records: data.lines")
        }
    }

    public func read(_ context: RunContext, emit: (Batch) throws -> Void) throws {
        throw ETLError("a webhook source reads only requests received by `etl serve`",
                       hint: "serve the pipeline with `etl serve FILE`; it stores each request in the inbox and processes it")
    }

    /// The records of one request body; an error names what is wrong with the body.
    public func records(body: Value, headers: Fields, receivedAt: Value) throws -> [Fields] {
        func decorate(_ v: Value, _ index: Int?) throws -> Fields {
            guard case .object(var fields) = v else {
                let which = index.map { "element \($0) of '\(path.joined(separator: "."))'" } ?? "the body"
                throw ETLError("\(which) is \(v.typeName), not a JSON object", hint: "send a JSON object per record")
            }
            fields["_headers"] = .object(headers)
            fields["_received_at"] = receivedAt
            return fields
        }
        guard !path.isEmpty else { return [try decorate(body, nil)] }
        var current = body
        for key in path {
            guard case .object(let f) = current, let next = f[key] else {
                throw ETLError("the body has no '\(path.joined(separator: "."))' array", hint: "the pipeline's `records:` names where the records are")
            }
            current = next
        }
        guard case .array(let items) = current else {
            throw ETLError("'\(path.joined(separator: "."))' in the body is \(current.typeName), not an array",
                           hint: "the pipeline's `records:` must name an array of objects")
        }
        return try items.enumerated().map { try decorate($0.element, $0.offset) }
    }
}
