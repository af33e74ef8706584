import Foundation
import XCTest
import ETLCore
import ETLConnectors

/// The file and http sources parse one batch ahead on a thread of their own. What the
/// run sees must be what one thread gave: batches in order, the batches before a broken
/// spot handed on before the error, rejects in position order, and a consumer that
/// stops (a sink error, a cancelled run) stopping the reader instead of hanging on it.
final class PayloadReadAheadTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("etl-readahead-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    private func file(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func batches(_ yaml: String, batchSize: Int, stopAfter: Int? = nil,
                         context: RunContext = SourceHarness.context()) throws -> [[Int]] {
        let source = try SourceHarness.source("file", yaml, baseDirectory: directory.path)
        context.batchSize = batchSize
        var seen: [[Int]] = []
        struct Stop: Error {}
        do {
            try source.read(context) { batch in
                // JSON gives numbers, CSV text.
                seen.append(batch.records.map { r in r.fields["n"].flatMap { $0.intValue.map(Int.init) ?? $0.stringValue.flatMap { Int($0) } } ?? -1 })
                if let stopAfter, seen.count == stopAfter { throw Stop() }
            }
        } catch is Stop {}
        return seen
    }

    func testJSONBatchesArriveInOrder() throws {
        let path = try file("in.json", "[" + (1...2_500).map { "{\"n\":\($0)}" }.joined(separator: ",") + "]")
        let got = try batches("path: \(path)", batchSize: 100)
        XCTAssertEqual(got.count, 25)
        XCTAssertEqual(got.flatMap { $0 }, Array(1...2_500))
    }

    func testCSVBatchesArriveInOrder() throws {
        let path = try file("in.csv", "n\n" + (1...2_500).map(String.init).joined(separator: "\n") + "\n")
        let got = try batches("path: \(path)\nformat: csv", batchSize: 100)
        XCTAssertEqual(got.count, 25)
        XCTAssertEqual(got.flatMap { $0 }, Array(1...2_500))
    }

    /// A payload broken after 1,000 good records: the ten batches before the break are
    /// handed on, then the run fails naming the payload (the sink's transaction, not the
    /// reader, is what keeps them from being written).
    func testAnErrorComesAfterTheBatchesBeforeIt() throws {
        let good = (1...1_000).map { "{\"n\":\($0)}" }.joined(separator: ",")
        let path = try file("broken.json", "[" + good + ",{\"n\": oops}]")
        let source = try SourceHarness.source("file", "path: \(path)", baseDirectory: directory.path)
        let context = SourceHarness.context()
        context.batchSize = 100
        var seen = 0
        XCTAssertThrowsError(try source.read(context) { seen += $0.records.count }) { error in
            XCTAssertTrue("\(error)".contains("broken.json: invalid payload"), "\(error)")
        }
        XCTAssertEqual(seen, 1_000)
    }

    /// The consumer stops after two batches of a 50-batch payload: `read` returns (no
    /// hang on a reader blocked on a full queue), with only those two batches seen.
    func testAStoppedConsumerStopsTheReader() throws {
        let path = try file("long.ndjson", (1...5_000).map { "{\"n\":\($0)}" }.joined(separator: "\n"))
        let got = try batches("path: \(path)\nformat: ndjson", batchSize: 100, stopAfter: 2)
        XCTAssertEqual(got.flatMap { $0 }, Array(1...200))
    }

    func testACancelledRunStopsReading() throws {
        let path = try file("cancel.json", "[" + (1...5_000).map { "{\"n\":\($0)}" }.joined(separator: ",") + "]")
        let source = try SourceHarness.source("file", "path: \(path)", baseDirectory: directory.path)
        let context = SourceHarness.context()
        context.batchSize = 100
        var seen = 0
        XCTAssertThrowsError(try source.read(context) { batch in
            seen += batch.records.count
            if seen == 300 { context.cancel("test") }
        })
        XCTAssertEqual(seen, 300)
    }

    /// Oversized CSV rows and non-object JSON elements are rejected by position, in order,
    /// interleaved with the batches as one thread would have.
    func testRejectsKeepTheirPositions() throws {
        let rows = (1...300).map { $0 % 100 == 0 ? "\($0),\(String(repeating: "x", count: 200))" : "\($0),ok" }
        let csv = try file("big.csv", "n,note\n" + rows.joined(separator: "\n") + "\n")
        var rejects: [Rejection] = []
        let context = SourceHarness.context()
        context.rejectHandler = { rejects.append($0) }
        _ = try batches("path: \(csv)\nformat: csv\nmax_record_size: 100", batchSize: 50, context: context)
        XCTAssertEqual(rejects.map(\.record.position), [99, 199, 299])

        let json = try file("mixed.json", "[" + (1...300).map { $0 % 100 == 0 ? "\($0)" : "{\"n\":\($0)}" }.joined(separator: ",") + "]")
        var jsonRejects: [Rejection] = []
        let jsonContext = SourceHarness.context()
        jsonContext.rejectHandler = { jsonRejects.append($0) }
        let got = try batches("path: \(json)", batchSize: 50, context: jsonContext)
        XCTAssertEqual(got.flatMap { $0 }.count, 297)
        XCTAssertEqual(jsonRejects.map(\.record.position), [99, 199, 299])
    }

    /// The reader's thread has the stack the nesting limit (512 levels) needs.
    func testDeepNestingParsesOnTheReaderThread() throws {
        let deep = String(repeating: "{\"a\":", count: 500) + "1" + String(repeating: "}", count: 500)
        let path = try file("deep.json", "[{\"n\":1,\"deep\":\(deep)}]")
        XCTAssertEqual(try batches("path: \(path)", batchSize: 10), [[1]])
    }
}
