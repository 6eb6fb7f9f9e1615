import ArgumentParser

/// `-p KEY=VALUE` and `--params FILE`, shared by the commands that bind params.
struct ParamOptions: ParsableArguments {
  @Option(name: [.customShort("p"), .customLong("param")], help: ArgumentHelp("Set a param, parsed per its type.", valueName: "key=value"))
  var values: [String] = []

  @Option(name: .customLong("params"), help: ArgumentHelp("A YAML file of param values.", valueName: "file"))
  var file: String?
}
