import XCTest
@testable import ETLCore

final class ConnectorRegistryTests: XCTestCase {
    final class Echo: SourceConnector {
        static let greeting = OptionKey<String>("greeting", required: true, doc: "What to say.")
        static let times = OptionKey<Int>("times", default: 1, doc: "How often.")
        static let spec = ConnectorSpec(kind: .source, name: "echo", summary: "Says hello.",
                                        options: [greeting, times], example: "source: {type: echo, greeting: hi}")
        let greeting: String
        let times: Int
        init(options: Options, context: BuildContext) {
            greeting = options[Self.greeting]; times = options[Self.times]
        }
        func read(_ context: RunContext, emit: (Batch) throws -> Void) throws {
            try emit(Batch(Array(repeating: Record(Fields([("greeting", .string(greeting))])), count: times)))
        }
    }

    func context(_ registry: ConnectorRegistry) -> BuildContext {
        BuildContext(baseDirectory: "/tmp", pipelineName: "p", dryRun: false, registry: registry)
    }

    func testRegisteredConnectorIsFoundByKindAndNameAndBuilt() throws {
        let registry = ConnectorRegistry()
        registry.register(Echo.self)
        XCTAssertEqual(registry.names(.source), ["echo"])
        XCTAssertNil(registry.lookup(.sink, "echo"), "kinds are separate namespaces")
        let source = try registry.source("echo", Options(Fields([("greeting", "hi")])), context(registry))
        var got: [Record] = []
        try source.read(RunContext(runID: "r", pipeline: "p", logger: Logger(write: { _ in }))) { got += $0.records }
        XCTAssertEqual(got.first?["greeting"], "hi")
        XCTAssertEqual(got.count, 1, "an option not given reads as its declared default")
        XCTAssertEqual(registry.specs.map(\.name), ["echo"])
    }

    func testTheSpecIsMadeFromTheKeysThatReadTheOptions() {
        XCTAssertEqual(Echo.spec.options.map(\.name), ["greeting", "times"])
        XCTAssertEqual(Echo.spec.options[1].defaultValue, .int(1))
        XCTAssertTrue(Echo.spec.options[0].required)
        let options = Options(Fields([("greeting", "hey"), ("times", 3)]))
        XCTAssertEqual(options[Echo.greeting], "hey")
        XCTAssertEqual(options[Echo.times], 3)
    }

    func testOptionalKeysReadNilAndBlocksReadTheirOwnKeys() {
        let token = OptionKey<String?>("token", .secret, doc: "A token.")
        let user = OptionKey<String>("user", required: true, doc: "User.")
        let auth = OptionKey<Options?>("auth", [user], doc: "Auth block.")
        XCTAssertNil(Options()[token])
        XCTAssertNil(Options()[auth])
        let options = Options(Fields([("auth", .object(Fields([("user", "ann")])))]))
        XCTAssertEqual(options[auth]?[user], "ann")
        XCTAssertEqual(auth.spec.type, .object([user.spec]))
    }

    func testOptionalListKeysTellNotGivenFromEmpty() {
        let keep = OptionKey<[String]?>("keep", doc: "Fields to keep.")
        let allowed = OptionKey<[Value]?>("enum", .list(.any), doc: "Allowed values.")
        XCTAssertEqual(keep.spec.type, .list(.string))
        XCTAssertFalse(keep.spec.required)
        XCTAssertNil(keep.spec.defaultValue)
        XCTAssertNil(Options()[keep])
        XCTAssertNil(Options()[allowed])
        XCTAssertEqual(Options(Fields([("keep", .array([]))]))[keep], [])
        XCTAssertEqual(Options(Fields([("keep", .array(["a", "b"]))]))[keep], ["a", "b"])
        XCTAssertEqual(Options(Fields([("enum", .array([1, "x"]))]))[allowed], [1, "x"])
    }

    func testARequiredOptionalKeyIsRequiredInItsSpecAndReadsNilWhenEmptied() {
        let when = OptionKey<String?>("when", .expression, required: true, doc: "Condition.")
        XCTAssertTrue(when.spec.required)
        XCTAssertEqual(when.spec.type, .expression)
        XCTAssertNil(Options(Fields([("when", .null)]))[when], "a value emptied by an unset variable reads nil")
        XCTAssertEqual(Options(Fields([("when", "qty > 0")]))[when], "qty > 0")
    }

    func testUnknownNameSuggestsTheClosestOne() {
        let registry = ConnectorRegistry()
        registry.register(Echo.self)
        XCTAssertThrowsError(try registry.source("ecoh", Options(), context(registry))) { error in
            XCTAssertEqual((error as? ETLError)?.hint, "did you mean 'echo'?")
        }
    }

    func testASourceIsNotFoundAsASink() {
        let registry = ConnectorRegistry()
        registry.register(Echo.self)
        XCTAssertThrowsError(try registry.sink("echo", Options(), context(registry))) { error in
            XCTAssertEqual((error as? ETLError)?.message, "unknown sink connector 'echo'")
        }
    }

    func testRedactorMasksSecretsAndURLPasswords() {
        let redactor = Redactor(secrets: ["tok-123456"])
        XCTAssertEqual(redactor.redact("Bearer tok-123456 failed"), "Bearer *** failed")
        XCTAssertEqual(redactor.redact("postgresql://etl:pw@db:5432/x down"), "postgresql://etl:***@db:5432/x down")
        XCTAssertEqual(Redactor().redact("tok-123456"), "tok-123456", "each redactor knows only its own secrets")
    }

    func testAPasswordThatBreaksItsURLIsStillFoundAndMaskedInEveryForm() {
        let url = "postgresql://etluser:S3c/ret@PW%@127.0.0.1:5432/etl"
        XCTAssertEqual(Redactor.urlPasswords(in: url), ["S3c/ret@PW%"])
        let redactor = Redactor(secrets: Redactor.secrets(inEnvironment: ["DATABASE_URL": url, "HOME": "/root", "WEBHOOK_ON": "true"]))
        XCTAssertEqual(redactor.redact("error 08001 (etluser:S3c/ret@PW%@127.0.0.1): invalid integer value \"S3c\""),
                       "error 08001 (etluser:***@127.0.0.1): invalid integer value \"***\"", "even the piece libpq quotes")
        XCTAssertEqual(redactor.redact("dsn=S3c%2Fret%40PW%25"), "dsn=***", "the URL-encoded form is masked too")
        XCTAssertEqual(redactor.redact("flag true"), "flag true", "short flag values of secret-looking names are not secrets")
        XCTAssertEqual(redactor.redact(#"invalid percent-encoded token: "ret@PW%@127.0.0.1:5432/etl""#),
                       #"invalid percent-encoded token: "***""#, "a quoted piece of a password is masked whole")
        XCTAssertEqual(redactor.redact(#"column "sku" is missing"#), #"column "sku" is missing"#)
    }

    func testDurationsAndSizes() {
        XCTAssertEqual(DurationParser.seconds("1h30m"), 5400)
        XCTAssertEqual(DurationParser.seconds("500ms"), 0.5)
        XCTAssertEqual(DurationParser.seconds("30d"), 2_592_000)
        XCTAssertNil(DurationParser.seconds("30x"))
        XCTAssertEqual(DurationParser.bytes("512KiB"), 524_288)
    }
}

final class CivilCalendarTests: XCTestCase {
    func testKnownDatesAndRoundTrips() {
        XCTAssertEqual(CivilCalendar.days(year: 1970, month: 1, day: 1), 0)
        XCTAssertEqual(CivilCalendar.days(year: 2000, month: 3, day: 1), 11_017)
        XCTAssertEqual(CivilCalendar.days(year: 1969, month: 12, day: 31), -1)
        for d in stride(from: -800_000, through: 800_000, by: 997) {
            let c = CivilCalendar.date(days: d)
            XCTAssertEqual(CivilCalendar.days(year: c.year, month: c.month, day: c.day), d)
        }
        XCTAssertTrue(CivilCalendar.date(days: CivilCalendar.days(year: 2024, month: 2, day: 29)) == (2024, 2, 29))
    }
}

final class JSONMembersTests: XCTestCase {
    func testOnlyTheNamedTopLevelMembersAreParsed() throws {
        let page = #"{"results": [{"id": 1}, {"id": [2, {"x": "}"}]}], "paging": {"next": {"after": "c-200"}}, "has_more": true}"#
        let got = try JSONStreamReader.members(of: Array(page.utf8), named: ["paging", "has_more"])
        XCTAssertEqual(got.keys, ["paging", "has_more"])
        XCTAssertEqual(Value.object(got)[path: ["paging", "next", "after"]], "c-200")
        XCTAssertEqual(try JSONStreamReader.members(of: Array("[1, 2]".utf8), named: ["x"]), Fields())
        XCTAssertThrowsError(try JSONStreamReader.members(of: Array(#"{"results": [1, 2"#.utf8), named: ["has_more"]))
    }
}
