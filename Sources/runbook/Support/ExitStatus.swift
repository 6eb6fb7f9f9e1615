/// The exit codes of the command-line contract (docs/running.md, "Exit codes").
enum ExitStatus: Int32, Error {
  case success = 0
  case stepFailed = 1
  case invalidInput = 2
  case blocked = 3
  case paused = 4
  case locked = 5
  case interrupted = 130
}
