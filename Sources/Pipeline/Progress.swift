import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reports the progress of long work on stderr: a live bar redrawn in place when stderr is
/// a terminal, a plain line every `interval` seconds otherwise (cluster logs), nothing
/// when quiet. Thread-safe.
public final class ProgressReporter: @unchecked Sendable {
    /// How progress is shown.
    public enum Style: Sendable {
        /// A bar redrawn in place (terminal).
        case bar
        /// A plain line at intervals (log files).
        case lines
        /// Nothing.
        case silent
    }

    private let lock = NSLock()
    private let label: String
    private let unit: String
    private let total: Int?
    private let style: Style
    private let interval: Double
    private let startTime: Double
    /// Work done so far (guarded by `lock`).
    private var count = 0
    /// When the last report was written (guarded by `lock`).
    private var lastReport: Double

    /// - Parameters:
    ///   - label: what is being done ("fetch").
    ///   - unit: what is counted ("regions").
    ///   - total: the total when known, for a percentage.
    ///   - quiet: report nothing.
    ///   - interval: seconds between plain lines when stderr is not a terminal.
    public init(label: String, unit: String, total: Int? = nil, quiet: Bool = false, interval: Double = 10) {
        self.label = label
        self.unit = unit
        self.total = total
        self.interval = interval
        if quiet { style = .silent } else { style = isatty(2) != 0 ? .bar : .lines }
        startTime = ProgressReporter.now()
        lastReport = startTime
    }

    /// The style chosen at creation.
    public var currentStyle: Style { style }

    /// Adds `n` to the work done and reports when it is time.
    public func advance(by n: Int) {
        guard style != .silent else { return }
        lock.lock()
        defer { lock.unlock() }
        count += n
        let t = ProgressReporter.now()
        let wait = style == .bar ? 0.1 : interval
        if t - lastReport >= wait {
            lastReport = t
            write(line(at: t), final: false)
        }
    }

    /// Writes the final report (a terminal bar ends with a newline).
    public func finish() {
        guard style != .silent else { return }
        lock.lock()
        defer { lock.unlock() }
        let t = ProgressReporter.now()
        if style == .bar || t - startTime >= interval { write(line(at: t), final: true) }
    }

    private func line(at t: Double) -> String {
        let elapsed = max(t - startTime, 1e-9)
        let rate = Double(count) / elapsed
        var s = "crick: \(label): \(count)"
        if let total, total > 0 {
            let f = min(Double(count) / Double(total), 1)
            if style == .bar {
                let width = 30
                let filled = Int(f * Double(width))
                s = "crick: \(label) [" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] \(count)"
            }
            s += "/\(total)"
            s += String(format: " (%.0f%%)", f * 100)
        }
        s += " \(unit), " + String(format: "%.0f/s, %.1fs", rate, elapsed)
        return s
    }

    private func write(_ s: String, final: Bool) {
        let text = style == .bar ? "\r\u{1B}[K" + s + (final ? "\n" : "") : s + "\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
