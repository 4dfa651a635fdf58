import Foundation

/// Wall time of a run's stages: each `lap` records the seconds since the previous one (or since
/// the clock was made) under a name.
struct StageClock {
    private(set) var stages: [(stage: String, seconds: Double)] = []
    private var last = StageClock.now()

    mutating func lap(_ stage: String) {
        let t = StageClock.now()
        stages.append((stage, t - last))
        last = t
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
