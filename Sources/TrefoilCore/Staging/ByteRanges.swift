/// The byte ranges of a file received so far: sorted, disjoint and merged, so that a re-sent piece adds nothing and
/// the count of received bytes never double-counts.
struct ByteRanges: Sendable, Equatable {
    private(set) var ranges: [Range<Int64>] = []

    /// Bytes covered.
    var count: Int64 { ranges.reduce(0) { $0 + Int64($1.count) } }

    /// Whether every byte of `0..<size` is covered.
    func covers(upTo size: Int64) -> Bool {
        size == 0 || (ranges.count == 1 && ranges[0].lowerBound == 0 && ranges[0].upperBound >= size)
    }

    /// Adds `range`, merging it with every range it touches or overlaps.
    mutating func insert(_ range: Range<Int64>) {
        guard !range.isEmpty else { return }
        var lower = range.lowerBound
        var upper = range.upperBound
        // The first range that ends at or after the new one's start can touch it.
        var first = ranges.count
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].upperBound < lower { low = middle + 1 } else { high = middle }
        }
        first = low
        var last = first
        while last < ranges.count, ranges[last].lowerBound <= upper {
            lower = min(lower, ranges[last].lowerBound)
            upper = max(upper, ranges[last].upperBound)
            last += 1
        }
        ranges.replaceSubrange(first..<last, with: [lower..<upper])
    }

    /// The first gap below `size`, for telling a client what is missing.
    func firstGap(below size: Int64) -> Range<Int64>? {
        var start: Int64 = 0
        for range in ranges {
            if range.lowerBound > start { return start..<min(range.lowerBound, size) }
            start = max(start, range.upperBound)
            if start >= size { return nil }
        }
        return start < size ? start..<size : nil
    }
}
