/// Where a certificate's private key lives by convention: `NAME.key` beside kubeadm's
/// `NAME.crt`, `NAME-key.pem` beside kubespray's `NAME.pem`.
enum KeyFileNaming {
  static func keyPath(forCertificate path: String) -> String {
    if path.hasSuffix(".crt") { return String(path.dropLast(4)) + ".key" }
    if path.hasSuffix(".pem") { return String(path.dropLast(4)) + "-key.pem" }
    return path + ".key"
  }

  /// Whether a file name is a key by these conventions (so a directory scan skips it).
  static func isKeyFile(_ name: String) -> Bool {
    name.hasSuffix(".key") || name.hasSuffix("-key.pem")
  }
}
