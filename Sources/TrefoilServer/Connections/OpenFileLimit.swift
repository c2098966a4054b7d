#if canImport(Glibc)
    import Glibc
    private let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#elseif canImport(Darwin)
    import Darwin
    private let resource = RLIMIT_NOFILE
#endif

/// The process's limit on open files (`RLIMIT_NOFILE`), which bounds how many connections it can hold.
enum OpenFileLimit {
    /// The soft limit in force.
    static var current: Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        return Int(clamping: limit.rlim_cur)
    }

    /// Raises the soft limit to the hard limit: many systems start services at 1024 although they allow far more,
    /// and every connection holds a descriptor. Returns the soft limit before and after.
    @discardableResult
    static func raise() -> (before: Int, after: Int) {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return (current, current) }
        let before = Int(clamping: limit.rlim_cur)
        guard limit.rlim_cur < limit.rlim_max else { return (before, before) }
        var raised = limit
        raised.rlim_cur = limit.rlim_max
        if setrlimit(resource, &raised) != 0 {
            // macOS reports an unlimited hard limit but refuses more than OPEN_MAX per process.
            #if canImport(Darwin)
                raised.rlim_cur = min(limit.rlim_max, rlim_t(OPEN_MAX))
                _ = setrlimit(resource, &raised)
            #endif
        }
        return (before, current)
    }
}
