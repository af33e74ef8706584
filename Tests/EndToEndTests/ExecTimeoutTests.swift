import Foundation
import XCTest

/// An exec program is stopped with everything it started: its process group
/// gets SIGTERM (then SIGKILL), so no grandchild keeps the run — and its lock — alive.
final class ExecTimeoutTests: XCTestCase {
    func testTimeoutEndsTheProgramsChildrenToo() throws {
        let dir = TestEnvironment.temporaryDirectory()
        let pidFile = dir + "/sleep.pid"
        let pipeline = dir + "/p.yaml"
        try """
            name: exec-timeout
            source:
              type: exec
              timeout: 2s
              command: [sh, -c, "sleep 20 & echo $! > \(pidFile); wait; echo '{\\"a\\": 1}'"]
            sink: {type: stdout}
            """.write(toFile: pipeline, atomically: true, encoding: .utf8)
        let started = Date()
        let r = try Command.run(TestEnvironment.etlBinary, ["run", pipeline], timeout: 60)
        let took = Date().timeIntervalSince(started)
        XCTAssertEqual(r.exitCode, 1, r.output)
        XCTAssertTrue(r.stderr.contains("ran longer than 2.0s"), r.stderr)
        XCTAssertLessThan(took, 12, "the run took \(took) s although the program was stopped after 2 s")
        let pid = try XCTUnwrap(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // Gone, or a zombie waiting for a reaper (containers' init may not reap).
        func ended() -> Bool {
            kill(pid, 0) != 0 || ((try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8))?.contains(") Z ") ?? true)
        }
        var gone = false
        for _ in 0..<100 where !gone { gone = ended(); if !gone { usleep(50_000) } }
        XCTAssertTrue(gone, "the program's child (sleep, pid \(pid)) was left running")
    }
}
