/// The version this build reports (`trefoil --version`, the faces' version answers, User-Agent).
public enum TrefoilVersion {
    public static let current = "0.1.0"
}
