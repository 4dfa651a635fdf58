import Foundation
@testable import NeuralNet
import TestSupport
import XCTest

/// Architectures and safetensors from outside: every count, stride, size and offset is checked
/// (with overflow-reporting arithmetic) before anything is allocated.
final class ModelFileBoundsTests: XCTestCase {
    let tiny = Architecture(name: "t", inputLength: 20, outputs: 2, strand: .rc, layers: [
        .conv(4, 5, .valid, bias: true), .bn, .act(.relu), .pool(2, 2), .flatten, .dense(2)])

    private func assertRefused(_ arch: Architecture, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try arch.validate(), file: file, line: line) { error in
            XCTAssertTrue("\(error)".contains(message), "\(error)", file: file, line: line)
        }
        XCTAssertThrowsError(try Model(arch), file: file, line: line)
        XCTAssertThrowsError(try Architecture.parse(arch.json(), source: "a.json"), file: file, line: line) { error in
            XCTAssertTrue("\(error)".hasSuffix(": a.json"), "\(error)", file: file, line: line)
        }
    }

    func testArchitecturesThatWouldTrapOrExhaustMemoryAreRefused() throws {
        XCTAssertNoThrow(try tiny.validate())
        XCTAssertNoThrow(try tiny.validate(batch: 1_000))
        XCTAssertThrowsError(try tiny.validate(batch: 1_000_000_000_000)) { XCTAssertTrue("\($0)".contains("with a batch of 1000000000000 would need"), "\($0)") }
        XCTAssertThrowsError(try tiny.validate(batch: Int.max)) { XCTAssertTrue("\($0)".contains("would need"), "\($0)") }
        XCTAssertNoThrow(try Model(tiny))
        for name in Architecture.presetNames {
            XCTAssertNoThrow(try Architecture.preset(name, outputs: 3, strand: .rc).validate(), name)
        }
        var a = tiny
        a.layers[3] = .pool(2, 0)
        assertRefused(a, "stride 0 is not in 1...")
        a = tiny
        a.layers[3] = .pool(0, 1)
        assertRefused(a, "pool 0 is not in 1...")
        a = tiny
        a.layers[0] = .conv(1_000_000_000_000, 5, .valid, bias: true)
        assertRefused(a, "would need")
        a = tiny
        a.layers[0] = .conv(4, 21, .valid, bias: true)
        assertRefused(a, "kernel 21 is longer than its input of length 20")
        a.layers[0] = .conv(4, 40, .same, bias: true)
        assertRefused(a, "kernel 40 is longer than twice its input of length 20")
        a.layers[0] = .conv(4, 39, .same, bias: true)
        XCTAssertNoThrow(try a.validate())
        a = tiny
        a.layers = Array(repeating: LayerSpec.act(.relu), count: 100_000) + tiny.layers
        assertRefused(a, "100006 layers (at most 1000)")
        a = tiny
        a.outputs = 1_000_000_000_000
        assertRefused(a, "would need")
        a = tiny
        a.inputLength = 1 << 62
        assertRefused(a, "input length")
        a = tiny
        a.layers[5] = .dense(1 << 40)
        a.layers.insert(.dense(1 << 40), at: 5)
        assertRefused(a, "would need")
        a = tiny
        a.layers.insert(.drop(1.5), at: 1)
        assertRefused(a, "rate 1.5")
    }

    func testUnknownLayerKindIsAnInvalidArchitectureNamingTheLayer() throws {
        let json = tiny.json().replacingOccurrences(of: "\"type\":\"batchnorm\"", with: "\"type\":\"batchnorn\"")
        XCTAssertThrowsError(try Architecture.parse(json, source: "a.json")) { error in
            XCTAssertEqual("\(error)", "invalid architecture: unknown layer type 'batchnorn' (layer 2): a.json")
        }
        // Known kinds keep their raw values in the JSON.
        XCTAssertTrue(tiny.json().contains("\"type\":\"conv\""))
        XCTAssertEqual(try Architecture.parse(tiny.json(), source: "a.json"), tiny)
    }

    private func encoded(_ arch: Architecture) throws -> [UInt8] {
        try ModelFile.bytes(try Model(arch), metadata: [:])
    }

    /// The header JSON of `bytes` changed by `change`, re-encoded with the same data.
    private func withHeader(_ bytes: [UInt8], _ change: (inout [String: Any]) -> Void) throws -> [UInt8] {
        let n = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        var header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + n)])) as? [String: Any])
        change(&header)
        let json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        var out = [UInt8]()
        var len = UInt64(json.count).littleEndian
        withUnsafeBytes(of: &len) { out += $0 }
        return out + json + bytes[(8 + n)...]
    }

    func testSafetensorsOffsetsShapesAndLengthsAreChecked() throws {
        let good = try encoded(tiny)
        XCTAssertNoThrow(try Safetensors.decode(good, source: "m.st"))
        let huge = [0, 0, 0, 0, 0, 0, 0, 0x10] + good[8...]  // header length 2^60
        let name = "conv1.weight"
        let cases: [([UInt8], String)] = [
            (huge, "header length 1152921504606846976 exceeds the file"),
            (try withHeader(good) { h in
                var t = h[name] as? [String: Any] ?? [:]
                t["data_offsets"] = [9_223_372_036_854_775_000, 9_223_372_036_854_775_800]
                h[name] = t
            }, "outside the"),
            (try withHeader(good) { h in
                var t = h[name] as? [String: Any] ?? [:]
                t["shape"] = [4_294_967_296, 4_294_967_296, 4]
                h[name] = t
            }, "more than 2^48 elements"),
            (Array(good.dropLast(4)), "outside the"),
        ]
        for (bytes, message) in cases {
            XCTAssertThrowsError(try Safetensors.decode(bytes, source: "m.st")) { error in
                XCTAssertTrue("\(error)".contains(message) && "\(error)".hasSuffix(": m.st"), "\(error)")
            }
        }
        XCTAssertNil(Safetensors.elementCount([Int.max, 2]))
        XCTAssertNil(Safetensors.elementCount([3, -1]))
        XCTAssertEqual(Safetensors.elementCount([]), 1)
    }
}
