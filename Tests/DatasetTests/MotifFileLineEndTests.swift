import Dataset
import XCTest

/// Motif files written on Windows (CR-LF line ends) read as their LF twins: MEME minimal,
/// JASPAR PFM and HOMER.
final class MotifFileLineEndTests: XCTestCase {
    func testCRLFMotifFilesReadAsTheirLFTwins() throws {
        let meme = "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n"
            + "MOTIF M1 one\nletter-probability matrix: alength= 4 w= 3 nsites= 10 E= 0\n0.7 0.1 0.1 0.1\n0 1 0 0\n0 0 1 0\n\n"
            + "MOTIF M2\nletter-probability matrix: alength= 4 w= 2 nsites= 4 E= 0\n0.25 0.25 0.25 0.25\n0 0 0 1\n"
        let jaspar = ">MA0001.1 AGL3\nA [ 0 3 79 ]\nC [ 94 75 4 ]\nG [ 1 0 3 ]\nT [ 2 19 11 ]\n"
        let homer = ">ACGT\tM3/Homer\t5.0\n0.9 0.05 0.03 0.02\n0.1 0.8 0.05 0.05\n"
        for (text, name) in [(meme, "m.meme"), (jaspar, "m.jaspar"), (homer, "m.motif")] {
            let lf = try MotifFile.parse(text, path: name)
            let crlf = try MotifFile.parse(text.replacingOccurrences(of: "\n", with: "\r\n"), path: name)
            XCTAssertFalse(lf.isEmpty, name)
            XCTAssertEqual(crlf.map(\.id), lf.map(\.id), name)
            XCTAssertEqual(crlf.map(\.probabilities), lf.map(\.probabilities), name)
        }
        XCTAssertEqual(try MotifFile.parse(meme, path: "m.meme").map(\.id), ["M1", "M2"])
    }
}
