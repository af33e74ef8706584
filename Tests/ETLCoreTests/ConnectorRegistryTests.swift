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

    func testDurationsAndSizes() {
        XCTAssertEqual(DurationParser.seconds("1h30m"), 5400)
        XCTAssertEqual(DurationParser.seconds("500ms"), 0.5)
        XCTAssertEqual(DurationParser.seconds("30d"), 2_592_000)
        XCTAssertNil(DurationParser.seconds("30x"))
        XCTAssertEqual(DurationParser.bytes("512KiB"), 524_288)
    }
}
