import ETLCore
import XCTest
@testable import ETLConfig

final class YAMLInterpolationTests: XCTestCase {
    private let at = { (line: Int, column: Int) in YAMLFixtures.at(line, column) }

    private func interpolate(_ text: String, env: [String: String], strict: Bool = false) throws -> (YAMLNode, [Diagnostic]) {
        let loaded = YAMLFixtures.load(text)
        XCTAssertEqual(loaded.diagnostics, [])
        return Interpolator(environment: env, strict: strict).apply(try XCTUnwrap(loaded.root))
    }

    func testSetVariablesAreSubstitutedAndRecorded() throws {
        let (root, diagnostics) = try interpolate("""
        source:
          url: https://${HOST}:${PORT}/api
          plain: no variables here $HOME
        """, env: ["HOST": "erp.example", "PORT": "8443"])
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(root["source"]?["url"]?.scalarText, "https://erp.example:8443/api")
        XCTAssertEqual(root["source"]?["url"]?.interpolatedVariables, ["HOST", "PORT"])
        XCTAssertEqual(root["source"]?["plain"]?.scalarText, "no variables here $HOME")
        XCTAssertEqual(root["source"]?["plain"]?.interpolatedVariables, [])
        // Locations survive interpolation.
        XCTAssertEqual(root["source"]?["url"]?.location, at(2, 8))
    }

    func testUnsetVariableIsAWarningPointingAtTheDollarSign() throws {
        let (root, diagnostics) = try interpolate("""
        source:
          token: Bearer ${ERP_TOKEN}
          quoted: "x ${ERP_TOKEN}"
          single: 'ab${ERP_TOKEN}'
        """, env: [:])
        let hint = "export ERP_TOKEN=… or give a default: ${ERP_TOKEN:-value}"
        XCTAssertEqual(diagnostics, [
            Diagnostic(.warning, "environment variable ERP_TOKEN is not set", at: at(2, 17), hint: hint),
            Diagnostic(.warning, "environment variable ERP_TOKEN is not set", at: at(3, 14), hint: hint),
            Diagnostic(.warning, "environment variable ERP_TOKEN is not set", at: at(4, 14), hint: hint),
        ])
        XCTAssertEqual(root["source"]?["token"]?.scalarText, "Bearer ")
        XCTAssertEqual(root["source"]?["quoted"]?.scalarText, "x ")
        XCTAssertEqual(root["source"]?["token"]?.interpolatedVariables, ["ERP_TOKEN"])
    }

    func testUnsetVariableIsAnErrorWhenStrict() throws {
        let (_, diagnostics) = try interpolate("a: ${MISSING}\nb: ${X:-${Y}}\n", env: [:], strict: true)
        XCTAssertEqual(diagnostics.map(\.severity), [.error, .error])
        XCTAssertEqual(diagnostics.map(\.message), ["environment variable MISSING is not set", "environment variable Y is not set"])
        XCTAssertEqual(diagnostics.map(\.location), [at(1, 4), at(2, 9)], "a reference inside a default points at itself")
    }

    func testColumnsCountUnicodeCharactersBeforeTheVariable() throws {
        let (_, diagnostics) = try interpolate("città: 🌍 ${MISSING}\n", env: [:])
        XCTAssertEqual(diagnostics.map(\.location), [at(1, 10)])
    }

    func testEscapedOrMultiLineScalarsFallBackToTheScalarsStart() throws {
        let (_, diagnostics) = try interpolate("""
        a: "tab\\there ${MISSING}"
        b: |
          line one
          ${MISSING}
        """, env: [:])
        XCTAssertEqual(diagnostics.map(\.location), [at(1, 4), at(2, 4)])
    }

    func testDefaultsApplyWhenUnsetOrEmpty() throws {
        let (root, diagnostics) = try interpolate("""
        unset: ${A:-fallback}
        empty: ${B:-fallback}
        set: ${C:-fallback}
        emptyNoDefault: x${B}y
        emptyDefault: x${A:-}y
        nested: ${A:-${C}-${A:-z}}
        """, env: ["B": "", "C": "value"])
        XCTAssertEqual(diagnostics, [], "an empty variable is set; a default covers an unset one")
        XCTAssertEqual(root["unset"]?.scalarText, "fallback")
        XCTAssertEqual(root["empty"]?.scalarText, "fallback")
        XCTAssertEqual(root["set"]?.scalarText, "value")
        XCTAssertEqual(root["emptyNoDefault"]?.scalarText, "xy")
        XCTAssertEqual(root["emptyDefault"]?.scalarText, "xy")
        XCTAssertEqual(root["nested"]?.scalarText, "value-z")
        XCTAssertEqual(root["nested"]?.interpolatedVariables, ["A", "C"])
    }

    func testPlainScalarsAreTypedAfterInterpolationQuotedOnesStayStrings() throws {
        let (root, _) = try interpolate("""
        timeout: ${T:-30}
        ratio: ${R}
        enabled: ${E}
        nothing: ${EMPTY}
        quoted: "${T:-30}"
        mixed: ${T:-30}s
        """, env: ["R": "0.5", "E": "true", "EMPTY": ""])
        XCTAssertEqual(root.typedValue(), [
            "timeout": 30, "ratio": .double(0.5), "enabled": true, "nothing": nil, "quoted": "30", "mixed": "30s",
        ])
    }

    func testDollarDollarBraceEscapesToALiteral() throws {
        let (root, diagnostics) = try interpolate("""
        a: $${HOME} and ${X}
        b: cost $5 and $$ stays
        """, env: ["X": "x"])
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(root["a"]?.scalarText, "${HOME} and x")
        XCTAssertEqual(root["a"]?.interpolatedVariables, ["X"])
        XCTAssertEqual(root["b"]?.scalarText, "cost $5 and $$ stays")
    }

    func testFileSecretIsReadTrimmedAndRedacted() throws {
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("etl-secret-\(UUID().uuidString)")
        let secret = "pw-\(UUID().uuidString)"
        try (secret + "\n").write(to: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secretFile) }

        let (root, diagnostics) = try interpolate("password: ${file:\(secretFile.path)}\n", env: [:])
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(root["password"]?.scalarText, secret)
        XCTAssertEqual(root["password"]?.interpolatedVariables, [])
        let resolved = Interpolator(environment: [:]).resolve(try XCTUnwrap(YAMLFixtures.load("password: ${file:\(secretFile.path)}\n").root))
        XCTAssertEqual(resolved.secrets, [secret], "a file secret is handed to the run's redactor")
        XCTAssertEqual(Redactor(secrets: resolved.secrets).redact("login with \(secret) failed"), "login with *** failed")
    }

    func testSecretLookingVariablesAndURLPasswordsAreCollectedAsSecrets() throws {
        let token = "tok-\(UUID().uuidString)"
        let plain = "host-\(UUID().uuidString)"
        let loaded = YAMLFixtures.load("a: ${ERP_TOKEN}\nb: ${ERP_HOST}\nc: ${DATABASE_URL}\n")
        let resolved = Interpolator(environment: ["ERP_TOKEN": token, "ERP_HOST": plain,
                                                  "DATABASE_URL": "postgresql://etl:S3c/ret@db/etl"]).resolve(try XCTUnwrap(loaded.root))
        XCTAssertEqual(resolved.root["a"]?.scalarText, token)
        XCTAssertEqual(resolved.secrets, [token, "S3c/ret"])
        let redactor = Redactor(secrets: resolved.secrets)
        XCTAssertEqual(redactor.redact("token=\(token)"), "token=***")
        XCTAssertEqual(redactor.redact("host=\(plain)"), "host=\(plain)")
    }

    func testUnreadableSecretFileIsAnError() throws {
        let (root, diagnostics) = try interpolate("password: x${file:/nonexistent/etl/secret}\n", env: [:])
        XCTAssertEqual(diagnostics, [
            Diagnostic(.error, "secret file not found: /nonexistent/etl/secret", at: at(1, 12), hint: "check the path in ${file:…}"),
        ])
        XCTAssertEqual(root["password"]?.scalarText, "x")
    }

    func testMalformedReferencesAreErrors() throws {
        let (root, diagnostics) = try interpolate("""
        a: abc ${UNCLOSED
        b: ${NOT A NAME}
        c: ${}
        d: ${file:}
        """, env: [:])
        XCTAssertEqual(diagnostics.map(\.severity), [.error, .error, .error, .error])
        XCTAssertEqual(diagnostics.map(\.location), [at(1, 8), at(2, 4), at(3, 4), at(4, 4)])
        XCTAssertEqual(diagnostics[0].message, "unclosed '${' in value")
        XCTAssertEqual(diagnostics[1].message, "malformed '${NOT A NAME}': 'NOT A NAME' is not an environment variable name")
        XCTAssertEqual(root["a"]?.scalarText, "abc ${UNCLOSED", "an unclosed reference is kept as written")
    }

    func testKeysAreNotInterpolatedButSequencesAre() throws {
        let (root, diagnostics) = try interpolate("""
        ${KEY}: 1
        list:
          - ${A}
          - "${A}"
          - x
        """, env: ["KEY": "k", "A": "7"])
        XCTAssertEqual(diagnostics, [])
        XCTAssertEqual(root.keys, ["${KEY}", "list"])
        XCTAssertEqual(root["list"]?.typedValue(), [7, "7", "x"])
    }

    func testUnquotedReferenceInAFlowListGetsAQuotingHint() {
        let result = YAMLFixtures.load("list: [${A}, b]\n")
        XCTAssertNil(result.root)
        XCTAssertEqual(result.diagnostics.first?.hint, "inside [ ] or { }, quote values that use ${…}: \"${VAR}\"")
    }

    func testInterpolatingPlainTextWithoutANode() {
        let result = Interpolator(environment: ["A": "1"], strict: false).interpolate("${A}-${B}", at: YAMLFixtures.at(1, 1))
        XCTAssertEqual(result.text, "1-")
        XCTAssertEqual(result.variables, ["A", "B"])
        XCTAssertEqual(result.diagnostics.map(\.location), [YAMLFixtures.at(1, 1)])
    }
}
