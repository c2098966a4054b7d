import Synchronization
import TrefoilCore

/// Download links whose signature has checked out, by request target, with the file they name and their expiry: a
/// link asked for again (a group's members fetching one shared file, a client walking a list) is answered without
/// parsing its query and computing its HMAC again. The query parse, base64 and HMAC were 16% of a small download's
/// server time in perf (issue 18).
///
/// Only a target that passed the full check is kept, under its exact path and query, so a hit names exactly what a
/// fresh check would accept; the expiry is still compared with the clock on every hit. At most `capacity` links are
/// kept; when full it starts over empty (cheaper than tracking age, and links are re-checked on a miss anyway).
final class VerifiedLinks: Sendable {
    private struct Target: Hashable {
        let path: String
        let query: String
    }

    private let links = Mutex<[Target: (id: FileID, expires: Int64)]>([:])
    let capacity: Int

    init(capacity: Int = 8_192) { self.capacity = capacity }

    /// The file a link names when it was verified before and has not expired at `now`.
    func file(path: String, query: String, now: Int64) -> FileID? {
        guard let link = links.withLock({ $0[Target(path: path, query: query)] }), link.expires > now else {
            return nil
        }
        return link.id
    }

    /// Keeps a link that has just been verified.
    func remember(path: String, query: String, id: FileID, expires: Int64) {
        links.withLock { links in
            if links.count >= capacity { links.removeAll(keepingCapacity: true) }
            links[Target(path: path, query: query)] = (id, expires)
        }
    }

    var count: Int { links.withLock { $0.count } }
}
