import Foundation
import XCTest
@testable import ETLCore

final class CSVReaderTests: XCTestCase {
    private func records(_ text: String, delimiter: Character = ",", emptyAsNull: Bool = false,
                         columns: [String]? = nil, policy: CSVReader.ColumnCountPolicy = .error) throws -> [Record] {
        var r = try CSVReader(bytes: Array(text.utf8), source: "items.csv", delimiter: delimiter, emptyAsNull: emptyAsNull,
                              columns: columns, columnCountPolicy: policy)
        var out: [Record] = []
        while case let batch = try r.nextBatch(max: 2), !batch.isEmpty { out.append(contentsOf: batch) }
        return out
    }

    private func csvError(_ text: String, policy: CSVReader.ColumnCountPolicy = .error) -> CSVError? {
        do {
            _ = try records(text, policy: policy)
            XCTFail("expected an error")
            return nil
        } catch {
            return error as? CSVError
        }
    }

    func testHeaderNamesFieldsAndValuesAreStrings() throws {
        let rs = try records("sku,qty,name\nA-1,3,Bolt\nA-2,10,Nut\n")
        XCTAssertEqual(rs.map(\.fields), [Fields([("sku", "A-1"), ("qty", "3"), ("name", "Bolt")]),
                                          Fields([("sku", "A-2"), ("qty", "10"), ("name", "Nut")])])
        XCTAssertEqual(rs.map(\.position), [0, 1])
        XCTAssertEqual(rs[0].fields.keys, ["sku", "qty", "name"])
    }

    func testQuotedFieldsEscapedQuotesAndEmbeddedNewlines() throws {
        let text = "id,note\r\n1,\"say \"\"hi\"\", then, go\"\r\n2,\"two\nlines\r\nhere\"\r\n3,\"\"\r\n"
        let rs = try records(text)
        XCTAssertEqual(rs.map { $0["note"] }, ["say \"hi\", then, go", "two\nlines\r\nhere", ""])
    }

    func testLFAndCRLFAndNoFinalNewline() throws {
        XCTAssertEqual(try records("a,b\r\n1,2\n3,4").map { $0["b"] }, ["2", "4"])
    }

    func testBlankLinesAreSkipped() throws {
        XCTAssertEqual(try records("a\n\n1\n\r\n2\n\n").map { $0["a"] }, ["1", "2"])
    }

    func testEmptyFields() throws {
        let rs = try records("a,b,c\n,,\n\"\",x,\n")
        XCTAssertEqual(rs.map(\.fields), [Fields([("a", ""), ("b", ""), ("c", "")]),
                                          Fields([("a", ""), ("b", "x"), ("c", "")])])
    }

    func testEmptyAsNullKeepsQuotedEmptyStrings() throws {
        let rs = try records("a,b,c\n,\"\",x\n", emptyAsNull: true)
        XCTAssertEqual(rs[0].fields, Fields([("a", nil), ("b", ""), ("c", "x")]))
    }

    func testOtherDelimiters() throws {
        XCTAssertEqual(try records("a;b\n1;\"x;y\"\n", delimiter: ";")[0].fields, Fields([("a", "1"), ("b", "x;y")]))
        XCTAssertEqual(try records("a\tb\n1\t2\n", delimiter: "\t")[0]["b"], "2")
        XCTAssertThrowsError(try CSVReader(bytes: [], source: "x", delimiter: "\""))
        XCTAssertThrowsError(try CSVReader(bytes: [], source: "x", delimiter: "é"))
    }

    func testUnicodeAndByteOrderMark() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("名前,emoji\n漢字,\"😀 \"\"ok\"\"\"\n".utf8)
        var r = try CSVReader(bytes: bytes, source: "u.csv")
        XCTAssertEqual(r.columns, ["名前", "emoji"])
        XCTAssertEqual(try r.next()?.fields, Fields([("名前", "漢字"), ("emoji", "😀 \"ok\"")]))
        XCTAssertNil(try r.next())
    }

    func testQuoteInsideUnquotedFieldIsKept() throws {
        XCTAssertEqual(try records("a,b\n5\" pipe,x\n")[0]["a"], "5\" pipe")
    }

    func testGivenColumnsMakeFirstRowData() throws {
        let rs = try records("1,2\n3,4\n", columns: ["x", "y"])
        XCTAssertEqual(rs.map { $0["y"] }, ["2", "4"])
    }

    func testEmptyHeaderNamesAreNumberedAndDuplicatesRefused() throws {
        var r = try CSVReader(bytes: Array("a,,c,\n".utf8), source: "h.csv")
        XCTAssertEqual(r.columns, ["a", "column_2", "c", "column_4"])
        XCTAssertNil(try r.next())
        XCTAssertThrowsError(try CSVReader(bytes: Array("id,name,id\n".utf8), source: "h.csv")) { error in
            XCTAssertEqual((error as? CSVError)?.message, "duplicate column name 'id' in the header (columns 1 and 3) at line 1, column 1")
        }
    }

    func testEmptyPayloadHasNoColumnsAndNoRecords() throws {
        var r = try CSVReader(bytes: [], source: "e.csv")
        XCTAssertEqual(r.columns, [])
        XCTAssertEqual(try r.nextBatch(max: 10), [])
    }

    func testBatchPositionsContinue() throws {
        var r = try CSVReader(bytes: Array(("n\n" + (0..<7).map(String.init).joined(separator: "\n")).utf8), source: "b")
        let first = try r.nextBatch(max: 3), second = try r.nextBatch(max: 3), third = try r.nextBatch(max: 3)
        XCTAssertEqual([first, second, third].map { $0.map(\.position) }, [[0, 1, 2], [3, 4, 5], [6]])
        XCTAssertEqual(third[0]["n"], "6")
        XCTAssertEqual(try r.nextBatch(max: 3), [])
        XCTAssertEqual(r.rowsRead, 7)
    }

    // MARK: Errors

    func testUnterminatedQuoteReportsWhereTheQuoteOpened() {
        let e = csvError("a,b\n1,2\n3,\"open\nmore\nstill")
        XCTAssertEqual(e?.message, "unterminated quoted field at line 3, column 3 — the closing quote is missing, so the file looks truncated or a quote inside the field is not doubled")
        XCTAssertEqual(e?.description.hasPrefix("items.csv: unterminated quoted field at line 3, column 3"), true)
    }

    func testTextAfterClosingQuote() {
        let e = csvError("a,b\n1,\"x\"y\n")
        XCTAssertEqual(e?.message, "unexpected 'y' after the closing quote of a field at line 2, column 6 — a quoted field must end at a delimiter or the end of the line")
    }

    func testWrongColumnCount() {
        let long = csvError("a,b\n1,2\n\"multi\nline\",2,3\n")
        XCTAssertEqual(long?.message, "row 2 has 3 fields, the header has 2 at line 3, column 1 — every row must have one field per column")
        let short = csvError("a,b,c\n1;2;3\n")   // rows written with another delimiter
        XCTAssertEqual(short?.reason, "row 1 has 1 field, the header has 3")
        XCTAssertEqual(short?.line, 2)
        XCTAssertEqual(short?.hint, "check the delimiter")
    }

    func testShortRowsFilledWithNullWhenAllowed() throws {
        let rs = try records("a,b,c\n1\n1,2,3\n", policy: .fillMissingWithNull)
        XCTAssertEqual(rs[0].fields, Fields([("a", "1"), ("b", nil), ("c", nil)]))
        XCTAssertEqual(csvError("a,b\n1,2,3\n", policy: .fillMissingWithNull)?.reason, "row 1 has 3 fields, the header has 2")
    }

    func testInvalidUTF8() {
        var bytes = Array("a,b\nok,x".utf8)
        bytes.append(0xE9)   // Latin-1 é
        bytes += Array("t\n".utf8)
        var r = try? CSVReader(bytes: bytes, source: "latin1.csv")
        XCTAssertThrowsError(try r?.nextBatch(max: 5)) { error in
            let e = error as? CSVError
            XCTAssertEqual(e?.message, "invalid UTF-8 (byte 0xE9) in a field at line 2, column 5 — CSV payloads must be UTF-8")
            XCTAssertEqual(e?.hint, "re-export the file as UTF-8 (Excel: 'CSV UTF-8')")
        }
    }

    func testInvalidUTF8InsideMultilineQuotedField() {
        var bytes = Array("a\n\"line one\nline ".utf8)
        bytes.append(0xFF)
        bytes += Array("\"\n".utf8)
        var r = try? CSVReader(bytes: bytes, source: "bad.csv")
        XCTAssertThrowsError(try r?.nextBatch(max: 5)) { error in
            XCTAssertEqual((error as? CSVError)?.line, 3)
            XCTAssertEqual((error as? CSVError)?.column, 6)
        }
    }
}
