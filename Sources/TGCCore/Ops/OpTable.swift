/// The definition of every op kind (OpDef: arity, type rule, fusion class, aliasing, cost,
/// effects, spellings, PyTorch backward name): one entry per op.
enum OpTable {
    static let definitions: [OpKind: OpDef] = Dictionary(uniqueKeysWithValues: OpKind.allCases.map { ($0, define($0)) })

    /// The one definition of `kind`: an exhaustive switch, so a new kind does not compile
    /// without one.
    private static func define(_ kind: OpKind) -> OpDef {
        switch kind {
        case .constant: OpDef(kind, .source, arity: 0, source)
        case .arange: OpDef(kind, .source, arity: 0, spelled: [.function("arange")], source)
        case .randUniform: OpDef(kind, .source, arity: 0, effects: true, spelled: [.function("rand")], source)
        case .randNormal: OpDef(kind, .source, arity: 0, effects: true, spelled: [.function("randn")], source)
        case .input: OpDef(kind, .source, arity: 0, spelled: [.function("input")], source)
        case .hyper: OpDef(kind, .source, arity: 0, spelled: [.function("hyper")], source)
        case .load: OpDef(kind, .source, arity: 0, effects: true, spelled: [.function("load")], source)

        case .neg: OpDef(kind, .elementwise, arity: 1, spelled: [.prefix("-"), .function("neg")], grad: "NegBackward0") { types, _ in
            guard types[0].dtype != .bool else {
                throw OpTypeError("negation ('-') of a bool tensor is not supported; use '!' to invert a mask")
            }
            return [types[0]]
        }
        case .exp: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("exp")], grad: "ExpBackward0", floatResult)
        case .log: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("log")], grad: "LogBackward0", floatResult)
        case .sin: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("sin")], grad: "SinBackward0", floatResult)
        case .cos: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("cos")], grad: "CosBackward0", floatResult)
        case .tanh: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("tanh")], grad: "TanhBackward0", floatResult)
        case .sqrt: OpDef(kind, .elementwise, arity: 1, spelled: [.function("sqrt")], grad: "SqrtBackward0", floatResult)
        case .sigmoid: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("sigmoid")], grad: "SigmoidBackward0", floatResult)
        case .abs: OpDef(kind, .elementwise, arity: 1, spelled: [.function("abs")], grad: "AbsBackward0", sameType)
        case .relu: OpDef(kind, .elementwise, arity: 1, spelled: [.function("relu")], grad: "ReluBackward0", sameType)
        case .sign: OpDef(kind, .elementwise, arity: 1, spelled: [.function("sign")], grad: "SignBackward0", sameType)
        case .logicalNot: OpDef(kind, .elementwise, arity: 1, spelled: [.prefix("!")]) { types, _ in [TensorType(types[0].shape, .bool)] }
        case .cast: OpDef(kind, .elementwise, arity: 1, spelled: [.phrase("a conversion to an integer dtype")], grad: "ToCopyBackward0") { types, attrs in
            [TensorType(types[0].shape, attrs.dtype!)]
        }
        case .stopGradient: OpDef(kind, .opaque, arity: 1, aliasesOperand: true, spelled: [.method("detach")], sameType)
        // Chapter 2 math
        case .floor: OpDef(kind, .elementwise, arity: 1, spelled: [.function("floor")], grad: "FloorBackward0", rounding)
        case .ceil: OpDef(kind, .elementwise, arity: 1, spelled: [.function("ceil")], grad: "CeilBackward0", rounding)
        case .round: OpDef(kind, .elementwise, arity: 1, spelled: [.function("round")], grad: "RoundBackward0", rounding)
        case .trunc: OpDef(kind, .elementwise, arity: 1, spelled: [.function("trunc")], grad: "TruncBackward0", rounding)
        case .frac: OpDef(kind, .elementwise, arity: 1, spelled: [.function("frac")], grad: "FracBackward0", floatOnly)
        case .log1p: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("log1p")], grad: "Log1PBackward0", floatResult)
        case .expm1: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("expm1")], grad: "Expm1Backward0", floatResult)
        case .log2: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("log2")], grad: "Log2Backward0", floatResult)
        case .log10: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("log10")], grad: "Log10Backward0", floatResult)
        case .exp2: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("exp2")], grad: "Exp2Backward0", floatResult)
        case .rsqrt: OpDef(kind, .elementwise, arity: 1, spelled: [.function("rsqrt")], grad: "RsqrtBackward0", floatResult)
        case .reciprocal: OpDef(kind, .elementwise, arity: 1, spelled: [.function("reciprocal")], grad: "ReciprocalBackward0", floatResult)
        // torch.square is pow(x, 2): its node is PowBackward0, and a bool tensor squares to int64.
        case .square: OpDef(kind, .elementwise, arity: 1, spelled: [.function("square")], grad: "PowBackward0") { types, _ in
            [TensorType(types[0].shape, types[0].dtype == .bool ? .int64 : types[0].dtype)]
        }
        case .tan: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("tan")], grad: "TanBackward0", floatResult)
        case .asin: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("asin")], grad: "AsinBackward0", floatResult)
        case .acos: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("acos")], grad: "AcosBackward0", floatResult)
        case .atan: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("atan")], grad: "AtanBackward0", floatResult)
        case .sinh: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("sinh")], grad: "SinhBackward0", floatResult)
        case .cosh: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("cosh")], grad: "CoshBackward0", floatResult)
        case .erf: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("erf")], grad: "ErfBackward0", floatResult)
        case .softplus: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("softplus")], grad: "SoftplusBackward0", floatOnly)
        case .silu: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("silu")], grad: "SiluBackward0", floatOnly)
        case .gelu: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("gelu")], grad: "GeluBackward0", floatOnly)
        case .elu: OpDef(kind, .elementwise, arity: 1, cost: .transcendental, spelled: [.function("elu")], grad: "EluBackward0", floatOnly)
        case .leakyRelu: OpDef(kind, .elementwise, arity: 1, spelled: [.function("leakyRelu")], grad: "LeakyReluBackward0", floatOnly)
        // An integer tensor clamped to a fractional bound becomes float32, as torch.clamp's promotion.
        case .clamp: OpDef(kind, .elementwise, arity: 1, spelled: [.function("clamp")], grad: "ClampBackward1") { types, attrs in
            guard types[0].dtype != .bool else { throw OpTypeError("clamp() of a bool tensor is not supported, as in PyTorch") }
            guard attrs.low != nil || attrs.high != nil else { throw OpTypeError("clamp() needs at least one of min and max") }
            let fractional = [attrs.low, attrs.high].contains { $0.map { $0 != $0.rounded() } ?? false }
            return [TensorType(types[0].shape, fractional ? types[0].dtype.floatResult : types[0].dtype)]
        }

        case .add: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("+"), .function("add")], grad: "AddBackward0", arithmetic)
        case .sub: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("-"), .function("sub")], grad: "SubBackward0") { types, attrs in
            guard types[0].dtype != .bool || types[1].dtype != .bool else {
                throw OpTypeError("subtraction ('-') of two bool tensors is not supported; use '!' to invert a mask, or '!=' for a mask's difference")
            }
            return try arithmetic(types, attrs)
        }
        case .mul: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("*"), .function("mul")], grad: "MulBackward0", arithmetic)
        case .div: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("/"), .function("div")], grad: "DivBackward0") { types, _ in
            [TensorType(try ShapeRules.broadcast(types[0].shape, types[1].shape), DType.resultType(of: types).floatResult)]
        }
        case .pow: OpDef(kind, .broadcast, arity: 2, cost: .transcendental, spelled: [.infix("**"), .function("pow")], grad: "PowBackward0", arithmetic)
        case .maximum: OpDef(kind, .broadcast, arity: 2, spelled: [.function("maximum")], grad: "MaximumBackward0", arithmetic)
        case .minimum: OpDef(kind, .broadcast, arity: 2, spelled: [.function("minimum")], grad: "MinimumBackward0", arithmetic)
        case .mod: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("%")], grad: "RemainderBackward0", arithmetic)
        case .equal: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("=="), .function("eq")], comparison)
        case .notEqual: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("!="), .function("ne")], comparison)
        case .less: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("<"), .function("lt")], comparison)
        case .lessEqual: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("<="), .function("le")], comparison)
        case .greater: OpDef(kind, .broadcast, arity: 2, spelled: [.infix(">"), .function("gt")], comparison)
        case .greaterEqual: OpDef(kind, .broadcast, arity: 2, spelled: [.infix(">="), .function("ge")], comparison)
        case .logicalAnd: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("&&")], comparison)
        case .logicalOr: OpDef(kind, .broadcast, arity: 2, spelled: [.infix("||")], comparison)
        // Chapter 2 math
        case .atan2: OpDef(kind, .broadcast, arity: 2, cost: .transcendental, spelled: [.function("atan2")], grad: "Atan2Backward0") { types, _ in
            [TensorType(try ShapeRules.broadcast(types[0].shape, types[1].shape), DType.resultType(of: types).floatResult)]
        }
        case .select: OpDef(kind, .broadcast, arity: 3, spelled: [.function("where")], grad: "WhereBackward0") { types, _ in
            guard types[0].dtype == .bool else { throw OpTypeError("the condition of where() must be bool, not \(types[0].dtype)") }
            let shape = try ShapeRules.broadcast(types[0].shape, try ShapeRules.broadcast(types[1].shape, types[2].shape))
            return [TensorType(shape, DType.resultType(of: Array(types.dropFirst())))]
        }
        case .fusedMultiplyAdd: OpDef(kind, .broadcast, arity: 3, spelled: [], grad: "AddBackward0") { types, _ in
            let dtype = DType.resultType(of: types)
            guard dtype.isFloatingPoint, types.allSatisfy({ $0.dtype == dtype }) else {
                throw OpTypeError("a fused multiply-add needs operands of one floating-point dtype, not \(types.map(\.dtype))")
            }
            return [TensorType(try ShapeRules.broadcast(types[0].shape, try ShapeRules.broadcast(types[1].shape, types[2].shape)), dtype)]
        }

        case .reshape: OpDef(kind, .indexMap, arity: 1, aliasesOperand: true, spelled: [.method("reshape"), .method("view")], grad: "ViewBackward0") { types, attrs in
            let shape = attrs.shape!
            let count = try ShapeRules.checkedCount(shape)
            guard count == types[0].elementCount else {
                throw OpTypeError("cannot reshape a tensor of shape \(formatShape(types[0].shape)) (\(types[0].elementCount) elements) into shape \(formatShape(shape)) (\(count) elements)")
            }
            return [TensorType(shape, types[0].dtype)]
        }
        case .transpose: OpDef(kind, .indexMap, arity: 1, spelled: [.method("transpose")], grad: "TransposeBackward0") { types, attrs in
            let perm = attrs.permutation!
            guard perm.sorted() == Array(0..<types[0].rank) else {
                throw OpTypeError("permutation \(formatShape(perm)) is not valid for a tensor of rank \(types[0].rank)")
            }
            return [TensorType(perm.map { types[0].shape[$0] }, types[0].dtype)]
        }
        case .broadcastTo: OpDef(kind, .indexMap, arity: 1, grad: "ExpandBackward0") { types, attrs in
            let shape = attrs.shape!
            guard ShapeRules.broadcasts(types[0].shape, to: shape) else {
                throw OpTypeError("cannot broadcast shape \(formatShape(types[0].shape)) to \(formatShape(shape))")
            }
            return [TensorType(shape, types[0].dtype)]
        }
        // Shape
        case .cyclicShift: OpDef(kind, .indexMap, arity: 1, grad: "FlipBackward0") { types, attrs in
            guard let axes = attrs.axes, axes.count == 1, axes[0] >= 0, axes[0] < types[0].rank,
                  let step = attrs.step, step == 1 || step == -1, let start = attrs.start,
                  start == start.rounded(), start >= 0, start < Double(max(types[0].shape[axes[0]], 1)) else {
                throw OpTypeError("cyclic_shift needs one axis of the operand, a step of 1 or -1 and a start in [0, extent)")
            }
            return [types[0]]
        }

        // Indexing
        case .slice: OpDef(kind, .indexMap, arity: 1, grad: "SliceBackward0") { types, attrs in
            let dims = try checkedSlice(attrs.slice!, of: types[0].shape)
            return [TensorType(dims.map(\.size), types[0].dtype)]
        }
        case .sliceUpdate: OpDef(kind, .opaque, arity: 2, grad: "CopySlices") { types, attrs in
            let dims = try checkedSlice(attrs.slice!, of: types[0].shape)
            guard types[1].shape == dims.map(\.size) else {
                throw OpTypeError("a slice of shape \(formatShape(dims.map(\.size))) cannot be assigned a value of shape \(formatShape(types[1].shape))")
            }
            guard types[1].dtype == types[0].dtype else {
                throw OpTypeError("a slice of a \(types[0].dtype) tensor cannot be assigned a \(types[1].dtype) value")
            }
            return [types[0]]
        }
        case .indexSelect: OpDef(kind, .gatherScatter, arity: 2, grad: "IndexBackward0") { types, _ in
            guard types[0].rank >= 1 else { throw OpTypeError("a 0-dim tensor cannot be indexed by a tensor") }
            guard types[1].dtype == .int64 else {
                throw OpTypeError("tensors used as indices must be long, int, byte or bool tensors")
            }
            return [TensorType(types[1].shape + types[0].shape.dropFirst(), types[0].dtype)]
        }
        case .indexAdd: OpDef(kind, .gatherScatter, arity: 3, grad: "IndexAddBackward0") { types, _ in
            let (base, index, value) = (types[0], types[1], types[2])
            guard base.rank >= 1, index.dtype == .int64, index.rank == 1 else {
                throw OpTypeError("index_add needs a base of rank 1 or more and a vector of int64 row indices")
            }
            guard value.shape == index.shape + base.shape.dropFirst(), value.dtype == base.dtype else {
                throw OpTypeError("index_add of rows \(value) into \(base) at \(index.shape[0]) indices: the shapes or dtypes disagree")
            }
            return [base]
        }
        // Selecting
        case .gather: OpDef(kind, .gatherScatter, arity: 2, spelled: [.function("gather")], grad: "GatherBackward0") { types, attrs in
            let (x, index) = (types[0], types[1])
            let axis = try selectionAxis(attrs, x, "gather")
            try checkIndex(index, of: x, axis: axis, "gather")
            return [TensorType(index.shape, x.dtype)]
        }
        case .scatter, .scatterAdd:
            OpDef(kind, .gatherScatter, arity: 3, spelled: [.method(kind == .scatter ? "scatter" : "scatterAdd")],
                  grad: kind == .scatter ? "ScatterBackward0" : "ScatterAddBackward0") { types, attrs in
                let (base, index, source) = (types[0], types[1], types[2])
                let name = kind == .scatter ? "scatter" : "scatter_add"
                let axis = try selectionAxis(attrs, base, name)
                try checkIndex(index, of: base, axis: axis, name)
                guard source.rank == index.rank, zip(index.shape, source.shape).allSatisfy({ $0 <= $1 }) else {
                    throw OpTypeError("\(name)(): expected index \(formatShape(index.shape)) to be no larger than src \(formatShape(source.shape)) in every dimension")
                }
                guard source.dtype == base.dtype else {
                    throw OpTypeError("\(name)(): expected self.dtype to be equal to src.dtype, got \(base.dtype) and \(source.dtype)")
                }
                return [base]
            }
        case .argsort: OpDef(kind, .opaque, arity: 1, spelled: [.method("argsort")]) { types, attrs in
            guard types[0].dtype != .bool else { throw OpTypeError("sorting a bool tensor is not supported; convert it to int64 first") }
            _ = try selectionAxis(attrs, types[0], "argsort")
            return [TensorType(types[0].shape, .int64)]
        }

        case .reduceSum: OpDef(kind, .reduction, arity: 1, spelled: [.method("sum")], grad: "SumBackward0") { types, attrs in
            var dtype: DType = types[0].dtype.isFloatingPoint ? types[0].dtype : .int64
            if attrs.dtype == .float64 && types[0].dtype == .float32 { dtype = .float64 }   // the double sum, not rounded to float
            return [TensorType(try reducedShape(types[0], attrs), dtype)]
        }
        case .cascadeSum: OpDef(kind, .opaque, arity: 1, spelled: [], grad: "SumBackward0") { types, attrs in
            guard types[0].dtype.isFloatingPoint else { throw OpTypeError("cascadeSum sums float tensors; integer sums are reduceSum's") }
            return [TensorType(try reducedShape(types[0], attrs), types[0].dtype)]
        }
        case .nllSum: OpDef(kind, .opaque, arity: 2, spelled: [], grad: "SumBackward0") { types, _ in   // its loss names it (SurfaceFunction)
            guard types[0].dtype.isFloatingPoint, types[1].dtype == .bool, types[1].shape == types[0].shape else {
                throw OpTypeError("nllSum sums float values, skipping where a bool mask of their shape is true")
            }
            return [TensorType([], types[0].dtype)]
        }
        case .reduceMax: OpDef(kind, .reduction, arity: 1, spelled: [.method("max")], grad: "MaxBackward1") { types, attrs in
            [TensorType(try reducedShape(types[0], attrs), types[0].dtype)]
        }
        case .reduceMin: OpDef(kind, .reduction, arity: 1, spelled: [.method("min")], grad: "MinBackward1") { types, attrs in
            [TensorType(try reducedShape(types[0], attrs), types[0].dtype)]
        }
        case .argMax: OpDef(kind, .reduction, arity: 1, spelled: [.method("argmax")]) { types, attrs in [TensorType(try reducedShape(types[0], attrs), .int64)] }
        case .argMin: OpDef(kind, .reduction, arity: 1, spelled: [.method("argmin")]) { types, attrs in [TensorType(try reducedShape(types[0], attrs), .int64)] }
        // Chapter 2 math
        // torch.prod: float tensors keep their dtype, integer and bool ones multiply to int64; one dimension or all of them.
        case .reduceProd: OpDef(kind, .reduction, arity: 1, spelled: [.method("prod")], grad: "ProdBackward0") { types, attrs in
            guard (attrs.axes?.count ?? 0) <= 1 else { throw OpTypeError("prod() reduces one dimension or all of them, not \(attrs.axes!.count)") }
            return [TensorType(try reducedShape(types[0], attrs), types[0].dtype.isFloatingPoint ? types[0].dtype : .int64)]
        }
        // torch.cumsum: float tensors keep their dtype, integer and bool ones sum to int64. Runs along its axis in one kernel.
        case .cumsum: OpDef(kind, .opaque, arity: 1, spelled: [.method("cumsum")], grad: "CumsumBackward0") { types, attrs in
            guard let axes = attrs.axes, axes.count == 1, axes[0] >= 0, axes[0] < max(types[0].rank, 1) else {
                throw OpTypeError("cumsum needs one dimension of the operand")
            }
            return [TensorType(types[0].shape, types[0].dtype.isFloatingPoint ? types[0].dtype : .int64)]
        }

        case .matmul: OpDef(kind, .outEpilogue, arity: 2, spelled: [.function("matmul")], grad: "MmBackward0") { types, _ in
            // Matrices, or stacks of them whose leading (batch) dimensions broadcast: the
            // evaluator turns vectors into one-row and one-column matrices first.
            let (a, b) = (types[0], types[1])
            guard a.rank >= 2, b.rank >= 2 else {
                throw OpTypeError("matmul expects operands of at least 2 dimensions here, got \(formatShape(a.shape)) and \(formatShape(b.shape))")
            }
            let shape = try ShapeRules.matmul(a.shape, b.shape)
            guard a.dtype == b.dtype else {
                throw OpTypeError("matmul operands must have the same dtype, got \(a.dtype) and \(b.dtype)")
            }
            return [TensorType(shape, a.dtype)]
        }

        // Convolution (ConvolutionRules.swift); the runtime's tgc_conv2d_* in both modes.
        case .conv2d: OpDef(kind, .opaque, arity: 2, spelled: [.phrase("conv2d()")], grad: "ConvolutionBackward0") { types, attrs in
            [try ConvolutionRules.forward(types[0], types[1], attrs)]
        }
        case .conv2dInputGrad: OpDef(kind, .opaque, arity: 2, spelled: [.phrase("conv2d()'s input gradient")], grad: "ConvolutionBackwardBackward0") { types, attrs in
            [try ConvolutionRules.inputGradient(types[0], types[1], attrs)]
        }
        case .conv2dWeightGrad: OpDef(kind, .opaque, arity: 2, spelled: [.phrase("conv2d()'s weight gradient")], grad: "ConvolutionBackwardBackward0") { types, attrs in
            [try ConvolutionRules.weightGradient(types[0], types[1], attrs)]
        }
        case .maxPool2dIndices: OpDef(kind, .opaque, arity: 1, spelled: [.phrase("maxPool2d()'s indices")]) { types, attrs in
            [try ConvolutionRules.poolIndices(types[0], attrs)]
        }
        case .maxPool2d: OpDef(kind, .opaque, arity: 1, spelled: [.phrase("maxPool2d()")], grad: "MaxPool2DWithIndicesBackward0") { types, attrs in
            [TensorType(try ConvolutionRules.poolIndices(types[0], attrs).shape, types[0].dtype)]
        }

        // Data-parallel training: IR only (the gradient-all-reduce pass and a sharded DataLoader build them).
        case .allReduce: OpDef(kind, .opaque, arity: 1, effects: true) { types, _ in
            guard types[0].dtype.isFloatingPoint else { throw OpTypeError("all_reduce averages a floating-point tensor, not \(types[0].dtype)") }
            return [types[0]]
        }
        case .processRank: OpDef(kind, .source, arity: 0) { _, _ in [TensorType([], .int64)] }

        case .print: OpDef(kind, .control, arity: nil, effects: true, spelled: [.function("print")]) { _, _ in [] }
        // One tensor to a .npy file, or `names.count` tensors to a safetensors file.
        case .save: OpDef(kind, .control, arity: nil, effects: true, spelled: [.function("save")]) { _, _ in [] }
        // for i in progress(0..<n, "label"): a progress bar on stderr, or a summary line.
        case .progress: OpDef(kind, .control, arity: nil, effects: true, spelled: [.function("progress")]) { _, _ in [] }
        // writer.addScalar(tag, value, step:): a line of DIR/scalars.csv and a TensorBoard event.
        case .addScalar: OpDef(kind, .control, arity: 2, effects: true, spelled: [.phrase("writer.addScalar")]) { _, _ in [] }
        case .manualSeed: OpDef(kind, .control, arity: 0, effects: true, spelled: [.function("manualSeed")]) { _, _ in [] }
        case .gradient: OpDef(kind, .control, arity: nil, spelled: [.method("backward"), .function("grad")]) { types, attrs in
            Array(types.dropFirst(attrs.hasSeedGradient ? 2 : 1))
        }
        case .forLoop: OpDef(kind, .control, arity: nil, effects: true, spelled: [.phrase("for")]) { types, _ in types }
        case .ifElse: OpDef(kind, .control, arity: nil, effects: true, spelled: [.phrase("if")]) { _, _ in [] }
        // A loop left by `break` on a run-time value, or a `while` on one, ends when its stop flag is set.
        case .loopExit: OpDef(kind, .control, arity: 1, effects: true, spelled: []) { types, _ in
            guard types[0] == .scalar(.bool) else { throw OpTypeError("loop_exit reads a bool scalar, not \(types[0])") }
            return []
        }
        case .yield: OpDef(kind, .control, arity: nil) { _, _ in [] }
        case .fusion: OpDef(kind, .opaque, arity: nil) { _, _ in [] }
        }
    }

    /// Sources take their type from attrs.shape and attrs.dtype.
    private static let source: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { _, attrs in
        [TensorType(attrs.shape!, attrs.dtype!)]
    }

    private static let sameType: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in [types[0]] }

    /// Transcendental functions of integers give float32, as in PyTorch.
    private static let floatResult: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in
        [TensorType(types[0].shape, types[0].dtype.floatResult)]
    }

    /// floor, ceil, round, trunc: an integer tensor is its own result; PyTorch has no bool kernel.
    private static let rounding: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in
        guard types[0].dtype != .bool else { throw OpTypeError("rounding a bool tensor is not supported, as in PyTorch") }
        return [types[0]]
    }

    /// frac and the activations (silu, gelu, ...): PyTorch has float kernels only.
    private static let floatOnly: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in
        guard types[0].dtype.isFloatingPoint else {
            throw OpTypeError("this function takes a floating-point tensor, not \(types[0].dtype), as in PyTorch; convert with .float()")
        }
        return [types[0]]
    }

    private static let arithmetic: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in
        [TensorType(try ShapeRules.broadcast(types[0].shape, types[1].shape), DType.resultType(of: types))]
    }

    private static let comparison: @Sendable ([TensorType], Attributes) throws -> [TensorType] = { types, _ in
        [TensorType(try ShapeRules.broadcast(types[0].shape, types[1].shape), .bool)]
    }

    /// `dims` when it names a region inside `shape`: one entry per dimension, steps of at
    /// least 1, every selected element in range.
    private static func checkedSlice(_ dims: [SliceDim], of shape: [Int]) throws -> [SliceDim] {
        guard dims.count == shape.count else {
            throw OpTypeError("a slice of \(dims.count) dimensions does not fit a tensor of rank \(shape.count)")
        }
        for (dim, extent) in zip(dims, shape) {
            guard dim.step >= 1, dim.size >= 0, dim.start >= 0,
                  dim.size == 0 || dim.start + (dim.size - 1) * dim.step < extent else {
                throw OpTypeError("slice start \(dim.start), step \(dim.step), size \(dim.size) is out of range for a dimension of size \(extent)")
            }
        }
        return dims
    }

    /// The one dimension a selecting op works along (attrs.axes[0], already normalized); a
    /// 0-dim tensor has dimension 0 of extent 1.
    private static func selectionAxis(_ attrs: Attributes, _ type: TensorType, _ name: String) throws -> Int {
        guard let axes = attrs.axes, axes.count == 1, axes[0] >= 0, axes[0] < max(type.rank, 1) else {
            throw OpTypeError("\(name)() needs one dimension of its operand of rank \(type.rank)")
        }
        return axes[0]
    }

    /// The index of gather and scatter: int64, of the operand's rank, no larger than the operand
    /// outside `axis` (torch.gather's rule).
    private static func checkIndex(_ index: TensorType, of x: TensorType, axis: Int, _ name: String) throws {
        guard index.dtype == .int64 else { throw OpTypeError("\(name)(): expected dtype int64 for index, got \(index.dtype)") }
        guard index.rank == x.rank else {
            throw OpTypeError("\(name)(): index tensor must have the same number of dimensions as input tensor (\(index.rank) and \(x.rank))")
        }
        for d in 0..<x.rank where d != axis && index.shape[d] > x.shape[d] {
            throw OpTypeError("\(name)(): size does not match at dimension \(d): expected index \(formatShape(index.shape)) to be no larger than self \(formatShape(x.shape)) apart from dimension \(axis)")
        }
    }

    private static func reducedShape(_ type: TensorType, _ attrs: Attributes) throws -> [Int] {
        let axes = attrs.axes ?? Array(0..<type.rank)
        for axis in axes where axis < 0 || axis >= type.rank {
            throw OpTypeError("dimension \(axis) is out of range for a tensor of rank \(type.rank)")
        }
        return ShapeRules.reduced(type.shape, axes: axes, keepDim: attrs.keepDim)
    }
}
