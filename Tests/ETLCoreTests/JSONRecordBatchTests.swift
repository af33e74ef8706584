import Foundation
import XCTest
@testable import ETLCore

/// `nextRecords` (what the sources read) must split a payload exactly like
/// `nextElements` (the general path): the same records with the same positions,
/// every other element handed out in order, the same error at the same point.
final class JSONRecordBatchTests: XCTestCase {
    /// Objects of one shape, of changing shapes, with duplicate keys, escapes,
    /// surrogate pairs, big/negative numbers and floats, among elements that are not
    /// objects and one over the size limit.
    static let tricky = #"""
    [{"sku":"SKU-0000001","qty":1},{"sku":"SKU-0000002","qty":-2},
     {"sku":"caf\u00e9 \ud83d\ude00 \"q\"","qty":9223372036854775807},
     {"qty":3,"sku":"reordered"},
     {"sku":"dup","qty":1,"sku":"last wins"},
     7, "text", null, [1, {"a": 2}],
     {"qty":1.5e3,"extra":{"n":-9223372036854775808,"big":18446744073709551616}},
     {"sku":"ünïcödé","qty":0.1},
     {"sku":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","qty":4},
     {},
     {"sku":"SKU-0000004","qty":5},{"sku":"SKU-0000005"},{"sku":"SKU-0000006","qty":6}]
    """#

    private func reader(_ text: String, decimals: Bool) -> JSONStreamReader { reader(Array(text.utf8), decimals: decimals) }

    private func reader(_ bytes: [UInt8], decimals: Bool) -> JSONStreamReader {
        JSONStreamReader(bytes: bytes, source: "t", decimalNumbers: decimals, maxRecordBytes: 80)
    }

    func testRecordsAndOtherElementsMatchTheGeneralPath() throws {
        for decimals in [false, true] {
            for batch in [1, 2, 3, 7, 100] {
                var general = reader(Self.tricky, decimals: decimals)
                var elements: [JSONElement] = []
                while case let read = try general.nextElements(max: batch), !read.isEmpty { elements += read }

                var fast = reader(Self.tricky, decimals: decimals)
                var records: [Record] = [], others: [JSONElement] = [], count = 0
                while case let read = try fast.nextRecords(max: batch, firstPosition: 1_000), read.elementCount > 0 {
                    XCTAssertLessThanOrEqual(read.elementCount, batch)
                    XCTAssertEqual(read.elementCount, read.records.count + read.others.count)
                    records += read.records; others += read.others; count += read.elementCount
                }
                XCTAssertEqual(count, elements.count)
                XCTAssertTrue(fast.isFinished)
                let objects = elements.filter { $0.oversized == nil && $0.value.objectValue != nil }
                XCTAssertEqual(records.map(\.position), objects.map { 1_000 + $0.position }, "batch \(batch)")
                XCTAssertEqual(records.map(\.value), objects.map(\.value), "batch \(batch)")
                XCTAssertEqual(records.map(\.fields.keys), objects.map { $0.value.objectValue?.keys ?? [] }, "key order, batch \(batch)")
                XCTAssertEqual(others, elements.filter { $0.oversized != nil || $0.value.objectValue == nil }, "batch \(batch)")
                XCTAssertEqual(others.filter { $0.oversized != nil }.count, 1)
                XCTAssertEqual(records.first { $0.fields["sku"] == "dup" || $0.fields["sku"] == "last wins" }?.fields.keys, ["sku", "qty"])
            }
        }
    }

    func testErrorsComeAtTheSamePointWithTheSameText() throws {
        var broken = [
            #"[{"a":1},{"a":"\ud800"}]"#, #"[{"a":1},{"a":01}]"#, #"[{"a":1},{"a":"\#u{1}"}]"#,
            #"[{"a":1},{"a":1e999}]"#, #"[{"a":1},{"a":1}"#, #"[{"a":1} {"a":2}]"#, #"[{"a":1},{"a":tru}]"#,
        ].map { Array($0.utf8) }
        broken.append(Array(#"[{"a":1},{"a":"x"#.utf8) + [0xFF] + Array(#""}]"#.utf8))   // invalid UTF-8
        for text in broken {
            for batch in [1, 5] {
                var general = reader(text, decimals: false), fast = reader(text, decimals: false)
                var generalError: String?, fastError: String?
                do { while try !general.nextElements(max: batch).isEmpty {} } catch { generalError = "\(error)" }
                do { while try fast.nextRecords(max: batch).elementCount > 0 {} } catch { fastError = "\(error)" }
                XCTAssertNotNil(generalError, String(decoding: text, as: UTF8.self))
                XCTAssertEqual(fastError, generalError, String(decoding: text, as: UTF8.self))
                XCTAssertEqual(fast.byteOffset, general.byteOffset, String(decoding: text, as: UTF8.self))
            }
        }
    }
}
