import XCTest
import ETLCore
@testable import ETLConnectors

final class ValidateTransformTests: XCTestCase {
    private func reasons(_ rules: String, _ json: String) throws -> [[String]] {
        let out = try TransformHarness.run("validate", "rules:\n" + rules, json, decimals: true)
        var byPosition = Array(repeating: [String](), count: out.records.count + out.rejects.count)
        for r in out.rejects where r.record.position < byPosition.count { byPosition[r.record.position] = r.reasons }
        for r in out.rejects { XCTAssertEqual(r.stage, "validate") }
        return byPosition
    }

    func testValidRecordsPassUntouched() throws {
        let json = #"[{"sku": "A-1", "qty": 3, "price": 9.99, "tags": ["x"], "on": true, "at": "2024-03-01T12:00:00Z"}]"#
        let out = try TransformHarness.run("validate", """
            rules:
              sku: {type: string, required: true, non_empty: true, pattern: "[A-Z]-[0-9]+", max_length: 10}
              qty: {type: int, min: 0, max: 10}
              price: {type: decimal, min: 0.01}
              tags: {type: array, non_empty: true}
              on: {type: bool}
              at: {type: timestamp}
            """, json, decimals: true)
        XCTAssertEqual(out.rejects, [])
        XCTAssertEqual(out.records, TransformHarness.records(json, decimals: true))
    }

    func testTypeRule() throws {
        let r = try reasons("  v: {type: int}\n", #"[{"v": 12}, {"v": 12.0}, {"v": 12.5}, {"v": "12"}, {"v": true}, {"v": 9.5e30}]"#)
        XCTAssertEqual(r[0], []); XCTAssertEqual(r[1], [])
        XCTAssertEqual(r[2], ["v must be an integer, found decimal 12.5"])
        XCTAssertEqual(r[3], ["v must be an integer, found string \"12\""])
        XCTAssertEqual(r[4], ["v must be an integer, found bool true"])
        XCTAssertEqual(r[5].count, 1)
        let others = try reasons("""
              s: {type: string}
              n: {type: number}
              o: {type: object}
              t: {type: timestamp}
            """, #"[{"s": 1, "n": "1", "o": [], "t": "yesterday"}, {"s": "ü", "n": 1.5, "o": {}, "t": "2024-03-01T12:00:00.250+02:00"}]"#)
        XCTAssertEqual(others[0], ["s must be a string, found int 1", "n must be a number, found string \"1\"",
                                   "o must be an object, found array []", "t must be a timestamp, found string \"yesterday\""])
        XCTAssertEqual(others[1], [])
    }

    func testRequiredTreatsMissingAndNullAlikeAndOtherRulesSkipAbsentFields() throws {
        let r = try reasons("  a: {required: true, min: 1}\n  b.c: {required: true}\n  d: {min: 5, type: int}\n",
                            #"[{"b": {"c": 0}}, {"a": null, "b": {}}, {"a": 2, "b": {"c": "x"}, "d": null}]"#)
        XCTAssertEqual(r[0], ["a is missing"])
        XCTAssertEqual(r[1], ["a is missing", "b.c is missing"])
        XCTAssertEqual(r[2], [])
    }

    func testNonEmpty() throws {
        let r = try reasons("  s: {non_empty: true}\n", #"[{"s": ""}, {"s": "  "}, {"s": []}, {"s": "x"}, {"s": [1]}]"#)
        XCTAssertEqual(r[0], ["s is empty"]); XCTAssertEqual(r[1], ["s is empty"]); XCTAssertEqual(r[2], ["s is empty"])
        XCTAssertEqual(r[3], []); XCTAssertEqual(r[4], [])
    }

    func testMinAndMaxIncludingDecimalsAndNegativeNumbers() throws {
        let r = try reasons("  q: {min: -1.5, max: 100}\n", #"[{"q": -1.5}, {"q": -1.51}, {"q": 100}, {"q": 100.000001}, {"q": 0}]"#)
        XCTAssertEqual(r[0], [])
        XCTAssertEqual(r[1], ["q = -1.51 is below the minimum -1.5"])
        XCTAssertEqual(r[2], [])
        XCTAssertEqual(r[3], ["q = 100.000001 is above the maximum 100"])
        XCTAssertEqual(r[4], [])
    }

    func testLengthsCountCharactersNotBytes() throws {
        let r = try reasons("  s: {min_length: 2, max_length: 4}\n", #"[{"s": "ü"}, {"s": "東京"}, {"s": "🚚🚚🚚🚚"}, {"s": "héllo"}]"#)
        XCTAssertEqual(r[0], ["s is shorter than 2 characters"])
        XCTAssertEqual(r[1], []); XCTAssertEqual(r[2], [])
        XCTAssertEqual(r[3], ["s is longer than 4 characters"])
    }

    func testPatternMustMatchTheWholeString() throws {
        let r = try reasons(#"  s: {pattern: "[a-z]+|[0-9]+"}"# + "\n", #"[{"s": "abc"}, {"s": "123"}, {"s": "abc123"}, {"s": "ßü"}]"#)
        XCTAssertEqual(r[0], []); XCTAssertEqual(r[1], [])
        XCTAssertEqual(r[2], ["s \"abc123\" does not match /[a-z]+|[0-9]+/"])
        XCTAssertEqual(r[3], ["s \"ßü\" does not match /[a-z]+|[0-9]+/"])
    }

    func testEnumComparesNumbersByValue() throws {
        let r = try reasons("  s: {enum: [new, done]}\n  n: {enum: [1, 2.5]}\n",
                            #"[{"s": "new", "n": 1.0}, {"s": "NEW", "n": 2.5}, {"s": "x", "n": 3}]"#)
        XCTAssertEqual(r[0], [])
        XCTAssertEqual(r[1], ["s \"NEW\" is not one of new, done"])
        XCTAssertEqual(r[2], ["s \"x\" is not one of new, done", "n 3 is not one of 1, 2.5"])
    }

    func testEveryFailedRuleIsNamed() throws {
        let r = try reasons("""
              sku: {type: string, required: true, non_empty: true, min_length: 3, pattern: "[A-Z]+"}
              qty: {type: int, required: true, min: 0, max: 10}
              state: {enum: [a, b]}
              name: {required: true}
            """, #"[{"sku": " ", "qty": 11, "state": "c"}]"#)
        XCTAssertEqual(r[0], ["sku is empty", "sku is shorter than 3 characters", "sku \" \" does not match /[A-Z]+/",
                              "qty = 11 is above the maximum 10", "state \"c\" is not one of a, b", "name is missing"])
    }

    func testInvalidPatternFailsTheBuild() {
        XCTAssertThrowsError(try TransformHarness.make("validate", #"rules: {s: {pattern: "[a-"}}"#)) { error in
            XCTAssertTrue("\(error)".contains("not a valid regular expression"), "\(error)")
        }
    }

    func testUnknownRuleIsAnOptionErrorWithSuggestion() {
        let d = TransformHarness.optionDiagnostics("validate", "rules:\n  s: {min_lenght: 3}\n")
        XCTAssertEqual(d.count, 1, "\(d)")
        XCTAssertEqual(d.first?.location, SourceLocation(file: "options.yaml", line: 2, column: 7))
        XCTAssertEqual(d.first?.hint, "did you mean 'min_length'?")
    }
}

/// `validate` finds each rule's field once per key list (`FieldSlots`); records of
/// changing shapes in one batch must get exactly the reasons they get one at a time.
final class ValidateFieldSlotsTests: XCTestCase {
    func testOneBatchOfChangingShapesMatchesRecordsCheckedAlone() throws {
        let yaml = """
            rules:
              sku: {type: string, required: true, non_empty: true}
              qty: {type: int, required: true, min: 0, max: 10}
              flag: {type: bool}
              a.b: {required: true}
            """
        // Shared key lists (parsed alike), reordered keys, missing and extra fields,
        // a shape coming back, and rejects between passing records.
        let json = #"""
        [{"sku":"A","qty":1,"a":{"b":1}}, {"sku":"B","qty":2,"a":{"b":2}}, {"qty":3,"sku":"C","a":{"b":3}},
         {"sku":"","qty":11,"a":{"b":4}}, {"sku":"D","qty":4,"a":{"b":5}}, {"qty":5,"a":{}},
         {"sku":"E","qty":6,"flag":"yes","a":{"b":6}}, {"sku":"F","qty":7,"flag":true,"a":{"b":7}},
         {"sku":"G","qty":8,"a":{"b":8}}, {"x":1,"sku":"H","qty":-1,"a":{"b":9}}, {"sku":"I","qty":9,"a":{"b":10}}]
        """#
        let records = TransformHarness.records(json)
        let together = try TransformHarness.run(TransformHarness.make("validate", yaml), [records])
        var alone: (records: [Record], rejects: [Rejection]) = ([], [])
        for record in records {
            let out = try TransformHarness.run(TransformHarness.make("validate", yaml), [[record]])
            alone.records += out.records; alone.rejects += out.rejects
        }
        XCTAssertEqual(together.records, alone.records)
        XCTAssertEqual(together.records.map(\.position), [0, 1, 2, 4, 7, 8, 10])
        XCTAssertEqual(together.rejects, alone.rejects)
        XCTAssertEqual(together.rejects.map(\.reasons), [
            ["sku is empty", "qty = 11 is above the maximum 10"], ["sku is missing", "a.b is missing"],
            ["flag must be a bool, found string \"yes\""], ["qty = -1 is below the minimum 0"],
        ])
    }

    func testABatchWithoutRejectsGoesOnUnchanged() throws {
        let records = TransformHarness.records(#"[{"sku":"A","qty":1},{"sku":"B","qty":2}]"#, from: 40)
        let out = try TransformHarness.make("validate", "rules:\n  sku: {type: string}\n").process(Batch(records), TransformHarness.context())
        XCTAssertEqual(out.batch.records, records)
        XCTAssertEqual(out.rejects, [])
    }
}
