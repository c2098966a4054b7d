/// The version this build reports (`trefoil --version`, `get_version_info`, User-Agent).
public enum TrefoilVersion {
    public static let current = "0.1.0"
}
