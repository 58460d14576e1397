import TGCBase
import TGCCore

extension Evaluator {
    /// The generated program's own flags, which a hyperparameter cannot be named after.
    static let programFlags: Set<String> = ["seed", "in", "out", "bench", "threads", "quiet", "help", "h"]

    /// `hyper("lr", 0.001)`: a Float default makes a run-time number (a `hyper` op: the
    /// compiled program's `--lr X` sets it); an Int default (`hyper("epochs", 10)`) is an Int
    /// known when compiling, as loop counts and shapes must be, fixed in the compiled program.
    /// `-D name=value` (tgc compile, tgc run, eager mode too) replaces the default.
    func makeHyper(_ site: CallSite) throws -> EvalValue {
        guard case .string(let name) = site.value("name") else {
            throw Diagnostic("hyper expects a name as a string literal, such as \"lr\"", at: site.location("name"))
        }
        guard Self.isHyperName(name), !Self.programFlags.contains(name) else {
            throw Diagnostic("'\(name)' cannot name a hyperparameter: use letters, digits, '_' and '-' (starting with a letter, at most 40), and none of the program's own flags (\(Self.programFlags.sorted().joined(separator: ", ")))", at: site.location("name"))
        }
        guard !hyperparameters.contains(where: { $0.name == name }) else {
            throw Diagnostic("hyperparameter '\(name)' is declared twice", at: site.location("name"))
        }
        let override = hyperOverrides[name]
        switch site.value("default")! {
        case .int(let value):
            var chosen = value
            if let override {
                guard let parsed = Int(override) else {
                    throw Diagnostic("-D \(name)=\(override): '\(name)' is an Int hyperparameter; expected an integer", at: site.location("default"))
                }
                chosen = parsed
            }
            hyperparameters.append(Hyperparameter(name: name, value: String(chosen), isFixed: true))
            return .int(chosen)
        case .float(let value):
            var chosen = value
            if let override {
                guard let parsed = Double(override), parsed.isFinite else {
                    throw Diagnostic("-D \(name)=\(override): expected a finite number", at: site.location("default"))
                }
                chosen = parsed
            }
            hyperparameters.append(Hyperparameter(name: name, value: PrintFormatter.pythonRepr(chosen), isFixed: false))
            var attrs = Attributes()
            attrs.name = name
            attrs.value = chosen
            attrs.shape = []
            attrs.dtype = .float64
            let id = try builder.apply1(.hyper, [], attrs, at: site.location)
            hyperValues[id] = name
            return .tensor(TensorValue(id: id, isHostScalar: true))
        default:
            throw Diagnostic("hyper's default must be a number literal: a Float (set at run time) or an Int (fixed when compiling)", at: site.location("default"))
        }
    }

    /// A run-time hyperparameter where a number must be known when compiling (an optimizer's
    /// `lr:`): its compiled value, and from now on it is fixed (the program refuses `--name`).
    func fixedHyperValue(_ value: EvalValue) -> Double? {
        guard case .tensor(let tensor) = value, let name = hyperValues[tensor.id],
              let index = hyperparameters.firstIndex(where: { $0.name == name }) else { return nil }
        hyperparameters[index].isFixed = true
        return Double(hyperparameters[index].value)
    }

    static func isHyperName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 40, first.properties.isAlphabetic, first.isASCII else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == "-") }
    }

    /// A `-D name=value` that names no hyperparameter of the program is a mistake worth saying.
    func checkHyperOverridesUsed() throws {
        for name in hyperOverrides.keys.sorted() where !hyperparameters.contains(where: { $0.name == name }) {
            let known = hyperparameters.isEmpty ? "the program declares none" : "the program's: " + hyperparameters.map(\.name).joined(separator: ", ")
            throw ToolError("-D \(name)=...: no hyper(\"\(name)\", ...) in the program (\(known))")
        }
    }
}
