import Foundation
import ETLCore
import ETLExpr

// Evaluates a few map/filter-style expressions over 1M records and prints
// evaluations per second (one core).
//   ETL_ONLY=etl-bench-expr swift run -c release --scratch-path .build-expr etl-bench-expr [records]

let recordCount = CommandLine.arguments.dropFirst().first.flatMap { Int($0) } ?? 1_000_000

func makeRecords(_ n: Int) -> [Fields] {
    (0..<n).map { i in
        var f = Fields()
        f.reserveCapacity(5)
        f.appendUnchecked("sku", .string("SKU-\(i % 100_000)"))
        f.appendUnchecked("qty", .int(Int64((i * 7919) % 1000)))
        f.appendUnchecked("price", .decimal(Decimal(i % 5000) / 100))
        f.appendUnchecked("status", .string(i % 3 == 0 ? "active" : "discontinued"))
        f.appendUnchecked("data", .object(Fields([("account", .object(Fields([("name", .string("Acme \(i % 10)"))])))])))
        return f
    }
}

let records = makeRecords(recordCount)
let now = Date()
let expressions = [
    "upper(sku)",
    "qty * 2",
    "qty > 0 and sku != \"\"",
    "status == \"active\" or qty >= 500",
    "data.account.name",
    "price * qty",
    "if qty > 500 then \"high\" else \"low\"",
    "coalesce(missing, qty) + 1",
    "lower(trim(data.account.name)) + \"-\" + sku",
]

print("records: \(recordCount)")
var sink = 0
for source in expressions {
    let expression = try Expression.compile(source)
    // One warm-up pass over a slice, then the timed pass.
    for r in records.prefix(10_000) { if case .null = try expression.evaluate(record: r, variables: nil, now: now) { sink += 1 } }
    let start = DispatchTime.now().uptimeNanoseconds
    for r in records {
        if case .null = try expression.evaluate(record: r, variables: nil, now: now) { sink += 1 }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let rate = Double(recordCount) / seconds
    let label = "`\(source)`".padding(toLength: 46, withPad: " ", startingAt: 0)
    print(label + String(format: "%6.2f M evals/s  (%.3f s)", rate / 1e6, seconds))
}
if sink < 0 { print(sink) }
