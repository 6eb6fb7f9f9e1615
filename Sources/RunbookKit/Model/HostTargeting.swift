/// Where a step with `on:` runs and how it walks its hosts: in batches (`serial:`), stopping
/// the batches after one with too many failures (`max_fail:`), as root (`become:`)
/// (docs/runbook-format.md, "Steps on hosts").
public struct HostTargeting: Sendable {
  /// A group or host name, a list of them, or an expression giving host names in visit order.
  public var on: Template
  /// Batch sizes in turn, the last one repeating; empty: every host in one batch.
  public var serial: [BatchSize]
  /// How many failures a batch may have before the following batches are not started.
  public var maxFail: BatchSize
  /// Whether the action runs through `sudo -n`; nil: as the inventory's `ansible_become` says.
  public var become: Bool?

  public init(on: Template, serial: [BatchSize] = [], maxFail: BatchSize = .count(0), become: Bool? = nil) {
    self.on = on
    self.serial = serial
    self.maxFail = maxFail
    self.become = become
  }

  /// The hosts split into batches the way Ansible's `serial` splits them: a percentage is of
  /// all the hosts, rounded down but never below one host, and the last size repeats.
  public func batches<Host>(_ hosts: [Host]) -> [[Host]] {
    guard !serial.isEmpty else { return hosts.isEmpty ? [] : [hosts] }
    var batches: [[Host]] = []
    var start = 0
    while start < hosts.count {
      let size = serial[min(batches.count, serial.count - 1)].hosts(of: hosts.count)
      let end = min(hosts.count, start + size)
      batches.append(Array(hosts[start..<end]))
      start = end
    }
    return batches
  }

  /// Whether `failed` failures in a batch of `size` hosts stop the batches after it: more than
  /// `max_fail`, as Ansible's `max_fail_percentage` must be exceeded.
  public func stops(failed: Int, of size: Int) -> Bool {
    switch maxFail {
    case .count(let allowed): failed > allowed
    case .percent(let percent): failed * 100 > percent * size
    }
  }
}

/// A number of hosts, or a percentage of them (`serial:`, `max_fail:`).
public enum BatchSize: Sendable, Hashable, CustomStringConvertible {
  case count(Int)
  case percent(Int)

  /// `3` or `"30%"`; nil for anything else.
  public init?(_ text: String) {
    if text.hasSuffix("%"), let percent = Int(text.dropLast()), (0...100).contains(percent) {
      self = .percent(percent)
    } else if let count = Int(text), count >= 0 {
      self = .count(count)
    } else {
      return nil
    }
  }

  /// How many of `total` hosts, at least one.
  func hosts(of total: Int) -> Int {
    switch self {
    case .count(let count): max(1, count)
    case .percent(let percent): max(1, total * percent / 100)
    }
  }

  public var description: String {
    switch self {
    case .count(let count): String(count)
    case .percent(let percent): "\(percent)%"
    }
  }
}
