import TGCBase

/// `String(format: "%.4f", x)` and `String(x)`: Foundation's spellings of Python's `"%.4f" % x`
/// and `str(x)`, on numbers known at compile time and on run-time ones (`loss.item()`, a loop
/// index) alike.
extension Evaluator {
    /// `String(format:)`'s specifiers: `%d %i %ld %lld %u` (an integer; a float is truncated, as
    /// Python's `%d`), `%f %lf %.Nf` (fixed, 6 decimals by default), `%s %@` (as printed, Python's
    /// `str`), `%%`.
    func stringFormat(_ site: CallSite) throws -> EvalValue {
        guard case .string(let pattern)? = site.value("format") else {
            throw Diagnostic("String(format:) needs a string literal as its format", at: site.location("format"))
        }
        let values = site.values("values")
        var text = FormattedText()
        var used = 0
        var rest = Substring(pattern)
        while let percent = rest.firstIndex(of: "%") {
            text.append(String(rest[..<percent]))
            rest = rest[rest.index(after: percent)...]
            if rest.first == "%" {
                text.append("%")
                rest = rest.dropFirst()
                continue
            }
            let (precision, conversion, remainder) = try Self.specifier(rest, in: pattern, at: site.location("format"))
            rest = remainder
            guard used < values.count else {
                throw Diagnostic("String(format:) has more specifiers than values (\(values.count))", at: site.location)
            }
            let value = values[used]
            used += 1
            switch conversion {
            case "d": text.append(try format(try truncated(value, at: site.location), precision: nil, interpolated: true, at: site.location))
            case "f": text.append(try format(value, precision: precision ?? 6, interpolated: true, at: site.location))
            default: text.append(try format(value, precision: nil, at: site.location))   // str(): a 0-dim tensor prints as tensor(2.5000)
            }
        }
        text.append(String(rest))
        guard used == values.count else {
            throw Diagnostic("String(format:) has \(used) specifiers but \(values.count) values", at: site.location)
        }
        return text.value
    }

    /// `String(x)`: x as `print` shows it, Python's `str(x)` (a 0-dim tensor as `tensor(2.5000)`,
    /// a run-time number as its value).
    func stringOf(_ site: CallSite) throws -> EvalValue {
        try format(site.value("value")!, precision: nil, at: site.location("value")).value
    }

    /// One specifier after its `%`: the precision, the conversion (`d`, `f` or `s`) and what follows.
    private static func specifier(_ text: Substring, in format: String, at location: SourceLocation) throws -> (Int?, Character, Substring) {
        var rest = text
        var precision: Int?
        if rest.first == "." {
            rest = rest.dropFirst()
            let digits = rest.prefix { $0.isNumber }
            guard let value = Int(digits), value <= 20 else {
                throw Diagnostic("String(format:) needs a precision of 0 to 20 digits after '.' in \"\(format)\"", at: location)
            }
            precision = value
            rest = rest.dropFirst(digits.count)
        }
        for (spelling, conversion) in [("lld", "d"), ("ld", "d"), ("lf", "f"), ("d", "d"), ("i", "d"), ("u", "d"), ("f", "f"), ("s", "s"), ("@", "s")]
        where rest.hasPrefix(spelling) && (precision == nil || conversion == "f") {
            return (precision, Character(conversion), rest.dropFirst(spelling.count))
        }
        throw Diagnostic("String(format:) supports %d, %f, %.Nf, %s, %@ and %% (no widths or flags); \"\(format)\" has another", at: location)
    }

    /// A value for `%d`: integers as they are, floats truncated toward zero.
    private func truncated(_ value: EvalValue, at location: SourceLocation) throws -> EvalValue {
        switch value {
        case .float(let x):
            guard x.isFinite, abs(x) < 9.2e18 else { throw Diagnostic("%d needs a finite number, got \(x)", at: location) }
            return .int(Int(x))
        case .bool(let b): return .int(b ? 1 : 0)
        case .tensor(var tensor) where builder.type(of: tensor.id).dtype.isFloatingPoint:
            tensor.id = try builder.cast(tensor.id, to: .int64, at: location)
            return .tensor(tensor)
        default: return value
        }
    }
}
