import Foundation

/// A Python venv under `.build/` holding a pinned requirements file of the package, made when missing or when the
/// file changed: the S3 row's moto server and awscli. The stamp is the one the tests write for the same venvs
/// (`requirements.stamp`, FNV-1a of the file), so that the bench and the tests share `.build/s3-venv` instead of
/// remaking it in turn.
enum PythonVenv {
    /// The venv's python, after making `.build/<name>` from `requirements` (a path under the package root) if needed.
    static func ensure(requirements relativePath: String, venv name: String, log: (String) -> Void) async throws
        -> String
    {
        let root = try packageRoot()
        let requirements = root + "/" + relativePath
        let venv = root + "/.build/" + name
        let python = venv + "/bin/python"
        let stampPath = venv + "/requirements.stamp"
        let wanted = stamp(try Data(contentsOf: URL(fileURLWithPath: requirements)))
        if FileManager.default.isExecutableFile(atPath: python),
            (try? String(contentsOfFile: stampPath, encoding: .utf8)) == wanted
        {
            return python
        }
        log("making .build/\(name) from \(relativePath) (python3 -m venv, pip install)")
        try? FileManager.default.removeItem(atPath: venv)
        do {
            try await ChildProcess.check("python3", ["-m", "venv", venv])
            try await ChildProcess.check(
                python, ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r", requirements])
        } catch {
            try? FileManager.default.removeItem(atPath: venv)
            throw BenchError("could not make .build/\(name) (it needs python3 with venv and pip): \(error)")
        }
        try wanted.write(toFile: stampPath, atomically: true, encoding: .utf8)
        return python
    }

    /// The package's root: the bench runs from it (`swift run trefoil-bench`, `.build/release/trefoil-bench`).
    static func packageRoot() throws -> String {
        let root = FileManager.default.currentDirectoryPath
        guard FileManager.default.fileExists(atPath: root + "/Package.swift") else {
            throw BenchError("run the bench from the package root (no Package.swift in \(root))")
        }
        return root
    }

    /// FNV-1a 64, enough to notice that a requirements file changed.
    private static func stamp(_ data: Data) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "fnv1a64:" + String(hash, radix: 16)
    }
}
