import Dataset
import Foundation
import Genome
import Pipeline
import Tracks

/// Opens a signal track for `crick dataset --signal`: a bigWig (read per window through
/// libBigWig) or a plain-text bedGraph (read whole, then looked up by binary search). FASTA
/// contig names are found in the track as they are, or through the alias of `aliases` that
/// maps to them (`--chrom-alias`).
func openSignalTrack(path: String, aliases: ContigAliases) throws -> SignalTrack {
    let isBigWig: Bool
    if let f = fopen(path, "rb") {
        var magic: UInt32 = 0
        isBigWig = fread(&magic, 4, 1, f) == 1 && (magic == 0x888F_FC26 || magic == 0x26FC_8F88)
        fclose(f)
    } else {
        throw GenomeError.fileNotFound(path: path)
    }
    return isBigWig ? try BigWigSignal(path: path, aliases: aliases) : try BedGraphSignal(path: path, aliases: aliases)
}

/// The contig names of a track, and the track's name of each FASTA contig: itself, or an
/// alias of it the track holds (looked up once per contig).
private final class TrackContigNames {
    private let names: Set<String>
    private let sortedNames: [String]
    private let aliases: ContigAliases
    private var resolved: [String: String?] = [:]

    init(_ names: Set<String>, aliases: ContigAliases) {
        self.names = names
        sortedNames = names.sorted()
        self.aliases = aliases
    }

    func name(of fastaName: String) -> String? {
        if let r = resolved[fastaName] { return r }
        let r = names.contains(fastaName) ? fastaName : sortedNames.first { aliases.target(of: $0) == fastaName }
        resolved[fastaName] = r
        return r
    }
}

/// A bigWig signal.
final class BigWigSignal: SignalTrack {
    let path: String
    private let reader: BigWigReader
    private let names: TrackContigNames

    init(path: String, aliases: ContigAliases) throws {
        self.path = path
        reader = try BigWigReader(path: path)
        names = TrackContigNames(Set(reader.genome.names), aliases: aliases)
    }

    func hasContig(_ contig: String) -> Bool { names.name(of: contig) != nil }

    func values(contig: String, start: Int, end: Int, into out: UnsafeMutableBufferPointer<Float>) throws {
        for i in out.indices { out[i] = 0 }
        guard let chrom = names.name(of: contig) else { return }
        for iv in try reader.intervals(chrom, start, end) {
            let a = max(iv.start, start), b = min(iv.end, end)
            if a < b { for p in a..<b { out[p - start] = iv.value } }
        }
    }
}

/// A bedGraph signal, held in memory as sorted intervals per contig.
final class BedGraphSignal: SignalTrack {
    let path: String
    /// Per track contig: starts, ends and values, sorted by start.
    private var contigs: [String: (starts: [Int], ends: [Int], values: [Float])] = [:]
    private var names = TrackContigNames([], aliases: ContigAliases())

    init(path: String, aliases: ContigAliases) throws {
        self.path = path
        // Held in memory: about four times the text (intervals, then sorted arrays).
        if let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil,
           let why = MemoryBudget.refusal("the bedGraph signal \(path) (read whole)", bytes: CheckedSize.product(size, 4)) {
            throw DatasetError.invalid(why + "; convert it to bigWig (read per window)")
        }
        let reader = try BedGraphReader(path: path)
        var byContig: [String: [TrackInterval]] = [:]
        while let iv = try reader.next() { byContig[iv.chrom, default: []].append(iv) }
        for (name, list) in byContig {
            let sorted = list.sorted { $0.start < $1.start }
            for i in sorted.indices.dropFirst() where sorted[i].start < sorted[i - 1].end {
                throw TrackError.unreadable(path: path, reason: "overlapping intervals on \(name) at \(sorted[i - 1].start)-\(sorted[i - 1].end) and \(sorted[i].start)-\(sorted[i].end)")
            }
            contigs[name] = (sorted.map(\.start), sorted.map(\.end), sorted.map(\.value))
        }
        names = TrackContigNames(Set(contigs.keys), aliases: aliases)
    }

    func hasContig(_ contig: String) -> Bool { names.name(of: contig) != nil }

    func values(contig: String, start: Int, end: Int, into out: UnsafeMutableBufferPointer<Float>) throws {
        for i in out.indices { out[i] = 0 }
        guard let chrom = names.name(of: contig), let c = contigs[chrom] else { return }
        // The first interval that ends after `start` (intervals of a bedGraph do not overlap,
        // so their ends are sorted with their starts).
        var lo = 0, hi = c.starts.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if c.ends[mid] <= start { lo = mid + 1 } else { hi = mid }
        }
        var k = lo
        while k < c.starts.count && c.starts[k] < end {
            let a = max(c.starts[k], start), b = min(c.ends[k], end)
            if a < b { for p in a..<b { out[p - start] = c.values[k] } }
            k += 1
        }
    }
}
