import ArgumentParser
import Foundation
import RunbookActions
import RunbookKit

/// `runbook approve`: sign a sealed plan with an OpenSSH key, adding the signature to the file.
struct Approve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Sign a sealed plan file with an OpenSSH key (ssh-keygen -Y sign), adding the signature to it.",
    discussion: """
      The plan is verified first; a modified plan is refused. The signature binds its seal, the time \
      and the comment, so it cannot be moved to another plan. Several reviewers may sign the same \
      file one after another; `apply --allowed-signers FILE --approvals N` checks them.
      """)

  @Argument(help: ArgumentHelp("A plan file written by `runbook plan --out`.", valueName: "plan"))
  var plan: String

  @Option(help: ArgumentHelp("An OpenSSH private key, or a public key whose private half ssh-agent holds.", valueName: "key"))
  var key: String

  @Option(help: ArgumentHelp("A word for the record: what was checked, a ticket.", valueName: "text"))
  var comment: String?

  func run() async throws {
    let file = try Self.read(plan)
    let signature: PlanSignature
    do throws(ReviewRefusal) {
      signature = try await PlanSigner.sign(file, key: key, comment: comment)
    } catch {
      Terminal.report(error.diagnostics, sources: [:])
      throw ExitStatus.invalidInput
    }
    // Read again: another reviewer may have signed while this one typed a passphrase.
    var signed = try Self.read(plan)
    guard signed.seal == file.seal else {
      Terminal.standardError("error: \(plan) was replaced by another plan while it was being signed; nothing was added: review it and sign again\n")
      throw ExitStatus.invalidInput
    }
    signed.signatures.append(signature)
    do {
      try AtomicFile.write(signed.serialized(), to: plan, mode: 0o600)
    } catch {
      Terminal.standardError("error: cannot write \(plan): \(error.localizedDescription)\n")
      throw ExitStatus.invalidInput
    }
    let count = signed.signatures.count
    Terminal.standardError(
      "Signed \(plan) with \(signature.fingerprint); it carries \(count) signature\(count == 1 ? "" : "s"). Check them with: runbook plan \(ShellQuoting.quote(plan)) --allowed-signers FILE\n")
  }

  private static func read(_ path: String) throws(ExitStatus) -> PlanFile {
    switch PlanFile.read(path: path) {
    case .plan(let file): return file
    case .refused(let diagnostic):
      Terminal.report([diagnostic], sources: [:])
      throw .invalidInput
    }
  }
}
