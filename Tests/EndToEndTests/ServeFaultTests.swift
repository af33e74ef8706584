import Foundation
import XCTest

/// `etl serve` when things go wrong: the database down (503, nothing
/// acknowledged), a replica killed with SIGKILL under load (every acknowledged
/// event processed exactly once by the others), SIGTERM (claimed work commits).
final class ServeFaultTests: XCTestCase {
    static let key = "k3y-items-91bd"
    static let pipeline = TestEnvironment.repoRoot + "/Tests/Fixtures/serve/events-insert.yaml"

    func event(_ base: String, _ name: String, amount: Int = 1) -> [String: Any] {
        ["url": base + "/hooks/events", "body": #"{"event": "\#(name)", "amount": \#(amount)}"#, "headers": ["X-API-Key": Self.key]]
    }

    func testThreeReplicasOneKilledEveryAcknowledgedEventProcessedOnce() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        let env = ["DATABASE_URL": db.url, "ITEMS_HOOK_KEY": Self.key]
        let replicas = try (0..<3).map { _ in try ServeProcess([Self.pipeline], environment: env, workers: 2) }
        // 600 events spread over the three; the third replica is killed after the first third is sent.
        let first = (0..<200).map { event(replicas[$0 % 3].url, "e\($0)") }
        let acked1 = try WebhookClient.send(first, concurrency: 8)
        kill(replicas[2].command.process.processIdentifier, SIGKILL)
        let rest = (200..<600).map { event(replicas[$0 % 3].url, "e\($0)") }
        let acked2 = try WebhookClient.send(rest, concurrency: 8)
        let all = zip(first + rest, acked1 + acked2)
        let acknowledged = all.filter { [200, 202].contains($0.1.status) }.map { (($0.0["body"] as! String)) }
        let refused = all.filter { $0.1.status == 0 }.count
        XCTAssertGreaterThan(refused, 0, "requests to the killed replica must fail, not be acknowledged")
        XCTAssertEqual(acknowledged.count + refused, 600, "every request was answered 2xx or refused at connect")

        try eventually("every acknowledged event processed", timeout: 120) {
            Int(try db.scalar("SELECT count(*) FROM etl_inbox WHERE status = 'pending'")) == 0
        }
        XCTAssertEqual(Int(try db.scalar("SELECT count(*) FROM etl_inbox")), acknowledged.count)
        XCTAssertEqual(Int(try db.scalar("SELECT count(*) FROM etl_inbox WHERE status = 'done'")), acknowledged.count)
        // Exactly once: as many rows as acknowledged events, none twice.
        XCTAssertEqual(Int(try db.scalar("SELECT count(*) FROM hook_events")), acknowledged.count)
        XCTAssertEqual(Int(try db.scalar("SELECT count(DISTINCT event) FROM hook_events")), acknowledged.count)
        for r in replicas.prefix(2) { XCTAssertEqual(try r.stop().exitCode, 0) }
    }

    func testSigtermFinishesClaimedBatchesAndExitsZero() throws {
        let db = try TestDatabase()
        defer { db.drop() }
        let env = ["DATABASE_URL": db.url, "ITEMS_HOOK_KEY": Self.key, "ETL_SERVE_BATCH": "20"]
        let serve = try ServeProcess([Self.pipeline], environment: env, workers: 1)
        let answers = try WebhookClient.send((0..<300).map { event(serve.url, "t\($0)") }, concurrency: 8)
        XCTAssertEqual(answers.filter { $0.status == 202 }.count, 300)
        let result = try serve.stop(signal: SIGTERM)
        XCTAssertEqual(result.exitCode, 0, result.output)
        XCTAssertTrue(result.output.contains("etl serve stopped"), result.output)
        // Whatever was claimed committed whole: each done event has its row, nothing else has one.
        let done = Int(try db.scalar("SELECT count(*) FROM etl_inbox WHERE status = 'done'")) ?? -1
        XCTAssertEqual(Int(try db.scalar("SELECT count(*) FROM hook_events")), done)
        XCTAssertEqual(Int(try db.scalar("SELECT count(*) FROM etl_inbox")), 300)
        // The next start drains the rest.
        let again = try ServeProcess([Self.pipeline], environment: env, workers: 1)
        try eventually("the rest drained") { Int(try db.scalar("SELECT count(*) FROM hook_events")) == 300 }
        XCTAssertEqual(Int(try db.scalar("SELECT count(DISTINCT event) FROM hook_events")), 300)
        XCTAssertEqual(try again.stop().exitCode, 0)
    }

    func testDatabaseDownAnswers503ThenAcceptsAfterRestart() throws {
        let cluster = try OwnCluster()
        defer { cluster.remove() }
        let env = ["DATABASE_URL": cluster.url, "ITEMS_HOOK_KEY": Self.key]
        let serve = try ServeProcess([Self.pipeline], environment: env, workers: 1)
        XCTAssertEqual(try WebhookClient.one(event(serve.url, "before")).status, 202)
        try cluster.stop()
        let down = try WebhookClient.one(event(serve.url, "while-down"))
        XCTAssertEqual(down.status, 503, down.body)
        XCTAssertEqual(down.headers["Retry-After"] ?? down.headers["retry-after"], "5")
        XCTAssertEqual(try WebhookClient.one(["url": serve.url + "/healthz", "method": "GET"]).status, 503)
        try cluster.start()
        var after = WebhookAnswer(status: 0, body: "", headers: [:])
        eventually("202 again after the restart") {
            after = (try? WebhookClient.one(event(serve.url, "after"))) ?? after
            return after.status == 202
        }
        try eventually("both stored events processed") {
            (try? TestDatabase.psql(cluster.url, "SELECT count(*) FROM hook_events").first?.first) == "2"
        }
        let events = try TestDatabase.psql(cluster.url, "SELECT event FROM hook_events ORDER BY event").map { $0[0] }
        XCTAssertEqual(events, ["after", "before"], "the 503 request was not stored")
        XCTAssertEqual(try serve.stop().exitCode, 0)
    }
}

/// A PostgreSQL of the test's own (scripts/pg), so it can be stopped and started again.
final class OwnCluster {
    let dir = TestEnvironment.temporaryDirectory() + "/pg"
    let url: String
    let data: String
    let port: String

    /// system(), not Foundation's Process: the server pg_ctl leaves running inherits the
    /// descriptor Process watches for the exit, and the wait would never end.
    static func shell(_ script: String) -> (status: Int32, output: String) {
        let out = TestEnvironment.temporaryDirectory() + "/out"
        let status = system("(\(script)) >'\(out)' 2>&1 </dev/null")
        return (status, (try? String(contentsOfFile: out, encoding: .utf8)) ?? "")
    }

    init() throws {
        let r = OwnCluster.shell("/bin/bash '\(TestEnvironment.repoRoot)/scripts/pg' start '\(dir)'")
        guard r.status == 0, let line = r.output.split(separator: "\n").first(where: { $0.hasPrefix("export DATABASE_URL=") }) else {
            throw XCTSkip("scripts/pg start failed: \(r.output)")
        }
        url = String(line.dropFirst("export DATABASE_URL=".count))
        data = try String(contentsOfFile: dir + "/datadir", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        port = try String(contentsOfFile: dir + "/port", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func pgctl(_ args: String) throws {
        let script = """
            bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
            [ -x "$bin/pg_ctl" ] || bin=$(dirname "$(readlink -f "$(command -v pg_ctl)")")
            if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bin/pg_ctl" \(args); else "$bin/pg_ctl" \(args); fi
            """
        let r = OwnCluster.shell(script)
        guard r.status == 0 else { throw NSError(domain: "pg", code: 1, userInfo: [NSLocalizedDescriptionKey: r.output]) }
    }

    func stop() throws { try pgctl("-D '\(data)' -m fast -w -t 60 stop") }

    func start() throws {
        try pgctl("-D '\(data)' -l '\(data)/server.log' -w -t 60 start -o '-c listen_addresses=127.0.0.1 -c port=\(port) -c unix_socket_directories=\(data)'")
    }

    func remove() { _ = OwnCluster.shell("/bin/bash '\(TestEnvironment.repoRoot)/scripts/pg' stop '\(dir)'") }
}
