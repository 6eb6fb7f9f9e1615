import Foundation

/// Where a probing executor writes each check's result as it goes.
final class ProbeLog: @unchecked Sendable {
  private let lock = NSLock()
  private var checks: [ProbeReport.Site: ProbeReport.Finding] = [:]

  func record(_ site: ProbeReport.Site, _ finding: ProbeReport.Finding) {
    lock.withLock { checks[site] = finding }
  }

  var findings: [ProbeReport.Site: ProbeReport.Finding] { lock.withLock { checks } }
}
