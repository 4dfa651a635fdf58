// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "crick",
    // Built and tested on Linux (glibc) only: the sources use Glibc and Linux's /proc; no
    // Apple platform is claimed.
    products: [
        .executable(name: "crick", targets: ["crick"]),
        .library(name: "Genome", targets: ["Genome"]),
        .library(name: "Pipeline", targets: ["Pipeline"]),
        .library(name: "Dataset", targets: ["Dataset"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Tracks", targets: ["Tracks"]),
        .library(name: "Scoring", targets: ["Scoring"]),
        .library(name: "Interpret", targets: ["Interpret"]),
        .library(name: "Runs", targets: ["Runs"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // C libraries, reached only through their own module maps and shims.
        .systemLibrary(name: "CHTSlib", pkgConfig: "htslib", providers: [.apt(["libhts-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CBigWig", providers: [.apt(["libbigwig-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),

        // Domain libraries.
        .target(name: "Genome", dependencies: ["CHTSlib", "Pipeline"]),
        .target(name: "Pipeline"),
        .target(name: "Dataset", dependencies: ["CHDF5", "Genome", "Pipeline"]),
        // crick's own C kernels: per-function target attributes and run-time CPU dispatch
        // instead of host flags. `make test` builds them with -O2 in debug too (DEBUG_CFLAGS).
        .target(name: "CKernels"),
        .target(name: "NeuralNet", dependencies: ["CBLAS", "CKernels", "Pipeline"]),
        .target(name: "Tracks", dependencies: ["CBigWig", "Pipeline"]),
        .target(name: "Scoring", dependencies: ["Genome", "NeuralNet", "Tracks", "Pipeline"]),
        // C's number formatting, called directly for large text tables.
        .target(name: "CText"),
        .target(name: "Interpret", dependencies: ["CText", "CKernels", "NeuralNet", "Dataset", "Genome", "Pipeline"]),
        .target(name: "Report", dependencies: ["NeuralNet", "Dataset", "Tracks", "Interpret"]),
        // The run layer: one type per subcommand's job (typed options in, typed result out),
        // composing the domain libraries; what a library user or a test calls instead of the binary.
        .target(name: "Runs", dependencies: ["Genome", "Pipeline", "Dataset", "NeuralNet", "Tracks", "Scoring", "Interpret", "Report"]),

        // The command-line tool: option parsing and printing only.
        .executableTarget(
            name: "crick",
            dependencies: [
                "Genome", "Pipeline", "Dataset", "NeuralNet", "Tracks", "Scoring", "Interpret", "Report", "Runs",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Fuzz targets for every parser of outside input: libFuzzer with `make fuzz`
        // (-sanitize=fuzzer,address -DCRICK_FUZZ), a replay tool otherwise.
        .executableTarget(name: "crick-fuzz", dependencies: ["Genome", "Dataset", "NeuralNet", "Tracks"]),

        // Helpers shared by the test targets: temporary directories, running tools.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "GenomeTests", dependencies: ["Genome", "Pipeline", "TestSupport"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "TestSupport"]),
        .testTarget(name: "DatasetTests", dependencies: ["Dataset", "Genome", "Pipeline", "TestSupport"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"]),
        .testTarget(name: "TracksTests", dependencies: ["Tracks", "TestSupport"]),
        .testTarget(name: "ScoringTests", dependencies: ["Scoring", "Tracks", "NeuralNet", "Genome", "TestSupport"]),
        .testTarget(name: "InterpretTests", dependencies: ["Interpret", "NeuralNet", "Dataset", "Genome", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Interpret", "Tracks", "TestSupport"]),
        .testTarget(name: "RunsTests", dependencies: ["Runs", "NeuralNet", "Dataset", "Tracks", "Interpret", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "Tracks"], exclude: ["Golden"]),
    ]
)
