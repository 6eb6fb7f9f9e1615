import Foundation

/// The table `kubeadm certs check-expiration` prints, with a status column: leaves first, then
/// the CAs.
struct ExpiryTable {
  struct Row {
    var name: String
    var notAfter: Date?
    var authority: String
    var status: String
    /// The host it was read on, in a table of several hosts (`pki.table`).
    var host: String? = nil
  }

  var leaves: [Row]
  var cas: [Row]
  var now: Date

  func lines() -> [String] {
    // A HOST column first when the rows come from several hosts.
    let byHost = (leaves + cas).contains { $0.host != nil }
    let host = { (row: Row) -> [String] in byHost ? [row.host ?? ""] : [] }
    let hostHeader = byHost ? ["HOST"] : []
    var result = Self.render(
      header: hostHeader + ["CERTIFICATE", "EXPIRES", "RESIDUAL TIME", "CERTIFICATE AUTHORITY", "STATUS"],
      rows: leaves.map { host($0) + [$0.status == "missing" ? "!MISSING! \($0.name)" : $0.name, expires($0), residual($0), $0.authority, $0.status] })
    result.append("")
    result += Self.render(
      header: hostHeader + ["CERTIFICATE AUTHORITY", "EXPIRES", "RESIDUAL TIME", "STATUS"],
      rows: cas.map { host($0) + [$0.status == "missing" ? "!MISSING! \($0.name)" : $0.name, expires($0), residual($0), $0.status] })
    return result
  }

  private func expires(_ row: Row) -> String {
    guard let notAfter = row.notAfter else { return "" }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "MMM dd, yyyy HH:mm 'UTC'"
    return formatter.string(from: notAfter)
  }

  /// kubeadm's short human duration: `<invalid>` once expired, then s, m, h (under two days),
  /// d (under two years), y.
  private func residual(_ row: Row) -> String {
    guard let notAfter = row.notAfter else { return "" }
    let seconds = Int(notAfter.timeIntervalSince(now))
    switch seconds {
    case ..<0: return "<invalid>"
    case ..<60: return "\(seconds)s"
    case ..<3_600: return "\(seconds / 60)m"
    case ..<(48 * 3_600): return "\(seconds / 3_600)h"
    case ..<(730 * 86_400): return "\(seconds / 86_400)d"
    default: return "\(seconds / (365 * 86_400))y"
    }
  }

  private static func render(header: [String], rows: [[String]]) -> [String] {
    let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
    return ([header] + rows).map { cells in
      cells.enumerated().map { index, cell in
        index == cells.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
      }.joined()
    }
  }
}
