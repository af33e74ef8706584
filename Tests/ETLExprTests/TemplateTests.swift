import Foundation
import XCTest
import ETLCore
@testable import ETLExpr

final class TemplateTests: XCTestCase {
    let variables = Fields([("pipeline", "erp-sync"), ("status", "failed"), ("duration", 912.345), ("items_changed", 12_000),
                            ("error", .null)])

    func testRendersPlaceholders() throws {
        let t = try Expression.compileTemplate("{{ pipeline }} {{status}} after {{ round(duration, 1) }}s: {{ error ?? \"unknown\" }}")
        XCTAssertEqual(t.render(record: Fields(), variables: variables, now: fixedNow), "erp-sync failed after 912.3s: unknown")
        XCTAssertEqual(t.referencedVariables, ["pipeline", "status", "duration", "error"])
    }

    func testPlainTextAndBraces() throws {
        XCTAssertEqual(try Expression.compileTemplate("no placeholders { here }").render(record: Fields(), variables: nil, now: fixedNow),
                       "no placeholders { here }")
        XCTAssertEqual(try Expression.compileTemplate("").render(record: Fields(), variables: nil, now: fixedNow), "")
        XCTAssertEqual(try Expression.compileTemplate("{{ format(\"{} items\", items_changed) }}!")
                        .render(record: Fields(), variables: variables, now: fixedNow), "12000 items!")
        XCTAssertEqual(try Expression.compileTemplate("at {{ format_time(now(), \"%H:%M\") }}")
                        .render(FieldsScope(record: Fields(), now: fixedNow)), "at 12:00")
    }

    func testRenderFailureShowsInline() throws {
        let t = try Expression.compileTemplate("count={{ to_int(x) }}; ok={{ y }}")
        XCTAssertEqual(t.render(record: Fields([("x", "abc"), ("y", 1)]), variables: nil, now: fixedNow),
                       "count=<error: to_int: cannot convert \"abc\" to int>; ok=1")
    }

    func testStrictRenderingThrowsInsteadOfShowingTheError() throws {
        let t = try Expression.compileTemplate("Tracking {{ tracking }} via {{ upper(carrier) }}")
        XCTAssertEqual(try t.renderStrict(record: Fields([("tracking", "1Z9"), ("carrier", "ups")]), now: Date()), "Tracking 1Z9 via UPS")
        XCTAssertThrowsError(try t.renderStrict(record: Fields([("carrier", "ups")]), now: Date()), "a null placeholder is a broken message")
        XCTAssertThrowsError(try Expression.compileTemplate("{{ to_int(x) }}").renderStrict(record: Fields([("x", "abc")]), now: Date()))
    }

    func testErrorOffsetsAreRelativeToTheTemplate() {
        func offset(_ text: String) -> ExpressionError? {
            do { _ = try Expression.compileTemplate(text); XCTFail("\(text) compiled") } catch let e as ExpressionError { return e } catch {
                XCTFail("\(error)")
            }
            return nil
        }
        let unknown = offset("Run {{ lowr(x) }} done")
        XCTAssertEqual(unknown?.offset, 7)
        XCTAssertEqual(unknown?.hint, "did you mean 'lower'?")
        XCTAssertEqual(offset("é {{ qty >> 1 }}")?.offset, 10)
        XCTAssertEqual(offset("a {{ b")?.offset, 2)
        XCTAssertEqual(offset("a {{  }}")?.offset, 2)
    }
}
