import ArgumentParser
import TrefoilCore

/// The `trefoil` command: `serve` when run without a subcommand.
@main
struct Trefoil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trefoil",
        abstract: "A self-hosted group-file gateway that speaks OneBot 11.",
        version: TrefoilVersion.current,
        subcommands: [Serve.self, CheckConfig.self, Fsck.self, Import.self, Token.self, Blobs.self],
        defaultSubcommand: Serve.self
    )
}
