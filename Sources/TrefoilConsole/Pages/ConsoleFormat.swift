import Foundation

/// How the pages write numbers and times: sizes in binary units, times in UTC to the minute.
enum ConsoleFormat {
    static func bytes(_ count: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var value = Double(count)
        var unit = 0
        while abs(value) >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }

    /// `2026-12-06 07:45 UTC`; an empty text for 0 (never).
    static func time(_ unixSeconds: Int64) -> String {
        guard unixSeconds > 0 else { return "" }
        var seconds = time_t(unixSeconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02d %02d:%02d UTC", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min)
    }

    /// `3d 4h 5m`, `4h 5m`, `5m 6s`.
    static func duration(_ seconds: Int64) -> String {
        let (days, hours, minutes, rest) =
            (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60, seconds % 60)
        if days > 0 { return "\(days)d \(hours)h \(minutes)m" }
        if hours > 0 { return "\(hours)h \(minutes)m" }
        return "\(minutes)m \(rest)s"
    }

    /// A share in whole percent, for a bar's title; 0 when the whole is 0.
    static func percent(_ part: Int64, of whole: Int64) -> String {
        guard whole > 0 else { return "0%" }
        return "\(Int((Double(part) / Double(whole) * 100).rounded()))%"
    }

    /// A value for a query string or a form field in a link.
    static func query(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? ""
    }

    private static let queryAllowed = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}
