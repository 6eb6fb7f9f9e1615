import Foundation

/// What the kernel passes to a program it starts: no argument or environment string longer
/// than `MAX_ARG_STRLEN` (32 pages), and all of them together under `ARG_MAX`. A longer value
/// would fail at exec with "Argument list too long"; it is refused before, with the way out.
public enum ArgumentLimits {
  public static let perString = 32 * 4096

  /// Why `argv` and the added environment strings (`NAME=VALUE`) cannot be passed, or nil.
  public static func problem(argv: [String], environment: [String]) -> String? {
    for (index, word) in argv.enumerated() where word.utf8.count >= perString {
      return "argument \(index) is \(word.utf8.count) bytes; the kernel passes at most \(perString - 1) bytes per argument: write the value to a file and pass its path"
    }
    for entry in environment where entry.utf8.count >= perString {
      let name = entry.prefix { $0 != "=" }
      return "the value of \(name) is \(entry.utf8.count - name.utf8.count - 1) bytes; the kernel passes at most \(perString - name.utf8.count - 2) bytes in one environment variable: write the value to a file and pass its path"
    }
    let total = (argv + environment).reduce(0) { $0 + $1.utf8.count + 1 + MemoryLayout<UnsafePointer<CChar>>.size }
    let limit = sysconf(Int32(_SC_ARG_MAX))
    if limit > 0, total > limit - 65536 {
      return "the arguments and environment come to \(total) bytes, over the kernel's limit of \(limit) (with room for the rest of the environment): write large values to files and pass their paths"
    }
    return nil
  }
}
