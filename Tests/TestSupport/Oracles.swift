import XCTest

/// Skips the calling test when `available` is false, or fails it under CI (`CI=true`), where a
/// missing oracle means `make deps` did not install it.
public func requireOracle(_ available: Bool, _ what: String) throws {
    guard !available else { return }
    if runningUnderCI { throw MissingOracle(what: what) }
    throw XCTSkip(what)
}
