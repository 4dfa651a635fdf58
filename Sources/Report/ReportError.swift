/// Errors of a report's inputs.
public enum ReportError: Error, CustomStringConvertible, Equatable, Sendable {
    /// An input that is not what the report section needs: what, and which file.
    case invalid(path: String, detail: String)

    public var description: String {
        switch self {
        case .invalid(let path, let detail): return "\(detail): \(path)"
        }
    }
}
