import ArgumentParser
import TrefoilCore

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a config file (with TREFOIL_ environment overrides) and print every problem.")

    @Argument(help: "The JSON config file to check.")
    var path: String

    func run() throws {
        let loaded = try loadConfig(path)
        for warning in loaded.warnings { printError("warning: \(warning)") }
        print("\(path): ok")
    }
}
