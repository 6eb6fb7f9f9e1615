internal import CProcessSupport
import Foundation
import RunbookKit

/// Runs one command as the leader of its own process group (or, in the foreground, in the
/// caller's), streams its output line by line, and kills the whole group on timeout,
/// cancellation or a second operator signal.
///
/// Hand-written over `posix_spawn` rather than a general subprocess library because the engine
/// needs exactly these guarantees: a process group per step, signals forwarded to it, and a
/// dedicated reader thread so a long command never holds a Swift concurrency thread.
///
/// `package`: the OpenSSH transport (RunbookHosts) runs `ssh` with it.
package struct ChildProcess {
  package struct Outcome: Sendable {
    package var exitCode: Int32
    /// The signal that ended it, if one did.
    package var signal: Int32?
    package var stdout: String
    package var stdoutTruncated: Bool
    package var stderrTail: String
    package var timedOut: Bool
  }

  var argv: [String]
  var environment: [String: String]
  var workingDirectory: String?
  var timeout: Duration?
  /// Bytes written to its stdin, which is closed after them; nil means /dev/null.
  var standardInput: [UInt8]? = nil
  /// Whether stdout lines go to the live output (a plugin's stdout is its JSON reply, not a log).
  var streamsStandardOutput = true
  /// Whether stderr lines go to the live output (etcdctl's are retry logs; its tail still counts).
  var streamsStandardError = true
  /// Whether it runs in the caller's process group with the caller's stdin (when
  /// `standardInput` is nil), so that it can ask on the terminal, as `ssh-keygen` asks for a
  /// key's passphrase; the operator's signals then reach it from the terminal itself.
  var foreground = false

  package init(
    argv: [String], environment: [String: String], workingDirectory: String? = nil, timeout: Duration? = nil, standardInput: [UInt8]? = nil,
    streamsStandardOutput: Bool = true, streamsStandardError: Bool = true, foreground: Bool = false
  ) {
    self.argv = argv
    self.environment = environment
    self.workingDirectory = workingDirectory
    self.timeout = timeout
    self.standardInput = standardInput
    self.streamsStandardOutput = streamsStandardOutput
    self.streamsStandardError = streamsStandardError
    self.foreground = foreground
  }

  /// Standard output kept for the `stdout` output; beyond this it is cut, and says so.
  static let stdoutLimit = 4 << 20
  /// Lines of standard error kept for `stderr_tail`.
  static let stderrTailLines = 20
  /// Time between SIGTERM and SIGKILL when a step times out.
  static let killGrace: Duration = .seconds(5)

  package func run(in context: ActionContext) async throws -> Outcome {
    let cancelled = CancellationFlag()
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
        let spawned: Spawned
        do {
          spawned = try spawn()
        } catch {
          continuation.resume(throwing: error)
          return
        }
        if !foreground { context.interruption.register(processGroup: spawned.pid) }
        context.processStarted(spawned.pid, nil)
        let thread = Thread {
          let outcome = collect(spawned, context: context, cancelled: cancelled)
          if !foreground { context.interruption.unregister(processGroup: spawned.pid) }
          continuation.resume(returning: outcome)
        }
        thread.stackSize = 1 << 20
        thread.start()
      }
    } onCancel: {
      cancelled.set()
    }
  }

  private struct Spawned {
    var pid: pid_t
    var stdout: Int32
    var stderr: Int32
    var stdin: Int32?
  }

  private func spawn() throws -> Spawned {
    var outPipe: [Int32] = [0, 0]
    var errPipe: [Int32] = [0, 0]
    guard runbook_pipe_cloexec(&outPipe) == 0, runbook_pipe_cloexec(&errPipe) == 0 else {
      throw ActionError(.cannotStart, "cannot create pipes: \(String(cString: strerror(errno)))")
    }
    var inPipe: [Int32] = [-1, -1]
    if standardInput != nil, runbook_pipe_cloexec(&inPipe) != 0 {
      throw ActionError(.cannotStart, "cannot create pipes: \(String(cString: strerror(errno)))")
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if standardInput != nil {
      posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
    } else if !foreground {
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    }
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
    if let workingDirectory { runbook_spawn_add_chdir(&actions, workingDirectory) }

    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setflags(&attributes, Int16((foreground ? 0 : POSIX_SPAWN_SETPGROUP) | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    posix_spawnattr_setpgroup(&attributes, 0)
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    for signal in [SIGINT, SIGTERM, SIGPIPE, SIGHUP, SIGQUIT] { sigaddset(&defaults, signal) }
    posix_spawnattr_setsigdefault(&attributes, &defaults)

    let cArguments = argv.map { strdup($0) } + [nil]
    let cEnvironment = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      cArguments.forEach { free($0) }
      cEnvironment.forEach { free($0) }
    }
    var pid: pid_t = 0
    let status = posix_spawnp(&pid, argv[0], &actions, &attributes, cArguments, cEnvironment)
    close(outPipe[1])
    close(errPipe[1])
    if inPipe[0] >= 0 { close(inPipe[0]) }
    guard status == 0 else {
      close(outPipe[0])
      close(errPipe[0])
      if inPipe[1] >= 0 { close(inPipe[1]) }
      let reason = String(cString: strerror(status))
      if let workingDirectory, !FileManager.default.fileExists(atPath: workingDirectory) {
        throw ActionError(.cannotStart, "cannot run \(argv[0]): working directory \(workingDirectory) does not exist")
      }
      throw ActionError(.cannotStart, "cannot run \(argv[0]): \(reason)")
    }
    return Spawned(pid: pid, stdout: outPipe[0], stderr: errPipe[0], stdin: inPipe[1] >= 0 ? inPipe[1] : nil)
  }

  /// Reads both pipes until the child exits, then reaps it; runs on its own thread.
  private func collect(_ spawned: Spawned, context: ActionContext, cancelled: CancellationFlag) -> Outcome {
    if let descriptor = spawned.stdin, let bytes = standardInput {
      let feeder = Thread { Self.feed(bytes, to: descriptor) }
      feeder.start()
    }
    let live = context.output
    let (streamsOut, streamsErr) = (streamsStandardOutput, streamsStandardError)
    let emitStdout: (OutputLine) -> Void = { line in if streamsOut { live(line) } }
    let emitStderr: (OutputLine) -> Void = { line in if streamsErr { live(line) } }
    var stdout = LineBuffer(stream: .stdout, keepLimit: Self.stdoutLimit)
    var stderr = LineBuffer(stream: .stderr, keepLimit: 64 << 10)
    var open = [spawned.stdout, spawned.stderr]
    let started = ContinuousClock.now
    var killedAt: ContinuousClock.Instant?
    var timedOut = false
    var status: Int32 = 0
    var exited = false
    var chunk = [UInt8](repeating: 0, count: 65536)
    var idleSleep: UInt32 = 200
    let target = foreground ? spawned.pid : -spawned.pid
    while true {
      if !exited {
        let reaped = waitpid(spawned.pid, &status, WNOHANG)
        if reaped == spawned.pid { exited = true }
      }
      let stopRequested = cancelled.isSet || timeout.map { ContinuousClock.now - started > $0 } ?? false
      if stopRequested && !exited {
        if killedAt == nil {
          timedOut = !cancelled.isSet
          killedAt = .now
          kill(target, SIGTERM)
        } else if ContinuousClock.now - killedAt! > Self.killGrace {
          kill(target, SIGKILL)
        }
      }
      if open.isEmpty {
        if exited { break }
        usleep(idleSleep)
        idleSleep = min(idleSleep * 2, 20_000)
        continue
      }
      var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
      let ready = poll(&fds, nfds_t(fds.count), exited ? 0 : 50)
      if ready == 0 && exited { break }
      guard ready > 0 else { continue }
      for entry in fds where entry.revents != 0 {
        let count = read(entry.fd, &chunk, chunk.count)
        if count > 0 {
          let bytes = chunk[0..<count]
          if entry.fd == spawned.stdout {
            stdout.append(bytes, emit: emitStdout)
          } else {
            stderr.append(bytes, emit: emitStderr)
          }
        } else if count == 0 || (errno != EINTR && errno != EAGAIN) {
          close(entry.fd)
          open.removeAll { $0 == entry.fd }
        }
      }
    }
    open.forEach { close($0) }
    if !exited { waitpid(spawned.pid, &status, 0) }
    stdout.finish(emit: emitStdout)
    stderr.finish(emit: emitStderr)
    let signalled = status & 0x7f != 0 && status & 0x7f != 0x7f
    let signal = signalled ? status & 0x7f : nil
    let exitCode = signal.map { 128 + $0 } ?? (status >> 8) & 0xff
    return Outcome(
      exitCode: exitCode, signal: signal, stdout: stdout.kept, stdoutTruncated: stdout.truncated,
      stderrTail: stderr.tail(Self.stderrTailLines), timedOut: timedOut)
  }
}

extension ChildProcess {
  /// A child started for a conversation: its stdin stays open for the caller to write, and the
  /// caller reads its stdout and stderr and reaps it (the action agent's session over ssh).
  package struct Conversation: Sendable {
    package var pid: Int32
    package var input: Int32
    package var output: Int32
    package var error: Int32
  }

  /// Starts `argv` as `run` would — its own process group, default signals — with a pipe on
  /// stdin that is left open.
  package static func converse(argv: [String], environment: [String: String]) throws -> Conversation {
    let spawned = try ChildProcess(argv: argv, environment: environment, standardInput: []).spawn()
    return Conversation(pid: spawned.pid, input: spawned.stdin!, output: spawned.stdout, error: spawned.stderr)
  }

  /// Writes all of `bytes` to a child's stdin and closes it; a child that stops reading ends it.
  fileprivate static func feed(_ bytes: [UInt8], to descriptor: Int32) {
    var offset = 0
    while offset < bytes.count {
      let n = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
      if n < 0 {
        if errno == EINTR { continue }
        break
      }
      offset += n
    }
    close(descriptor)
  }
}

/// Splits a stream into lines for live display and keeps a bounded copy of it.
private struct LineBuffer {
  let stream: OutputLine.Stream
  let keepLimit: Int
  private var partial: [UInt8] = []
  private var keptBytes: [UInt8] = []
  private(set) var truncated = false

  init(stream: OutputLine.Stream, keepLimit: Int) {
    self.stream = stream
    self.keepLimit = keepLimit
  }

  mutating func append(_ bytes: ArraySlice<UInt8>, emit: (OutputLine) -> Void) {
    if keptBytes.count + bytes.count <= keepLimit || stream == .stderr {
      keptBytes.append(contentsOf: bytes)
      if keptBytes.count > keepLimit { keptBytes.removeFirst(keptBytes.count - keepLimit) }
    } else {
      keptBytes.append(contentsOf: bytes.prefix(max(0, keepLimit - keptBytes.count)))
      truncated = true
    }
    partial.append(contentsOf: bytes)
    while let newline = partial.firstIndex(of: UInt8(ascii: "\n")) {
      emit(OutputLine(stream, String(decoding: partial[..<newline], as: UTF8.self)))
      partial.removeSubrange(...newline)
    }
  }

  mutating func finish(emit: (OutputLine) -> Void) {
    if !partial.isEmpty { emit(OutputLine(stream, String(decoding: partial, as: UTF8.self))) }
    partial = []
  }

  var kept: String { String(decoding: keptBytes, as: UTF8.self) }

  func tail(_ lines: Int) -> String {
    kept.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines + 1).joined(separator: "\n")
      .trimmingCharacters(in: .newlines)
  }
}

/// Set once from a cancellation handler, read by the reader thread.
private final class CancellationFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  var isSet: Bool { lock.withLock { value } }
  func set() { lock.withLock { value = true } }
}
