import ArgumentParser
import Foundation
import ETLCore
import ETLRunner

struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run pipeline unit tests (*.test.yaml): given input records, expect records and rejects after the transforms.",
        discussion: """
        Tests live in pipelines/tests/NAME.test.yaml (or NAME.test.yaml beside the pipeline). No external \
        system is touched: http and lookup stages must be stubbed. Exit 0 all passed, 1 a case failed, \
        2 a test file or pipeline is invalid. See docs/operations.md.
        """)

    @Argument(help: "Test files, pipeline files or directories (default: pipelines/).", completion: .file(extensions: ["yaml"]))
    var paths: [String] = []

    func run() throws {
        let roots = paths.isEmpty ? ["pipelines"] : paths
        let (files, missing) = PipelineTestFiles.find(roots)
        let select = PipelineSelection()
        for path in missing { select.warn("error: no tests for \(path) (looked for tests/NAME.test.yaml and NAME.test.yaml)") }
        if files.isEmpty {
            select.warn("error: no *.test.yaml files in \(roots.joined(separator: ", "))")
            throw ExitCode(RunExitCode.invalidConfig.rawValue)
        }
        let (registry, _) = Registry.make(near: roots)
        var passed = 0, failed = 0, invalid = missing.count
        for file in files {
            let (test, diagnostics) = PipelineTestFile.load(file)
            for d in diagnostics { select.warn(d.description) }
            guard let test else { invalid += 1; continue }
            let pipeline: String
            let results: [PipelineTestRunner.CaseResult]
            do { (pipeline, results) = try PipelineTestRunner(registry: registry).run(test) } catch {
                select.warn("\(file): error: \(error)"); invalid += 1; continue
            }
            for r in results {
                if r.passed {
                    passed += 1
                    select.say("PASS \(pipeline): \(r.name)")
                } else {
                    failed += 1
                    select.say("FAIL \(pipeline): \(r.name) (\(r.location))")
                    for f in r.failures { select.say("  \(f)") }
                }
            }
        }
        select.say("\(passed + failed) case\(passed + failed == 1 ? "" : "s"): \(passed) passed, \(failed) failed" + (invalid > 0 ? "; \(invalid) test file\(invalid == 1 ? "" : "s") invalid" : ""))
        if invalid > 0 { throw ExitCode(RunExitCode.invalidConfig.rawValue) }
        if failed > 0 { throw ExitCode(RunExitCode.failed.rawValue) }
    }
}
