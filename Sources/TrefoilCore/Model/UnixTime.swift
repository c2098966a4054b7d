/// Seconds since 1970, as stored in `dead_time` and signed into download links.
public enum UnixTime {
    /// `now` plus `seconds`, held at `Int64.max` instead of trapping: a moment that far away means "never", and a
    /// setting must not be able to crash the request that computes it.
    public static func adding(_ seconds: Int64, to now: Int64) -> Int64 {
        let (sum, overflow) = now.addingReportingOverflow(seconds)
        guard overflow else { return sum }
        return seconds > 0 ? .max : .min
    }

    /// `now` plus `days` whole days, saturating like `adding(_:to:)`.
    public static func adding(days: Int, to now: Int64) -> Int64 {
        let (seconds, overflow) = Int64(clamping: days).multipliedReportingOverflow(by: 86_400)
        guard overflow else { return adding(seconds, to: now) }
        return days > 0 ? .max : .min
    }
}
