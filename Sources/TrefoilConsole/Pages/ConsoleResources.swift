import Foundation

/// Where the console's templates, script and style sheet are: the `Resources` folder of the resource bundle SwiftPM
/// builds beside the `trefoil` binary (`trefoil_TrefoilConsole.resources`).
///
/// Looked up here rather than through `Bundle.module`, whose accessor stops the process when the bundle is missing
/// (a binary copied without it): the console then answers 500 and says why, and the gateway serves everything else.
enum ConsoleResources {
    static let bundleName = "trefoil_TrefoilConsole.resources"

    /// The folder, or nil when no bundle is beside the running binary.
    static let folder: URL? = {
        var candidates = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL { candidates.append(executable.deletingLastPathComponent()) }
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(binary.deletingLastPathComponent())
        for base in candidates {
            let folder = base.appendingPathComponent(bundleName).appendingPathComponent("Resources")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue {
                return folder
            }
        }
        return nil
    }()
}
