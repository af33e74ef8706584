import XCTest
import Foundation
import ETLCore
@testable import ETLConnectors
@testable import ETLPostgres

/// The postgres sink writes a record's fields straight into the COPY buffer,
/// checking each against its column type on the way (`StagedField.stage`),
/// with fast paths for the common pairs. Whatever the pair, the bytes written and
/// the reasons given must be exactly those of the general path: `accept`, then
/// `writeField` of the value it returns.
final class PostgresStagingTests: XCTestCase {
    static let types = ["smallint", "integer", "bigint", "boolean", "real", "double precision", "numeric(10,2)", "numeric",
                        "text", "character varying(64)", "character(3)", "name", "timestamp without time zone",
                        "timestamp with time zone", "date", "json", "jsonb", "text[]", "integer[]", "uuid", "bytea"]

    static let values: [Value] = [
        .null, .int(0), .int(7), .int(-1), .int(32_767), .int(32_768), .int(-32_769), .int(2_147_483_647), .int(2_147_483_648),
        .int(-2_147_483_649), .int(.min), .int(.max), .double(1), .double(-2.0), .double(1.5), .double(1e300), .double(.nan),
        .double(.infinity), .decimal(Decimal(string: "12.50")!), .decimal(Decimal(string: "3")!), .decimal(Decimal(string: "-0.001")!),
        .bool(true), .bool(false), "", "plain", "tab\there\nnew\\back\rcr", "nul\u{0}inside", "\u{0}", "Zoë ✓ 日本",
        #"{"a": 1}"#, "[1, 2]", "12", "not json", "2024-05-01T00:00:00Z", .string(String(repeating: "long ", count: 20)),
        .timestamp(Date(timeIntervalSince1970: 1_700_000_000.123)), .array([1, "a", .null]), .array(["x\u{0}"]), .array([]),
        ["k": "v", "n": 1], ["k\u{0}": 1], ["k": "tab\t"],
    ]

    func testEveryTypeAndValueStagesExactlyAsAcceptThenWriteField() {
        for sqlType in Self.types {
            let type = PostgresColumnType(sqlType: sqlType, defaultExpression: nil)
            for value in Self.values {
                var fast = CopyRows(connection: nil)
                var general = CopyRows(connection: nil)
                let staged = PostgresApplyPlan.StagedField(path: ["f"], label: "f", type: type).stage(value, into: &fast)
                let what = "\(sqlType) ← \(value)"
                switch (staged, type.accept(value, field: "f")) {
                case (.success(let written), .success(let accepted)):
                    general.writeField(accepted)
                    XCTAssertEqual(fast.buffer, general.buffer, what)
                    // The duplicate check hashes the staged value: the same one either way.
                    XCTAssertEqual(String(describing: written), String(describing: accepted), what)
                case (.failure(let reason), .failure(let expected)):
                    XCTAssertEqual(reason, expected, what)
                case (let got, let expected):
                    XCTFail("\(what): staged \(got), accept gives \(expected)")
                }
            }
        }
    }

    func testARefusedRecordLeavesNoTraceAndTheNextRowFollowsTheLastGoodOne() throws {
        let fields = [PostgresApplyPlan.StagedField(path: ["id"], label: "id", type: PostgresColumnType(sqlType: "integer", defaultExpression: nil)),
                      PostgresApplyPlan.StagedField(path: ["note"], label: "note", type: PostgresColumnType(sqlType: "text", defaultExpression: nil)),
                      PostgresApplyPlan.StagedField(path: ["sku"], label: "sku", type: PostgresColumnType(sqlType: "text", defaultExpression: nil),
                                                    lookupTable: "products")]
        var rows = CopyRows(connection: nil)
        var key: Hasher? = nil
        var slots = FieldSlots(names: fields.map(\.topLevelName))
        func stage(_ record: Value, _ position: Int) -> String? {
            PostgresApplyPlan.stage(Record(record.objectValue ?? Fields(), position: position), fields, slots: &slots, into: &rows, key: &key)
        }
        XCTAssertNil(stage(["id": 1, "note": "a\tb", "sku": "S1"], 0))
        try rows.endRow()
        // Every reason, in field order; nothing of the row is kept.
        XCTAssertEqual(stage(["id": 3_000_000_000, "note": "x\u{0}y"], 1),
                       "id = 3000000000 is out of range for integer; note contains a NUL character (U+0000), which PostgreSQL cannot store in text; "
                       + "sku is missing (needed to find the products row)")
        XCTAssertEqual(stage(["id": "seven", "note": .null, "sku": "S2"], 2), #"id must be an integer, found string "seven""#)
        XCTAssertNil(stage(["id": 2.0, "note": .null, "sku": "S\\3"], 3))
        try rows.endRow()
        XCTAssertEqual(String(decoding: rows.buffer, as: UTF8.self), "0\t1\ta\\tb\tS1\n3\t2\t\\N\tS\\\\3\n")
        XCTAssertEqual(rows.rowCount, 2)
    }

    /// Top-level fields are found by their place in the record's key list, worked out
    /// again whenever the list changes: two records sharing one list, one with the keys
    /// in another order, one without a field (staged as NULL); a nested path is read by path.
    func testFieldsAreFoundByPlaceWhateverTheShape() throws {
        let fields = [PostgresApplyPlan.StagedField(path: ["id"], label: "id", type: PostgresColumnType(sqlType: "integer", defaultExpression: nil)),
                      PostgresApplyPlan.StagedField(path: ["item", "sku"], label: "item.sku", type: PostgresColumnType(sqlType: "text", defaultExpression: nil))]
        var rows = CopyRows(connection: nil)
        var key: Hasher? = nil
        var slots = FieldSlots(names: fields.map(\.topLevelName))
        let shared = ["id", "item"]
        let records = [
            Record(Fields(uncheckedKeys: shared, values: [.int(1), ["sku": .string("S1")]]), position: 0),
            Record(Fields(uncheckedKeys: shared, values: [.int(2), ["sku": .string("S2")]]), position: 1),
            Record(Fields(uncheckedKeys: ["item", "id"], values: [["sku": .string("S3")], .int(3)]), position: 2),
            Record(Fields(uncheckedKeys: ["item"], values: [["sku": .string("S4")]]), position: 3),
        ]
        for record in records {
            XCTAssertNil(PostgresApplyPlan.stage(record, fields, slots: &slots, into: &rows, key: &key))
            try rows.endRow()
        }
        XCTAssertEqual(String(decoding: rows.buffer, as: UTF8.self), "0\t1\tS1\n1\t2\tS2\n2\t3\tS3\n3\t\\N\tS4\n")
    }

    func testIntegersAreWrittenAsTheirDigits() {
        for n: Int64 in [0, 9, 10, -1, -10, 1_234_567_890, .max, .min, .min + 1] {
            var rows = CopyRows(connection: nil)
            rows.writeInteger(n)
            XCTAssertEqual(String(decoding: rows.buffer, as: UTF8.self), String(n))
        }
    }
}
