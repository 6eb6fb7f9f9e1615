import Foundation

/// A child started with `posix_spawnp` and reaped by pid, bypassing Foundation's `Process`.
///
/// Foundation on Linux learns that a child exited when a socket it shares with the child
/// closes, then waits for that pid, blocking, on the one thread that watches every `Process`.
/// `sshd` and `ssh` close every descriptor above 2 when they start: Foundation then blocks in
/// `wait4` until that program really exits (forever for an sshd), and no other `Process` is
/// seen to exit meanwhile (`waitUntilExit` hangs). Programs that close inherited descriptors are
/// started here instead.
public enum ChildProcess {
  /// Starts `argv` (its first element found on PATH) with the test's environment, standard
  /// input from /dev/null, output appended to the given files (/dev/null when nil) and no other
  /// descriptor.
  public static func spawn(_ argv: [String], stdout: String? = nil, stderr: String? = nil) throws -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
    // Nothing else of the test runner's: a process left running on a host would otherwise keep
    // open what the runner inherited (the build lock that `flock` holds on its descriptor 3).
    // glibc ignores closing one that another thread closed meanwhile.
    let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    for descriptor in open where descriptor > 2 { posix_spawn_file_actions_addclose(&actions, descriptor) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    // The test runner's blocked signals and ignored SIGPIPE must not reach the child.
    var empty = sigset_t()
    sigemptyset(&empty)
    posix_spawnattr_setsigmask(&attributes, &empty)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let arguments = argv.map { strdup($0) } + [nil]
    defer { arguments.forEach { free($0) } }
    var pid: pid_t = 0
    let result = posix_spawnp(&pid, argv[0], &actions, &attributes, arguments, environ)
    guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .ENOENT) }
    return pid
  }

  /// Reaps the spawned child `pid` within `timeout` seconds: its status (128 + N for a signal
  /// N, as a shell reports it), or nil if it is still running.
  public static func waitForExit(_ pid: pid_t, timeout: TimeInterval) -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    var status: Int32 = 0
    repeat {
      let reaped = waitpid(pid, &status, WNOHANG)
      if reaped == pid {
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
      } else if reaped < 0 && errno != EINTR {
        return -1  // not our child (any more): nothing left to wait for
      }
      usleep(5_000)
    } while Date() < deadline
    return nil
  }
}
