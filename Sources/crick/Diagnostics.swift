import ArgumentParser
import Dataset
import NeuralNet
import Genome
import Pipeline
import Scoring
import Tracks
import Runs
import Interpret
import Report
import Foundation

/// The CLI's messages on stderr.
enum Diagnostics {
    /// True for the errors that swift-argument-parser reports itself: usage errors (exit 64),
    /// help and version requests. Everything else a run throws is a failed run (exit 1).
    static func isUsageError(_ error: Error, of command: ParsableCommand.Type) -> Bool {
        if error is ValidationError || error is CleanExit { return true }
        if case RunError.usage = error { return true }
        let code = command.exitCode(for: error)
        return code == .validationFailure || code == .success
    }

    /// `crick: error: <what>: <where>`, always one line.
    static func error(_ error: Error) {
        write("crick: error: " + oneLine(describe(error)))
    }

    /// The message of an error: crick's own errors describe themselves; Foundation's give
    /// their reason and the file they concern.
    static func describe(_ error: Error) -> String {
        if Diagnostics.isTyped(error) { return "\(error)" }
        let ns = error as NSError
        var text = ns.localizedFailureReason ?? ns.localizedDescription
        if let path = ns.userInfo[NSFilePathErrorKey] as? String, !text.contains(path) { text += ": \(path)" }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain,
           let code = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            text += " (\(String(cString: strerror(code.rawValue))))"
        }
        return text
    }

    /// crick's typed errors, whose descriptions already read `<what>: <where>`.
    static func isTyped(_ error: Error) -> Bool {
        error is GenomeError || error is DatasetError || error is OutputError || error is NetworkError
            || error is TrackError || error is ScoringError || error is RunError || error is VariantError || error is InterpretError || error is ReportError
    }

    /// Line breaks (from CR-LF input, or libraries' messages) folded into spaces.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" }).joined(separator: " ")
    }

    /// `crick: warning: <what>`.
    static func warning(_ text: String) {
        write("crick: warning: \(text)")
    }

    /// An informational line, shown unless quiet.
    static func info(_ text: String, quiet: Bool) {
        if !quiet { write("crick: \(text)") }
    }

    private static func write(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// The CLI's reporter of runs: informational lines and progress on stderr unless quiet,
/// warnings always.
final class ConsoleReporter: RunReporter, @unchecked Sendable {
    let quiet: Bool

    init(quiet: Bool) { self.quiet = quiet }

    func info(_ text: String) { Diagnostics.info(text, quiet: quiet) }
    func warning(_ text: String) { Diagnostics.warning(text) }
    func log(_ line: String) {
        if !quiet { FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
    func progress(label: String, unit: String, total: Int?, liveOnly: Bool) -> ProgressReporter {
        ProgressReporter(label: label, unit: unit, total: total, quiet: quiet || (liveOnly && isatty(2) == 0))
    }
}
