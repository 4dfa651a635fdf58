/// A dataset split: train, valid or test.
public enum DatasetSplit: String, Sendable, CaseIterable {
    case train, valid, test

    /// The code in `split.npy`.
    public var code: UInt8 {
        switch self {
        case .train: return 0
        case .valid: return 1
        case .test: return 2
        }
    }
}
