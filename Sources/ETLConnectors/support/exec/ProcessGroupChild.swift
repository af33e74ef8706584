import Foundation
import Glibc
import ETLCore

/// A program started in a process group of its own, so that stopping it stops
/// everything it started too: `sh -c "sleep 20; …"` leaves no `sleep` behind
/// holding the output pipe (and with it the run, and the run's lock).
final class ProcessGroupChild: @unchecked Sendable {
    let pid: pid_t
    private let exited = NSCondition()
    private var waitStatus: Int32?

    /// `stdin`, `stdout`, `stderr` become the child's 0, 1 and 2; no other descriptor is inherited.
    init(executable: String, arguments: [String], environment: [String: String],
         stdin: Int32, stdout: Int32, stderr: Int32) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdin, 0)
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        // Everything else etl has open (database sockets, other children's pipes) stays with etl.
        for fd in Self.openDescriptors() where fd > 2 { posix_spawn_file_actions_addclose(&actions, fd) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Group id 0 = the child's own pid: a new group led by the child.
        posix_spawnattr_setpgroup(&attributes, 0)
        // Default signal handling and no blocked signals, whatever etl itself set up.
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all); sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw ETLError("cannot start \(executable): \(String(cString: strerror(rc)))") }
        pid = child

        // One reaper per child: the only caller of waitpid, so the status is never lost to a race.
        let childPID = child
        let t = Thread { [self] in
            var status: Int32 = 0
            while waitpid(childPID, &status, 0) == -1 && errno == EINTR {}
            exited.lock(); waitStatus = status; exited.broadcast(); exited.unlock()
        }
        t.name = "etl-exec-reaper"
        t.start()
    }

    /// The descriptors open in this process, from /proc/self/fd.
    private static func openDescriptors() -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.compactMap { Int32($0) }
    }

    var isRunning: Bool { exited.lock(); defer { exited.unlock() }; return waitStatus == nil }

    /// Blocks until the direct child exited; its exit code, or 128 + the signal that ended it.
    @discardableResult
    func waitForExit() -> Int32 {
        exited.lock(); defer { exited.unlock() }
        while waitStatus == nil { exited.wait() }
        let status = waitStatus ?? 0
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Asks the whole group to stop (SIGTERM), and kills what is left of it after `grace` seconds.
    func terminateGroup(grace: Double = 2) {
        guard Glibc.kill(-pid, SIGTERM) == 0 else { return }   // ESRCH: nothing of the group is left
        let group = pid
        DispatchQueue.global().asyncAfter(deadline: .now() + grace) {
            if Glibc.kill(-group, 0) == 0 { _ = Glibc.kill(-group, SIGKILL) }
        }
    }
}
