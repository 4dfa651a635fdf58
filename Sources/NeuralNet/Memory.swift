import CBLAS

/// Keeps freed large blocks in the process instead of returning them to the kernel: a
/// training step allocates and frees the same large activations every batch, and with
/// glibc's defaults each allocation is a fresh mmap whose pages the kernel must zero again.
public func retainFreedMemory() {
    crick_retain_freed_memory()
}
