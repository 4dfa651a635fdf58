/// A dense float32 tensor in row-major (C) order. Feature maps are channels-last:
/// (B, L, C) for sequences, (B, F) for features.
public struct Tensor: Sendable, Equatable {
    /// The extent of each dimension.
    public var shape: [Int]
    /// The values, row-major.
    public var data: [Float]

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], value: Float = 0) {
        self.shape = shape
        data = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// A tensor of `shape` whose values the caller overwrites entirely (not zero-filled: the
    /// network's large buffers are written once, so zeroing them first is wasted bandwidth).
    public init(uninitializedShape shape: [Int]) {
        self.shape = shape
        data = uninitializedFloats(shape.reduce(1, *))
    }

    /// A tensor of `shape` holding `data` (whose count must match).
    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count, "tensor data does not match shape \(shape)")
        self.shape = shape
        self.data = data
    }

    /// Number of elements.
    public var count: Int { data.count }

    /// The first dimension (the batch).
    public var batch: Int { shape.first ?? 0 }

    /// Elements per batch item.
    public var itemSize: Int { shape.dropFirst().reduce(1, *) }

    /// The same data with another shape of equal size.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// The reverse complement of a (B, L, C) tensor in the RC layout: reversed along length
    /// and channels (ARCHITECTURE.md).
    public func reverseComplemented() -> Tensor {
        precondition(shape.count == 3, "reverse complement needs (B, L, C)")
        let (b, l, c) = (shape[0], shape[1], shape[2])
        var out = Tensor(shape: shape)
        for i in 0..<b {
            for t in 0..<l {
                let src = (i * l + (l - 1 - t)) * c
                let dst = (i * l + t) * c
                for k in 0..<c { out.data[dst + k] = data[src + c - 1 - k] }
            }
        }
        return out
    }
}

/// One-hot encoding of base codes (0-4; 4 is an all-zero row), channels-last (B, L, 4).
public func oneHot(codes: UnsafeBufferPointer<UInt8>, batch: Int, length: Int) -> Tensor {
    var t = Tensor(shape: [batch, length, 4])
    t.data.withUnsafeMutableBufferPointer { out in
        for i in 0..<(batch * length) {
            let c = Int(codes[i])
            if c < 4 { out[i * 4 + c] = 1 }
        }
    }
    return t
}

/// An array of `n` floats that the caller overwrites entirely before reading. No storage for 0:
/// an uninitialized array of capacity 0 would set the count of Swift's shared empty-array
/// storage, a write that threads doing the same race on (ThreadSanitizer reports it).
func uninitializedFloats(_ n: Int) -> [Float] {
    guard n > 0 else { return [] }
    return [Float](unsafeUninitializedCapacity: n) { _, count in count = n }
}
