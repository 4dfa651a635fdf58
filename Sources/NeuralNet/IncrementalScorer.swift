/// One base of a mutant: the base code (0-3 ACGT, 4 N) put at a position of the window.
public struct Substitution: Sendable, Hashable {
    /// 0-based position in the window.
    public var position: Int
    /// The new base code (0-3, or 4 for N: an all-zero one-hot row).
    public var base: UInt8

    public init(position: Int, base: UInt8) {
        self.position = position
        self.base = base
    }

    /// The same substitution on the reverse complement of a window of `length` bases.
    func mirrored(length: Int) -> Substitution {
        Substitution(position: length - 1 - position, base: base < 4 ? 3 - base : 4)
    }
}

/// An alternative allele's window for variant scoring.
public enum AlternativeWindow: Sendable {
    /// SNVs and MNPs: bases substituted in the reference window (scored incrementally).
    case substitutions([Substitution])
    /// Indels (or anything that shifts positions): the whole alternative window, base codes of
    /// the model's input length (scored by a full forward pass).
    case window([UInt8])
}

/// Inference-only scoring of mutants of a reference window that recomputes only what the
/// changed bases can reach (the idea of fastISM, Nair et al. 2022).
///
/// A base change at position p alters, in each sliding layer's output, only the rows whose
/// receptive field holds p. `MutationWorkspace.prepare` runs the reference once and caches every
/// sliding layer's output; a mutant is then scored by recomputing, layer after layer, only the
/// rows its changes reach (convolution rows with their batch norm and activation, the pooling
/// windows holding changed rows), patched into the cached maps. The head reads the full patched
/// map: a dense layer on the flattened map is updated from the changed rows only (z = z_ref +
/// W[changed rows]^T (new - old)); any other head (global pooling, weighted sum, RC sum pool)
/// runs in full on the patched map. Mutants are scored in batches whose recomputed rows go
/// through the convolution kernels together.
///
/// The scorer copies the weights out of the model when it is built (later changes to the
/// model are not seen) and never calls the model's layers, which keep per-call state: one
/// scorer is shared read-only by every thread; each thread owns a `MutationWorkspace`. The
/// strand rule is the `StrandPolicy` of the model's strand mode and the requested combination:
/// the reverse strand, when needed, is its own cached reference with mirrored substitutions.
public final class IncrementalScorer: Sendable {
    let plan: InferencePlan
    /// How the two strands' logits combine.
    public let policy: StrandPolicy
    /// The model's input length.
    public let inputLength: Int
    /// Logits per window.
    public let outputs: Int
    /// Mutants per incremental pass (their changed rows are recomputed together).
    public static let mutantBatch = 128
    /// Windows per full forward pass (indels, references).
    public static let windowBatch = 32

    /// Compiles `model` for inference; `strands` is the combination asked for a standard model
    /// (rc models score the forward strand, conjoined models average, as `StrandPolicy` says).
    /// Throws for a layer kind the scorer does not know.
    public init(model: Model, strands: StrandPolicy.Combination? = nil) throws {
        plan = try InferencePlan(model)
        policy = StrandPolicy(modelStrand: model.architecture.strand, requested: strands)
        inputLength = model.architecture.inputLength
        outputs = model.architecture.outputs
    }

    /// A workspace for one thread.
    public func makeWorkspace() -> MutationWorkspace { MutationWorkspace(self) }

    /// Checks that `s` fits a window of the input length.
    func check(_ s: Substitution) throws {
        guard (0..<inputLength).contains(s.position) else {
            throw NetworkError.shape("substitution at position \(s.position) outside the window of \(inputLength) bases")
        }
        guard s.base <= 4 else { throw NetworkError.shape("base code \(s.base) at position \(s.position) is not 0-4") }
    }
}
