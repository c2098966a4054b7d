import Foundation
import Testing

@testable import TrefoilCore

/// File and folder ids are `/` and a lowercase random UUID: clients keep them, and `FileID.isFresh` checks the shape.
@Suite("Identifiers")
struct IdentifierTests {
    @Test("a new file or folder id is / and a lowercase version-4 UUID that Foundation reads back the same")
    func freshIDShape() throws {
        for id in (0..<200).map({ _ in FileID.make().rawValue }) + [FolderID.make().rawValue] {
            #expect(FileID.isFresh(id), "\(id)")
            let text = String(id.dropFirst())
            let parsed = try #require(UUID(uuidString: text))
            #expect(parsed.uuidString.lowercased() == text)
            let bytes = parsed.uuid
            #expect(bytes.6 >> 4 == 4, "version 4: \(text)")
            #expect(bytes.8 >> 6 == 0b10, "RFC 9562's variant: \(text)")
        }
    }

    @Test("ten thousand new ids are all distinct, and every hex digit shows up in every free position")
    func freshIDsAreRandom() {
        let ids = (0..<10_000).map { _ in FileID.make().rawValue }
        #expect(Set(ids).count == ids.count)
        // After "/": the dashes, the version digit and the variant digit are fixed.
        let free = Set(1..<37).subtracting([9, 14, 19, 24, 15, 20])
        for position in free.sorted() {
            let seen = Set(ids.map { Array($0.utf8)[position] })
            #expect(seen.count == 16, "position \(position) took \(seen.count) digits")
        }
    }
}
