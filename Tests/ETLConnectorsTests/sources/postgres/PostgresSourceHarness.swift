import ETLConnectors
import ETLCore
import ETLPostgres
import ETLTestSupport
import XCTest

/// A postgres source on the test database, built from YAML like the runner builds it.
enum PostgresSourceHarness {
    static func source(_ yaml: String) throws -> Source {
        try SourceHarness.source("postgres", "database: \(try TestDatabase.url.get())\n" + yaml)
    }

    /// Every record and the state the source asked to save.
    static func read(_ yaml: String, vars: Fields = Fields(), state: Fields = Fields(), log: SourceLog = SourceLog())
        throws -> (records: [Record], state: Fields, context: RunContext) {
        let context = SourceHarness.context(state: state, log: log)
        context.vars = vars
        let records = try SourceHarness.read(try source(yaml), context)
        return (records, context.stateToSave, context)
    }
}
