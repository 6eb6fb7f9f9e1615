import Foundation
import RunbookActions
import RunbookKit

/// One long-lived `runbook agent` session on a host, over the master connection: requests go
/// down its stdin a line each with an id, and the lines that answer carry that id, so that one
/// ssh session and one agent serve every action of a run on that host — a step costs a JSON
/// round trip, not an ssh session and an agent's start (docs/running.md, "Steps on hosts").
final class AgentSession: @unchecked Sendable {
  /// How the session's end reads for the requests it leaves unanswered: ssh's exit status and
  /// the last of its stderr.
  typealias Ending = @Sendable (_ status: Int32, _ stderr: String) -> ActionError

  private struct Waiting {
    var relay: MessageRelay
    var answer: CheckedContinuation<AgentMessage, any Error>
  }

  private let process: ChildProcess.Conversation
  private let ending: Ending
  private let lock = NSLock()
  private var nextID = 0
  private var waiting: [Int: Waiting] = [:]
  private var endedWith: ActionError?
  private var inputClosed = false
  private var stderrTail: [UInt8] = []

  /// Starts `argv` (ssh running the agent) and opens the session.
  init(argv: [String], environment: [String: String], ending: @escaping Ending) throws {
    process = try ChildProcess.converse(argv: argv, environment: environment)
    self.ending = ending
    write(AgentRequest.serve.json.serialized(pretty: false) + "\n")
    let errors = Thread { [self] in drainStandardError() }
    errors.start()
    let reader = Thread { [self] in readAnswers() }
    reader.stackSize = 1 << 20
    reader.start()
  }

  /// Whether it still takes requests.
  var isOpen: Bool { lock.withLock { endedWith == nil } }

  /// How long a request told to stop (a step's timeout) may take to answer before the engine
  /// stops waiting for it.
  static let stopGrace: Duration = .seconds(15)

  /// Sends `request`; its output and process start go to `relay`, and the message that ends
  /// it (a result, a failure, an answer) comes back. Cancelled, it calls `stop` (which tells the
  /// command on the host to stop) and waits `stopGrace` for the answer at most.
  func send(_ request: AgentRequest, relay: MessageRelay, stop: @escaping @Sendable () -> Void) async throws -> AgentMessage {
    let id = lock.withLock { () -> Int in
      nextID += 1
      return nextID
    }
    return try await withTaskCancellationHandler {
      try await withCheckedThrowingContinuation { continuation in
        let refused = lock.withLock { () -> ActionError? in
          if let endedWith { return endedWith }
          waiting[id] = Waiting(relay: relay, answer: continuation)
          return nil
        }
        if let refused { return continuation.resume(throwing: refused) }
        write(request.line(id: id))
      }
    } onCancel: {
      stop()
      Task {
        try? await Task.sleep(for: Self.stopGrace)
        self.lock.withLock { self.waiting.removeValue(forKey: id) }?.answer.resume(
          throwing: ActionError(.timedOut, "the host did not answer within \(Self.stopGrace) after its command was told to stop"))
      }
    }
  }

  /// Ends the session: the agent finishes what runs and exits; ssh is reaped by the reader.
  func close() {
    lock.withLock {
      if endedWith == nil { endedWith = ActionError(.interrupted, "the session was closed") }
      closeInput()
    }
  }

  /// Closes ssh's stdin once; called with the lock held.
  private func closeInput() {
    guard !inputClosed else { return }
    inputClosed = true
    Foundation.close(process.input)
  }

  private func write(_ line: String) {
    let bytes = Array(line.utf8)
    lock.withLock {
      guard !inputClosed else { return }
      var offset = 0
      while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { Foundation.write(process.input, $0.baseAddress, $0.count) }
        if written < 0 {
          if errno == EINTR { continue }
          return  // the session ended: the reader answers every waiting request
        }
        offset += written
      }
    }
  }

  /// Reads answer lines until ssh's stdout ends, then reaps ssh and answers every request left
  /// with how the session ended.
  private func readAnswers() {
    var pending: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      let count = read(process.output, &chunk, chunk.count)
      if count < 0, errno == EINTR { continue }
      guard count > 0 else { break }
      pending.append(contentsOf: chunk[0..<count])
      while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
        deliver(String(decoding: pending[..<newline], as: UTF8.self))
        pending.removeSubrange(...newline)
      }
    }
    Foundation.close(process.output)
    var status: Int32 = 0
    while waitpid(process.pid, &status, 0) < 0, errno == EINTR {}
    let exitCode = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    let stderr = lock.withLock { String(decoding: stderrTail, as: UTF8.self) }
    let error = ending(exitCode, stderr)
    let left = lock.withLock { () -> [Waiting] in
      if endedWith == nil { endedWith = error }
      closeInput()
      defer { waiting = [:] }
      return Array(waiting.values)
    }
    for entry in left { entry.answer.resume(throwing: error) }
  }

  private func deliver(_ line: String) {
    guard let (tag, message) = AgentMessage.tagged(line), let id = tag else { return }
    switch message {
    case .output, .started:
      lock.withLock { waiting[id]?.relay }?.receive(message)
    case .result, .failure, .identity, .process:
      lock.withLock { waiting.removeValue(forKey: id) }?.answer.resume(returning: message)
    }
  }

  /// Keeps the last 8 KiB of ssh's stderr, for the message of a session that ends.
  private func drainStandardError() {
    var chunk = [UInt8](repeating: 0, count: 8192)
    while true {
      let count = read(process.error, &chunk, chunk.count)
      if count < 0, errno == EINTR { continue }
      guard count > 0 else { break }
      lock.withLock {
        stderrTail.append(contentsOf: chunk[0..<count])
        if stderrTail.count > 8192 { stderrTail.removeFirst(stderrTail.count - 8192) }
      }
    }
    Foundation.close(process.error)
  }
}
