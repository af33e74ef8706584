import Foundation
import XCTest

/// pipelines/conflict-resolver.yaml against a real PostgreSQL, a loopback CRM, Slack and
/// SMTP peer: each rule's outcome lands where it should, and an escalation is mailed and
/// posted once — a second run finds nothing pending and sends nothing.
final class ConflictResolverTests: XCTestCase {
    var db: TestDatabase!
    var crm: HTTPPeer!
    var slack: HTTPPeer!
    var mail: SMTPPeer!

    override func setUpWithError() throws {
        db = try TestDatabase()
        crm = try HTTPPeer(routes: ["/api/contacts/C-2": [["status": 200, "body": "{}"]],
                                    "/api/contacts/C-3": [["status": 200, "body": "{}"]],
                                    "/api/contacts/C-5": [["status": 422, "body": "{\"error\": \"locked\"}"]]])
        slack = try HTTPPeer(routes: ["/slack": [["status": 200, "body": "ok"]]])
        mail = try SMTPPeer()
        for file in ["crm.sql", "sync-conflicts.sql", "conflict-resolver.sql"] {
            try db.query(try String(contentsOfFile: TestEnvironment.repoRoot + "/sql/\(file)", encoding: .utf8))
        }
        try db.query("""
            INSERT INTO contacts (external_id, external_source, first_name, last_name, email, phone, updated_at) VALUES
              ('C-1', 'crm', 'Ann', 'Lee', 'ann@example.com', '100', '2026-01-01T10:00:00Z'),
              ('C-2', 'crm', 'Bob', 'Ray', 'bob@local.example', '200', '2026-01-01T10:05:00Z'),
              ('C-3', 'crm', 'Cy', 'Fox', 'cy@new.example', '300', '2026-01-01T10:00:05Z'),
              ('C-4', 'crm', 'Di', 'Ng', 'di@local.example', '400', '2026-01-01T10:00:10Z'),
              ('C-5', 'crm', 'Ed', 'Oz', 'ed@local.example', '500', '2026-01-01T10:09:00Z'),
              ('C-6', 'crm', 'Flo', 'Pe', 'flo@local.example', '600', '2026-01-01T10:00:00Z');
            INSERT INTO accounts (external_id, name) VALUES ('A-1', 'Acme');
            INSERT INTO sync_conflicts (record_type, record_id, source, local_data, remote_data, original_data,
                                        local_timestamp, remote_timestamp, event, created_at) VALUES
              ('contact', 'C-1', 'crm', '{"first_name": "Ann", "phone": "100"}', '{"first_name": "Anna", "phone": "101"}',
               '{"first_name": "Ann", "phone": "100"}', '2026-01-01T10:00:00Z', '2026-01-01T10:05:00Z', 'updated', now() - interval '5 min'),
              ('contact', 'C-2', 'crm', '{"first_name": "Bob", "email": "bob@local.example"}', '{"first_name": "Robert", "email": "bob@crm.example"}',
               null, '2026-01-01T10:05:00Z', '2026-01-01T10:00:00Z', 'updated', now() - interval '4 min'),
              ('contact', 'C-3', 'crm', '{"first_name": "Cy", "email": "cy@new.example", "phone": "300"}',
               '{"first_name": "Cy", "email": "cy@example.com", "phone": "399"}',
               '{"first_name": "Cy", "email": "cy@example.com", "phone": "300"}',
               '2026-01-01T10:00:05Z', '2026-01-01T10:00:00Z', 'updated', now() - interval '3 min'),
              ('contact', 'C-4', 'crm', '{"email": "di@local.example"}', '{"email": "di@crm.example"}', '{"email": "di@example.com"}',
               '2026-01-01T10:00:10Z', '2026-01-01T10:00:00Z', 'updated', now() - interval '2 min'),
              ('account', 'A-1', 'crm', '{"name": "Acme"}', '{"name": "Acme Corp"}', '{"name": "Acme"}',
               '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z', 'updated', now() - interval '1 min'),
              ('contact', 'C-5', 'crm', '{"first_name": "Eddie"}', '{"first_name": "Ed"}', null,
               '2026-01-01T10:09:00Z', '2026-01-01T10:00:00Z', 'updated', now()),
              ('contact', 'C-6', 'crm', '{"first_name": "Flo"}', null, '{"first_name": "Flo"}',
               '2026-01-01T10:00:00Z', '2026-01-01T10:30:00Z', 'deleted', now()),
              ('contact', 'C-99', 'crm', '{"first_name": "Gus"}', '{"first_name": "Gustav"}', null,
               '2026-01-01T10:00:00Z', '2026-01-01T10:30:00Z', 'updated', now());
            """)
    }

    override func tearDown() {
        [crm, slack].forEach { $0?.stop() }
        mail?.stop()
        db?.drop()
    }

    func runResolver(_ extra: [String: String] = [:]) throws -> CommandResult {
        var env = ["DATABASE_URL": db.url, "CRM_URL": crm.url, "CRM_API_KEY": "crm-key-771",
                   "SMTP_URL": "smtp://127.0.0.1:\(mail.port)", "DATA_ADMIN_EMAIL": "data-admin@example.com",
                   "SLACK_WEBHOOK_URL": slack.url + "/slack", "SYNC_PRIORITY_SOURCE": ""]
        for (k, v) in extra { env[k] = v }
        return try Command.run(TestEnvironment.etlBinary,
                               ["run", TestEnvironment.repoRoot + "/pipelines/conflict-resolver.yaml",
                                "--set", "transforms.3.retry.backoff=[0.01s]", "--set", "transforms.4.retry.backoff=[0.01s]"],
                               environment: env, timeout: 60)
    }

    func conflict(_ recordID: String) throws -> [String] {
        try db.query("""
            SELECT status, coalesce(resolution_type, ''), coalesce(resolution_details->>'rule', ''), coalesce(resolution_details->>'winner', ''),
                   resolved_at IS NOT NULL, escalated_at IS NOT NULL
            FROM sync_conflicts WHERE record_id = '\(recordID)' ORDER BY id DESC LIMIT 1
            """).first ?? []
    }

    func testEachRuleResolvesWhereItShouldAndAnEscalationIsSentOnceAcrossRuns() throws {
        let first = try runResolver()
        XCTAssertEqual(first.exitCode, 0, first.output)

        // Rule 1, remote newer: the local row takes the remote version.
        XCTAssertEqual(try conflict("C-1"), ["resolved", "automatic", "timestamp", "remote", "t", "f"])
        XCTAssertEqual(try db.query("SELECT first_name, phone FROM contacts WHERE external_id = 'C-1'"), [["Anna", "101"]])
        XCTAssertEqual(try db.scalar("SELECT resolution_details->>'details' FROM sync_conflicts WHERE record_id = 'C-1'"),
                       "Remote data is 300 seconds newer")
        // Rule 1, local newer: pushed to the CRM, the local row untouched.
        XCTAssertEqual(try conflict("C-2"), ["resolved", "automatic", "timestamp", "local", "t", "f"])
        XCTAssertEqual(try db.scalar("SELECT email FROM contacts WHERE external_id = 'C-2'"), "bob@local.example")
        let pushC2 = crm.requests(path: "/api/contacts/C-2")
        XCTAssertEqual(pushC2.count, 1)
        XCTAssertEqual(pushC2.first?["method"] as? String, "PUT")
        XCTAssertTrue((pushC2.first?["body"] as? String ?? "").contains("\"email\":\"bob@local.example\""), "\(pushC2)")
        // Rule 2, disjoint fields: merged locally (remote's phone, local's email) and pushed.
        XCTAssertEqual(try conflict("C-3"), ["resolved", "automatic", "field_merge", "merge", "t", "f"])
        XCTAssertEqual(try db.query("SELECT email, phone FROM contacts WHERE external_id = 'C-3'"), [["cy@new.example", "399"]])
        let pushC3 = crm.bodies(path: "/api/contacts/C-3").first ?? ""
        XCTAssertTrue(pushC3.contains("\"email\":\"cy@new.example\"") && pushC3.contains("\"phone\":\"399\""), pushC3)
        XCTAssertEqual(try db.scalar("SELECT resolution_details->>'details' FROM sync_conflicts WHERE record_id = 'C-3'"),
                       "Field-level merge: local changed [email], remote changed [phone]")
        // Same field within 60 s, no priority source: escalated, the row untouched.
        XCTAssertEqual(try conflict("C-4"), ["escalated", "", "manual", "escalate", "f", "t"])
        XCTAssertEqual(try db.scalar("SELECT email FROM contacts WHERE external_id = 'C-4'"), "di@local.example")
        // An account: remote newer, applied to accounts.
        XCTAssertEqual(try conflict("A-1"), ["resolved", "automatic", "timestamp", "remote", "t", "f"])
        XCTAssertEqual(try db.scalar("SELECT name FROM accounts WHERE external_id = 'A-1'"), "Acme Corp")
        // A remote delete, newer: the local row is soft-deleted.
        XCTAssertEqual(try conflict("C-6"), ["resolved", "automatic", "timestamp", "remote", "t", "f"])
        XCTAssertEqual(try db.query("SELECT deleted_at IS NOT NULL, deleted_from FROM contacts WHERE external_id = 'C-6'"), [["t", "crm"]])
        XCTAssertEqual(try db.scalar("SELECT deleted_at IS NULL FROM contacts WHERE external_id = 'C-1'"), "t")
        // The CRM refused C-5's push: it stays pending for the next run, and the run says why.
        XCTAssertEqual(try conflict("C-5"), ["pending", "", "", "", "f", "f"])
        XCTAssertTrue(first.output.contains("422"), first.output)

        // No local row to apply a remote winner to: escalated, not silently "resolved".
        XCTAssertEqual(try conflict("C-99"), ["escalated", "", "missing_local_row", "escalate", "f", "t"])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM contacts WHERE external_id = 'C-99'"), "0")

        // One mail to the data admin and one Slack message per escalation: C-4 and C-99.
        let mails = mail.messages()
        XCTAssertEqual(mails.count, 2, "\(mails)")
        XCTAssertEqual(mails.first?["rcpt_to"] as? [String], ["data-admin@example.com"])
        let text = mails.first?["data"] as? String ?? ""
        XCTAssertTrue(text.contains("Subject: Sync Conflict: contact #C-4"), text)
        XCTAssertTrue(text.contains("Local changes: email"), text)
        XCTAssertTrue((mails.last?["data"] as? String ?? "").contains("Subject: Sync Conflict: contact #C-99"))
        let posts = slack.bodies(path: "/slack")
        XCTAssertEqual(posts.count, 2, "\(posts)")
        XCTAssertTrue(posts.first?.contains("contact #C-4") ?? false, "\(posts)")
        XCTAssertFalse(first.output.contains("crm-key-771"))

        // The second run: the escalated conflict is not mailed or posted again; C-5 is retried.
        let second = try runResolver()
        XCTAssertEqual(second.exitCode, 0, second.output)
        XCTAssertEqual(mail.messages().count, 2)
        XCTAssertEqual(slack.bodies(path: "/slack").count, 2)
        XCTAssertEqual(crm.requests(path: "/api/contacts/C-2").count, 1)
        XCTAssertEqual(crm.requests(path: "/api/contacts/C-5").count, 2)
        XCTAssertEqual(try conflict("C-4"), ["escalated", "", "manual", "escalate", "f", "t"])

        // With a priority source, the same kind of conflict is resolved: crm wins, the row takes it.
        try db.query("""
            INSERT INTO sync_conflicts (record_type, record_id, source, local_data, remote_data, original_data,
                                        local_timestamp, remote_timestamp, event)
            VALUES ('contact', 'C-1', 'crm', '{"email": "ann@local.example"}', '{"email": "ann@crm.example"}', '{"email": "ann@example.com"}',
                    '2026-01-02T10:00:10Z', '2026-01-02T10:00:00Z', 'updated');
            """)
        let third = try runResolver(["SYNC_PRIORITY_SOURCE": "crm"])
        XCTAssertEqual(third.exitCode, 0, third.output)
        XCTAssertEqual(try conflict("C-1"), ["resolved", "automatic", "source_priority", "remote", "t", "f"])
        XCTAssertEqual(try db.scalar("SELECT email FROM contacts WHERE external_id = 'C-1'"), "ann@crm.example")
        XCTAssertEqual(mail.messages().count, 2)
    }

    func testFiftyOldestPendingConflictsARunTheRestNextRun() throws {
        try db.query("""
            DELETE FROM sync_conflicts;
            INSERT INTO accounts (external_id, name) SELECT 'B-' || n, 'Old ' || n FROM generate_series(1, 55) n;
            INSERT INTO sync_conflicts (record_type, record_id, source, local_data, remote_data, original_data,
                                        local_timestamp, remote_timestamp, event, created_at)
            SELECT 'account', 'B-' || n, 'crm', '{"name": "Old"}', jsonb_build_object('name', 'New ' || n), null,
                   '2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z', 'updated', now() - make_interval(mins => 100 - n)
            FROM generate_series(1, 55) n;
            """)
        let first = try runResolver()
        XCTAssertEqual(first.exitCode, 0, first.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM sync_conflicts WHERE status = 'resolved'"), "50")
        // Oldest first: the five created last are the ones left.
        XCTAssertEqual(try db.query("SELECT record_id FROM sync_conflicts WHERE status = 'pending' ORDER BY id").map { $0[0] },
                       ["B-51", "B-52", "B-53", "B-54", "B-55"])
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM accounts WHERE name LIKE 'New %'"), "50")
        let second = try runResolver()
        XCTAssertEqual(second.exitCode, 0, second.output)
        XCTAssertEqual(try db.scalar("SELECT count(*) FROM sync_conflicts WHERE status = 'pending'"), "0")
        XCTAssertEqual(try db.scalar("SELECT name FROM accounts WHERE external_id = 'B-55'"), "New 55")
    }
}
