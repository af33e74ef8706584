import Foundation
import ETLCore
import ETLExpr

// libFuzzer entry point (built only by scripts/fuzz): any text must either
// compile or throw an ExpressionError, and a compiled expression must evaluate
// or throw; a trap, a stack overflow or a hang is a finding.
private let record = Fields([("qty", .int(3)), ("sku", .string("A-1")), ("price", .double(2.5)),
                             ("tags", .array([.string("x"), .int(1)])),
                             ("data", .object(Fields([("n", .int(-1)), ("s", .string("é"))]))), ("none", .null)])
private let now = Date(timeIntervalSince1970: 1_700_000_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExpr(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let e = try? Expression.compile(text) { _ = try? e.evaluate(record: record, now: now) }
    if let t = try? Expression.compileTemplate(text) { _ = t.render(record: record, now: now) }
    return 0
}
