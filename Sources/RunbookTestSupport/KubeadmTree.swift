import Foundation

/// A kubeadm-shaped control-plane tree made with the real `openssl`: the three CAs, every leaf
/// of the kubeadm table with its CN, O, SANs and usages, the service-account key pair, the
/// kubeconfigs with embedded client certificates, a `kubelet.conf` pointing at a
/// `kubelet-client-current.pem` symlink, and a manifests directory. Chosen leaves are made
/// already expired, or expiring within ten days; the rest last a year.
public struct KubeadmTree {
  /// How long a leaf lasts in the tree.
  public enum Validity: Sendable {
    case valid, expiring, expired
  }

  public struct Leaf: Sendable {
    /// The path under `pki` without `.crt` (`etcd/server`), or the kubeconfig's file name.
    public var name: String
    public var ca: String
    public var subject: String
    public var extendedKeyUsage: String
    public var subjectAltNames: String?
  }

  public static let node = "cp1"
  public static let nodeIP = "192.168.10.11"

  public static let leaves: [Leaf] = [
    Leaf(
      name: "apiserver", ca: "ca", subject: "/CN=kube-apiserver", extendedKeyUsage: "serverAuth",
      subjectAltNames: "DNS:\(node),DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:10.96.0.1,IP:\(nodeIP)"),
    Leaf(name: "apiserver-kubelet-client", ca: "ca", subject: "/O=kubeadm:cluster-admins/CN=kube-apiserver-kubelet-client", extendedKeyUsage: "clientAuth"),
    Leaf(name: "front-proxy-client", ca: "front-proxy-ca", subject: "/CN=front-proxy-client", extendedKeyUsage: "clientAuth"),
    Leaf(
      name: "etcd/server", ca: "etcd/ca", subject: "/CN=\(node)", extendedKeyUsage: "serverAuth,clientAuth",
      subjectAltNames: "DNS:\(node),DNS:localhost,IP:\(nodeIP),IP:127.0.0.1,IP:0:0:0:0:0:0:0:1"),
    Leaf(
      name: "etcd/peer", ca: "etcd/ca", subject: "/CN=\(node)", extendedKeyUsage: "serverAuth,clientAuth",
      subjectAltNames: "DNS:\(node),DNS:localhost,IP:\(nodeIP),IP:127.0.0.1,IP:0:0:0:0:0:0:0:1"),
    Leaf(name: "etcd/healthcheck-client", ca: "etcd/ca", subject: "/CN=kube-etcd-healthcheck-client", extendedKeyUsage: "clientAuth"),
    Leaf(name: "apiserver-etcd-client", ca: "etcd/ca", subject: "/CN=kube-apiserver-etcd-client", extendedKeyUsage: "clientAuth"),
  ]

  /// Kubeconfigs and their users' subjects; `kubelet.conf` points at a file instead of embedding.
  public static let kubeconfigs: [Leaf] = [
    Leaf(name: "admin.conf", ca: "ca", subject: "/O=kubeadm:cluster-admins/CN=kubernetes-admin", extendedKeyUsage: "clientAuth"),
    Leaf(name: "super-admin.conf", ca: "ca", subject: "/O=system:masters/CN=kubernetes-super-admin", extendedKeyUsage: "clientAuth"),
    Leaf(name: "controller-manager.conf", ca: "ca", subject: "/CN=system:kube-controller-manager", extendedKeyUsage: "clientAuth"),
    Leaf(name: "scheduler.conf", ca: "ca", subject: "/CN=system:kube-scheduler", extendedKeyUsage: "clientAuth"),
    Leaf(name: "kubelet.conf", ca: "ca", subject: "/O=system:nodes/CN=system:node:\(node)", extendedKeyUsage: "clientAuth"),
  ]

  public static let cas = ["ca": "/CN=kubernetes", "front-proxy-ca": "/CN=front-proxy-ca", "etcd/ca": "/CN=etcd-ca"]

  /// `/etc/kubernetes`: kubeconfigs, `pki/`, `manifests/`.
  public let kubernetesDirectory: String
  public var pkiDirectory: String { kubernetesDirectory + "/pki" }
  public var manifestsDirectory: String { kubernetesDirectory + "/manifests" }
  /// `/var/lib/kubelet/pki`.
  public let kubeletPKIDirectory: String
  private let work: String
  private let leafKeyBits: Int

  /// Builds the tree under `directory`; leaves and kubeconfigs named in `validity` get that
  /// validity, the rest `.valid`. Leaf keys are RSA of `leafKeyBits` (CAs: 2048).
  public init(in directory: String, validity: [String: Validity] = [:], leafKeyBits: Int = 2048) throws {
    self.leafKeyBits = leafKeyBits
    kubernetesDirectory = directory + "/kubernetes"
    kubeletPKIDirectory = directory + "/kubelet/pki"
    work = directory + "/openssl-work"
    for path in [pkiDirectory + "/etcd", manifestsDirectory, kubeletPKIDirectory, work + "/newcerts"] {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    try "".write(toFile: work + "/index.txt", atomically: true, encoding: .utf8)
    try "01\n".write(toFile: work + "/serial", atomically: true, encoding: .utf8)
    try Self.config(work: work).write(toFile: work + "/ca.cnf", atomically: true, encoding: .utf8)
    for (name, subject) in Self.cas.sorted(by: { $0.key < $1.key }) {
      try OpenSSL.run(["genrsa", "-traditional", "-out", "\(pkiDirectory)/\(name).key", "2048"])
      try OpenSSL.run([
        "req", "-x509", "-new", "-key", "\(pkiDirectory)/\(name).key", "-out", "\(pkiDirectory)/\(name).crt", "-days", "3650", "-subj", subject,
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
        "-addext", "subjectKeyIdentifier=hash",
      ])
    }
    try OpenSSL.run(["genrsa", "-traditional", "-out", "\(pkiDirectory)/sa.key", "2048"])
    try OpenSSL.run(["rsa", "-in", "\(pkiDirectory)/sa.key", "-pubout", "-out", "\(pkiDirectory)/sa.pub"])
    for leaf in Self.leaves {
      try issue(leaf, key: "\(pkiDirectory)/\(leaf.name).key", certificate: "\(pkiDirectory)/\(leaf.name).crt", validity: validity[leaf.name] ?? .valid)
    }
    for kubeconfig in Self.kubeconfigs {
      let key = "\(work)/\(kubeconfig.name).key"
      let certificate = "\(work)/\(kubeconfig.name).crt"
      try issue(kubeconfig, key: key, certificate: certificate, validity: validity[kubeconfig.name] ?? .valid)
      let user = kubeconfig.name == "kubelet.conf" ? "system:node:\(Self.node)" : kubeconfig.subject.components(separatedBy: "CN=").last!
      let credentials: String
      if kubeconfig.name == "kubelet.conf" {
        let dated = "\(kubeletPKIDirectory)/kubelet-client-2025-01-01-00-00-00.pem"
        try (String(contentsOfFile: certificate, encoding: .utf8) + String(contentsOfFile: key, encoding: .utf8)).write(toFile: dated, atomically: true, encoding: .utf8)
        chmod(dated, 0o600)
        try FileManager.default.createSymbolicLink(atPath: "\(kubeletPKIDirectory)/kubelet-client-current.pem", withDestinationPath: dated)
        credentials = "    client-certificate: \(kubeletPKIDirectory)/kubelet-client-current.pem\n    client-key: \(kubeletPKIDirectory)/kubelet-client-current.pem\n"
      } else {
        credentials = "    client-certificate-data: \(try Self.base64(file: certificate))\n    client-key-data: \(try Self.base64(file: key))\n"
      }
      let text = """
        apiVersion: v1
        clusters:
        - cluster:
            certificate-authority-data: \(try Self.base64(file: pkiDirectory + "/ca.crt"))
            server: https://\(Self.nodeIP):6443
          name: kubernetes
        contexts:
        - context:
            cluster: kubernetes
            user: \(user)
          name: \(user)@kubernetes
        current-context: \(user)@kubernetes
        kind: Config
        preferences: {}
        users:
        - name: \(user)
          user:

        """ + credentials
      try text.write(toFile: "\(kubernetesDirectory)/\(kubeconfig.name)", atomically: true, encoding: .utf8)
      chmod("\(kubernetesDirectory)/\(kubeconfig.name)", 0o600)
    }
    for manifest in ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"] {
      try "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \(manifest)\n  namespace: kube-system\n".write(
        toFile: "\(manifestsDirectory)/\(manifest).yaml", atomically: true, encoding: .utf8)
    }
    try FileManager.default.removeItem(atPath: work)
  }

  /// The certificate file of a leaf (`etcd/server`) or the file a kubeconfig's certificate is in.
  public func certificatePath(_ name: String) -> String {
    if name == "kubelet.conf" { return kubeletPKIDirectory + "/kubelet-client-current.pem" }
    return name.hasSuffix(".conf") ? kubernetesDirectory + "/" + name : "\(pkiDirectory)/\(name).crt"
  }

  /// Every file of the tree, relative to its parent directory, with its bytes: for comparing
  /// before and after.
  public func snapshot() throws -> [String: Data] {
    let base = (kubernetesDirectory as NSString).deletingLastPathComponent
    var files: [String: Data] = [:]
    for root in [kubernetesDirectory, kubeletPKIDirectory] {
      for relative in (FileManager.default.enumerator(atPath: root)?.allObjects as? [String]) ?? [] {
        let path = root + "/" + relative
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
        files[String(path.dropFirst(base.count + 1))] = FileManager.default.contents(atPath: path)
      }
    }
    return files
  }

  private func issue(_ leaf: Leaf, key: String, certificate: String, validity: Validity) throws {
    try OpenSSL.run(["genrsa", "-traditional", "-out", key, String(leafKeyBits)])
    chmod(key, 0o600)
    try OpenSSL.run(["req", "-new", "-key", key, "-out", work + "/request.csr", "-subj", leaf.subject])
    var extensions = "[leaf]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=\(leaf.extendedKeyUsage)\nauthorityKeyIdentifier=keyid\n"
    if let names = leaf.subjectAltNames { extensions += "subjectAltName=\(names)\n" }
    try extensions.write(toFile: work + "/leaf.ext", atomically: true, encoding: .utf8)
    let now = Date()
    let (start, end): (Date, Date) =
      switch validity {
      case .valid: (now.addingTimeInterval(-86_400), now.addingTimeInterval(365 * 86_400))
      case .expiring: (now.addingTimeInterval(-355 * 86_400), now.addingTimeInterval(10 * 86_400))
      case .expired: (now.addingTimeInterval(-400 * 86_400), now.addingTimeInterval(-35 * 86_400))
      }
    try OpenSSL.run([
      "ca", "-batch", "-config", work + "/ca.cnf", "-name", "default", "-in", work + "/request.csr", "-out", certificate, "-notext",
      "-cert", "\(pkiDirectory)/\(leaf.ca).crt", "-keyfile", "\(pkiDirectory)/\(leaf.ca).key", "-startdate", Self.generalizedTime(start),
      "-enddate", Self.generalizedTime(end), "-extfile", work + "/leaf.ext", "-extensions", "leaf", "-preserveDN",
    ])
  }

  /// A minimal `openssl ca` configuration keeping its database in `work`.
  private static func config(work: String) -> String {
    """
    [ default ]
    dir = \(work)
    database = $dir/index.txt
    new_certs_dir = $dir/newcerts
    serial = $dir/serial
    default_md = sha256
    policy = anything
    unique_subject = no
    copy_extensions = none
    [ anything ]
    commonName = supplied
    organizationName = optional

    """
  }

  private static func base64(file: String) throws -> String {
    try Data(contentsOf: URL(fileURLWithPath: file)).base64EncodedString()
  }

  private static func generalizedTime(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    formatter.dateFormat = "yyyyMMddHHmmss'Z'"
    return formatter.string(from: date)
  }
}
