import Foundation

/// One line of a run's journal: every transition, in the order it was committed.
public struct JournalEvent: Sendable, Equatable {
  public var sequence: Int64
  public var runID: String
  public var at: Date
  public var kind: String
  public var step: String?
  public var iteration: Int?
  /// The inventory host of a step on hosts.
  public var host: String?
  public var message: String?

  public init(
    sequence: Int64 = 0, runID: String, at: Date, kind: String, step: String? = nil, iteration: Int? = nil, host: String? = nil, message: String? = nil
  ) {
    self.sequence = sequence
    self.runID = runID
    self.at = at
    self.kind = kind
    self.step = step
    self.iteration = iteration
    self.host = host
    self.message = message
  }
}
