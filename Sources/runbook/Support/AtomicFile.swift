import Foundation

/// Writes a file so that a crash leaves either the old or the new content: a temporary
/// sibling, fsync, rename, fsync of the directory.
enum AtomicFile {
  static func write(_ text: String, to path: String, mode: mode_t) throws {
    let directory = (path as NSString).deletingLastPathComponent
    let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent).\(getpid()).tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, mode)
    guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    let bytes = Array(text.utf8)
    var written = 0
    while written < bytes.count {
      let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
      if n < 0 {
        let code = errno
        close(fd)
        unlink(temporary)
        throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
      }
      written += n
    }
    let synced = fsync(fd) == 0
    close(fd)
    guard synced, rename(temporary, path) == 0 else {
      let code = errno
      unlink(temporary)
      throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
    }
    let dir = open(directory.isEmpty ? "." : directory, O_RDONLY)
    if dir >= 0 {
      fsync(dir)
      close(dir)
    }
  }
}
