@testable import Dataset
import Foundation
import TestSupport
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

/// The motif reader's number and trimming shortcuts against Swift's and Foundation's own.
final class MotifFileNumberTests: XCTestCase {
    /// Plain decimals (the digits over a power of ten) give exactly `Double(_:)`'s value, and
    /// every other field (exponents, long mantissas, signs, words, empty) what `Double(_:)` gives.
    func testNumbersEqualDoubleParsing() {
        var rng = TestRNG(seed: 3)
        var fields = ["0", "-0", "0.0", "-0.000", "1", "1.", ".5", "-.5", "+1", "1e3", "1E-3", "0x1p3", "nan", "inf", "-", ".", "",
                      "1.2.3", "12a", "0.250000", "0.999999999999999", "0.1234567890123456789", "123456789012345", "1234567890123456",
                      "00000000000000000001.5", "0.0000000000000000000001", "0.00000000000000000000001", "99999999999999.9"]
        for _ in 0..<20_000 {
            let whole = rng.next() % 1000, frac = rng.next() % 1_000_000_000
            let digits = Int(rng.next() % 12) + 1
            var f = "\(whole).\(String(String(frac).prefix(digits)))"
            if rng.next() % 4 == 0 { f = "-" + f }
            fields.append(f)
        }
        for f in fields {
            let ours = MotifFile.number(Substring(f)), theirs = Double(f)
            XCTAssertEqual(ours?.bitPattern, theirs?.bitPattern, "'\(f)'")
        }
    }

    /// Trimming on bytes equals Foundation's `.whitespaces` trimming, Unicode spaces included.
    func testTrimmingEqualsFoundations() {
        for line in ["  MOTIF a b \t", "\tURL x", "x", "", "   ", "\u{00A0}MOTIF a\u{2003}", " letter-probability matrix: alength= 4 \u{3000}"] {
            XCTAssertEqual(String(MotifFile.trimmed(Substring(line))), line.trimmingCharacters(in: .whitespaces), "'\(line)'")
        }
    }
}
