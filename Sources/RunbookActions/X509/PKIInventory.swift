import Foundation
import RunbookKit
import X509

/// Every certificate of a kubeadm or kubespray control plane: the CAs, the leaf certificate
/// files, and the client certificates of the kubeconfigs, each leaf matched to the CA that
/// signed it; plus what a kubeadm tree should hold and does not.
struct PKIInventory {
  /// One certificate, named as `kubeadm certs check-expiration` names it.
  struct Entry {
    enum Kind: String { case ca, certificate, kubeconfig }
    var name: String
    var kind: Kind
    /// The certificate file, or the kubeconfig.
    var path: String
    /// The key file (for a kubeconfig with embedded data: the kubeconfig itself).
    var keyPath: String
    var user: String?
    var certificate: Certificate
    /// The CA that signed it, by name; nil when none of the tree's CAs did (or for a CA).
    var authority: Reference? = nil
  }

  struct Reference {
    var name: String
    var certificatePath: String
    var keyPath: String
  }

  var cas: [Entry] = []
  var leaves: [Entry] = []
  var missing: [String] = []
  /// Files that look like certificates but do not parse, with the reason.
  var unreadable: [(path: String, reason: String)] = []

  /// The names kubeadm creates; those absent from a kubeadm tree are reported missing.
  static let kubeadmCAs = ["ca", "front-proxy-ca"]
  static let kubeadmLeaves = ["apiserver", "apiserver-kubelet-client", "front-proxy-client"]
  static let kubeadmEtcd = ["etcd-ca", "etcd-server", "etcd-peer", "etcd-healthcheck-client", "apiserver-etcd-client"]
  static let kubeadmKubeconfigs = ["admin.conf", "controller-manager.conf", "scheduler.conf"]

  /// `etcdDirectory` is read besides `pkiDirectory` (its files named `etcd-NAME`) when it lies
  /// outside it; `expectEtcd` says whether kubeadm's etcd certificates belong in the tree.
  init(pkiDirectory: String, etcdDirectory: String?, kubeconfigDirectory: String?, expectEtcd: Bool) {
    var found: [(name: String, path: String, certificate: Certificate)] = []
    let sources = [(pkiDirectory, "")] + (etcdDirectory.map { [($0, "etcd-")] } ?? [])
    for (directory, prefix) in sources {
      for path in X509InspectAction.certificateFiles(under: directory) where !found.contains(where: { $0.path == path }) {
        do {
          found.append((prefix + Self.name(of: path, under: directory), path, try PEMFile(path: path).leaf()))
        } catch {
          unreadable.append((path, (error as? ActionError)?.message ?? "\(error)"))
        }
      }
    }
    for item in found where (try? CertificateFacts(item.certificate).isCA) == true {
      cas.append(Entry(name: item.name, kind: .ca, path: item.path, keyPath: KeyFileNaming.keyPath(forCertificate: item.path), certificate: item.certificate))
    }
    for item in found where !cas.contains(where: { $0.path == item.path }) {
      leaves.append(Entry(name: item.name, kind: .certificate, path: item.path, keyPath: KeyFileNaming.keyPath(forCertificate: item.path), certificate: item.certificate, authority: authority(of: item.certificate)))
    }
    leaves.sort { $0.name < $1.name }
    if let kubeconfigDirectory { addKubeconfigs(in: kubeconfigDirectory) }
    if FileInputs.status(pkiDirectory + "/ca.crt") != nil {
      let etcdExpected = expectEtcd ? Self.kubeadmEtcd : []
      let present = Set((cas + leaves).map(\.name))
      missing = (Self.kubeadmCAs + Self.kubeadmLeaves + etcdExpected).filter { !present.contains($0) }
      if kubeconfigDirectory != nil { missing += Self.kubeadmKubeconfigs.filter { !present.contains($0) } }
    }
  }

  /// The CA among `cas` that signed `certificate`.
  func authority(of certificate: Certificate) -> Reference? {
    let facts = try? CertificateFacts(certificate)
    return cas.first { facts?.isIssued(by: $0.certificate) == true }.map { Reference(name: $0.name, certificatePath: $0.path, keyPath: $0.keyPath) }
  }

  private mutating func addKubeconfigs(in directory: String) {
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".conf") }.sorted()
    for name in names {
      let path = directory + "/" + name
      guard let kubeconfig = try? Kubeconfig(path: path) else { continue }
      for user in kubeconfig.users {
        let label = kubeconfig.users.count > 1 ? "\(name) (\(user.name))" : name
        do {
          let certificate: Certificate
          let keyPath: String
          switch user.credential {
          case .embedded(let field, _):
            certificate = try PEMFile(path: path, text: kubeconfig.decoded(field, "client-certificate-data")).leaf()
            keyPath = path
          case .files(let certificatePath, let key):
            certificate = try PEMFile(path: certificatePath).leaf()
            keyPath = key
          }
          leaves.append(Entry(name: label, kind: .kubeconfig, path: path, keyPath: keyPath, user: user.name, certificate: certificate, authority: authority(of: certificate)))
        } catch {
          unreadable.append((path, (error as? ActionError)?.message ?? "\(error)"))
        }
      }
    }
  }

  /// `etcd/server.crt` under the pki directory is `etcd-server`, as kubeadm names it.
  private static func name(of path: String, under directory: String) -> String {
    var relative = String(path.dropFirst(directory.count + 1))
    for suffix in [".crt", ".pem"] where relative.hasSuffix(suffix) { relative = String(relative.dropLast(suffix.count)) }
    return relative.replacingOccurrences(of: "/", with: "-")
  }
}
