import Foundation
import XCTest
import ETLCore
import ETLConfig
import ETLConnectors

/// Pipelines loaded from files through the real registry: every diagnostic kind
/// at its exact line and column.
final class PipelineLoaderTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "etl-loader-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    @discardableResult
    private func load(_ yaml: String, environment: [String: String] = [:], strict: Bool = false,
                      overrides: [String] = []) throws -> (PipelineLoader.Result, String) {
        let path = directory + "/p.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let loader = PipelineLoader(registry: BuiltinConnectors.makeRegistry(), environment: environment, strict: strict, overrides: overrides)
        return (loader.load(path: path), path)
    }

    private func at(_ path: String, _ line: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: path, line: line, column: column)
    }

    /// The one diagnostic of `severity` whose message contains `text`.
    private func diagnostic(_ result: PipelineLoader.Result, _ text: String, _ severity: Severity = .error,
                            file: StaticString = #filePath, line: UInt = #line) -> Diagnostic? {
        let found = result.diagnostics.filter { $0.severity == severity && $0.message.contains(text) }
        XCTAssertEqual(found.count, 1, "expected one \(severity) containing '\(text)' in \(result.diagnostics)", file: file, line: line)
        return found.first
    }

    private let base = """
        name: t
        source: {type: file, path: in.json}
        sink: {type: file, path: out.ndjson}

        """

    func testAValidPipelineGivesATypedSpec() throws {
        let (r, _) = try load("""
            name: orders
            timeout: 5m
            batch_size: 500
            source:
              type: file
              path: in.json
            transforms:
              - type: validate
                rules:
                  qty: {type: int, min: 0}
              - type: route
                routes: [{name: big, when: qty > 100}]
                default: small
            sinks:
              - {type: file, path: big.ndjson, route: big}
              - {type: file, path: small.ndjson, route: small}
            rejects:
              max: 10%
              sink: {type: file, path: rejects.ndjson}
            """)
        XCTAssertEqual(r.diagnostics, [])
        let spec = try XCTUnwrap(r.spec)
        XCTAssertEqual(spec.name, "orders")
        XCTAssertEqual(spec.timeout, 300)
        XCTAssertEqual(spec.batchSize, 500)
        XCTAssertEqual(spec.transforms.map(\.type), ["validate", "route"])
        XCTAssertEqual(spec.transforms.map(\.label), ["transforms[0]", "transforms[1]"])
        XCTAssertEqual(spec.sinks.map(\.route), ["big", "small"])
        XCTAssertEqual(spec.rejects.maxFraction, 0.1)
        XCTAssertNil(spec.rejects.maxCount)
        XCTAssertEqual(spec.rejects.sink?.type, "file")
        XCTAssertEqual(spec.transforms[0].options.map("rules")["qty"]?.objectValue?["min"], .double(0))
    }

    func testUnknownKeysSuggestTheClosestName() throws {
        let (r, p) = try load(base + "schedul: \"0 2 * * *\"\ntransforms:\n  - type: filter\n    wehn: qty > 0\n")
        let top = diagnostic(r, "unknown option 'schedul' for pipeline")
        XCTAssertEqual(top?.location, at(p, 4, 1))
        XCTAssertEqual(top?.hint, "did you mean 'schedule'?")
        let stage = diagnostic(r, "unknown option 'wehn' for filter transform")
        XCTAssertEqual(stage?.location, at(p, 7, 5))
        XCTAssertEqual(stage?.hint, "did you mean 'when'?")
        XCTAssertNotNil(diagnostic(r, "missing required option 'when' for filter transform"))
        XCTAssertNil(r.spec)
    }

    func testUnknownConnector() throws {
        let (r, p) = try load("name: t\nsource:\n  type: fiel\n  path: x\nsink: {type: stdout}\n")
        let d = diagnostic(r, "unknown source connector 'fiel'")
        XCTAssertEqual(d?.location, at(p, 3, 9))
        XCTAssertEqual(d?.hint, "did you mean 'file'?")
    }

    func testMissingRequiredOptionPointsAtTheStage() throws {
        let (r, p) = try load("name: t\nsource:\n  type: file\n  format: csv\nsink: {type: stdout}\n")
        let d = diagnostic(r, "missing required option 'path' for file source")
        XCTAssertEqual(d?.location, at(p, 3, 3))
        XCTAssertTrue(d?.hint?.contains("path:") == true, d?.hint ?? "")
        let (noName, p2) = try load("source: {type: file, path: x}\nsink: {type: stdout}\n")
        XCTAssertEqual(diagnostic(noName, "missing required option 'name' for pipeline")?.location, at(p2, 1, 1))
    }

    func testWrongTypeAndBadDuration() throws {
        let (r, p) = try load(base + "batch_size: many\ntimeout: 10 minutes\n")
        XCTAssertEqual(diagnostic(r, "option 'batch_size' of pipeline must be an integer, found 'many'")?.location, at(p, 4, 13))
        let d = diagnostic(r, "option 'timeout' of pipeline must be a duration, found '10 minutes'")
        XCTAssertEqual(d?.location, at(p, 5, 10))
        XCTAssertEqual(d?.hint, "e.g. 500ms, 5s, 15m, 1h30m, 30d")
    }

    func testBadCron() throws {
        let (r, p) = try load(base + "schedule: \"0 25 * * *\"\n")
        XCTAssertEqual(diagnostic(r, "cron hour value '25' is out of range 0-23")?.location, at(p, 4, 11))
        let (r2, _) = try load(base + "schedule: \"0 2 * *\"\n")
        XCTAssertNotNil(diagnostic(r2, "has 4 fields, expected 5"))
    }

    func testExpressionSyntaxErrorColumnInsidePlainAndQuotedScalars() throws {
        let (r, p) = try load(base + """
            transforms:
              - type: filter
                when: qty > > 1
              - type: filter
                when: "qty > 1 and and"
              - type: filter
                when: 'sku == ''x'' or or'
              - type: map
                fields:
                  total: qty * * 2
              - type: filter
                when: name == "Ame\u{301}lie 🚚" or or
            """)
        let plain = r.diagnostics.first { $0.location?.line == 6 }
        XCTAssertEqual(plain?.location, at(p, 6, 17), "\(r.diagnostics)")
        XCTAssertEqual(plain?.message, "in expression 'qty > > 1': expected a value, found '>'")
        XCTAssertEqual(r.diagnostics.first { $0.location?.line == 8 }?.location, at(p, 8, 24), "\(r.diagnostics)")
        // Inside single quotes '' is one character of the text but two in the file: columns after it shift.
        XCTAssertEqual(r.diagnostics.first { $0.location?.line == 10 }?.location, at(p, 10, 28), "\(r.diagnostics)")
        XCTAssertEqual(r.diagnostics.first { $0.location?.line == 13 }?.location, at(p, 13, 20), "\(r.diagnostics)")
        // A combining accent is one character of the expression but two columns for YAML.
        XCTAssertEqual(r.diagnostics.first { $0.location?.line == 15 }?.location, at(p, 15, 34), "\(r.diagnostics)")
        XCTAssertEqual(r.diagnostics.count, 5, "\(r.diagnostics)")
    }

    func testExpressionErrorInAScalarWrittenOverSeveralLinesPointsAtItsStart() throws {
        let (r, p) = try load(base + """
            transforms:
              - type: filter
                when: qty > 1 and
                  and sku
              - type: filter
                when: "sku == \\"a\\" and and"
            """)
        XCTAssertEqual(r.diagnostics.first { $0.location?.line == 6 || $0.location?.line == 7 }?.location, at(p, 6, 11), "\(r.diagnostics)")
        // Escapes make the text shorter than what is written: point at the string, not past it.
        XCTAssertEqual(r.diagnostics.first { $0.location?.line == 9 }?.location, at(p, 9, 11), "\(r.diagnostics)")
    }

    func testNotifyRuleWithUnknownVariable() throws {
        let (r, p) = try load(base + """
            notify:
              - type: webhook
                url: http://127.0.0.1:9/hook
                rules:
                  - when: status == "failed"
                  - when: itmes_changed > 10
                    message: "{{ items_changed }} changed"
                  - when: records_rejected > 0
                    mesage: x
            """)
        let d = diagnostic(r, "notify rule uses unknown run variable 'itmes_changed'")
        XCTAssertEqual(d?.location, at(p, 9, 15))
        XCTAssertEqual(d?.hint, "did you mean 'items_changed'?")
        XCTAssertEqual(diagnostic(r, "unknown key 'mesage' in notify rule")?.location, at(p, 12, 9))
    }

    func testSetOverridesReachIntoListsAndMappings() throws {
        let yaml = base + """
            timeout: 30m
            transforms:
              - type: validate
                rules:
                  qty: {type: int, min: 0}
            """
        let (r, _) = try load(yaml, overrides: ["transforms.0.rules.qty.min=5", "timeout=90s", "source.format=ndjson",
                                                "transforms.1.type=filter", "transforms.1.when=qty < 100"])
        XCTAssertEqual(r.diagnostics, [])
        let spec = try XCTUnwrap(r.spec)
        XCTAssertEqual(spec.transforms[0].options.map("rules")["qty"]?.objectValue?["min"], .double(5))
        XCTAssertEqual(spec.timeout, 90)
        XCTAssertEqual(spec.source.options.string("format"), "ndjson")
        XCTAssertEqual(spec.transforms.map(\.type), ["validate", "filter"])
    }

    func testSetOverrideThatCannotBeAppliedIsAnError() throws {
        let (r, _) = try load(base + "transforms:\n  - {type: filter, when: \"true\"}\n", overrides: ["transforms.5.when=false"])
        let d = diagnostic(r, "cannot set 'transforms.5': the list has 1 item(s)")
        XCTAssertEqual(d?.location?.file, "--set transforms.5.when")
        XCTAssertNil(r.spec)
        let (bad, _) = try load(base, overrides: ["timeout=soon", "novalue"])
        XCTAssertEqual(diagnostic(bad, "option 'timeout' of pipeline must be a duration, found 'soon'")?.location,
                       SourceLocation(file: "--set timeout", line: 1, column: 1))
        XCTAssertNotNil(diagnostic(bad, "--set 'novalue' is not of the form path.to.key=VALUE"))
    }

    func testUnsetVariablesWarnUnlessStrict() throws {
        let yaml = "name: t\nsource: {type: file, path: \"${IN_DIR:-/data}/in.json\"}\nsink: {type: file, path: \"${OUT_FILE}\"}\n"
        let (lenient, p) = try load(yaml)
        let w = diagnostic(lenient, "environment variable OUT_FILE is not set", .warning)
        XCTAssertEqual(w?.location, at(p, 3, 27))
        XCTAssertFalse(lenient.hasErrors, "\(lenient.diagnostics)")
        XCTAssertNotNil(lenient.spec)
        XCTAssertEqual(lenient.unsetVariables, ["sink": ["OUT_FILE"]])
        XCTAssertEqual(lenient.spec?.source.options.string("path"), "/data/in.json")

        let (strict, _) = try load(yaml, strict: true)
        XCTAssertEqual(diagnostic(strict, "environment variable OUT_FILE is not set")?.location, at(p, 3, 27))
        XCTAssertNil(strict.spec)

        let (set, _) = try load(yaml, environment: ["OUT_FILE": "/tmp/o.ndjson", "IN_DIR": "/in"])
        XCTAssertEqual(set.diagnostics, [])
        XCTAssertEqual(set.spec?.sinks.first?.options.string("path"), "/tmp/o.ndjson")
        XCTAssertEqual(set.spec?.source.options.string("path"), "/in/in.json")
    }

    func testXKeysAreIgnoredAtTheTopAndHoldAnchors() throws {
        let (r, _) = try load("""
            x-out: &out {type: file, format: json}
            name: t
            source: {type: file, path: in.json}
            sink:
              <<: *out
              path: out.json
            """)
        XCTAssertEqual(r.diagnostics, [])
        XCTAssertEqual(r.spec?.sinks.first?.options.string("format"), "json")
        // Only at the top: inside a stage an x- key is a typo like any other.
        let (inStage, p) = try load("name: t\nsource: {type: file, path: in.json, x-note: hi}\nsink: {type: stdout}\n")
        XCTAssertEqual(diagnostic(inStage, "unknown option 'x-note' for file source")?.location, at(p, 2, 37))
    }

    func testSinkRouteWithoutARouteTransformIsAWarning() throws {
        let (r, p) = try load("""
            name: t
            source: {type: file, path: in.json}
            transforms:
              - type: route
                routes: [{name: created, when: "true"}]
            sinks:
              - {type: file, path: a.ndjson, route: craeted}
              - {type: file, path: b.ndjson}
            """)
        let d = diagnostic(r, "sink takes route 'craeted' but no `route` transform produces it", .warning)
        XCTAssertEqual(d?.location, at(p, 7, 5))
        XCTAssertEqual(d?.hint, "did you mean 'created'?")
        XCTAssertFalse(r.hasErrors)
        let (none, _) = try load(base.replacingOccurrences(of: "out.ndjson}", with: "out.ndjson, route: x}"))
        XCTAssertEqual(diagnostic(none, "sink takes route 'x'", .warning)?.hint, "add a `route` transform")
    }

    func testARouteNoSinkTakesIsAWarning() throws {
        let yaml = """
            name: t
            source: {type: file, path: in.json}
            transforms:
              - type: route
                routes: [{name: a, when: "true"}, {name: b, when: "true"}]
                default: c
            sinks:
              - {type: file, path: a.ndjson, route: a}

            """
        let (r, p) = try load(yaml)
        XCTAssertEqual(diagnostic(r, "route 'b' is produced but no sink takes it", .warning)?.location, at(p, 4, 5))
        XCTAssertNotNil(diagnostic(r, "route 'c' is produced but no sink takes it", .warning))
        XCTAssertFalse(r.hasErrors)
        // A sink without `route:` takes every record.
        let (all, _) = try load(yaml + "  - {type: file, path: all.ndjson}\n")
        XCTAssertEqual(all.diagnostics, [])
    }

    func testRejectsMax() throws {
        let (count, _) = try load(base + "rejects: {max: 25}\n")
        XCTAssertEqual(count.spec?.rejects.maxCount, 25)
        let (bad, p) = try load(base + "rejects:\n  max: lots\n")
        XCTAssertEqual(diagnostic(bad, "rejects.max must be a count or a percentage like 1%")?.location, at(p, 5, 8))
    }
}
