import XCTest
import ETLCore
@testable import ETLConnectors

final class CoerceTransformTests: XCTestCase {
    private func utc(_ iso: String) -> Value {
        var c = DateComponents()
        let parts = iso.split(whereSeparator: { "-T:Z".contains($0) }).map { Int($0)! }
        c.year = parts[0]; c.month = parts[1]; c.day = parts[2]
        c.hour = parts.count > 3 ? parts[3] : 0; c.minute = parts.count > 4 ? parts[4] : 0; c.second = parts.count > 5 ? parts[5] : 0
        var cal = Calendar(identifier: .gregorian); cal.timeZone = TimeZone(identifier: "UTC")!
        return .timestamp(cal.date(from: c)!)
    }

    func testConvertsEachDeclaredType() throws {
        let out = try TransformHarness.run("coerce", """
            fields: {i: int, d: double, m: decimal, s: string, b: bool, t: timestamp, untouched: int}
            """, #"[{"i": " 42 ", "d": "2.5", "m": "19.99", "s": 12, "b": "yes", "t": "2024-03-01T12:00:00Z", "other": "x"}]"#)
        XCTAssertEqual(out.rejects, [])
        let r = try XCTUnwrap(out.records.first)
        XCTAssertEqual(r["i"], .int(42))
        XCTAssertEqual(r["d"], .double(2.5))
        XCTAssertEqual(r["m"], .decimal(Decimal(string: "19.99")!))
        XCTAssertEqual(r["s"], "12")
        XCTAssertEqual(r["b"], true)
        XCTAssertEqual(r["t"], utc("2024-03-01T12:00:00"))
        // Fields not in the input stay absent; other fields keep their place.
        XCTAssertNil(r["untouched"])
        XCTAssertEqual(r.fields.keys, ["i", "d", "m", "s", "b", "t", "other"])
    }

    func testDecimalsStayExact() throws {
        let out = try TransformHarness.run("coerce", "fields: {a: decimal, b: decimal, c: decimal}",
                                           #"[{"a": "0.1", "b": 0.1, "c": "12345678901234567890.123456789"}]"#)
        let r = try XCTUnwrap(out.records.first)
        XCTAssertEqual(r["a"], .decimal(Decimal(string: "0.1")!))
        XCTAssertEqual(r["b"], .decimal(Decimal(string: "0.1")!))
        XCTAssertEqual(r["c"]?.text, "12345678901234567890.123456789")
    }

    func testTimestampsWithOffsetsAreInstants() throws {
        let out = try TransformHarness.run("coerce", "fields: {t: timestamp}", """
            [{"t": "2024-03-01T12:00:00+02:00"}, {"t": "2024-03-01T12:00:00-05:30"}, {"t": "2024-03-01T12:00:00"},
             {"t": "2024-03-01"}, {"t": "2024-03-01T23:30:00.5+01:00"}]
            """)
        XCTAssertEqual(out.rejects, [])
        XCTAssertEqual(out.records.map { $0["t"] }, [utc("2024-03-01T10:00:00"), utc("2024-03-01T17:30:00"),
                                                      utc("2024-03-01T12:00:00"), utc("2024-03-01"),
                                                      .timestamp(Date(timeIntervalSince1970: utc("2024-03-01T22:30:00").timestamp!.timeIntervalSince1970 + 0.5))])
    }

    func testTimeFormatWithZoneOffset() throws {
        let out = try TransformHarness.run("coerce", #"{fields: {t: timestamp}, time_format: "%d.%m.%Y %H:%M %z"}"#,
                                           #"[{"t": "01.03.2024 12:00 +0200"}, {"t": "01.03.2024 12:00 +0000"}, {"t": "2024-03-01T12:00:00Z"}]"#)
        XCTAssertEqual(out.records.map { $0["t"] }, [utc("2024-03-01T10:00:00"), utc("2024-03-01T12:00:00")])
        XCTAssertEqual(out.rejects.map(\.record.position), [2])
        XCTAssertEqual(out.rejects.first?.reasons, [#"t: parse_time: cannot parse "2024-03-01T12:00:00Z" with format "%d.%m.%Y %H:%M %z""#])
    }

    func testBooleans() throws {
        let out = try TransformHarness.run("coerce", "fields: {b: bool}",
                                           #"[{"b": "TRUE"}, {"b": "n"}, {"b": 0}, {"b": 1}, {"b": false}, {"b": "maybe"}, {"b": 2}]"#)
        XCTAssertEqual(out.records.map { $0["b"] }, [true, false, false, true, false])
        XCTAssertEqual(out.rejects.map(\.record.position), [5, 6])
        XCTAssertEqual(out.rejects.first?.reasons, [#"b: cannot convert string "maybe" to bool"#])
    }

    func testNullsMissingAndEmptyStrings() throws {
        let out = try TransformHarness.run("coerce", "fields: {i: int}", #"[{"i": null}, {}, {"i": ""}, {"i": "  "}]"#)
        XCTAssertEqual(out.rejects, [])
        XCTAssertEqual(out.records.map { $0["i"] }, [.null, nil, .null, .null])
        let strict = try TransformHarness.run("coerce", "{fields: {i: int}, null_if_empty: false}", #"[{"i": ""}]"#)
        XCTAssertEqual(strict.records.count, 0)
        XCTAssertEqual(strict.rejects.count, 1)
    }

    func testAFailedConversionRejectsTheOriginalRecordNamingEveryField() throws {
        let out = try TransformHarness.run("coerce", "fields: {a: int, b: int, c: decimal}",
                                           #"[{"a": "1", "b": "abc", "c": "1,5"}, {"a": "2", "b": "3", "c": "4.5"}]"#)
        XCTAssertEqual(out.records.map(\.position), [1])
        let reject = try XCTUnwrap(out.rejects.first)
        XCTAssertEqual(reject.stage, "coerce")
        XCTAssertEqual(reject.reasons, [#"b: to_int: cannot convert "abc" to int"#, #"c: to_decimal: cannot convert "1,5" to decimal"#])
        // The reject shows the record as it came in, not half converted.
        XCTAssertEqual(reject.record["a"], "1")
    }

    func testIntDoesNotSilentlyDropAFraction() throws {
        let out = try TransformHarness.run("coerce", "fields: {q: int}", #"[{"q": "12.0"}, {"q": "12.5"}, {"q": 7.9}, {"q": 3.0}]"#)
        XCTAssertEqual(out.records.map { $0["q"] }, [.int(12), .int(3)])
        XCTAssertEqual(out.rejects.map(\.record.position), [1, 2])
        XCTAssertEqual(out.rejects.first?.reasons, [#"q: cannot convert string "12.5" to int without losing the fraction"#])
    }

    func testUnicodeDigitsAreNotNumbers() throws {
        let out = try TransformHarness.run("coerce", "fields: {i: int, s: string}", #"[{"i": "１２", "s": "東京"}]"#)
        XCTAssertEqual(out.rejects.count, 1)
        XCTAssertEqual(out.rejects.first?.record["s"], "東京")
    }

    func testUnknownTargetTypeIsAnOptionError() {
        let d = TransformHarness.optionDiagnostics("coerce", "fields: {a: integer}")
        XCTAssertEqual(d.count, 1, "\(d)")
        XCTAssertEqual(d.first?.location, SourceLocation(file: "options.yaml", line: 1, column: 13))
    }
}

private extension Value {
    var timestamp: Date? { if case .timestamp(let d) = self { return d } else { return nil } }
}
