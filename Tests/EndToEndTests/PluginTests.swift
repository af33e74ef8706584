import Foundation
import XCTest

/// Connectors that are plugins: manifests in connectors/*.yaml and external
/// programs (JSON lines, Singer taps) — all through the one registry.
final class PluginTests: XCTestCase {
    var dir: String!

    override func setUp() { dir = TestEnvironment.temporaryDirectory() }

    func write(_ name: String, _ text: String) throws -> String {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func etl(_ args: [String], env: [String: String] = [:]) throws -> CommandResult {
        try Command.run(TestEnvironment.etlBinary, args, environment: env, directory: dir)
    }

    func testExecSourceAndExecSinkExchangeJSONLines() throws {
        _ = try write("gen.py", """
            import json
            for i in range(5):
                print(json.dumps({"id": i, "name": "n%d" % i}))
            """)
        _ = try write("load.py", """
            import sys
            open(sys.argv[1], "w").write(sys.stdin.read())
            """)
        let pipeline = try write("p.yaml", """
            name: exec-demo
            source: {type: exec, command: [python3, ./gen.py]}
            transforms:
              - {type: filter, when: id >= 2}
            sink: {type: exec, command: [python3, ./load.py, "\(dir!)/out.ndjson"]}
            """)
        let r = try etl(["run", pipeline])
        XCTAssertEqual(r.exitCode, 0, r.output)
        let lines = try String(contentsOfFile: dir + "/out.ndjson", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines, [#"{"id":2,"name":"n2"}"#, #"{"id":3,"name":"n3"}"#, #"{"id":4,"name":"n4"}"#])
    }

    func testFailingProgramFailsTheRunWithItsStderr() throws {
        _ = try write("bad.py", "import sys\nprint('{\"a\": 1}')\nsys.stderr.write('credentials rejected by upstream\\n')\nsys.exit(3)\n")
        let pipeline = try write("p.yaml", """
            name: exec-fail
            source: {type: exec, command: [python3, ./bad.py]}
            sink: {type: stdout}
            """)
        let r = try etl(["run", pipeline])
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stderr.contains("exited with status 3"), r.stderr)
        XCTAssertTrue(r.stderr.contains("credentials rejected by upstream"), r.stderr)
    }

    func testSingerTapStateIsSavedAfterCommitAndPassedBack() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        _ = try write("tap.py", """
            import json, sys
            start = 0
            if "--state" in sys.argv:
                start = json.load(open(sys.argv[sys.argv.index("--state") + 1]))["bookmark"]
            print(json.dumps({"type": "SCHEMA", "stream": "items", "schema": {}}))
            for i in range(start, start + 3):
                print(json.dumps({"type": "RECORD", "stream": "items", "record": {"n": i}}))
            print(json.dumps({"type": "STATE", "value": {"bookmark": start + 3}}))
            """)
        try db.query("CREATE TABLE items (n integer PRIMARY KEY)")
        let pipeline = try write("p.yaml", """
            name: singer-demo
            database: ${DATABASE_URL}
            source: {type: singer-tap, tap: [python3, ./tap.py]}
            sink: {type: postgres, database: "${DATABASE_URL}", table: items, mode: insert, columns: {n: n}}
            """)
        let env = ["DATABASE_URL": db.url, "ETL_CONNECTORS_PATH": TestEnvironment.repoRoot + "/connectors"]
        XCTAssertEqual(try etl(["run", pipeline], env: env).exitCode, 0)
        let second = try etl(["run", pipeline], env: env)
        XCTAssertEqual(second.exitCode, 0, second.output)
        XCTAssertEqual(try db.query("SELECT n FROM items ORDER BY n").map { $0[0] }, ["0", "1", "2", "3", "4", "5"])
        XCTAssertEqual(try db.scalar("SELECT value FROM etl_state WHERE pipeline = 'singer-demo'"), #"{"bookmark":6}"#)
    }

    func testManifestConnectorConfiguresItsBase() throws {
        let payload = try write("erp/inventory", #"[{"sku":"A","qty":1},{"sku":"B","qty":2}]"#)
        _ = payload
        let pipeline = try write("pipelines/p.yaml", """
            name: manifest-demo
            source:
              type: erp-inventory
              base_url: file://\(dir!)/erp
              token: secret-token-123
              archive_url: \(dir!)/archive
              backoff: []
            sink: {type: stdout}
            """)
        let env = ["ETL_CONNECTORS_PATH": TestEnvironment.repoRoot + "/connectors"]
        XCTAssertEqual(try etl(["validate", pipeline], env: env).exitCode, 0)
        let r = try etl(["run", pipeline], env: env)
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 2, r.stdout)
        let archived = FileManager.default.enumerator(atPath: dir + "/archive")?.allObjects as? [String] ?? []
        XCTAssertTrue(archived.contains { $0.hasPrefix("inventory-sync/") && $0.hasSuffix(".json") }, "\(archived)")
        let describe = try etl(["describe", "erp-inventory"], env: env)
        XCTAssertTrue(describe.stdout.contains("base_url"), describe.stdout)
    }

    func testManifestMistakesAreReportedByValidate() throws {
        _ = try write("connectors/broken.yaml", """
            kind: source
            name: broken
            summary: nothing
            base: htttp
            config: {}
            """)
        let pipeline = try write("pipelines/p.yaml", "name: x\nsource: {type: file, path: a.json}\nsink: {type: stdout}\n")
        let r = try etl(["validate", pipeline])
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stdout.contains("unknown base source connector 'htttp'"), r.stdout)
        XCTAssertTrue(r.stdout.contains("did you mean 'http'?"), r.stdout)
    }
}
