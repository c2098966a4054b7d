import ArgumentParser
import Logging
import TrefoilCore
import TrefoilServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway (the default command).")

    @Option(help: "A JSON config file; without one the embedded defaults apply.")
    var config: String?

    func run() async throws {
        let loaded = try loadConfig(config)
        let logger = makeLogger()
        for warning in loaded.warnings { logger.warning("\(warning)") }
        let gateway: Gateway
        do {
            gateway = try await Gateway.open(config: loaded.config, faces: allFaces, logger: logger)
        } catch {
            logger.critical("cannot open the store: \(error)")
            throw ExitCode(2)
        }
        try await gateway.run()
    }
}
