import Dataset
import Foundation
import Genome
import NeuralNet
import Tracks

/// The parsers of outside input, each fed one input. Every parser must either return or throw
/// its typed error: a crash, a hang or a sanitizer report is a bug. Parsers that take bytes or
/// text are fed from memory; the others read a file in a RAM-backed scratch directory.
enum FuzzTarget: String, CaseIterable {
    case intervals, fasta, motifs, npy, safetensors, region, bedgraph, bigwig, chromsizes, arch, datasetjson, vcf, fragments, sam

    /// A scratch directory for inputs that parsers read from files (RAM-backed when possible).
    static let scratch: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let dir = base + "/crick-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()

    /// Writes `bytes` to `name` in the scratch directory (POSIX calls: no Foundation buffers).
    static func file(_ name: String, _ bytes: some Collection<UInt8>) -> String {
        let path = scratch + "/" + name
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return path }
        let data = Array(bytes)
        var done = 0
        while done < data.count {
            let n = data[done...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            done += n
        }
        close(fd)
        return path
    }

    func run(_ data: [UInt8]) {
        switch self {
        case .intervals:
            // BED or narrowPeak text, read through htslib as crick reads any interval file.
            let path = Self.file("in.bed", data)
            for format in IntervalFormat.allCases { _ = try? IntervalReader(path: path, format: format).readAll() }
        case .fasta:
            // FASTA, then optionally its .fai after a 0x00 byte.
            let cut = data.firstIndex(of: 0) ?? data.endIndex
            let fa = Self.file("in.fa", data[..<cut])
            let fai = fa + ".fai"
            if cut < data.endIndex { _ = Self.file("in.fa.fai", data[(cut + 1)...]) } else { unlink(fai) }
            if let genome = try? FastaFile(path: fa), let reader = try? genome.makeReader() {
                for (i, c) in genome.contigs.enumerated() {
                    _ = try? reader.sequence(contigIndex: i, 0, min(c.length, 1 << 16))
                    _ = try? reader.sequence(contigIndex: i, max(0, c.length - 10), c.length + 5)
                }
            }
        case .motifs:
            _ = try? MotifFile.parse(String(decoding: data, as: UTF8.self), path: "fuzz.meme")
        case .npy:
            _ = try? NPYFile(path: Self.file("in.npy", data))
        case .safetensors:
            if let contents = try? Safetensors.decode(data, source: "fuzz.safetensors"), let arch = contents.metadata["architecture"] {
                _ = try? Architecture.parse(arch, source: "fuzz.safetensors")
            }
        case .region:
            _ = try? GenomicRegion.parse(String(decoding: data, as: UTF8.self), isContig: { $0 == "chr1" || $0 == "chr1:100" })
        case .bedgraph:
            _ = try? BedGraphReader(path: Self.file("in.bedGraph", data)).readAll()
        case .bigwig:
            // A bigWig read back as merge-tracks and report read it: header, then every interval.
            if let reader = try? BigWigReader(path: Self.file("in.bw", data)) { _ = try? reader.allIntervals() }
        case .chromsizes:
            _ = try? TrackGenome.parseChromSizes(data, path: "fuzz.sizes")
        case .arch:
            // An architecture JSON (--arch or a model's __metadata__), then the model it describes
            // when it passes validation (a bounded allocation by then).
            if let arch = try? Architecture.parse(String(decoding: data, as: UTF8.self), source: "fuzz.json") {
                _ = try? Model(arch, seed: 1)
            }
        case .datasetjson:
            _ = Self.file("dataset.json", data)
            _ = try? DatasetInfo.read(directory: FuzzTarget.scratch)
        case .fragments:
            // Fragments (BED-like, BEDPE, 10x fragments.tsv) as crick coverage reads them.
            if let reader = try? FragmentReader(path: Self.file("in.fragments", data)) {
                while (try? reader.next()) != nil {}
            }
        case .sam:
            // SAM text (or BAM/CRAM bytes: htslib decides from the content) through crick's
            // alignment reader, every record read.
            if let reader = try? AlignmentReader(path: Self.file("in.sam", data)) {
                while (try? reader.next()) != nil {}
            }
        case .vcf:
            // VCF, BCF or TSV variants (htslib decides from the content) as each format; every
            // record split into alleles, their windows laid out over an all-N genome, and the
            // record written back as VCF (parsed again by htslib) to /dev/null.
            let path = Self.file("in.vcf", data)
            let field = VariantInfoField(id: "FUZZ", number: .perAllele, type: .float, description: "fuzz")
            for format in VariantInputFormat.allCases {
                guard let reader = try? VariantReader(path: path, format: format) else { continue }
                let writer = try? VariantVCFWriter(path: "/dev/null", header: reader.header, fields: [field])
                while let record = try? reader.next() {
                    let split = record.splitAlleles()
                    var ref: [UInt8] = [], alt: [UInt8] = []
                    for allele in split.compactMap(\.allele) {
                        _ = VariantWindows.append(allele, length: 33, ref: &ref, alt: &alt) { codes, _, count in
                            codes.append(contentsOf: repeatElement(BaseCode.unknown, count: count))
                            return true
                        }
                    }
                    try? writer?.write(record, values: [.floats(split.map { $0.allele.map { Float($0.altIndex) } })])
                }
                _ = try? writer?.finish()
            }
        }
    }
}

#if CRICK_FUZZ
/// libFuzzer's driver (linked by -sanitize=fuzzer).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// One fuzz input through the target named by $CRICK_FUZZ_TARGET (also libFuzzer's
/// conventional entry point, which its runtime references).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let name = ProcessInfo.processInfo.environment["CRICK_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        fatalError("set CRICK_FUZZ_TARGET to one of \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    target.run(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}
#endif

/// Fuzzing build: libFuzzer's driver with libFuzzer's arguments. Otherwise a replay tool,
/// `crick-fuzz TARGET FILE...` (the regression corpus in the tests, and crashes found by
/// `make fuzz`).
@main
struct Main {
    static func main() {
        #if CRICK_FUZZ
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { fuzzOne($0, $1) })
        #else
        let args = Array(CommandLine.arguments.dropFirst())
        guard let name = args.first, let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("usage: crick-fuzz \(FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")) FILE...\n".utf8))
            exit(64)
        }
        var count = 0
        for path in args.dropFirst() {
            guard let data = readFileBytes(path) else {
                FileHandle.standardError.write(Data("crick-fuzz: cannot read \(path)\n".utf8))
                exit(1)
            }
            target.run(data)
            count += 1
        }
        print("\(name): \(count) inputs replayed")
        #endif
    }
}
