#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes every byte at `position`; returns 0 or the `errno` of the failure.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at position: Int64) -> Int32 {
    var offset = 0
    while offset < bytes.count {
        let n = pwrite(fd, bytes.baseAddress! + offset, bytes.count - offset, off_t(position) + off_t(offset))
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        offset += n
    }
    return 0
}

/// Fills `buffer` from `position`; returns 0, the `errno` of the failure, or `EIO` when the file ends first.
func readAll(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at position: Int64) -> Int32 {
    var offset = 0
    while offset < buffer.count {
        let n = pread(fd, buffer.baseAddress! + offset, buffer.count - offset, off_t(position) + off_t(offset))
        if n < 0 {
            if errno == EINTR { continue }
            return errno
        }
        if n == 0 { return EIO }
        offset += n
    }
    return 0
}
