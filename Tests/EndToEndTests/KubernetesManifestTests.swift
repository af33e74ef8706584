import XCTest
import Foundation

/// deploy/kubernetes is checked the way a cluster would read it (kubernetes-validate,
/// strict: no unknown fields) and kept in step with the pipelines: one CronJob per
/// scheduled pipeline, on that pipeline's schedule, and the serve Deployment runs
/// every webhook pipeline.
final class KubernetesManifestTests: XCTestCase {
    let deploy = TestEnvironment.repoRoot + "/deploy/kubernetes"

    func testManifestsValidateStrictly() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: deploy)
            .filter { $0.hasSuffix(".yaml") && $0 != "kustomization.yaml" }.sorted().map { deploy + "/" + $0 }
        XCTAssertFalse(files.isEmpty)
        let result = try Command.run("/usr/bin/env", ["kubernetes-validate", "--strict", "--quiet"] + files)
        XCTAssertEqual(result.exitCode, 0, "kubernetes-validate failed (not installed? run scripts/install-deps):\n\(result.output)")
    }

    func testEveryScheduledPipelineHasACronJobOnItsSchedule() throws {
        let cronjobs = try String(contentsOfFile: deploy + "/cronjobs.yaml", encoding: .utf8)
        var jobSchedules: [String: String] = [:]   // pipeline file → schedule
        for document in cronjobs.components(separatedBy: "\n---\n") {
            guard let schedule = firstCapture(#"\n  schedule: "([^"]+)""#, in: document),
                  let file = firstCapture(#"args: \[run, pipelines/([^,\]]+)"#, in: document) else { continue }
            jobSchedules[file] = schedule
        }
        var pipelineSchedules: [String: String] = [:]
        for file in try pipelineFiles() {
            let text = try String(contentsOfFile: TestEnvironment.repoRoot + "/pipelines/" + file, encoding: .utf8)
            if let schedule = firstCapture(#"(?m)^schedule: "([^"]+)""#, in: text) { pipelineSchedules[file] = schedule }
        }
        XCTAssertFalse(pipelineSchedules.isEmpty)
        XCTAssertEqual(jobSchedules, pipelineSchedules, "deploy/kubernetes/cronjobs.yaml must have one CronJob per scheduled pipeline, same schedule")
    }

    func testServeDeploymentRunsEveryWebhookPipeline() throws {
        let serve = try String(contentsOfFile: deploy + "/serve.yaml", encoding: .utf8)
        let webhooks = try pipelineFiles().filter {
            let text = try String(contentsOfFile: TestEnvironment.repoRoot + "/pipelines/" + $0, encoding: .utf8)
            return text.range(of: #"(?m)^trigger:"#, options: .regularExpression) != nil
        }
        for file in webhooks { XCTAssertTrue(serve.contains("- pipelines/\(file)\n"), "serve.yaml does not serve \(file)") }
        XCTAssertTrue(serve.contains("replicas: 3"))
        XCTAssertTrue(serve.contains("path: /healthz"))
    }

    private func pipelineFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: TestEnvironment.repoRoot + "/pipelines").filter { $0.hasSuffix(".yaml") }.sorted()
    }

    private func firstCapture(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }
}
