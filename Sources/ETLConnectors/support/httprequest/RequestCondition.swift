import ETLCore
import struct ETLExpr.Expression

/// `when:` of the http stage: only records for which it holds make a request. The
/// others pass through the transform unchanged (or are skipped by the sink), so one
/// pipeline can send different records to different systems.
struct RequestCondition {
    let expression: Expression?

    init(_ options: Options) throws {
        guard let text = options[HTTPRequestOptions.when] else { expression = nil; return }
        do { expression = try Expression.compile(text) }
        catch { throw options.error(HTTPRequestOptions.when, "\(error)") }
    }

    /// The records to send, the records to pass by, and those whose condition failed to evaluate.
    func split(_ batch: Batch, _ context: RunContext) -> (send: Batch, pass: [Record], rejects: [Rejection]) {
        guard let expression else { return (batch, [], []) }
        var send: [Record] = [], pass: [Record] = [], rejects: [Rejection] = []
        for record in batch.records {
            do {
                if try FilterTransform.holds(expression, record, context) { send.append(record) } else { pass.append(record) }
            } catch {
                rejects.append(Rejection(record: record, stage: "http", reasons: ["when: \(error)"]))
            }
        }
        return (Batch(send), pass, rejects)
    }
}
