import Pipeline

/// Where a run's progress, warnings and informational lines go. The CLI implements it on
/// stderr; a library user or a test passes `SilentReporter` or its own.
public protocol RunReporter: AnyObject, Sendable {
    /// An informational line (the CLI prints `crick: TEXT` unless quiet).
    func info(_ text: String)
    /// A warning, always shown (the CLI prints `crick: warning: TEXT`).
    func warning(_ text: String)
    /// A line of a run's own log, printed as it is (train's epoch table), unless quiet.
    func log(_ line: String)
    /// A progress reporter for `total` units (nil: unknown). With `liveOnly`, progress is
    /// shown only where it can be redrawn in place (a terminal), never as periodic lines.
    func progress(label: String, unit: String, total: Int?, liveOnly: Bool) -> ProgressReporter
}

extension RunReporter {
    /// A progress reporter shown as the reporter decides (a live bar or periodic lines).
    public func progress(label: String, unit: String, total: Int? = nil) -> ProgressReporter {
        progress(label: label, unit: unit, total: total, liveOnly: false)
    }
}

/// A reporter that keeps warnings and informational lines in memory and shows no progress.
public final class SilentReporter: RunReporter, @unchecked Sendable {
    /// The warnings reported, in order.
    public private(set) var warnings: [String] = []
    /// The informational lines reported, in order.
    public private(set) var infos: [String] = []
    /// The log lines reported, in order.
    public private(set) var logs: [String] = []

    public init() {}

    public func info(_ text: String) { infos.append(text) }
    public func warning(_ text: String) { warnings.append(text) }
    public func log(_ line: String) { logs.append(line) }
    public func progress(label: String, unit: String, total: Int?, liveOnly: Bool) -> ProgressReporter {
        ProgressReporter(label: label, unit: unit, total: total, quiet: true)
    }
}
