import ArgumentParser

/// `runbook`: load, check, plan and run declarative runbooks for Kubernetes and etcd operations.
struct RunbookCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "runbook",
    abstract: "A declarative runbook engine for Kubernetes and etcd operations.",
    discussion: """
      Exit codes: 0 success · 1 a step failed · 2 invalid input · 3 blocked by a precondition, \
      an in-doubt step, or a stale or too old plan · 4 paused for approval · 5 locked by another \
      run · 130 interrupted.
      """,
    version: "0.1.0",
    subcommands: [
      Validate.self, Plan.self, Approve.self, Apply.self, Resume.self, Runs.self, Show.self, Describe.self, List.self, Actions.self,
      Schema.self, Locks.self, Unlock.self, Hosts.self, Agent.self,
    ]
  )
}
