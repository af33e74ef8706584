import Foundation
import XCTest
@testable import ETLCore

/// `maxRecordBytes`: an element, NDJSON line or CSV row over the cap is skipped
/// unbuilt and handed out as an `OversizedRecord`; the records around it read on.
final class RecordCapTests: XCTestCase {
    private func elements(_ text: String, mode: JSONStreamReader.Mode = .array, cap: Int) throws -> [JSONElement] {
        var r = JSONStreamReader(bytes: Array(text.utf8), source: "t", mode: mode, maxRecordBytes: cap)
        var out: [JSONElement] = []
        while case let batch = try r.nextElements(max: 2), !batch.isEmpty { out += batch }
        return out
    }

    func testAnElementOverTheCapIsSkippedAndTheOthersRead() throws {
        let big = "{\"sku\": \"" + String(repeating: "x", count: 500) + "\", \"qty\": [1, 2, {\"deep\": \"]\"}]}"
        let out = try elements("[{\"a\": 1},\n \(big),\n {\"a\": 3}]", cap: 100)
        XCTAssertEqual(out.map(\.position), [0, 1, 2])
        XCTAssertEqual(out[0].value, .object(Fields([("a", .int(1))])))
        XCTAssertEqual(out[2].value, .object(Fields([("a", .int(3))])))
        let skipped = try XCTUnwrap(out[1].oversized)
        XCTAssertEqual(out[1].value, .null)
        XCTAssertEqual(skipped.byteCount, big.utf8.count)
        XCTAssertEqual(skipped.line, 2)
        XCTAssertEqual(skipped.excerpt, String(big.prefix(OversizedRecord.excerptLimit)) + "…")
        XCTAssertEqual(out[2].line, 3, "lines count on past the skipped record")
    }

    func testTheCapCountsTheElementsOwnBytesExactly() throws {
        // `12345` is 5 bytes: a cap of 5 reads it, 4 does not; a number is not cut at the cap.
        XCTAssertEqual(try elements("[12345, 1]", cap: 5).map(\.value), [.int(12345), .int(1)])
        let cut = try elements("[12345, 1]", cap: 4)
        XCTAssertEqual(cut.map { $0.oversized?.byteCount }, [5, nil])
        XCTAssertEqual(cut[1].value, .int(1))
        XCTAssertEqual(try elements("[\"abc\"]", cap: 5).map(\.value), [.string("abc")])
        XCTAssertEqual(try elements("[\"abcd\"]", cap: 5).map { $0.oversized?.byteCount }, [6])
    }

    func testOversizedFirstElementStringsWithEscapesAndMultibyteText() throws {
        let out = try elements("[\"a\\\"\\u00e9" + String(repeating: "é", count: 100) + "\", true]", cap: 50)
        XCTAssertNotNil(out[0].oversized)
        XCTAssertEqual(out[1].value, .bool(true))
    }

    func testNDJSONAndRecordPathHonourTheCap() throws {
        let lines = try elements("{\"a\": 1}\n[" + String(repeating: "0,", count: 100) + "0]\n{\"a\": 2}\n", mode: .ndjson, cap: 20)
        XCTAssertEqual(lines.map { $0.oversized != nil }, [false, true, false])
        XCTAssertEqual(lines[2].line, 3)
        let nested = try elements("{\"meta\": {\"n\": 2}, \"data\": {\"items\": [" + String(repeating: "9", count: 40) + ", 7]}, \"more\": 1}",
                                  mode: .recordPath(["data", "items"]), cap: 10)
        XCTAssertEqual(nested.map { $0.oversized?.byteCount }, [40, nil])
        XCTAssertEqual(nested[1].value, .int(7))
    }

    func testAPayloadCutOffInsideAnOversizedElementIsStillAnError() throws {
        XCTAssertThrowsError(try elements("[{\"a\": \"" + String(repeating: "x", count: 100), cap: 10)) { error in
            XCTAssertTrue("\(error)".contains("truncated"), "\(error)")
        }
        // An error inside the window is reported as it is, not as a big record.
        XCTAssertThrowsError(try elements("[{\"a\": tru, \"b\": \"" + String(repeating: "x", count: 100) + "\"}]", cap: 20)) { error in
            XCTAssertTrue("\(error)".contains("invalid token 'tru'"), "\(error)")
        }
    }

    func testNextBatchRefusesAnOversizedRecordNamingIt() throws {
        var r = JSONStreamReader(bytes: Array("[{\"a\": 1}, {\"a\": \"0123456789\"}]".utf8), source: "t", maxRecordBytes: 12)
        XCTAssertThrowsError(try r.nextBatch(max: 10)) { error in
            XCTAssertTrue("\(error)".contains("record 2 (the 2nd from the source) is too large: "), "\(error)")
            XCTAssertTrue("\(error)".contains(" bytes, over the record size limit (12 bytes)"), "\(error)")
        }
    }

    func testCSVRowsOverTheCapAreSkippedAndReported() throws {
        let text = "id,note\n1,short\n2,\"" + String(repeating: "long\n", count: 30) + "\"\n3,\"ok, fine\"\n4," + String(repeating: "é", count: 40) + "\n5,end"
        var r = try CSVReader(bytes: Array(text.utf8), source: "c.csv", maxRecordBytes: 40)
        var big: [OversizedRecord] = []
        var records: [Record] = []
        while case let batch = try r.nextBatch(max: 2, oversized: { big.append($0) }), !batch.isEmpty { records += batch }
        XCTAssertEqual(records.map { $0.fields["id"] }, [.string("1"), .string("3"), .string("5")])
        XCTAssertEqual(records.map(\.position), [0, 2, 4])
        XCTAssertEqual(big.map(\.position), [1, 3])
        XCTAssertEqual(big.map(\.line), [3, 35])
        XCTAssertEqual(big[0].byteCount, 2 + 2 + 30 * 5)
        XCTAssertTrue(big[1].excerpt.hasPrefix("4,éé"), big[1].excerpt)
        // Without a handler an oversized row is an error.
        var strict = try CSVReader(bytes: Array(text.utf8), source: "c.csv", maxRecordBytes: 40)
        XCTAssertThrowsError(try strict.nextBatch(max: 10))
    }

    func testAMappedPayloadReadsLikeTheSameBytesInMemory() throws {
        let text = "[" + (0..<20_000).map { "{\"sku\": \"SKU-\($0)\", \"qty\": \($0 % 7)}" }.joined(separator: ",\n") + "]"
        let path = NSTemporaryDirectory() + "/mapped-\(UUID().uuidString).json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mapped = try PayloadBytes(mapping: path)
        XCTAssertTrue(mapped.isMapped)
        XCTAssertEqual(mapped.count, text.utf8.count)
        var a = JSONStreamReader(payload: mapped, source: "m")
        var b = JSONStreamReader(bytes: Array(text.utf8), source: "m")
        var n = 0
        while true {
            let x = try a.nextBatch(max: 1000), y = try b.nextBatch(max: 1000)
            XCTAssertEqual(x, y)
            if x.isEmpty { break }
            n += x.count
        }
        XCTAssertEqual(n, 20_000)
        // Pages handed back are read again from the file when needed (an error's line count).
        mapped.release(before: mapped.count)
        XCTAssertEqual(mapped.withBytes { $0.last }, UInt8(ascii: "]"))
        let empty = NSTemporaryDirectory() + "/empty-\(UUID().uuidString).json"
        FileManager.default.createFile(atPath: empty, contents: Data())
        defer { try? FileManager.default.removeItem(atPath: empty) }
        var r = JSONStreamReader(payload: try PayloadBytes(mapping: empty), source: "e")
        XCTAssertThrowsError(try r.nextBatch(max: 1)) { XCTAssertTrue("\($0)".contains("empty"), "\($0)") }
        XCTAssertThrowsError(try PayloadBytes(mapping: path + ".missing")) { XCTAssertTrue("\($0)".contains("No such file"), "\($0)") }
    }
}
