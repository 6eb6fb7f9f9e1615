import Foundation
import RunbookKit
import SwiftASN1
import X509

/// The certificates and the private key one PEM file holds (a combined file such as the
/// kubelet's `kubelet-client-current.pem` holds both).
struct PEMFile {
  var path: String
  var certificates: [Certificate]
  var privateKey: StoredPrivateKey?

  init(path: String) throws {
    try self.init(path: path, text: FileInputs.text(ofFile: path))
  }

  /// Parses PEM text that came from `path` (a file, or a kubeconfig field named so).
  init(path: String, text: String) throws {
    self.path = path
    certificates = []
    do {
      for document in try PEMDocument.parseMultiple(pemString: text) {
        if document.discriminator == "CERTIFICATE" {
          certificates.append(try Certificate(derEncoded: document.derBytes))
        } else if document.discriminator.hasSuffix("PRIVATE KEY"), privateKey == nil {
          privateKey = try StoredPrivateKey(document)
        }
      }
    } catch let error as ActionError {
      throw ActionError(error.code, "\(path): \(error.message)")
    } catch {
      throw ActionError(.failed, "\(path) is not a PEM certificate or key: \(error)", cause: error)
    }
  }

  /// The first certificate: the leaf, in a file holding a chain.
  func leaf() throws -> Certificate {
    guard let first = certificates.first else { throw ActionError(.failed, "\(path) holds no certificate") }
    return first
  }

  func key() throws -> StoredPrivateKey {
    guard let privateKey else { throw ActionError(.failed, "\(path) holds no private key") }
    return privateKey
  }

  /// Whether a file's first bytes look like PEM with a certificate in it (for directory scans).
  static func holdsCertificate(_ path: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: path) else { return false }
    defer { try? handle.close() }
    let head = (try? handle.read(upToCount: 1 << 16)) ?? Data()
    return String(decoding: head, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----")
  }
}
