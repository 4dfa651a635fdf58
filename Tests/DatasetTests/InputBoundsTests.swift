import Dataset
import Foundation
import Genome
import TestSupport
import XCTest

/// NPY shapes, motif counts and simulation sizes from outside: errors naming the file (or the
/// flag), never an arithmetic trap or an allocation the machine cannot hold.
final class InputBoundsTests: XCTestCase {
    private var dir: TempDir!
    override func setUpWithError() throws { dir = try TempDir("crick-bounds") }
    override func tearDown() { dir.remove() }

    /// An NPY v1.0 file of uint8 with the shape text `shape` and `data` bytes.
    private func npy(_ name: String, shape: String, data: Int) throws -> String {
        var header = "{'descr': '|u1', 'fortran_order': False, 'shape': (\(shape)), }"
        header += String(repeating: " ", count: 117 - header.utf8.count) + "\n"
        let bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8) + [UInt8](repeating: 1, count: data)
        let path = dir.file(name)
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return path
    }

    func testNPYShapesMustFitAndMatchTheFile() throws {
        XCTAssertEqual(try NPYFile(path: try npy("ok.npy", shape: "3, 4", data: 12)).shape, [3, 4])
        let cases = [("huge.npy", "4294967296, 4294967296", 16, "overflows a 64-bit size"),
                     ("huge3.npy", "4294967296, 4294967296, 4294967296", 0, "overflows a 64-bit size"),
                     ("short.npy", "5, 4", 12, "needs 20 bytes of data, the file has 12 (truncated file?)"),
                     ("long.npy", "2, 4", 12, "needs 8 bytes of data, the file has 12")]
        for (name, shape, data, message) in cases {
            let path = try npy(name, shape: shape, data: data)
            XCTAssertThrowsError(try NPYFile(path: path)) { error in
                XCTAssertTrue("\(error)".contains(message) && "\(error)".hasSuffix(path), "\(error)")
            }
        }
    }

    func testMotifCountsMustBeFiniteNonNegativeAndBounded() throws {
        let meme = "MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: alength= 4 w= 1 nsites= %@\n%@\n"
        let jaspar = ">m1 one\nA [ %@ 0 0 0 ]\nC [ 0 1 0 0 ]\nG [ 0 0 1 0 ]\nT [ 0 0 0 1 ]\n"
        let homer = ">ACGT\tone\t6.0\n%@ 0.1 0.1 0.1\n"
        XCTAssertEqual(try MotifFile.parse(String(format: meme, "20", "1 1 1 1"), path: "m.meme")[0].sites, 20)
        for bad in ["1e19", "nan", "inf", "-1", "1e308"] {
            for (text, path) in [(String(format: meme, bad, "1 1 1 1"), "a.meme"), (String(format: meme, "20", "\(bad) 1 1 1"), "b.meme"),
                                 (String(format: jaspar, bad), "c.pfm"), (String(format: homer, bad), "d.motifs")] {
                XCTAssertThrowsError(try MotifFile.parse(text, path: path), "\(bad) in \(path)") { error in
                    XCTAssertTrue("\(error)".contains(path + " line "), "\(error)")
                }
            }
        }
    }

    func testSimulationsLargerThanMemoryAreRefusedBeforeAllocating() throws {
        var o = SimulationOptions()
        o.motifs = MotifFile.kooDefaults()
        o.count = 1_000_000_000_000
        XCTAssertThrowsError(try Simulator(options: o)) { XCTAssertTrue("\($0)".contains("would need"), "\($0)") }
        o.count = Int.max
        XCTAssertThrowsError(try Simulator(options: o)) { XCTAssertTrue("\($0)".contains("would need"), "\($0)") }
        o = SimulationOptions()
        o.motifs = MotifFile.kooDefaults()
        o.mode = .genome
        o.chromSizes = [("c1", 1_000_000_000_000)]
        XCTAssertThrowsError(try Simulator(options: o)) { XCTAssertTrue("\($0)".contains("would need"), "\($0)") }
        o.chromSizes = [("c1", Int.max), ("c2", Int.max)]
        XCTAssertThrowsError(try Simulator(options: o)) { XCTAssertTrue("\($0)".contains("not in 1..."), "\($0)") }
        o.chromSizes = [("c1", 400_000)]
        XCTAssertNoThrow(try Simulator(options: o))
    }
}
