/// Where the reference and alternative model windows of one allele lie: pure arithmetic,
/// no sequence.
///
/// With input length L, centre c = L / 2 (rounded down), the allele's 0-based first REF base
/// p, len(REF) = r, len(ALT) = a and d = a - r:
/// - Reference window: genome [p - c, p - c + L). The first REF base sits at index c: for
///   even L the first base of the right half, for odd L the middle base. (The same window as
///   `Interval.resized(to: L, around:)` centred on p, and as `crick predict` cuts.)
/// - Alternative window: L bases of the alternative haplotype H = genome[..<p] + ALT +
///   genome[p + r...], from H index p - c + shift, where shift = d / 2 (rounded down) when
///   d > 0 and 0 otherwise. So
///   - same length (SNV, MNP): the same start; ALT at index c; the flanks unchanged;
///   - d < 0 (deletion): the same start and left flank (c bases), ALT at index c, and the
///     right flank continues |d| bases past the reference window's end;
///   - d > 0 (insertion): the d extra bases are trimmed from both flanks, floor(d / 2) from
///     the left (the genome part starts floor(d / 2) bases later) and d - floor(d / 2) from
///     the right; the first ALT base sits at index c - floor(d / 2). An ALT longer than the
///     window is cut the same way.
/// Positions before 0 or at or past the contig's end read as N (code 4).
public struct VariantWindowLayout: Sendable, Equatable {
    /// The window length L.
    public let length: Int
    /// c = L / 2: the index of the first REF base in the reference window.
    public let centre: Int
    /// The reference window, genome [refStart, refStart + L), refStart = p - c.
    public let refStart: Int
    /// The alternative window's genome bases before ALT (0-based half-open; may be empty).
    public let altLeft: Range<Int>
    /// The part of ALT inside the alternative window (indices into ALT).
    public let altBases: Range<Int>
    /// The alternative window's genome bases after ALT (coordinates of the reference genome).
    public let altRight: Range<Int>
    /// The index of ALT's first base in the alternative window (c - shift; negative when
    /// the start of a long insertion is trimmed away).
    public let altOffset: Int

    /// The layout of an allele at 0-based `pos` with REF and ALT of these lengths, for
    /// windows of `length` bases (at least 1).
    public init(pos: Int, refLength: Int, altLength: Int, length: Int) {
        precondition(length >= 1 && refLength >= 0 && altLength >= 0, "window length must be positive")
        self.length = length
        centre = length / 2
        refStart = pos - centre
        let d = altLength - refLength
        let shift = d > 0 ? d / 2 : 0
        // Window [a, b) in coordinates of the haplotype H (equal to the genome's before pos).
        let a = refStart + shift, b = a + length
        let altEnd = pos + altLength
        altLeft = a < pos ? a..<min(b, pos) : pos..<pos
        let alt0 = max(a, pos), alt1 = min(b, altEnd)
        altBases = alt0 < alt1 ? (alt0 - pos)..<(alt1 - pos) : 0..<0
        let right0 = max(a, altEnd)
        // H index h >= pos + a maps to genome h - altLength + refLength.
        altRight = right0 < b ? (right0 - altLength + refLength)..<(b - altLength + refLength) : (pos + refLength)..<(pos + refLength)
        altOffset = pos - a
    }

    /// The layout of `allele`'s windows.
    public init(_ allele: VariantAllele, length: Int) {
        self.init(pos: allele.pos, refLength: allele.ref.utf8.count, altLength: allele.alt.utf8.count, length: length)
    }
}

/// Which of an allele's two windows ran past a contig end (and read N there).
public struct VariantWindowPadding: Sendable, Equatable {
    /// The reference window was padded.
    public var ref: Bool
    /// The alternative window was padded.
    public var alt: Bool

    /// Flags for the two windows.
    public init(ref: Bool, alt: Bool) {
        self.ref = ref
        self.alt = alt
    }

    /// Either window was padded.
    public var any: Bool { ref || alt }
}

/// The reference and alternative windows of alleles as base codes (A=0, C=1, G=2, T=3,
/// else 4), laid out by `VariantWindowLayout`: the codes a model scores, appended to batch
/// buffers as `FastaReader.appendWindowCodes` appends a region's window.
public enum VariantWindows {
    /// Appends the reference window of `allele` to `ref` and its alternative window to `alt`
    /// (L codes each). `fetch(&codes, start, count)` appends the codes of genome
    /// [start, start + count) of the allele's contig, N outside it, and returns true when it
    /// padded; it is called only with count > 0.
    public static func append(_ allele: VariantAllele, length: Int, ref: inout [UInt8], alt: inout [UInt8],
                              fetch: (inout [UInt8], Int, Int) throws -> Bool) rethrows -> VariantWindowPadding {
        let layout = VariantWindowLayout(allele, length: length)
        let refPadded = try fetch(&ref, layout.refStart, length)
        var altPadded = false
        if !layout.altLeft.isEmpty {
            altPadded = try fetch(&alt, layout.altLeft.lowerBound, layout.altLeft.count) || altPadded
        }
        let bases = Array(allele.alt.utf8)
        for i in layout.altBases { alt.append(BaseCode.code(bases[i])) }
        if !layout.altRight.isEmpty {
            altPadded = try fetch(&alt, layout.altRight.lowerBound, layout.altRight.count) || altPadded
        }
        return VariantWindowPadding(ref: refPadded, alt: altPadded)
    }
}

extension FastaReader {
    /// Appends the reference and alternative windows (`VariantWindowLayout`) of `allele`,
    /// on FASTA contig number `contigIndex`, to `ref` and `alt` as base codes.
    @discardableResult
    public func appendVariantWindows(_ allele: VariantAllele, contigIndex: Int, length: Int,
                                     ref: inout [UInt8], alt: inout [UInt8]) throws -> VariantWindowPadding {
        try VariantWindows.append(allele, length: length, ref: &ref, alt: &alt) { codes, start, count in
            try appendWindowCodes(to: &codes, contigIndex: contigIndex, start: start, length: count)
        }
    }
}
