/// Errors of a run that concern how it was asked for rather than what its inputs hold.
public enum RunError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Options that only the inputs can judge wrong (a multi-task model written to stdout,
    /// `--task-weights` of the wrong count): the CLI reports it as a usage error (exit 64).
    case usage(String)
    /// A run that cannot proceed on these inputs (an empty split, no regions left).
    case invalid(String)

    public var description: String {
        switch self {
        case .usage(let text), .invalid(let text): return text
        }
    }
}
