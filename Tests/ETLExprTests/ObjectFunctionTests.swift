import XCTest
import ETLCore
@testable import ETLExpr

final class ObjectFunctionTests: XCTestCase {
    let original = Fields([("name", "Ann"), ("email", "ann@example.com"), ("phone", "1"), ("score", 10)])
    let local = Fields([("name", "Ann"), ("email", "ann@new.example"), ("phone", "1"), ("score", .double(10))])
    let remote = Fields([("name", "Anne"), ("email", "ann@example.com"), ("phone", "2"), ("score", 10)])

    var record: Fields {
        Fields([("original", .object(original)), ("local", .object(local)), ("remote", .object(remote)),
                ("a1", .object(Fields([("a", 1)]))), ("b1", .object(Fields([("b", 1)]))), ("anull", .object(Fields([("a", .null)])))])
    }

    func testChangedFieldsComparesNumbersByValueAndSeesAddedAndRemovedFields() {
        assertEval("changed_fields(original, local)", ["email"], record)
        assertEval("changed_fields(original, remote)", ["name", "phone"], record)
        assertEval("changed_fields(a1, b1)", ["b", "a"], record)
        assertEval("changed_fields(missing, anull)", ["a"], record)
        assertEval("changed_fields(local, local)", [], record)
    }

    func testMergeLaterWinsAndPickKeepsNamedFields() {
        assertEval("merge(local, pick(remote, changed_fields(original, remote)))",
                   .object(Fields([("name", "Anne"), ("email", "ann@new.example"), ("phone", "2"), ("score", .double(10))])), record)
        assertEval("merge(missing, a1)", .object(Fields([("a", 1)])), record)
        assertEval("pick(remote, [\"phone\", \"nope\"])", .object(Fields([("phone", "2")])), record)
    }

    func testIntersectFindsOverlappingChanges() {
        assertEval("len(intersect(changed_fields(original, local), changed_fields(original, remote))) == 0", true, record)
        assertEval("intersect([\"a\", \"b\"], [\"b\", \"c\"])", ["b"], record)
        assertEval("intersect(missing, [\"b\"])", [], record)
    }

    func testWrongTypesAreNamedErrors() {
        XCTAssertThrowsError(try eval("merge(local, 3)", record)) { error in
            XCTAssertTrue("\(error)".contains("merge: argument 2 must be"), "\(error)")
        }
    }
}
