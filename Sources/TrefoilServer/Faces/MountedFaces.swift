import HTTPTypes
import NIOCore
import TrefoilFaceKit

/// The enabled faces by the paths they own: a face owns its prefix and every path below it, and of two faces whose
/// prefixes both match, the longer prefix wins (OneBot 11, at the root, owns what no other face does).
struct MountedFaces: Sendable {
    /// Longest prefix first; faces with the same prefix keep the executable's order.
    let faces: [any Face]

    init(_ faces: [any Face]) {
        self.faces = faces.enumerated()
            .sorted { ($0.element.prefix.count, -$0.offset) > ($1.element.prefix.count, -$1.offset) }
            .map(\.element)
    }

    /// The face that owns `path` (a request target's path, without its query).
    func owner(of path: Substring) -> (any Face)? {
        faces.first { face in face.prefix.isEmpty || path == face.prefix || path.hasPrefix(face.prefix + "/") }
    }

    /// What the face that owns the handshake's path makes of it.
    func webSocketUpgrade(_ request: HTTPRequest, peer: SocketAddress?) -> WebSocketUpgradeDecision {
        let target = request.path ?? ""
        let path = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return owner(of: path)?.webSocketUpgrade(request, peer: peer) ?? .notHere
    }

    /// Every download route of every face, in the order of `faces`.
    var downloadRoutes: [any DownloadRoute] { faces.flatMap(\.downloadRoutes) }
}
