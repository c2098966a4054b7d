import HTTPTypes
import NIOCore
import TrefoilFaceKit

/// The enabled faces by the paths they own: a face owns each of its prefixes and every path below them, and of the
/// prefixes that match a path, the longest wins (OneBot 11, at the root, owns what no other face does).
struct MountedFaces: Sendable {
    /// A face at one of its prefixes.
    struct Mount: Sendable {
        let prefix: String
        let face: any Face
    }

    /// Every prefix of every face, longest first; equal prefixes keep the executable's order of their faces.
    let mounts: [Mount]
    /// The faces, the one with the longest prefix first; faces with equal longest prefixes keep the executable's
    /// order.
    let faces: [any Face]

    init(_ faces: [any Face]) {
        func longestFirst<T>(_ items: [T], _ length: (T) -> Int) -> [T] {
            items.enumerated().sorted { (length($0.element), -$0.offset) > (length($1.element), -$1.offset) }
                .map(\.element)
        }
        self.faces = longestFirst(faces) { $0.prefixes.map(\.count).max() ?? 0 }
        mounts = longestFirst(faces.flatMap { face in face.prefixes.map { Mount(prefix: $0, face: face) } }) {
            $0.prefix.count
        }
    }

    /// The face that owns `path` (a request target's path, without its query).
    func owner(of path: Substring) -> (any Face)? {
        mounts.first { mount in
            mount.prefix.isEmpty || path == mount.prefix || path.hasPrefix(mount.prefix + "/")
        }?.face
    }

    /// What the face that owns the handshake's path makes of it.
    func webSocketUpgrade(_ request: HTTPRequest, peer: SocketAddress?) -> WebSocketUpgradeDecision {
        let target = request.path ?? ""
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return owner(of: path)?.webSocketUpgrade(request, peer: peer) ?? .notHere
    }

    /// Every download route of every face, in the order of `faces`, with its face's name.
    var downloadRoutes: [DownloadPlanner.MountedRoute] {
        faces.flatMap { face in face.downloadRoutes.map { .init(face: type(of: face).name, route: $0) } }
    }
}
