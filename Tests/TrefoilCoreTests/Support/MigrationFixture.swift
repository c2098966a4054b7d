import Foundation
import Testing
import TrefoilTestSupport

@testable import TrefoilCore

/// `Tests/Fixtures/v2-store`: a data directory that the release before schema v3 wrote through its own API
/// (see its make.sh), and what that release answered about it.
struct MigrationFixture {
    /// A download link signed as that release signs them, which it accepted.
    struct Link {
        var file: FileID
        var expires: Int64
        var signature: String
    }

    let link: Link
    let helloFile: FileID
    let privateFile: FileID
    let docsFolder: FolderID

    init() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: fixturePath("v2-store/expected.json")))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let text = try #require(json["signed_link"] as? String)
        let components = try #require(URLComponents(string: text))
        let query = Dictionary(uniqueKeysWithValues: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        let segments = components.path.split(separator: "/")
        link = Link(
            file: FileID("/" + segments[1]), expires: try #require(query["expires"].flatMap { Int64($0) }),
            signature: try #require(query["sig"]))
        helloFile = FileID(try #require(json["hello_file_id"] as? String))
        privateFile = FileID(try #require(json["private_file_id"] as? String))
        docsFolder = FolderID(try #require(json["docs_folder_id"] as? String))
    }

    /// A fresh copy of the fixture's data directory, to open (and so migrate).
    static func copy() throws -> DataDirectory {
        let path = makeTempDirectory() + "/data"
        try copyFixture("v2-store/data", to: path)
        return DataDirectory(path: path)
    }
}
