import ArgumentParser
import Foundation
import Dataset
import NeuralNet
import Runs

// Values from a closed set, and structured values, parsed as types: a bad value is a usage
// error (exit 64) that lists what is accepted.

extension StrandMode: ExpressibleByArgument {}

extension ActivationFunction: ExpressibleByArgument {
    /// The function's name; `exp` is accepted for `exponential`.
    public init?(argument: String) {
        self.init(rawValue: argument == "exp" ? "exponential" : argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.rawValue) + ["exp"] }
}

extension Runs.DatasetSplit: ExpressibleByArgument {}

/// An architecture preset named on the command line.
struct PresetName: ExpressibleByArgument, CustomStringConvertible {
    let name: String

    init(_ name: String) { self.name = name }

    init?(argument: String) {
        guard Architecture.presetNames.contains(argument) else { return nil }
        name = argument
    }

    static var allValueStrings: [String] { Architecture.presetNames }
    var description: String { name }
    var defaultValueDescription: String { name }
}

// Structured values are parsed by `parse`, which names what is wrong; declare them with
// `@Option(transform: T.parse)`. swift-argument-parser reports the error as a usage error.

/// `--shard K/N`: part K (1-based) of N.
struct Shard {
    let part: Int
    let parts: Int

    static func parse(_ argument: String) throws -> Shard {
        let p = argument.split(separator: "/", omittingEmptySubsequences: false)
        guard p.count == 2, let k = Int(p[0]), let n = Int(p[1]), n >= 1, k >= 1, k <= n else {
            throw ValidationError("--shard must be K/N with 1 <= K <= N (got '\(argument)')")
        }
        return Shard(part: k, parts: n)
    }
}

/// `--task-weights w1,w2,...`: non-negative finite numbers.
struct TaskWeights {
    let values: [Float]

    static func parse(_ argument: String) throws -> TaskWeights {
        let items = argument.split(separator: ",", omittingEmptySubsequences: false)
        var values: [Float] = []
        for item in items {
            guard let v = Float(item.trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0 else {
                throw ValidationError("--task-weights takes non-negative numbers, comma-separated (got '\(item)')")
            }
            values.append(v)
        }
        return TaskWeights(values: values)
    }
}

/// `NAME=PATH`, both parts non-empty.
struct NamedPath {
    let name: String
    let path: String

    static func parse(_ argument: String) throws -> NamedPath {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex, argument.index(after: eq) != argument.endIndex else {
            throw ValidationError("expected NAME=PATH (got '\(argument)')")
        }
        return NamedPath(name: String(argument[..<eq]), path: String(argument[argument.index(after: eq)...]))
    }
}

/// `--peaks [NAME=]PATH`: a task's peaks; the name defaults to the file's stem.
struct PeaksArgument {
    let source: TaskSource

    static func parse(_ argument: String) throws -> PeaksArgument {
        let source = TaskSource.parse(argument)
        guard !argument.hasPrefix("="), !source.name.isEmpty, !source.path.isEmpty else {
            throw ValidationError("--peaks takes NAME=PATH or PATH (got '\(argument)')")
        }
        return PeaksArgument(source: source)
    }
}

/// `--stranded-signal NAME=PLUS,MINUS`: the two strands' tracks of one signal.
struct StrandedSignalArgument {
    let name: String
    let plus: String
    let minus: String

    static func parse(_ argument: String) throws -> StrandedSignalArgument {
        let source = TaskSource.parse(argument)
        let paths = source.path.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard argument.contains("="), !source.name.isEmpty, paths.count == 2, !paths[0].isEmpty, !paths[1].isEmpty else {
            throw ValidationError("--stranded-signal takes NAME=PLUS,MINUS (the plus and the minus strand's track; got '\(argument)')")
        }
        return StrandedSignalArgument(name: source.name, plus: paths[0], minus: paths[1])
    }
}

/// `--negatives kind,kind,...` of background, flank and shuffle.
struct NegativeKinds {
    let kinds: [WindowKind]

    static let accepted: [WindowKind] = WindowKind.allCases.filter { $0 != .positive && $0 != .tile }

    static func parse(_ argument: String) throws -> NegativeKinds {
        var kinds: [WindowKind] = []
        for item in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let k = accepted.first(where: { $0.name == item }) else {
                throw ValidationError("unknown negative kind '\(item)' (\(accepted.map(\.name).joined(separator: ", ")))")
            }
            if !kinds.contains(k) { kinds.append(k) }
        }
        return NegativeKinds(kinds: kinds)
    }
}
