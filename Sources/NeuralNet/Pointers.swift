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
