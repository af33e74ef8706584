import Foundation
import XCTest

/// `etl validate` and friends, run as CI would run them.
final class ValidateCommandTests: XCTestCase {
    let fixtures = TestEnvironment.repoRoot + "/Tests/Fixtures"

    func validate(_ args: [String], env: [String: String] = [:]) throws -> CommandResult {
        try Command.run(TestEnvironment.etlBinary, ["validate"] + args, environment: env)
    }

    func testShippedPipelinesAreValid() throws {
        let r = try validate([TestEnvironment.repoRoot + "/pipelines"])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertTrue(r.stdout.contains("0 errors"), r.stdout)
    }

    func testReportsEveryMistakeAtItsLineAndColumn() throws {
        let file = fixtures + "/invalid/many-mistakes.yaml"
        let r = try validate([file])
        XCTAssertEqual(r.exitCode, 2, r.output)
        let expected = [
            "many-mistakes.yaml:2:11: error: cron hour",       // 25 is out of range
            "many-mistakes.yaml:3:10: error: option 'timeout'", // 30x
            "many-mistakes.yaml:4:1: error: unknown option 'sorce_note'",
            "many-mistakes.yaml:6:9: error: unknown source connector 'htp'",
            "many-mistakes.yaml:11:19: error: option 'type'",   // integr
            "many-mistakes.yaml:13:",  // qty >> 3, inside the string
            "many-mistakes.yaml:15:3: error: missing required option 'database'",
            "many-mistakes.yaml:20:3: error: unknown option 'batch'",
            "many-mistakes.yaml:24:11: error: notify rule uses unknown run variable 'items_chnged'",
        ]
        for e in expected {
            XCTAssertTrue(r.stdout.contains(e), "missing «\(e)» in:\n\(r.stdout)")
        }
        XCTAssertTrue(r.stdout.contains("did you mean 'http'?"), r.stdout)
        XCTAssertTrue(r.stdout.contains("did you mean 'items_changed'?"), r.stdout)
        XCTAssertTrue(r.stdout.contains("did you mean 'batch_size'?") || r.stdout.contains("valid options"), r.stdout)
    }

    func testDuplicateKeysTabsAndSyntaxErrorsArePositioned() throws {
        let r = try validate([fixtures + "/invalid/duplicate-keys.yaml", fixtures + "/invalid/tabs.yaml", fixtures + "/invalid/bad-syntax.yaml"])
        XCTAssertEqual(r.exitCode, 2, r.output)
        XCTAssertTrue(r.stdout.contains("duplicate-keys.yaml:6:3: error: duplicate key 'path'"), r.stdout)
        XCTAssertTrue(r.stdout.contains("duplicate-keys.yaml:9:1: error: duplicate key 'sink'"), r.stdout)
        XCTAssertTrue(r.stdout.contains("tabs.yaml:3:"), r.stdout)
        XCTAssertTrue(r.stdout.lowercased().contains("tab"), r.stdout)
        XCTAssertTrue(r.stdout.contains("bad-syntax.yaml:"), r.stdout)
    }

    func testAnchorsAndMergeKeysValidateAndRun() throws {
        let file = fixtures + "/valid/anchors-and-merge.yaml"
        XCTAssertEqual(try validate([file]).exitCode, 0)
        let r = try Command.run(TestEnvironment.etlBinary, ["run", file])
        XCTAssertEqual(r.exitCode, 0, r.output)
        XCTAssertEqual(r.stdout.split(separator: "\n").count, 3, "limit 3 from the merge override: \(r.stdout)")
    }

    func testUnsetVariablesWarnByDefaultAndFailWhenStrict() throws {
        let file = TestEnvironment.repoRoot + "/pipelines/inventory.yaml"
        let env = ["ERP_URL": "", "ERP_TOKEN": "", "DATABASE_URL": "", "SLACK_WEBHOOK_URL": ""]
        let lenient = try Command.run("/usr/bin/env", ["-u", "ERP_URL", "-u", "ERP_TOKEN", "-u", "DATABASE_URL", "-u", "SLACK_WEBHOOK_URL",
                                                       TestEnvironment.etlBinary, "validate", file], environment: env.filter { _ in false })
        XCTAssertEqual(lenient.exitCode, 0, lenient.output)
        XCTAssertTrue(lenient.stdout.contains("warning: environment variable"), lenient.stdout)
        let strict = try Command.run("/usr/bin/env", ["-u", "ERP_URL", "-u", "ERP_TOKEN", "-u", "DATABASE_URL", "-u", "SLACK_WEBHOOK_URL",
                                                      TestEnvironment.etlBinary, "validate", "--strict", file])
        XCTAssertEqual(strict.exitCode, 2, strict.output)
    }

    func testJSONFormatForCIAnnotations() throws {
        let r = try validate(["--format", "json", fixtures + "/invalid/duplicate-keys.yaml"])
        XCTAssertEqual(r.exitCode, 2)
        let doc = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let diagnostics = doc?["diagnostics"] as? [[String: Any]] ?? []
        XCTAssertTrue(diagnostics.contains { ($0["line"] as? Int) == 6 && ($0["column"] as? Int) == 3 }, r.stdout)
    }

    func testADirectoryOfBrokenPipelinesReportsEveryFileAndExitsTwo() throws {
        let r = try validate([fixtures + "/invalid"])
        XCTAssertEqual(r.exitCode, 2, r.output)
        for file in ["bad-syntax.yaml", "duplicate-keys.yaml", "many-mistakes.yaml", "tabs.yaml"] {
            XCTAssertTrue(r.stdout.contains("/invalid/\(file):"), "\(file) missing from:\n\(r.stdout)")
        }
        XCTAssertTrue(r.stdout.contains("4 files checked"), r.stdout)
        XCTAssertEqual(try validate([fixtures + "/valid"]).exitCode, 0)
    }

    func testUsageMistakesExitTwoWithTheUsage() throws {
        let missing = try Command.run(TestEnvironment.etlBinary, ["run"])
        XCTAssertEqual(missing.exitCode, 2)
        XCTAssertTrue(missing.stderr.contains("Missing expected argument"), missing.stderr)
        XCTAssertEqual(try Command.run(TestEnvironment.etlBinary, ["validate", "--bogus"]).exitCode, 2)
        XCTAssertEqual(try Command.run(TestEnvironment.etlBinary, ["--help"]).exitCode, 0)
    }

    func testRunRefusesAnInvalidPipelineWithExitTwo() throws {
        let r = try Command.run(TestEnvironment.etlBinary, ["run", fixtures + "/invalid/many-mistakes.yaml"])
        XCTAssertEqual(r.exitCode, 2, r.output)
    }

    func testListConnectorsAndDescribeComeFromTheDeclarations() throws {
        let list = try Command.run(TestEnvironment.etlBinary, ["list-connectors"])
        XCTAssertEqual(list.exitCode, 0)
        for name in ["http", "file", "postgres", "stdout", "validate", "map", "slack"] {
            XCTAssertTrue(list.stdout.contains(name), name)
        }
        let json = try Command.run(TestEnvironment.etlBinary, ["list-connectors", "--kind", "sink", "--format", "json"])
        let specs = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]] ?? []
        XCTAssertTrue(specs.allSatisfy { ($0["kind"] as? String) == "sink" })
        let pg = specs.first { ($0["name"] as? String) == "postgres" }
        let options = pg?["options"] as? [[String: Any]] ?? []
        XCTAssertEqual(options.first { ($0["name"] as? String) == "database" }?["required"] as? Bool, true)
        let describe = try Command.run(TestEnvironment.etlBinary, ["describe", "http"])
        XCTAssertEqual(describe.exitCode, 0)
        XCTAssertTrue(describe.stdout.contains("retry"), describe.stdout)
        XCTAssertTrue(describe.stdout.contains("Example:"), describe.stdout)
        let unknown = try Command.run(TestEnvironment.etlBinary, ["describe", "postgress"])
        XCTAssertEqual(unknown.exitCode, 2)
        XCTAssertTrue(unknown.stdout.contains("did you mean 'postgres'?"), unknown.output)
    }

    func testGeneratedConnectorReferenceIsCurrent() throws {
        let r = try Command.run(TestEnvironment.etlBinary, ["docs"], directory: TestEnvironment.repoRoot)
        XCTAssertEqual(r.exitCode, 0)
        let committed = try String(contentsOfFile: TestEnvironment.repoRoot + "/docs/connectors.md", encoding: .utf8)
        XCTAssertEqual(committed, r.stdout, "docs/connectors.md is stale: run `swift run etl docs > docs/connectors.md`")
    }
}
