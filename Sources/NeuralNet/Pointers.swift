/// A 64-byte block that stands in for the base address of an empty buffer, so that kernels can
/// take a buffer's start without force-unwrapping; with a count of 0 it is never read.
enum EmptyStorage {
    nonisolated(unsafe) static let pointer = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 64)
}

extension UnsafeBufferPointer {
    /// The first element's address (a placeholder when the buffer is empty).
    var start: UnsafePointer<Element> {
        baseAddress ?? UnsafePointer(EmptyStorage.pointer.assumingMemoryBound(to: Element.self))
    }
}

extension UnsafeMutableBufferPointer {
    /// The first element's address (a placeholder when the buffer is empty).
    var start: UnsafeMutablePointer<Element> {
        baseAddress ?? EmptyStorage.pointer.assumingMemoryBound(to: Element.self)
    }
}

// MARK: withPointers
//
// One helper in place of pyramids of nested `withUnsafeBufferPointer` /
// `withUnsafeMutableBufferPointer` calls: the arrays before `writing:` are lent read-only,
// those after it mutably, and `body` gets their start addresses (`start`: a placeholder for
// an empty array, never a force-unwrap) in the same order. The addresses are valid only
// inside `body`, exactly as with the nested calls it replaces; the overloads differ only in
// how many arrays they lend.

/// One array read, one written.
func withPointers<A, W, R>(
    _ a: [A], writing w: inout [W],
    _ body: (UnsafePointer<A>, UnsafeMutablePointer<W>) throws -> R
) rethrows -> R {
    try a.withUnsafeBufferPointer { ap in
        try w.withUnsafeMutableBufferPointer { wp in try body(ap.start, wp.start) }
    }
}

/// Two arrays read, one written.
func withPointers<A, B, W, R>(
    _ a: [A], _ b: [B], writing w: inout [W],
    _ body: (UnsafePointer<A>, UnsafePointer<B>, UnsafeMutablePointer<W>) throws -> R
) rethrows -> R {
    try a.withUnsafeBufferPointer { ap in
        try b.withUnsafeBufferPointer { bp in
            try w.withUnsafeMutableBufferPointer { wp in try body(ap.start, bp.start, wp.start) }
        }
    }
}

/// One array read, two written.
func withPointers<A, W, V, R>(
    _ a: [A], writing w: inout [W], _ v: inout [V],
    _ body: (UnsafePointer<A>, UnsafeMutablePointer<W>, UnsafeMutablePointer<V>) throws -> R
) rethrows -> R {
    try a.withUnsafeBufferPointer { ap in
        try w.withUnsafeMutableBufferPointer { wp in
            try v.withUnsafeMutableBufferPointer { vp in try body(ap.start, wp.start, vp.start) }
        }
    }
}

/// Three arrays read, one written.
func withPointers<A, B, C, W, R>(
    _ a: [A], _ b: [B], _ c: [C], writing w: inout [W],
    _ body: (UnsafePointer<A>, UnsafePointer<B>, UnsafePointer<C>, UnsafeMutablePointer<W>) throws -> R
) rethrows -> R {
    try withPointers(a, b, writing: &w) { ap, bp, wp in
        try c.withUnsafeBufferPointer { cp in try body(ap, bp, cp.start, wp) }
    }
}

/// Three arrays read, two written.
func withPointers<A, B, C, W, V, R>(
    _ a: [A], _ b: [B], _ c: [C], writing w: inout [W], _ v: inout [V],
    _ body: (UnsafePointer<A>, UnsafePointer<B>, UnsafePointer<C>, UnsafeMutablePointer<W>, UnsafeMutablePointer<V>) throws -> R
) rethrows -> R {
    try withPointers(a, b, c, writing: &w) { ap, bp, cp, wp in
        try v.withUnsafeMutableBufferPointer { vp in try body(ap, bp, cp, wp, vp.start) }
    }
}
