import Crypto

extension Digest {
  /// Lowercase hex, as `sha256sum` prints it.
  public var hex: String { map { String(format: "%02x", $0) }.joined() }
}
