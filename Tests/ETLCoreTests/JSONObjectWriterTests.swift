import ETLCore
import Foundation
import XCTest

final class JSONObjectWriterTests: XCTestCase {
    func testObjectWriterMatchesJSONWriter() {
        var writer = JSONObjectWriter()
        let shared = ["id", "na\"me", "é"]
        let rows: [Fields] = [
            Fields(uncheckedKeys: shared, values: [1, "a", .null]),
            Fields(uncheckedKeys: shared, values: [-20, "b\n", ["x": [1, 2.5]]]),
            Fields([("other", true)]),
            Fields(),
            Fields(uncheckedKeys: shared, values: [.int(Int64.min), .decimal(Decimal(string: "12.30")!), .timestamp(Date(timeIntervalSince1970: 1.000001))]),
        ]
        for fields in rows {
            var out: [UInt8] = []
            writer.write(fields, into: &out)
            XCTAssertEqual(String(decoding: out, as: UTF8.self), JSONWriter.string(.object(fields)))
        }
        for n: Int64 in [0, 9, 10, 99, 100, -1, -9, -10, Int64.max, Int64.min + 1] {
            XCTAssertEqual(JSONWriter.string(.int(n)), String(n))
        }
    }
}
