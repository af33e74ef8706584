import XCTest
@testable import ETLCore

/// Every way a payload can be broken, with the exact message and place.
final class JSONErrorTests: XCTestCase {
    /// Reads everything and returns the error raised on the way.
    private func readError(_ bytes: [UInt8], mode: JSONStreamReader.Mode = .array,
                           file: StaticString = #filePath, line: UInt = #line) -> JSONError? {
        var r = JSONStreamReader(bytes: bytes, source: "https://erp/items", mode: mode)
        do {
            while !(try r.nextElements(max: 3)).isEmpty {}
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch let e as JSONError {
            return e
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
            return nil
        }
    }

    private func readError(_ text: String, mode: JSONStreamReader.Mode = .array,
                           file: StaticString = #filePath, line: UInt = #line) -> JSONError? {
        readError(Array(text.utf8), mode: mode, file: file, line: line)
    }

    private func parseError(_ text: String) -> JSONError? {
        do { _ = try JSONStreamReader.parse(text); XCTFail("expected an error"); return nil } catch { return error as? JSONError }
    }

    // MARK: Truncation

    func testTruncatedPayload() {
        let e = readError(#"[{"a":1},{"b":"#)
        XCTAssertEqual(e?.message, "unexpected end of input at line 1, column 15 — the payload looks truncated")
        XCTAssertEqual(e?.byteOffset, 14)
        XCTAssertEqual(e?.description,
                       "https://erp/items: unexpected end of input at line 1, column 15 — the payload looks truncated")
    }

    func testTruncatedOnALaterLine() {
        let e = readError("[\n  {\"a\": 1},\n  {\"b\"")
        XCTAssertEqual(e?.message, "unexpected end of input at line 3, column 7 — the payload looks truncated")
    }

    func testTruncatedInsideStringNumberLiteralAndEscape() {
        for text in [#"["abc"#, "[12", "[1.", "[1e", "[-", "[tr", #"["\u12"#, #"["\uD83D"#, #"["\uD83D\"#, #"["a\"#, "[1,"] {
            XCTAssertEqual(readError(text)?.reason, "unexpected end of input", text)
            XCTAssertEqual(readError(text)?.detail, "the payload looks truncated", text)
        }
    }

    func testTruncatedAfterTheRecordArray() {
        let e = readError(#"{"data": {"items": [{"id": 1}]"#, mode: .recordPath(["data", "items"]))
        XCTAssertEqual(e?.message, "unexpected end of input at line 1, column 31 — the payload looks truncated")
    }

    func testEmptyPayload() {
        XCTAssertEqual(readError("")?.message, "unexpected end of input at line 1, column 1 — the payload is empty")
        XCTAssertEqual(readError("  \n")?.message, "unexpected end of input at line 2, column 1 — the payload is empty")
        XCTAssertEqual(parseError("")?.message, "unexpected end of input at line 1, column 1 — the payload is empty")
    }

    // MARK: Wrong shape

    func testTopLevelObjectWhereArrayExpected() {
        let e = readError(#"{"data": []}"#)
        XCTAssertEqual(e?.message, "expected a JSON array at the top level, found an object at line 1, column 1")
        XCTAssertEqual(e?.hint, "if the records sit inside the object, set a record path (e.g. data.items)")
        XCTAssertEqual(readError(#"  "text""#)?.message, "expected a JSON array at the top level, found a string at line 1, column 3")
    }

    func testArrayWhereRecordPathExpectsObject() {
        let e = readError("[1]", mode: .recordPath(["data"]))
        XCTAssertEqual(e?.message, "expected a JSON object at the top level (record path data), found an array at line 1, column 1")
    }

    func testMissingRecordPath() {
        let e = readError(#"{"data": {"other": []}}"#, mode: .recordPath(["data", "items"]))
        XCTAssertEqual(e?.message,
                       "record path data.items not found: the object at data has no member 'items' at line 1, column 22 — its members are other")
        let top = readError(#"{"dta": 1, "meta": {}}"#, mode: .recordPath(["data", "items"]))
        XCTAssertEqual(top?.message,
                       "record path data.items not found: the top-level object has no member 'data' at line 1, column 22 — its members are dta, meta")
        XCTAssertEqual(top?.hint, "did you mean 'dta'?")
        XCTAssertEqual(readError("{}", mode: .recordPath(["items"]))?.message,
                       "record path items not found: the top-level object has no member 'items' at line 1, column 2 — it is empty")
    }

    func testRecordPathThroughNonObjectAndToNonArray() {
        XCTAssertEqual(readError(#"{"data": "x"}"#, mode: .recordPath(["data", "items"]))?.message,
                       "expected a JSON object at data (record path data.items), found a string at line 1, column 10")
        XCTAssertEqual(readError(#"{"data": {"items": {"id": 1}}}"#, mode: .recordPath(["data", "items"]))?.message,
                       "expected a JSON array at data.items, found an object at line 1, column 20")
        XCTAssertEqual(readError(#"{"items": null}"#, mode: .recordPath(["items"]))?.message,
                       "expected a JSON array at items, found null at line 1, column 11")
    }

    func testTrailingGarbage() {
        let e = readError("[1, 2] x")
        XCTAssertEqual(e?.message, "unexpected 'x' after the end of the top-level value at line 1, column 8 — trailing data after the JSON document")
        XCTAssertEqual(readError("[1]\n[2]")?.message,
                       "unexpected '[' after the end of the top-level value at line 2, column 1 — trailing data after the JSON document")
        XCTAssertEqual(readError(#"{"items": []} {}"#, mode: .recordPath(["items"]))?.line, 1)
        XCTAssertEqual(parseError("{} }")?.column, 4)
    }

    func testNDJSONWithTwoValuesOnOneLine() {
        let e = readError("{\"a\":1}\n{\"a\":2} {\"a\":3}\n", mode: .ndjson)
        XCTAssertEqual(e?.message, "unexpected '{' at line 2, column 9 — expected a new line after the value")
        XCTAssertEqual(e?.hint, "NDJSON holds exactly one JSON value per line")
    }

    // MARK: Invalid tokens

    func testInvalidTokens() {
        XCTAssertEqual(readError("[1, tru]")?.message,
                       "invalid token 'tru' at line 1, column 5 — expected a JSON value (an object, array, string, number, true, false or null)")
        XCTAssertEqual(readError("[1, True]")?.reason, "invalid token 'True'")
        XCTAssertEqual(readError("[NaN]")?.reason, "invalid token 'NaN'")
        XCTAssertEqual(readError("[1, @]")?.message, "unexpected '@' at line 1, column 5 — expected a JSON value")
        XCTAssertEqual(readError("[1 2]")?.message, "unexpected '2' at line 1, column 4 — expected ',' or ']' after an array element")
        XCTAssertEqual(readError("[1,]")?.message, "unexpected ']' at line 1, column 4 — expected a JSON value")
        XCTAssertEqual(readError(#"[{"a" 1}]"#)?.message, "unexpected '1' at line 1, column 7 — expected ':' after a member name")
        XCTAssertEqual(readError(#"[{a: 1}]"#)?.message, "unexpected 'a' at line 1, column 3 — expected a member name in double quotes")
        XCTAssertEqual(readError(#"[{"a": 1,}]"#)?.message, "unexpected '}' at line 1, column 10 — expected a member name in double quotes")
        XCTAssertEqual(readError(#"[{"a": 1]"#)?.message, "unexpected ']' at line 1, column 9 — expected ',' or '}' after an object member")
        XCTAssertEqual(readError("[\u{1}]")?.message, "unexpected control character U+0001 at line 1, column 2 — expected a JSON value")
    }

    func testInvalidNumbers() {
        XCTAssertEqual(readError("[01]")?.message, "invalid number '01' at line 1, column 2 — leading zeros are not allowed")
        XCTAssertEqual(readError("[-x]")?.message, "invalid number '-x' at line 1, column 2 — expected a digit after '-'")
        XCTAssertEqual(readError("[1.e5]")?.message, "invalid number '1.e5' at line 1, column 2 — expected a digit after '.'")
        XCTAssertEqual(readError("[1e+]")?.message, "invalid number '1e+' at line 1, column 2 — expected a digit in the exponent")
        XCTAssertEqual(readError("[.5]")?.message, "unexpected '.' at line 1, column 2 — expected a JSON value")
        XCTAssertEqual(readError("[1e999]")?.message,
                       "number 1e999 is out of range at line 1, column 2 — it does not fit a 64-bit floating point number")
    }

    // MARK: Strings

    func testInvalidUTF8() {
        let e = readError([UInt8]("[\"ab".utf8) + [0xFF] + [UInt8]("\"]".utf8))
        XCTAssertEqual(e?.message, "invalid UTF-8 (byte 0xFF) in a string at line 1, column 5 — JSON text must be UTF-8")
        XCTAssertEqual(e?.byteOffset, 4)
        // A lead byte without its continuation, after an escape (slow path).
        let escaped = readError([UInt8]("[\"é\\n".utf8) + [0xC3] + [UInt8]("\"]".utf8))
        XCTAssertEqual(escaped?.reason, "invalid UTF-8 (byte 0xC3) in a string")
        XCTAssertEqual(escaped?.column, 6)
        // UTF-8-encoded surrogates are not valid UTF-8.
        XCTAssertEqual(readError([UInt8]("[\"".utf8) + [0xED, 0xA0, 0x80] + [UInt8]("\"]".utf8))?.column, 3)
    }

    func testBadEscapes() {
        XCTAssertEqual(readError(#"["a\x"]"#)?.message,
                       #"invalid escape '\x' in a string at line 1, column 4 — JSON allows \" \\ \/ \b \f \n \r \t and \uXXXX"#)
        XCTAssertEqual(readError(#"["\u12G4"]"#)?.message,
                       #"invalid \u escape in a string at line 1, column 3 — expected 4 hex digits after \u"#)
    }

    func testLoneSurrogates() {
        XCTAssertEqual(readError(#"["\uD83D"]"#)?.message,
                       #"lone high surrogate \uD83D in a string at line 1, column 3 — it must be followed by a low surrogate escape (\uDC00–\uDFFF)"#)
        XCTAssertEqual(readError(#"["ab\uD83Dx"]"#)?.column, 5)
        XCTAssertEqual(readError(#"["\uD83D\u0041"]"#)?.reason, #"lone high surrogate \uD83D in a string"#)
        XCTAssertEqual(readError(#"["\uDE00"]"#)?.message,
                       #"lone low surrogate \uDE00 in a string at line 1, column 3 — a low surrogate must follow a high one (\uD800–\uDBFF)"#)
    }

    func testControlCharacterInString() {
        let e = readError("[\"a\nb\"]")
        XCTAssertEqual(e?.reason, "control character U+000A inside a string")
        XCTAssertEqual(e?.line, 1)
        XCTAssertEqual(e?.column, 4)
        XCTAssertEqual(readError("[\"a\tb\"]")?.column, 4)
        XCTAssertEqual(readError("{\"x\": \"a\u{1f}\", \"items\": []}", mode: .recordPath(["items"]))?.reason,
                       "control character U+001F inside a string", "also while skipping")
    }

    func testColumnsCountCharactersNotBytes() {
        XCTAssertEqual(readError(#"["漢字", x]"#)?.column, 8)
        XCTAssertEqual(readError("[\"😀\",\n \"é\", ?]")?.message, "unexpected '?' at line 2, column 7 — expected a JSON value")
        XCTAssertEqual(readError("[1, é]")?.message, "unexpected 'é' at line 1, column 5 — expected a JSON value")
    }

    // MARK: Depth

    func testDepthLimit() {
        let e = parseError(String(repeating: "[", count: 513) + String(repeating: "]", count: 513))
        XCTAssertEqual(e?.message, "nesting deeper than 512 levels at line 1, column 513 — refusing to read further (the payload may be hostile or broken)")
        let objects = readError("[" + String(repeating: "{\"a\":", count: 600))
        XCTAssertEqual(objects?.reason, "nesting deeper than 512 levels")
        let skipped = readError("{\"x\": " + String(repeating: "[", count: 600) + ", \"items\": []}", mode: .recordPath(["items"]))
        XCTAssertEqual(skipped?.reason, "nesting deeper than 512 levels", "also while skipping")
        var shallow = JSONStreamReader(bytes: Array("[[[1]]]".utf8), source: "s", maxDepth: 2)
        XCTAssertThrowsError(try shallow.next())
    }

    func testMismatchedBracketsWhileSkipping() {
        let e = readError(#"{"x": [1, 2}, "items": []}"#, mode: .recordPath(["items"]))
        XCTAssertEqual(e?.message, "unexpected '}' at line 1, column 12 — expected ']'")
    }

    // MARK: After an error

    func testErrorIsStickyAndConvertsToETLError() {
        var r = JSONStreamReader(bytes: Array("[1, x]".utf8), source: "src")
        XCTAssertEqual(try r.next(), 1)
        XCTAssertThrowsError(try r.next())
        XCTAssertThrowsError(try r.nextBatch(max: 5)) { error in
            XCTAssertEqual((error as? JSONError)?.column, 5)
            XCTAssertEqual((error as? JSONError)?.etlError.message, "src: invalid token 'x' at line 1, column 5 — expected a JSON value (an object, array, string, number, true, false or null)")
        }
    }
}
