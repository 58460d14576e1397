import TGCBase
import TGCCore

/// Making tensors, the random generator, and I/O: `tensor`, `zeros`, `ones`, `full`, `arange`,
/// `eye`, `linspace`, `zerosLike`, `onesLike`, `fullLike`, `rand`, `randn`, `randLike`,
/// `randnLike`, `randint`, `manualSeed`, `input`, `load`, `save`, `print`.
extension BuiltinFamily {
    static let creation = BuiltinFamily(name: "creation", functions: [
        FunctionEntry("tensor", [.unlabeled("data"), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")],
                      "a tensor from nested arrays of numbers") { e, site in try e.makeTensor(site) },
        FunctionEntry("zeros", Param.shapeAndOptions, "a tensor of zeros") { e, site in try e.makeFilled(site, value: 0) },
        FunctionEntry("ones", Param.shapeAndOptions, "a tensor of ones") { e, site in try e.makeFilled(site, value: 1) },
        FunctionEntry("full", [.unlabeled("shape"), .unlabeled("value"), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")],
                      "a tensor filled with one value") { e, site in try e.makeFilled(site, value: nil) },
        FunctionEntry(name(.arange), [.unlabeled("start"), .unlabeled("end", optional: true), .unlabeled("positionalStep", optional: true),
                                      .labeled("step"), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")],
                      "evenly spaced values in [start, end)") { e, site in try e.makeArange(site) },
        FunctionEntry(name(.randUniform), Param.shapeAndOptions, "uniform random numbers in [0, 1)") { e, site in
            try e.makeRandom(site, .randUniform)
        },
        FunctionEntry(name(.randNormal), Param.shapeAndOptions, "standard normal random numbers") { e, site in
            try e.makeRandom(site, .randNormal)
        },
        FunctionEntry("eye", [.unlabeled("n"), .unlabeled("m", optional: true), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")],
                      "an n x m matrix with ones on the diagonal") { e, site in try e.makeEye(site) },
        FunctionEntry("linspace", [.unlabeled("start"), .unlabeled("end"), .labeled("steps", optional: false), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")],
                      "steps evenly spaced values from start to end, both included") { e, site in try e.makeLinspace(site) },
        FunctionEntry("logspace", [.unlabeled("start"), .unlabeled("end"), .labeled("steps", optional: false), .labeled("base"), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")],
                      "base to the powers of steps evenly spaced exponents from start to end (base 10)") { e, site in try e.makeLogspace(site) },
        FunctionEntry("zerosLike", Param.likeOptions, "zeros of the tensor's shape and dtype") { e, site in try e.makeFilledLike(site, value: 0) },
        FunctionEntry("onesLike", Param.likeOptions, "ones of the tensor's shape and dtype") { e, site in try e.makeFilledLike(site, value: 1) },
        FunctionEntry("fullLike", [.unlabeled("input"), .unlabeled("value"), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")],
                      "a value in the tensor's shape and dtype") { e, site in try e.makeFilledLike(site, value: nil) },
        FunctionEntry("randLike", Param.likeOptions, "rand of the tensor's shape") { e, site in try e.makeRandomLike(site, .randUniform) },
        FunctionEntry("randnLike", Param.likeOptions, "randn of the tensor's shape") { e, site in try e.makeRandomLike(site, .randNormal) },
        FunctionEntry("randint", [.unlabeled("low"), .unlabeled("high"), .unlabeled("size", optional: true), .labeled("dtype"), .labeled("device"), .labeled("requiresGrad")],
                      "uniform random integers in [low, high) (low defaults to 0)") { e, site in try e.makeRandint(site) },
        FunctionEntry(name(.manualSeed), [.unlabeled("seed")], "restarts the random generator") { e, site in try e.manualSeed(site) },
        FunctionEntry(name(.input), [.unlabeled("name"), .labeled("shape", optional: false), .labeled("dtype")],
                      "a tensor given to the compiled program at run time (--in NAME=FILE)") { e, site in try e.makeInput(site) },
        FunctionEntry(name(.load), [.unlabeled("path")], "a tensor read from a .npy file") { e, site in try e.loadNPY(site) },
        FunctionEntry(name(.save), [.unlabeled("tensor"), .unlabeled("path")], "writes a tensor to a .npy file") { e, site in
            try e.saveNPY(site)
        },
        FunctionEntry("String", [.unlabeled("value", optional: true), .labeled("format"), .labeled("repeating"), .labeled("count"),
                                 .unlabeled("values", optional: true, variadic: true)],
                      "String(format: \"%.4f\", x): C's %d, %f, %.Nf, %s, %@ and %% on numbers; String(x): x as printed; String(repeating: \"=\", count: 20)") { e, site in
            if let repeated = site.value("repeating") {
                guard case .string(let text) = repeated, let count = site.value("count"), site.value("value") == nil else {
                    throw Diagnostic("String(repeating:count:) takes a string and a count: String(repeating: \"=\", count: 20)", at: site.location)
                }
                let times = try e.staticInt(count, what: "count", at: site.location("count"))
                guard times >= 0 else { throw Diagnostic("String(repeating:count:) needs a count of 0 or more", at: site.location("count")) }
                return .string(String(repeating: text, count: times))
            }
            if site.value("format") != nil, site.value("value") == nil {
                return try e.stringFormat(site)
            }
            guard site.value("value") != nil, site.values("values").isEmpty else {
                throw Diagnostic("String takes one value, String(x), or a format and its values, String(format: \"%.4f\", x)", at: site.location)
            }
            return try e.stringOf(site)
        },
        FunctionEntry(syntax: "Array", "Array(d.keys), Array(x.shape), Array(0..<n): the items as an array (Python's list(...))") { e, arguments, closure, location in
            try e.rejectClosure(closure, "Array")
            guard arguments.count == 1, arguments[0].label == nil else {
                throw Diagnostic("Array takes one sequence: Array(d.keys), Array(0..<n)", at: location)
            }
            if case .binary(let op, let low, let high) = arguments[0].value.kind, op == "..<" || op == "..." {
                let (a, b) = (try e.staticInt(try e.evaluate(low), what: "the range's lower bound", at: low.location),
                              try e.staticInt(try e.evaluate(high), what: "the range's upper bound", at: high.location))
                return .array((a..<(op == "..<" ? b : b + 1)).map(EvalValue.int))
            }
            let value = try e.evaluate(arguments[0].value)
            guard let items = value.sequenceItems else {
                throw Diagnostic("Array takes an array, a tuple, a shape, a dictionary's keys or a range; got \(value.kindName)", at: arguments[0].location)
            }
            return .array(items)
        },
        FunctionEntry(syntax: "zip", "zip(a, b): pairs of the items at the same position, as many as the shorter has (Python's zip)") { e, arguments, closure, location in
            try e.rejectClosure(closure, "zip")
            guard arguments.count >= 2, arguments.allSatisfy({ $0.label == nil }) else {
                throw Diagnostic("zip takes two or more sequences: zip(names, values)", at: location)
            }
            return .array(try Evaluator.zipped(try arguments.map { try e.evaluate($0.value) }, at: arguments.map(\.location)))
        },
        FunctionEntry(syntax: name(.print), "prints values as Python prints them") { e, arguments, closure, location in
            try e.rejectClosure(closure, "print")
            return try e.printCall(arguments, at: location)
        },
    ])

    /// The function spelling of an op kind (`rand` for `randUniform`).
    static func name(_ kind: OpKind) -> String { kind.definition.functionName! }
}
