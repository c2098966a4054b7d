import EasemobFace
import QiniuFace
import TrefoilConsole
import TrefoilFaceKit
import TrefoilServer

/// Every face this executable can wire, in the order they are mounted and logged. The config decides which run:
/// each face's section has `enable`, on by default for OneBot 11 and the console. A new face is one more entry here.
let allFaces: [any Face.Type] = [OneBot11Face.self, EasemobFace.self, QiniuFace.self, ConsoleFace.self]
