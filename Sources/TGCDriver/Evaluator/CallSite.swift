import TGCBase
import TGCSyntax

/// One parameter of a built-in: its label (nil: unlabeled), whether it may be left out, and
/// whether it soaks up the following unlabeled arguments (`zeros(3, 4)`, `grad(of:wrt: a, b)`).
struct Param {
    var label: String?
    var name: String
    var optional = false
    var variadic = false

    static func unlabeled(_ name: String, optional: Bool = false, variadic: Bool = false) -> Param {
        Param(label: nil, name: name, optional: optional, variadic: variadic)
    }
    static func labeled(_ label: String, optional: Bool = true, variadic: Bool = false) -> Param {
        Param(label: label, name: label, optional: optional, variadic: variadic)
    }

    /// Whether an argument with `label` may go to this parameter: its label, or for an
    /// unlabeled parameter also its name, as Python passes any argument by keyword
    /// (`y.backward(gradient: g)`, `Dropout(p: 0.5)`).
    func accepts(_ label: String?) -> Bool {
        label == self.label || (self.label == nil && label == name)
    }
}

/// The evaluated arguments of one call, matched against a built-in's parameters Swift-style:
/// in order, each labeled argument with its label. As Python's arguments, unlabeled ones may
/// also fill labeled parameters in order, and the labeled ones that end a call may come in
/// any order.
struct CallSite {
    let name: String
    let location: SourceLocation
    private(set) var arguments: [(label: String?, value: EvalValue, location: SourceLocation)]
    private(set) var bound: [String: [(value: EvalValue, location: SourceLocation)]] = [:]

    init(name: String, location: SourceLocation, arguments: [(label: String?, value: EvalValue, location: SourceLocation)]) {
        self.name = name
        self.location = location
        self.arguments = arguments
    }

    /// Matches the arguments to `params`; Swift's messages for wrong, missing and extra labels.
    mutating func bind(_ params: [Param]) throws {
        orderTrailingLabels(by: params)
        let firstLabeled = arguments.firstIndex { $0.label != nil } ?? arguments.count
        var next = 0
        for param in params {
            var taken: [(EvalValue, SourceLocation)] = []
            if param.label != nil, !param.variadic, next < firstLabeled {
                // A Python positional argument for a labeled parameter: `x.sum(1)`, `SGD(ps, 0.1)`;
                // not for a variadic one, whose unlabeled continuation (`grad(of: y, wrt: a, b)`)
                // follows its label.
                taken.append((arguments[next].value, arguments[next].location))
                next += 1
            }
            while next < arguments.count, param.accepts(arguments[next].label), taken.isEmpty || param.variadic {
                taken.append((arguments[next].value, arguments[next].location))
                next += 1
                if param.label != nil, param.variadic, next < arguments.count, arguments[next].label == nil {
                    // `grad(of: y, wrt: a, b)`: a labeled variadic continues with unlabeled arguments.
                    while next < arguments.count, arguments[next].label == nil {
                        taken.append((arguments[next].value, arguments[next].location))
                        next += 1
                    }
                    break
                }
            }
            if taken.isEmpty && !param.optional {
                if next < arguments.count {
                    let have = arguments[next].label.map { "'\($0):'" } ?? "no label"
                    let expected = param.label.map { "'\($0):'" } ?? "no label"
                    throw Diagnostic("incorrect argument label in call to '\(name)' (have \(have), expected \(expected))", at: arguments[next].location)
                }
                throw Diagnostic("missing argument for parameter \(param.label.map { "'\($0):'" } ?? "'\(param.name)'") in call to '\(name)'", at: location)
            }
            // `nil` for an optional parameter is Python's None: the parameter's default.
            bound[param.name] = taken.filter { !(param.optional && !param.variadic && $0.0.isNone) }.map { (value: $0.0, location: $0.1) }
        }
        if next < arguments.count {
            let extra = arguments[next]
            let known = params.compactMap(\.label).map { "'\($0):'" }.joined(separator: ", ")
            let hint = known.isEmpty ? "" : " (it takes \(known))"
            if let label = extra.label {
                if let later = argumentBoundAfter(label, before: next, params) {
                    throw Diagnostic("argument '\(label):' must precede argument '\(later):' in call to '\(name)'", at: extra.location)
                }
                throw Diagnostic("extra argument '\(label):' in call to '\(name)'" + hint, at: extra.location)
            }
            throw Diagnostic("extra argument in call to '\(name)'" + hint, at: extra.location)
        }
    }

    /// Sorts the trailing labeled arguments into the parameters' order, stably (repeated labels
    /// keep theirs): `crossEntropy(x, y, labelSmoothing: 0.1, reduction: .sum)` binds as PyTorch
    /// takes it. A label no parameter has goes last (the extra-argument error names it), and
    /// labeled arguments followed by unlabeled ones (`grad(of: y, wrt: a, b)`) are not moved.
    private mutating func orderTrailingLabels(by params: [Param]) {
        let start = (arguments.lastIndex { $0.label == nil } ?? -1) + 1
        guard arguments.count - start >= 2 else { return }   // the common call: nothing to order
        let trailing = arguments[start...].enumerated().map { offset, argument in
            (rank: params.firstIndex { $0.accepts(argument.label) } ?? params.count, offset: offset, argument: argument)
        }
        let sorted = trailing.sorted { ($0.rank, $0.offset) < ($1.rank, $1.offset) }
        arguments.replaceSubrange(start..., with: sorted.map(\.argument))
    }

    /// The label of the first of the first `count` arguments that went to a parameter after
    /// `label`'s: the one a misplaced `label:` argument should have come before.
    private func argumentBoundAfter(_ label: String, before count: Int, _ params: [Param]) -> String? {
        guard let position = params.firstIndex(where: { $0.label == label }) else { return nil }
        return arguments[..<count].lazy.compactMap(\.label).first { other in
            (params.firstIndex { $0.label == other } ?? -1) > position
        }
    }

    /// The value bound to a parameter, nil when it was left out.
    func value(_ name: String) -> EvalValue? { bound[name]?.first?.value }
    func values(_ name: String) -> [EvalValue] { bound[name]?.map(\.value) ?? [] }
    func location(_ name: String) -> SourceLocation { bound[name]?.first?.location ?? location }
}
