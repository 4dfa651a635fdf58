import ArgumentParser
import Genome

/// Bounds on flags that size coordinates or memory, checked in `validate()` (usage errors).
enum FlagBounds {
    /// Throws unless `value` (of `flag`) is nil or lies in `minimum...Interval.maxCoordinate`,
    /// so that coordinates plus or minus it cannot overflow.
    static func length(_ value: Int?, _ flag: String, minimum: Int = 1) throws {
        guard let value else { return }
        guard value >= minimum else {
            throw ValidationError("\(flag) must be \(minimum == 1 ? "positive" : "at least \(minimum)") (got \(value))")
        }
        guard value <= Interval.maxCoordinate else {
            throw ValidationError("\(flag) \(value) exceeds the largest length crick accepts (\(Interval.maxCoordinate))")
        }
    }
}
