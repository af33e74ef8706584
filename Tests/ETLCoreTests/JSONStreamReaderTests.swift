import Foundation
import XCTest
@testable import ETLCore

final class JSONStreamReaderTests: XCTestCase {
    private func reader(_ text: String, mode: JSONStreamReader.Mode = .array, decimals: Bool = false) -> JSONStreamReader {
        JSONStreamReader(bytes: Array(text.utf8), source: "test", mode: mode, decimalNumbers: decimals)
    }

    private func all(_ r: inout JSONStreamReader) throws -> [Value] {
        var out: [Value] = []
        while let v = try r.next() { out.append(v) }
        return out
    }

    // MARK: Modes

    func testTopLevelArrayYieldsElementsInOrder() throws {
        var r = reader(#" [ {"a": 1}, 2, "three", [4], null, true ] "#)
        XCTAssertEqual(try all(&r), [["a": 1], 2, "three", [4], nil, true])
        XCTAssertTrue(r.isFinished)
        XCTAssertNil(try r.next(), "stays at the end")
    }

    func testEmptyArray() throws {
        var r = reader("[]")
        XCTAssertEqual(try r.nextBatch(max: 10), [])
        XCTAssertTrue(r.isFinished)
    }

    func testRecordPathSkipsOtherMembersIncludingTrickyStrings() throws {
        let text = #"""
        {"meta": {"note": "[{]}\" \\", "list": [[1, {"x": "]"}], []], "n": -1.5e3},
         "data": {"skip": [{"a": []}, "}"], "flag": true,
                  "items": [{"id": 1}, {"id": 2, "tags": ["x"]}],
                  "after": {"z": "}]"}, "more": [1, 2]},
         "tail": null}
        """#
        var r = reader(text, mode: .recordPath(["data", "items"]))
        let elements = try r.nextElements(max: 10)
        XCTAssertEqual(elements.map(\.value), [["id": 1], ["id": 2, "tags": ["x"]]])
        XCTAssertEqual(elements.map(\.position), [0, 1])
        XCTAssertEqual(elements.map(\.line), [3, 3])
        XCTAssertTrue(r.isFinished)
    }

    func testRecordPathOfOneMember() throws {
        var r = reader(#"{"count": 2, "results": [1, 2], "next": null}"#, mode: .recordPath(["results"]))
        XCTAssertEqual(try all(&r), [1, 2])
    }

    func testEmptyRecordPathMeansTopLevelArray() throws {
        var r = reader("[1]", mode: .recordPath([]))
        XCTAssertEqual(try all(&r), [1])
    }

    func testNDJSONIgnoresBlankLinesAndReportsLines() throws {
        var r = reader("{\"a\":1}\n\n{\"a\":2}\r\n   \n[3] \n\"four\"", mode: .ndjson)
        let elements = try r.nextElements(max: 10)
        XCTAssertEqual(elements.map(\.value), [["a": 1], ["a": 2], [3], "four"])
        XCTAssertEqual(elements.map(\.line), [1, 3, 5, 6])
        XCTAssertEqual(elements.map(\.position), [0, 1, 2, 3])
        XCTAssertEqual(elements.map(\.byteOffset), [0, 9, 22, 27])
    }

    func testEmptyNDJSONHasNoRecords() throws {
        var r = reader("\n \n", mode: .ndjson)
        XCTAssertEqual(try r.nextBatch(max: 5), [])
    }

    func testByteOrderMarkIsSkipped() throws {
        var r = JSONStreamReader(bytes: [0xEF, 0xBB, 0xBF] + Array("[1]".utf8), source: "bom")
        XCTAssertEqual(try all(&r), [1])
        XCTAssertEqual(try JSONStreamReader.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)), .object(Fields()))
    }

    func testDataInitialiser() throws {
        var r = JSONStreamReader(data: Data("[true]".utf8), source: "data")
        XCTAssertEqual(try r.next(), true)
    }

    // MARK: Batching

    func testBatchPositionsContinueAcrossBatches() throws {
        let text = "[" + (0..<25).map { "{\"i\":\($0)}" }.joined(separator: ",\n") + "]"
        var r = reader(text)
        var batches: [[Record]] = []
        while case let batch = try r.nextBatch(max: 10), !batch.isEmpty { batches.append(batch) }
        XCTAssertEqual(batches.map(\.count), [10, 10, 5])
        let all = batches.flatMap { $0 }
        XCTAssertEqual(all.map(\.position), Array(0..<25))
        XCTAssertEqual(all.map { $0["i"] }, (0..<25).map { Value.int(Int64($0)) })
        XCTAssertEqual(r.elementsRead, 25)
        XCTAssertEqual(r.byteOffset, r.byteCount)
    }

    func testElementsCarryOffsetAndLine() throws {
        var r = reader("[\n  {\"a\": 1},\n  {\"a\": 2}\n]")
        let first = try r.nextElements(max: 1)
        let rest = try r.nextElements(max: 5)
        XCTAssertEqual(first, [JSONElement(position: 0, value: ["a": 1], byteOffset: 4, line: 2)])
        XCTAssertEqual(rest, [JSONElement(position: 1, value: ["a": 2], byteOffset: 16, line: 3)])
    }

    func testNextBatchRefusesNonObjects() {
        var r = reader("[{\"a\": 1},\n 7]")
        XCTAssertThrowsError(try r.nextBatch(max: 10)) { error in
            XCTAssertEqual((error as? JSONError)?.message,
                           "record 2 (the 2nd from the source) is a number, not an object at line 2, column 2 — every record must be a JSON object")
        }
    }

    // MARK: Objects

    func testObjectKeepsSourceOrder() throws {
        let v = try JSONStreamReader.parse(#"{"z": 1, "a": 2, "m": 3}"#)
        XCTAssertEqual(v.objectValue?.keys, ["z", "a", "m"])
    }

    func testDuplicateKeysLastWins() throws {
        let v = try JSONStreamReader.parse(#"{"a": 1, "b": 2, "a": 3}"#)
        XCTAssertEqual(v.objectValue?.keys, ["a", "b"])
        XCTAssertEqual(v.objectValue?["a"], 3)
    }

    func testDuplicateKeysDetectedWhenShapeChangesBetweenRecords() throws {
        // The first record primes the key cache; the later ones reuse and break it.
        var r = reader(#"[{"a": 1, "b": 2}, {"a": 1, "a": 2}, {"b": 1, "a": 2, "b": 3}, {"a": 5, "b": 6}]"#)
        let values = try all(&r)
        XCTAssertEqual(values.map { $0.objectValue?.keys ?? [] }, [["a", "b"], ["a"], ["b", "a"], ["a", "b"]])
        XCTAssertEqual(values.map { $0.objectValue?.values ?? [] }, [[1, 2], [2], [3, 2], [5, 6]])
    }

    func testObjectsOfOneShapeShareKeysAndShorterOrChangedShapesStayExact() throws {
        var r = reader(#"[{"a": 1, "b": 2, "c": 3}, {"a": 4}, {"a": 5, "b": 6, "d": 7}, {"a": 8, "b": 9, "d": 10}, {"a": 1, "b": 2, "c": 3}, {}]"#)
        var values = try all(&r)
        XCTAssertEqual(values.map { $0.objectValue?.keys ?? [] },
                       [["a", "b", "c"], ["a"], ["a", "b", "d"], ["a", "b", "d"], ["a", "b", "c"], []])
        XCTAssertEqual(values.map { $0.objectValue?.values ?? [] }, [[1, 2, 3], [4], [5, 6, 7], [8, 9, 10], [1, 2, 3], []])
        // A record changed downstream does not change the others sharing its key list.
        guard case .object(var changed) = values[2] else { return XCTFail("not an object") }
        changed["e"] = 11
        values[2] = .object(changed)
        XCTAssertEqual(values[3].objectValue?.keys, ["a", "b", "d"])
        XCTAssertEqual(values[2].objectValue?.keys, ["a", "b", "d", "e"])
    }

    func testDocumentParserKeepsShapesApartAcrossDocuments() throws {
        var parser = JSONDocumentParser()
        let docs = [#"{"x": 1, "y": 2}"#, #"{"x": 3, "y": 4}"#, #"{"y": 5, "x": 6}"#, #"{"x": 7, "x": 8}"#, #"{"x": {"x": 9}}"#]
        let parsed = try docs.map { doc in try Array(doc.utf8).withUnsafeBufferPointer { try parser.parse($0) } }
        XCTAssertEqual(parsed.map { $0.objectValue?.keys ?? [] }, [["x", "y"], ["x", "y"], ["y", "x"], ["x"], ["x"]])
        XCTAssertEqual(parsed[3].objectValue?["x"], 8)
        XCTAssertEqual(parsed[4].objectValue?["x"]?.objectValue?["x"], 9)
    }

    func testDuplicateKeysInLargeObjects() throws {
        let keys = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        var r = reader("[{\(keys)}, {\(keys), \"k5\": 99, \"k39\": 100, \"new\": 1}]")
        let values = try all(&r)
        XCTAssertEqual(values[0].objectValue?.count, 40)
        XCTAssertEqual(values[1].objectValue?.count, 41)
        XCTAssertEqual(values[1].objectValue?["k5"], 99)
        XCTAssertEqual(values[1].objectValue?["k39"], 100)
        XCTAssertEqual(values[1].objectValue?.keys.last, "new")
    }

    func testEscapedAndEmptyKeys() throws {
        var r = reader(#"[{"": 1, "a\"b": 2}, {"": 3, "a\"b": 4}, {"": 5, "x": 6}]"#)
        let values = try all(&r)
        XCTAssertEqual(values.map { $0.objectValue?.keys ?? [] }, [["", "a\"b"], ["", "a\"b"], ["", "x"]])
    }

    func testNestedObjectsShareNoKeysAcrossDepths() throws {
        let v = try JSONStreamReader.parse(#"[{"a": {"a": {"b": 1}}, "b": [{"a": 2}]}, {"a": {"b": 3}, "b": []}]"#)
        XCTAssertEqual(v, [["a": ["a": ["b": 1]], "b": [["a": 2]]], ["a": ["b": 3], "b": []]])
    }

    // MARK: Strings

    func testEscapes() throws {
        let v = try JSONStreamReader.parse(#"["\"\\\/\b\f\n\r\t", "\u0041\u00e9\u4E2D", "a\u0000b"]"#)
        XCTAssertEqual(v, ["\"\\/\u{8}\u{c}\n\r\t", "Aé中", "a\u{0}b"])
    }

    func testUnicodeRawAndEscaped() throws {
        let v = try JSONStreamReader.parse(#"["😀", "\uD83D\uDE00", "漢字かな", "\ud834\udd1e", "naïve 🇫🇷", "mix \u00e9 é"]"#)
        XCTAssertEqual(v, ["😀", "😀", "漢字かな", "𝄞", "naïve 🇫🇷", "mix é é"])
    }

    // MARK: Numbers

    func testIntegersAtTheEdgesOfInt64() throws {
        XCTAssertEqual(try JSONStreamReader.parse("9223372036854775807"), .int(Int64.max))
        XCTAssertEqual(try JSONStreamReader.parse("-9223372036854775808"), .int(Int64.min))
        XCTAssertEqual(try JSONStreamReader.parse("9223372036854775808"), .double(9223372036854775808.0))
        XCTAssertEqual(try JSONStreamReader.parse("-9223372036854775809"), .double(-9223372036854775809.0))
        XCTAssertEqual(try JSONStreamReader.parse("123456789012345678901234567890"), .double(1.2345678901234568e29))
        XCTAssertEqual(try JSONStreamReader.parse("0"), .int(0))
        XCTAssertEqual(try JSONStreamReader.parse("-17"), .int(-17))
    }

    func testNegativeZero() throws {
        XCTAssertEqual(try JSONStreamReader.parse("-0"), .int(0))
        guard case .double(let d) = try JSONStreamReader.parse("-0.0") else { return XCTFail("expected a double") }
        XCTAssertEqual(d, 0)
        XCTAssertEqual(d.sign, .minus)
    }

    func testFractionsAndExponents() throws {
        XCTAssertEqual(try JSONStreamReader.parse("1.5"), .double(1.5))
        XCTAssertEqual(try JSONStreamReader.parse("1e3"), .double(1000))
        XCTAssertEqual(try JSONStreamReader.parse("1E+3"), .double(1000))
        XCTAssertEqual(try JSONStreamReader.parse("-2.5e-3"), .double(-0.0025))
        XCTAssertEqual(try JSONStreamReader.parse("0.1"), .double(0.1))
        // Underflow is out of range like overflow (JSONUnderflowTests): it would read as the integer 0.
        XCTAssertThrowsError(try JSONStreamReader.parse("1e-400"))
    }

    func testDecimalFlagKeepsExactDigits() throws {
        XCTAssertEqual(try JSONStreamReader.parse("12.50", decimalNumbers: true), .decimal(Decimal(string: "12.50")!))
        XCTAssertEqual(try JSONStreamReader.parse("0.1", decimalNumbers: true), .decimal(Decimal(string: "0.1")!))
        XCTAssertEqual(try JSONStreamReader.parse("-1234567.891", decimalNumbers: true), .decimal(Decimal(string: "-1234567.891")!))
        XCTAssertEqual(try JSONStreamReader.parse("42", decimalNumbers: true), .int(42), "integers stay ints")
        XCTAssertEqual(try JSONStreamReader.parse("1e2", decimalNumbers: true), .double(100), "exponents stay doubles")
        XCTAssertEqual(try JSONStreamReader.parse("92233720368547758070", decimalNumbers: true),
                       .decimal(Decimal(string: "92233720368547758070")!), "big integers keep their digits")
        guard case .decimal(let d) = try JSONStreamReader.parse("0.1", decimalNumbers: true) else { return XCTFail() }
        XCTAssertEqual(d * 3, Decimal(string: "0.3")!)
        var r = reader("[19.99, 5]", decimals: true)
        XCTAssertEqual(try all(&r), [.decimal(Decimal(string: "19.99")!), .int(5)])
    }

    func testLiterals() throws {
        XCTAssertEqual(try JSONStreamReader.parse(" [true,false,null] "), [true, false, nil])
    }

    func testDeepButAllowedNesting() throws {
        let text = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        XCTAssertNoThrow(try JSONStreamReader.parse(text))
    }

    // MARK: Round trip

    func testHundredThousandElementsRoundTripThroughJSONWriter() throws {
        var values: [Value] = []
        values.reserveCapacity(100_000)
        for i in 0..<100_000 {
            var f = Fields()
            f.appendUnchecked("id", .int(Int64(i) * (i % 2 == 0 ? 1 : -1)))
            f.appendUnchecked("sku", .string("SKU-\(i)"))
            f.appendUnchecked("price", .double(Double(i) + 0.25))
            f.appendUnchecked("note", .string(i % 3 == 0 ? "line\n\"quoted\" \\ tab\t é 😀 漢" : ""))
            f.appendUnchecked("active", .bool(i % 5 == 0))
            f.appendUnchecked("parent", i % 7 == 0 ? .null : .int(Int64(i / 7)))
            f.appendUnchecked("tags", .array(i % 11 == 0 ? [] : ["a", .int(Int64(i % 11))]))
            f.appendUnchecked("dims", .object(Fields([("w", .int(Int64(i % 13))), ("ctl", .string("\u{1}\u{1f}"))])))
            values.append(.object(f))
        }
        let text = JSONWriter.string(.array(values))
        var r = JSONStreamReader(bytes: Array(text.utf8), source: "round-trip")
        var read: [Value] = []
        read.reserveCapacity(values.count)
        while case let batch = try r.nextElements(max: 7_000), !batch.isEmpty {
            XCTAssertEqual(batch.first?.position, read.count)
            read.append(contentsOf: batch.map(\.value))
        }
        XCTAssertEqual(read.count, values.count)
        XCTAssertEqual(read, values)
        XCTAssertEqual(try JSONStreamReader.parse(text), .array(values))
    }
}
