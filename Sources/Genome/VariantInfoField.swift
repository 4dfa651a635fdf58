/// An INFO field the output writer adds: its `##INFO` header line.
public struct VariantInfoField: Sendable, Equatable {
    /// How many values a record holds (the header's Number).
    public enum Number: Sendable, Equatable {
        /// One value per ALT allele (`A`); a skipped ALT's value is missing (`.`).
        case perAllele
        /// A fixed count (`1`, `2`, ...).
        case fixed(Int)
        /// Any count (`.`).
        case variable

        /// The header's text: `A`, `1`, `.`.
        public var text: String {
            switch self {
            case .perAllele: return "A"
            case .fixed(let n): return "\(n)"
            case .variable: return "."
            }
        }
    }

    /// The type of the values (the header's Type).
    public enum ValueType: String, Sendable, CaseIterable {
        /// 32-bit floats.
        case float = "Float"
        /// 32-bit integers.
        case integer = "Integer"
        /// Text without spaces, commas, semicolons or `=`.
        case string = "String"
    }

    /// The INFO key (`[A-Za-z_][0-9A-Za-z_.]*`).
    public let id: String
    /// The number of values per record.
    public let number: Number
    /// Their type.
    public let type: ValueType
    /// The header's Description (double quotes become single quotes).
    public let description: String

    /// A field definition.
    public init(id: String, number: Number, type: ValueType, description: String) {
        self.id = id
        self.number = number
        self.type = type
        self.description = description
    }

    /// The `##INFO=<...>` line.
    var headerLine: String {
        let text = description.map { $0 == "\"" ? "'" : ($0 == "\n" || $0 == "\r" ? " " : $0) }
        return "##INFO=<ID=\(id),Number=\(number.text),Type=\(type.rawValue),Description=\"\(String(text))\">"
    }

    /// Why the field cannot be declared, or nil.
    var problem: String? {
        let bytes = Array(id.utf8)
        guard let first = bytes.first else { return "an empty ID" }
        func letter(_ b: UInt8) -> Bool { (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == UInt8(ascii: "_") }
        func digit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        guard letter(first), bytes.allSatisfy({ letter($0) || digit($0) || $0 == UInt8(ascii: ".") }) else {
            return "an INFO ID must start with a letter or '_' and hold only letters, digits, '_' and '.'"
        }
        if case .fixed(let n) = number, n < 1 || n > 1 << 20 { return "Number must be at least 1 (and at most 2^20)" }
        return nil
    }
}

/// The values of one INFO field for one record, as given to the writer.
public enum VariantInfoValue: Sendable, Equatable {
    /// No value: the field is left out of the record (and removed if the input had it).
    case missing
    /// Float values; nil is written as missing (`.`).
    case floats([Float?])
    /// Integer values; nil is written as missing (`.`).
    case integers([Int32?])
    /// String values; nil is written as missing (`.`).
    case strings([String?])

    /// The number of values.
    var count: Int {
        switch self {
        case .missing: return 0
        case .floats(let v): return v.count
        case .integers(let v): return v.count
        case .strings(let v): return v.count
        }
    }

    /// True when there is no value to write (none, or every one missing).
    var isEmpty: Bool {
        switch self {
        case .missing: return true
        case .floats(let v): return v.allSatisfy { $0 == nil }
        case .integers(let v): return v.allSatisfy { $0 == nil }
        case .strings(let v): return v.allSatisfy { $0 == nil }
        }
    }
}
