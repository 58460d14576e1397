import TGCCore

/// The IR programs of the cross-backend tests, one per op family; each saves every result.
/// `OpCoverageTests` checks that together they use every op kind except `gradient`.
enum AgreementPrograms {
    /// Every program, by name (names become binary and folder names).
    static func all() throws -> [(String, Module)] {
        [("unary", try unary()), ("binary", try binary()), ("movement", try movement()),
         ("reductions", try reductions()), ("sources", try sources()), ("random", try random()),
         ("control", try controlFlow()), ("printing", try printing()), ("selection", try selection()), ("dtypes", try dtypes()), ("scalar logs", try scalarLogs()),
         ("convolution", try convolution()), ("loop exit", try loopExit())]
    }

    static let unaryKinds: [OpKind] = [.neg, .exp, .log, .sin, .cos, .tanh, .sqrt, .abs, .relu, .sigmoid,
                                       .sign, .logicalNot, .stopGradient,
                                       // Chapter 2 math
                                       .floor, .ceil, .round, .trunc, .log1p, .expm1, .log2, .log10, .exp2,
                                       .rsqrt, .reciprocal, .square, .tan, .asin, .acos, .atan, .sinh, .cosh, .erf]
    /// The one-operand ops PyTorch defines on floats only (bool and int64 inputs are errors).
    static let floatOnlyKinds: [OpKind] = [.frac, .softplus, .silu, .gelu, .elu, .leakyRelu]
    static let binaryKinds: [OpKind] = [.add, .sub, .mul, .div, .pow, .maximum, .minimum, .mod, .equal, .notEqual,
                                        .less, .lessEqual, .greater, .greaterEqual, .logicalAnd, .logicalOr,
                                        // Chapter 2 math
                                        .atan2]
    static let reductionKinds: [OpKind] = [.reduceSum, .reduceMax, .reduceMin, .argMax, .argMin,
                                           // Chapter 2 math
                                           .reduceProd]

    /// Every unary op and every cast on float (with NaN, ±inf, ±0), int, bool and scalar inputs
    /// (not the negation of a bool, which is an error).
    static func unary() throws -> Module {
        let p = ProgramBuilder()
        let special = try p.constant([-2.5, -1, -0.0, 0, 0.5, 1.75, 3, .nan, .infinity, -.infinity, 1e-8, 88.5,
                                      -100, 0.25, 7, -7, 1e10], [17])
        let inputs: [(String, ValueID)] = [
            ("special", special),
            ("matrix", try p.constant(TestData.floats(15, seed: 1), [3, 5])),
            ("scalar", try p.constant([0.75], [])),
            ("int", try p.constant([-3, -2, -1, 0, 1, 2, 3, 4, -4, 5, 6, -7, 8, 0, 9], [3, 5], .int64)),
            ("bool", try p.constant([1, 0, 0, 1, 1, 0], [2, 3], .bool)),
        ]
        for (label, x) in inputs {
            for kind in unaryKinds where !(kind == .neg && label == "bool") {   // an error, as in PyTorch
                if [.floor, .ceil, .round, .trunc].contains(kind) && label == "bool" { continue }   // also an error
                try p.save(try p.op(kind, [x]), "\(kind.name)_\(label)")
            }
            for kind in floatOnlyKinds where label != "int" && label != "bool" {
                try p.save(try p.op(kind, [x]), "\(kind.name)_\(label)")
            }
            if label == "special" {
                try p.save(try p.op(.elu, [x]) { $0.alpha = 0.5 }, "elu_alpha_\(label)")
                try p.save(try p.op(.leakyRelu, [x]) { $0.alpha = 0.2 }, "leaky_relu_slope_\(label)")
            }
            if label != "bool" {   // clamp: both bounds, one, crossed bounds, a fractional bound on integers
                try p.save(try p.op(.clamp, [x]) { $0.low = -1; $0.high = 2.5 }, "clamp_\(label)")
                try p.save(try p.op(.clamp, [x]) { $0.low = 0.5 }, "clamp_min_\(label)")
                try p.save(try p.op(.clamp, [x]) { $0.high = -0.25 }, "clamp_max_\(label)")
                try p.save(try p.op(.clamp, [x]) { $0.low = 1; $0.high = -1 }, "clamp_crossed_\(label)")
            }
            for dtype in DType.allCases {
                try p.save(try p.op(.cast, [x]) { $0.dtype = dtype }, "cast_\(label)_to_\(dtype.rawValue)")
            }
        }
        return p.module
    }

    /// Every binary op on pairs covering broadcasting ([3,1]×[1,4], rank 0 × rank 3,
    /// [2,1,3]×[4,1]), mixed dtypes, zeros (division and modulo), negative exponents and NaN.
    static func binary() throws -> Module {
        let p = ProgramBuilder()
        let same7a = try p.constant([-2.5, 0, 3, .nan, .infinity, -0.0, 5.5], [7])
        let same7b = try p.constant([2, 0, -1.5, 1, 2, 0, -2], [7])
        let pairs: [(String, ValueID, ValueID)] = [
            ("col_row", try p.constant([-1.5, 0.25, 3], [3, 1]), try p.constant([2, -0.5, 0, 1.25], [1, 4])),
            ("same7", same7a, same7b),
            ("scalar_rank3", try p.constant([1.5], []), try p.constant(TestData.floats(24, seed: 2), [2, 3, 4])),
            ("rank3_rank2", try p.constant(TestData.floats(6, seed: 3), [2, 1, 3]), try p.constant([0.5, -2, 3, 0], [4, 1])),
            ("int", try p.constant([-3, -2, -1, 0, 1, 2, 3, 4, -4, 5, 6, -7, 8, 0, 9], [3, 5], .int64),
             try p.constant([2, 0, -1, 3, -2, 1, 0, 4, 3, 2, -3, 2, 1, 0, -1], [3, 5], .int64)),
            ("int_float", try p.constant([-2, 0, 5], [3, 1], .int64), try p.constant([0.5, -1.5, 2, 0], [1, 4])),
            ("bool", try p.constant([1, 0, 1, 0, 1, 1], [2, 3], .bool), try p.constant([1, 1, 0, 0, 0, 1], [2, 3], .bool)),
            ("bool_int", try p.constant([1, 0, 1, 0, 1, 1], [2, 3], .bool), try p.constant([3, -1, 0], [3], .int64)),
            ("float_bool", try p.constant(TestData.floats(17, seed: 4), [17]), try p.constant([1], [], .bool)),
        ]
        for (label, a, b) in pairs {
            let integerResult = !DType.resultType(of: [p.type(a), p.type(b)]).isFloatingPoint
            let bothBool = p.type(a).dtype == .bool && p.type(b).dtype == .bool   // bool - bool is an error, as in PyTorch
            for kind in binaryKinds where !(kind == .mod && integerResult) && !(kind == .sub && bothBool) {
                try p.save(try p.op(kind, [a, b]), "\(kind.name)_\(label)")
            }
        }
        // Integer modulo by zero is a run-time error (GeneratedProgramTests), so these divisors have no 0.
        let dividends = try p.constant([-7, -3, -1, 0, 1, 4, 7, 9, -9, 5, 6, -6], [2, 6], .int64)
        try p.save(try p.op(.mod, [dividends, try p.constant([3, -3, 2, -2, 1, -1], [6], .int64)]), "mod_int_signs")
        try p.save(try p.op(.mod, [try p.constant([1, 0, 1], [3], .bool), try p.constant([1], [], .bool)]), "mod_bool")
        try p.save(try p.op(.mod, [try p.constant([1, 0, 1], [3], .bool), try p.constant([4, -3, 2], [3], .int64)]), "mod_bool_int")
        let condition = try p.constant([1, 0, 1], [3, 1], .bool)
        try p.save(try p.op(.select, [condition, try p.constant([1, 2, 3, 4], [1, 4]), try p.constant([-5], [], .int64)]), "select_broadcast")
        try p.save(try p.op(.select, [try p.constant([0, 1, 1, 0, 0, 1], [2, 3], .bool),
                                      try p.constant([1, 2, 3, 4, 5, 6], [2, 3], .int64),
                                      try p.constant([1, 0, 1], [3], .bool)]), "select_int_bool")
        try p.save(try p.op(.select, [try p.constant([0], [], .bool), same7a, same7b]), "select_scalar_condition")
        // One rounding: 3 · α − round(3 · α) is the rounding error of the product, not 0.
        let third = 1.0 / 3.0
        try p.save(try p.op(.fusedMultiplyAdd, [try p.constant([3, 1.5, -2, 0.1], [2, 2]), try p.constant([third, 0.7], [2]),
                                                try p.constant([-1, -1.05], [2])]), "fused_multiply_add")
        try p.save(try p.op(.fusedMultiplyAdd, [try p.constant([3, 0.1], [2], .float64), try p.constant([third], [], .float64),
                                                try p.constant([-1, 0.25], [2], .float64)]), "fused_multiply_add_f64")
        return p.module
    }

    /// reshape (also feeding a kernel, as a view), transpose (2-D, every 3-D permutation, size-1
    /// dims, int, bool), cyclicShift (flips, rolls and reflections on each axis, two fused into
    /// one kernel) and broadcastTo.
    static func movement() throws -> Module {
        let p = ProgramBuilder()
        let x3 = try p.constant(TestData.floats(24, seed: 5), [2, 3, 4])
        let m = try p.constant([-3, -2, -1, 0, 1, 2, 3, 4, -4, 5, 6, -7, 8, 0, 9], [3, 5], .int64)
        let flat = try p.op(.reshape, [x3]) { $0.shape = [4, 6] }
        try p.save(flat, "reshape_4x6")
        try p.save(try p.op(.add, [flat, try p.constant(TestData.floats(6, seed: 6), [6])]), "reshape_then_add")
        try p.save(try p.op(.reshape, [m]) { $0.shape = [15] }, "reshape_int")
        try p.save(try p.op(.reshape, [try p.constant([2.5], [])]) { $0.shape = [1, 1] }, "reshape_scalar")

        try p.save(try p.op(.transpose, [try p.constant(TestData.floats(15, seed: 7), [3, 5])]) { $0.permutation = [1, 0] }, "transpose_2d")
        for perm in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            try p.save(try p.op(.transpose, [x3]) { $0.permutation = perm }, "transpose_3d_\(perm.map(String.init).joined())")
        }
        try p.save(try p.op(.transpose, [try p.constant([1, 2, 3], [1, 3, 1])]) { $0.permutation = [2, 0, 1] }, "transpose_unit_dims")
        try p.save(try p.op(.transpose, [try p.constant(TestData.floats(7, seed: 8), [7])]) { $0.permutation = [0] }, "transpose_1d")
        try p.save(try p.op(.transpose, [m]) { $0.permutation = [1, 0] }, "transpose_int")
        for (axis, step, start) in [(0, -1, 1), (1, -1, 2), (2, -1, 3), (1, 1, 1), (2, 1, 3), (2, -1, 1), (0, 1, 0)] {
            try p.save(try p.op(.cyclicShift, [x3]) { $0.axes = [axis]; $0.step = Double(step); $0.start = Double(start) },
                       "cyclic_shift_\(axis)_\(step)_\(start)")
        }
        let rolled = try p.op(.cyclicShift, [m]) { $0.axes = [1]; $0.step = 1; $0.start = 2 }
        try p.save(try p.op(.mul, [rolled, try p.op(.cyclicShift, [m]) { $0.axes = [0]; $0.step = -1; $0.start = 2 }]), "cyclic_shift_int_fused")
        try p.save(try p.op(.cyclicShift, [try p.constant([1, 0, 0, 1, 1, 0], [2, 3], .bool)]) { $0.axes = [1]; $0.step = -1; $0.start = 0 }, "cyclic_shift_bool")
        try p.save(try p.op(.transpose, [try p.constant([1, 0, 0, 1, 1, 0], [2, 3], .bool)]) { $0.permutation = [1, 0] }, "transpose_bool")

        try p.save(try p.op(.broadcastTo, [try p.constant([1, 2, 3], [3, 1])]) { $0.shape = [2, 3, 4] }, "broadcast_col")
        try p.save(try p.op(.broadcastTo, [try p.constant([4.5], [])]) { $0.shape = [5] }, "broadcast_scalar")
        try p.save(try p.op(.broadcastTo, [try p.constant([1, -2, 3, 0.5], [4])]) { $0.shape = [3, 4] }, "broadcast_row")
        try p.save(try p.op(.broadcastTo, [try p.constant([7, -8, 9], [3], .int64)]) { $0.shape = [2, 3] }, "broadcast_int")
        try p.save(try p.op(.broadcastTo, [try p.constant([1, 0], [2, 1], .bool)]) { $0.shape = [2, 3] }, "broadcast_bool")

        // Indexing: slices read alone and feeding a kernel (in place); sliceUpdate with steps, on
        // int and bool, and of a whole tensor.
        let steps = [SliceDim(start: 1, step: 1, size: 1), SliceDim(start: 2, step: 1, size: 1), SliceDim(start: 0, step: 3, size: 2)]
        try p.save(try p.op(.slice, [x3]) { $0.slice = [SliceDim(start: 1, step: 1, size: 1), SliceDim(start: 0, step: 2, size: 2), SliceDim(start: 1, step: 1, size: 3)] }, "slice_3d")
        try p.save(try p.op(.exp, [try p.op(.slice, [x3]) { $0.slice = steps }]), "slice_then_exp")
        try p.save(try p.op(.slice, [m]) { $0.slice = [SliceDim(start: 2, step: 1, size: 1), SliceDim(start: 0, step: 1, size: 5)] }, "slice_int")
        try p.save(try p.op(.sliceUpdate, [x3, try p.constant([-1, -2], [1, 1, 2])]) { $0.slice = steps }, "slice_update_steps")
        try p.save(try p.op(.sliceUpdate, [m, try p.constant([7, 8, 9], [3, 1], .int64)]) { $0.slice = [SliceDim(start: 0, step: 1, size: 3), SliceDim(start: 4, step: 1, size: 1)] }, "slice_update_int")
        try p.save(try p.op(.sliceUpdate, [try p.constant([1, 0, 0, 1], [4], .bool), try p.constant([1, 1], [2], .bool)]) { $0.slice = [SliceDim(start: 1, step: 2, size: 2)] }, "slice_update_bool")
        try p.save(try p.op(.sliceUpdate, [try p.constant([1, 2], [2]), try p.constant([3, 4], [2])]) { $0.slice = [SliceDim.all(2)] }, "slice_update_whole")
        // indexSelect: repeated and out-of-order rows, a 2-D index, a vector, int64.
        let rows = try p.constant([1, 0, 1, 1, 0, 1], [2, 3], .int64)
        try p.save(try p.op(.indexSelect, [x3, rows]), "index_select_3d")
        try p.save(try p.op(.indexSelect, [m, try p.constant([2, 2, 0], [3], .int64)]), "index_select_int")
        try p.save(try p.op(.indexSelect, [try p.constant(TestData.floats(7, seed: 9), [7]), try p.constant([6, 0, 3, 3], [4], .int64)]), "index_select_vector")
        // indexAdd: repeated rows summed in index order (float and int64).
        try p.save(try p.op(.indexAdd, [x3, try p.constant([1, 0, 1, 1], [4], .int64), try p.constant(TestData.floats(48, seed: 10), [4, 3, 4])]), "index_add_3d")
        try p.save(try p.op(.indexAdd, [m, try p.constant([2, 2], [2], .int64), try p.constant([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [2, 5], .int64)]), "index_add_int")
        return p.module
    }

    /// The selecting ops: gather along each dimension (repeated indices, an index smaller than
    /// the operand), scatter with repeated positions (the later write wins), scatterAdd with
    /// repeated positions (sums in index order, float and int64), argsort of ties and NaN both
    /// ways, of int64, of a rank-0 tensor and of rows long enough for several merge passes.
    static func selection() throws -> Module {
        let p = ProgramBuilder()
        let x3 = try p.constant(TestData.floats(24, seed: 21), [2, 3, 4])
        let m = try p.constant([-3, -2, -1, 0, 1, 2, 3, 4, -4, 5, 6, -7, 8, 0, 9], [3, 5], .int64)
        func along(_ axis: Int, descending: Bool = false) -> (inout Attributes) -> Void {
            { $0.axes = [axis]; $0.descending = descending }
        }
        let index3 = try p.constant([1, 0, 1, 1, 0, 0, 1, 1], [2, 2, 2], .int64)
        for axis in 0..<3 {
            try p.save(try p.op(.gather, [x3, index3], configure: along(axis)), "gather_\(axis)")
        }
        try p.save(try p.op(.exp, [try p.op(.gather, [x3, try p.constant([3, 3, 0, 2, 1, 3], [1, 2, 3], .int64)], configure: along(2))]), "gather_then_exp")
        try p.save(try p.op(.gather, [m, try p.constant([4, 4, 0, 1, 2, 3], [3, 2], .int64)], configure: along(1)), "gather_int")
        let positions = try p.constant([1, 1, 0, 2, 2, 2, 0, 1], [2, 4], .int64)
        let source = try p.constant(TestData.floats(15, seed: 22, scale: 1000), [3, 5])
        try p.save(try p.op(.scatter, [x3, try p.constant([3, 3, 0, 1, 0, 0], [1, 2, 3], .int64), try p.constant(TestData.floats(9, seed: 23), [1, 3, 3])], configure: along(2)), "scatter_repeated")
        try p.save(try p.op(.scatter, [m, positions, try p.constant(Array(0..<15).map(Double.init), [3, 5], .int64)], configure: along(0)), "scatter_int")
        let sums = try p.constant([0, 0, 0, 0, 0], [1, 5])
        try p.save(try p.op(.scatterAdd, [sums, try p.constant([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], [3, 5], .int64), source], configure: along(0)), "scatter_add_order")
        try p.save(try p.op(.scatterAdd, [x3, try p.constant([0, 2, 2, 2, 1, 2], [1, 3, 2], .int64), try p.constant(TestData.floats(6, seed: 24), [1, 3, 2])], configure: along(1)), "scatter_add_3d")
        try p.save(try p.op(.scatterAdd, [m, positions, try p.constant(Array(0..<8).map(Double.init), [2, 4], .int64)], configure: along(0)), "scatter_add_int")
        let ties = try p.constant([2, 1, 2, .nan, -3, 1, .nan, 0, -0.0, 2, 1, 1], [2, 6])
        for descending in [false, true] {
            try p.save(try p.op(.argsort, [ties], configure: along(1, descending: descending)), "argsort_ties_\(descending)")
            try p.save(try p.op(.argsort, [ties], configure: along(0, descending: descending)), "argsort_dim0_\(descending)")
            try p.save(try p.op(.argsort, [m], configure: along(1, descending: descending)), "argsort_int_\(descending)")
        }
        try p.save(try p.op(.argsort, [try p.constant([4.5], [])], configure: along(0)), "argsort_scalar")
        var rounded = TestData.floats(3000, seed: 25)
        for i in stride(from: 0, to: rounded.count, by: 3) { rounded[i] = rounded[i].rounded() }   // many ties
        try p.save(try p.op(.argsort, [try p.constant(rounded, [3, 1000])], configure: along(1)), "argsort_long_rows")
        // Gathers fused into their consumers: through an index computed at run time (an
        // argsort) into a reduction's prologue, and through index maps of one (index_select's
        // index broadcast along its dimension) into an elementwise chain.
        let order = try p.op(.argsort, [x3], configure: along(1))
        try p.save(try p.op(.reduceSum, [try p.op(.mul, [try p.op(.gather, [x3, order], configure: along(1)), x3])]) { $0.axes = [1] }, "gather_fused_prologue")
        let firstRow = try p.op(.slice, [order]) { $0.slice = [SliceDim(start: 1, step: 1, size: 1), SliceDim(start: 2, step: 1, size: 1), SliceDim.all(4)] }
        let spread = try p.op(.broadcastTo, [firstRow]) { $0.shape = [2, 3, 4] }
        try p.save(try p.op(.exp, [try p.op(.gather, [x3, spread], configure: along(2))]), "gather_fused_index_maps")
        // A scatterAdd large enough for threads over its rows, positions repeated within a row.
        let wide = try p.op(.randUniform, []) { $0.shape = [64, 512]; $0.dtype = .float32 }
        let repeated = try p.op(.mod, [try p.op(.argsort, [wide], configure: along(1)), try p.constant([7], [], .int64)])
        try p.save(try p.op(.scatterAdd, [try p.splat(0.5, [64, 512]), repeated, wide], configure: along(1)), "scatter_add_threads")
        // randperm: the order of uniform draws from the one Philox stream.
        let draws = try p.op(.randUniform, []) { $0.shape = [50]; $0.dtype = .float32 }
        try p.save(try p.op(.argsort, [draws], configure: along(0)), "randperm")
        return p.module
    }

    /// Each reduction over each axis, with and without keepDim, over all axes, and over two
    /// axes; on float (also with NaN), int with ties, bool, rank 0, rank 1 (17) and [1, 7].
    static func reductions() throws -> Module {
        let p = ProgramBuilder()
        var withNaN = TestData.floats(24, seed: 9)
        withNaN[5] = .nan
        withNaN[17] = .nan
        let tensors: [(String, ValueID, [[Int]?])] = [
            ("f3", try p.constant(TestData.floats(24, seed: 10), [2, 3, 4]), [[0], [1], [2], nil]),
            ("nan", try p.constant(withNaN, [2, 3, 4]), [[0], [1], [2], nil]),
            ("int", try p.constant([3, 1, 3, 0, -2, 3, 3, -2, 0, 1, -5, 3, 2, -5, 0], [3, 5], .int64), [[0], [1], nil]),
            ("bool", try p.constant([0, 1, 1, 0, 0, 0], [2, 3], .bool), [[0], [1], nil]),
            ("scalar", try p.constant([-1.25], []), [nil]),
            ("v17", try p.constant(TestData.floats(17, seed: 11), [17]), [[0], nil]),
            ("row7", try p.constant(TestData.floats(7, seed: 12), [1, 7]), [[0], [1], nil]),
        ]
        for (label, x, axesOptions) in tensors {
            for kind in reductionKinds {
                for axes in axesOptions {
                    for keepDim in [false, true] {
                        let name = "\(kind.name)_\(label)_\(axes.map { $0.map(String.init).joined() } ?? "all")\(keepDim ? "_keep" : "")"
                        try p.save(try p.op(kind, [x]) { $0.axes = axes; $0.keepDim = keepDim }, name)
                    }
                }
            }
        }
        // Chapter 2 math: running sums along every axis of each tensor (NaN carries on down the
        // row; int and bool give int64), of a 0-dim tensor, a long row and an empty dimension.
        for (label, x, axesOptions) in tensors {
            for axis in axesOptions.compactMap({ $0 }) {
                try p.save(try p.op(.cumsum, [x]) { $0.axes = axis }, "cumsum_\(label)_\(axis[0])")
            }
        }
        try p.save(try p.op(.cumsum, [try p.constant([-1.25], [])]) { $0.axes = [0] }, "cumsum_scalar")
        try p.save(try p.op(.cumsum, [try p.constant(TestData.floats(1000, seed: 14), [1000])]) { $0.axes = [0] }, "cumsum_long")
        try p.save(try p.op(.cumsum, [try p.constant([], [2, 0, 3])]) { $0.axes = [2] }, "cumsum_empty")
        try p.save(try p.op(.reduceProd, [try p.constant([], [2, 0, 3])]) { $0.axes = [1] }, "reduce_prod_empty")
        let x3 = try p.constant(TestData.floats(24, seed: 13), [2, 3, 4])
        for kind in [OpKind.reduceSum, .reduceMax, .reduceMin] {
            for keepDim in [false, true] {
                try p.save(try p.op(kind, [x3]) { $0.axes = [0, 2]; $0.keepDim = keepDim }, "\(kind.name)_axes02\(keepDim ? "_keep" : "")")
            }
        }
        // PyTorch's orders through the runtime: each of cascade_sum's loops (inner rows of at
        // least 8, outer columns in vectors and scalars, short rows), the full sum, an empty sum,
        // float64; nll_loss's sum past one cascade level, skipping some values.
        let wide = try p.constant(TestData.floats(37 * 45, seed: 15), [37, 45])
        for axes in [[0], [1], [0, 1]] {
            try p.save(try p.op(.cascadeSum, [wide]) { $0.axes = axes }, "cascade_sum_wide_\(axes.map(String.init).joined())")
        }
        try p.save(try p.op(.cascadeSum, [x3]) { $0.axes = [0, 2]; $0.keepDim = true }, "cascade_sum_axes02_keep")
        try p.save(try p.op(.cascadeSum, [try p.constant([], [2, 0])]) { $0.axes = [1] }, "cascade_sum_empty")
        try p.save(try p.op(.cascadeSum, [try p.constant([0.1, 0.2, 0.3, 0.4, 0.5], [5], .float64)]) { $0.axes = nil }, "cascade_sum_float64")
        let losses = try p.constant(TestData.floats(70, seed: 16), [70])
        let skipped = try p.op(.greater, [losses, try p.constant([0.8], [])])
        try p.save(try p.op(.nllSum, [losses, skipped]), "nll_sum")
        return p.module
    }

    /// float64, int32 and uint8: every unary, float-only and binary op and reduction on each,
    /// mixed with the other dtypes and with 0-dim operands (PyTorch's promotion), wrapping
    /// integer arithmetic, and float64 and int32 matrix products. float64 results must be equal
    /// (both modes compute in double, sums in order).
    static func dtypes() throws -> Module {
        let p = ProgramBuilder()
        let float64 = try p.constant([-2.5, -1, -0.0, 0, 0.1, 1.75, 3, .nan, .infinity, -.infinity, 1e-300, 700, 1e10, 0.25, 7], [3, 5], .float64)
        // Small integers for every op (x ** 300 would only wrap); the ends of the ranges, where
        // wrapping shows, for the arithmetic that wraps (int64 as well).
        let int32 = try p.constant([-9, -3, -1, 0, 1, 2, 3, 4, -7, 5, 6, 7, 8, -8, 9], [3, 5], .int32)
        let uint8 = try p.constant([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 17], [3, 5], .uint8)
        let int32Ends = try p.constant([-2147483648, 2147483647, 46341, -46341, 0, 1], [6], .int32)
        let uint8Ends = try p.constant([0, 1, 127, 128, 200, 255], [6], .uint8)
        let int64Ends = try p.constant([0x1p62, -0x1p62, 3037000500, -3037000500, -0x1p63, 1], [6], .int64)
        for (label, x) in [("int32_ends", int32Ends), ("uint8_ends", uint8Ends), ("int64_ends", int64Ends)] {
            for kind in [OpKind.neg, .abs, .sign, .relu, .square] { try p.save(try p.op(kind, [x]), "\(kind.name)_\(label)") }
            for kind in [OpKind.add, .sub, .mul, .maximum, .less] { try p.save(try p.op(kind, [x, x]), "\(kind.name)_\(label)") }
            try p.save(try p.op(.pow, [x, try p.constant([3], [], .int64)]), "pow_3_\(label)")
            try p.save(try p.op(.mul, [x, try p.constant([2], [], .int32)]), "mul_2_\(label)")
            try p.save(try p.op(.add, [x, try p.constant([300], [], .int64)]), "add_int64_0dim_\(label)")
            try p.save(try p.op(.reduceSum, [x]), "sum_\(label)")
            for dtype in DType.allCases {
                try p.save(try p.op(.cast, [x]) { $0.dtype = dtype }, "cast_\(label)_to_\(dtype.rawValue)")
            }
        }
        for (label, x) in [("float64", float64), ("int32", int32), ("uint8", uint8)] {
            for kind in unaryKinds + (label == "float64" ? floatOnlyKinds : []) {
                try p.save(try p.op(kind, [x]), "\(kind.name)_\(label)")
            }
            try p.save(try p.op(.clamp, [x]) { $0.low = 1; $0.high = 100.5 }, "clamp_\(label)")
            for dtype in DType.allCases {
                try p.save(try p.op(.cast, [x]) { $0.dtype = dtype }, "cast_\(label)_to_\(dtype.rawValue)")
            }
            for kind in reductionKinds {
                for axes in [[0], [1], nil] as [[Int]?] {
                    try p.save(try p.op(kind, [x]) { $0.axes = axes }, "\(kind.name)_\(label)_\(axes.map { $0.map(String.init).joined() } ?? "all")")
                }
            }
        }
        // No zero divisors: integer modulo by zero is a run-time error.
        let divisors: [(String, ValueID)] = [
            ("float64", try p.constant([2, -1.5, 3, 0.5, -4], [5], .float64)),
            ("int32", try p.constant([3, -2, 7, 1, -5], [5], .int32)),
            ("uint8", try p.constant([3, 2, 7, 1, 5], [5], .uint8)),
            ("float32", try p.constant([0.5, -2, 3, 1.25, 4], [5])),
            ("int64", try p.constant([2, -3, 1, 4, 6], [5], .int64)),
            ("bool", try p.constant([1, 1, 1, 1, 1], [5], .bool)),
            ("float64_0dim", try p.constant([2.5], [], .float64)),
            ("int64_0dim", try p.constant([300], [], .int64)),
        ]
        for (leftLabel, a) in [("float64", float64), ("int32", int32), ("uint8", uint8)] {
            for (rightLabel, b) in divisors {
                for kind in binaryKinds where !(kind == .pow && rightLabel == "int64_0dim") {   // x ** 300 overflows
                    try p.save(try p.op(kind, [a, b]), "\(kind.name)_\(leftLabel)_\(rightLabel)")
                }
            }
        }
        try p.save(try p.op(.select, [try p.constant([1, 0, 1, 0, 1], [5], .bool), divisors[1].1, divisors[6].1]), "select_int32_float64_0dim")
        // Casts between dtypes of one size, of values computed just before (their slot dies
        // at the cast, which must not write over it in place through the other type).
        for (label, x, dtype) in [("float32_int32", divisors[3].1, DType.int32), ("int32_float32", divisors[1].1, .float32),
                                  ("uint8_bool", divisors[2].1, .bool), ("bool_uint8", divisors[5].1, .uint8)] {
            let computed = try p.op(.mul, [x, x])
            let difference: OpKind = p.type(computed).dtype == .bool ? .notEqual : .sub   // bool - bool is an error, as in PyTorch
            try p.save(try p.op(.cast, [try p.op(difference, [computed, try p.op(.cast, [x]) { $0.dtype = p.type(computed).dtype }])]) { $0.dtype = dtype }, "cast_computed_\(label)")
        }
        let matrix = TestData.floats(12, seed: 21)
        for (label, dtype) in [("float64", DType.float64), ("int32", .int32), ("uint8", .uint8)] {
            let a = try p.constant(matrix.map { dtype.isFloatingPoint ? $0 : $0.rounded() }, [2, 2, 3], dtype)
            let b = try p.constant(matrix.map { dtype.isFloatingPoint ? $0 : $0.rounded() }, [3, 4], dtype)
            try p.save(try p.op(.matmul, [a, b]), "matmul_\(label)")
        }
        return p.module
    }

    /// int64 and bool matmul (float32 goes through sgemm: MatmulTests), constants (data and
    /// splat, every dtype, zero-size) and arange.
    static func sources() throws -> Module {
        let p = ProgramBuilder()
        try p.save(try p.op(.matmul, [try p.constant([1, -2, 3, 0, 4, -1], [2, 3], .int64),
                                      try p.constant([2, 0, 1, -3, 1, 1, 0, 2, -1, 5, 2, 0], [3, 4], .int64)]), "matmul_int")
        try p.save(try p.op(.matmul, [try p.constant([1, 0, 0, 0], [2, 2], .bool), try p.constant([0, 1, 1, 0], [2, 2], .bool)]), "matmul_bool")
        // A transpose read only by an int64 matmul is folded into its loop's strides.
        let stored = try p.constant([1, 2, -3, 4, 0, 5], [3, 2], .int64)
        try p.save(try p.op(.matmul, [try p.op(.transpose, [stored]) { $0.permutation = [1, 0] },
                                      try p.constant([2, -1, 0, 1, 3, 1, -2, 0, 1, 1, 1, 1], [3, 4], .int64)]), "matmul_int_transposed")
        // Batched int64 products: a batch broadcast against a matrix, batch dims broadcast
        // from size 1 on both sides, and a folded transpose of the last two dims of a batch.
        let batchA = try p.constant((0..<24).map { Double($0 % 7 - 3) }, [2, 1, 3, 4], .int64)
        let batchB = try p.constant((0..<40).map { Double($0 % 5 - 2) }, [5, 4, 2], .int64)
        try p.save(try p.op(.matmul, [batchA, batchB]), "matmul_int_batch_broadcast")
        try p.save(try p.op(.matmul, [batchB, try p.constant([1, -1, 2, 0, 3, 1], [2, 3], .int64)]), "matmul_int_batch_matrix")
        try p.save(try p.op(.matmul, [try p.op(.transpose, [batchB]) { $0.permutation = [0, 2, 1] }, batchB]), "matmul_int_batch_transposed")
        try p.save(try p.op(.add, [try p.op(.randUniform, []) { $0.shape = [300, 300]; $0.dtype = .float32 }, try p.splat(1, [])]), "add_300x300_parallel")

        // Data-parallel training in one process: the mean over the processes is the tensor, the rank 0.
        try p.save(try p.op(.allReduce, [try p.constant([1.5, -2, 0.25, 3], [2, 2])]), "all_reduce_f32")
        try p.save(try p.op(.allReduce, [try p.constant([0.1, -7], [2], .float64)]), "all_reduce_f64")
        try p.save(try p.op(.processRank, []), "process_rank")

        try p.save(try p.splat(1.5, [2, 3]), "splat_float")
        try p.save(try p.splat(2.7, [4], .int64), "splat_int_truncates")
        try p.save(try p.splat(-2.7, [4], .int64), "splat_negative_int_truncates")
        try p.save(try p.splat(1, [3], .bool), "splat_bool")
        try p.save(try p.splat(2.5, []), "splat_scalar")
        try p.save(try p.splat(0, [2, 0]), "splat_empty")
        try p.save(try p.constant([1.9, -1.9, 0, 5], [2, 2], .int64), "data_int_truncates")
        try p.save(try p.constant([1, 0, 2], [3], .bool), "data_bool")
        try p.save(try p.constant([0.1, 1e-30, 3.4e38, -0.0], [4]), "data_float")
        try p.save(try p.constant([], [0]), "data_empty")

        let aranges: [(Double, Double, Int, DType)] = [(0.5, 0.25, 9, .float32), (-3, 2, 7, .int64), (0, 0.1, 17, .float32),
                                                       (0, 1, 3, .bool), (2.5, -1.5, 1, .float32)]
        for (index, (start, step, count, dtype)) in aranges.enumerated() {
            try p.save(try p.op(.arange, []) { $0.start = start; $0.step = step; $0.shape = [count]; $0.dtype = dtype }, "arange_\(index)")
        }
        return p.module
    }

    /// Random draws in program order, reseeding with manualSeed, and draws inside a loop.
    static func random() throws -> Module {
        let p = ProgramBuilder()
        func draw(_ kind: OpKind, _ shape: [Int]) throws -> ValueID {
            try p.op(kind, []) { $0.shape = shape; $0.dtype = .float32 }
        }
        try p.save(try draw(.randUniform, [3, 4]), "uniform_3x4")
        try p.save(try draw(.randNormal, [17]), "normal_17")
        try p.save(try draw(.randNormal, []), "normal_scalar")
        try p.effect(.manualSeed, []) { $0.seed = 7 }
        try p.save(try draw(.randUniform, [5]), "uniform_after_seed")
        try p.save(try draw(.randNormal, [2, 3]), "normal_after_seed")
        let start = try p.splat(0, [4])
        let summed = try p.graph.loop(0..<3, carrying: [start], at: p.here()) { _, carried in
            [try p.op(.add, [carried[0], try draw(.randNormal, [4])])]
        }
        try p.save(summed[0], "loop_of_normals")
        try p.save(try draw(.randUniform, [2]), "uniform_after_loop")
        return p.module
    }

    /// A loop that ends when its stop flag is set (`loopExit`, a `while` on a run-time value):
    /// doubling until the sum passes 40 leaves the loop after 4 of its 1000 iterations, with the
    /// iteration count carried out; both modes stop at the same iteration.
    static func loopExit() throws -> Module {
        let p = ProgramBuilder()
        let start = try p.constant([1, 2], [2])
        let stopped = try p.op(.greater, [try p.op(.reduceSum, [start]) { $0.axes = nil }, try p.splat(100, [])])
        let counted = try p.graph.loop(0..<1000, carrying: [stopped, start, try p.splat(0, [], .int64)], at: p.here()) { _, carried in
            try p.effect(.loopExit, [carried[0]]) { _ in }
            let doubled = try p.op(.mul, [carried[1], try p.splat(2, [])])
            let done = try p.op(.greater, [try p.op(.reduceSum, [doubled]) { $0.axes = nil }, try p.splat(40, [])])
            return [done, doubled, try p.op(.add, [carried[2], try p.splat(1, [], .int64)])]
        }
        try p.save(counted[1], "doubled_until_past_40")
        try p.save(counted[2], "iterations_run")
        return p.module
    }

    /// Scalars logged to `logs/` inside a loop (its index as the step, reported as progress)
    /// and after it, one a hyperparameter at its default: both modes write the same scalars.csv (compared by
    /// CrossBackend.expectSameFiles).
    static func scalarLogs() throws -> Module {
        let p = ProgramBuilder()
        let start = try p.constant([0.5, -1.5], [2])
        let summed = try p.graph.loop(0..<3, carrying: [start], at: p.here()) { index, carried in
            let next = try p.op(.mul, [carried[0], try p.splat(3, [2])])
            let total = try p.op(.reduceSum, [next]) { $0.axes = [0] }
            try p.effect(.addScalar, [total, index]) { $0.path = "logs"; $0.name = "train/total" }
            try p.effect(.progress, [index]) { $0.name = "1:1"; $0.printSegments = [.text("logging")]; $0.upper = 3 }
            return [next]
        }
        try p.effect(.addScalar, [try p.splat(.pi, []), try p.splat(-7, [], .int64)]) { $0.path = "logs"; $0.name = "pi" }
        let rate = try p.op(.hyper, []) { $0.name = "rate"; $0.value = 0.125; $0.shape = []; $0.dtype = .float64 }
        try p.effect(.addScalar, [try p.op(.cast, [rate]) { $0.dtype = .float32 }, try p.splat(1, [], .int64)]) { $0.path = "logs"; $0.name = "rate" }
        try p.save(summed[0], "logged_values")
        return p.module
    }

    /// Loops with carried values (a swap, a swap through views, an unchanged value), a nested
    /// loop, a zero-trip loop, if/else at top level and inside a loop.
    static func controlFlow() throws -> Module {
        let p = ProgramBuilder()
        let g = p.graph
        let a = try p.constant([1, 2, 3], [3]), b = try p.constant([10, 20, 30], [3])
        let c = try p.splat(0, [], .int64), d = try p.constant([5, 6], [2])
        let e = try p.constant([1, 2, 3, 4], [4]), f = try p.constant([-1, -2, -3, -4], [2, 2])
        let s = try p.splat(1, [])
        let looped = try g.loop(0..<5, carrying: [a, b, c, d, e, f, s], at: p.here()) { index, v in
            let nextC = try p.op(.add, [v[2], index])
            let nextE = try p.op(.reshape, [v[5]]) { $0.shape = [4] }
            let nextF = try p.op(.reshape, [v[4]]) { $0.shape = [2, 2] }
            let nextS = try p.op(.add, [try p.op(.mul, [v[6], try p.splat(2, [])]), try p.op(.cast, [index]) { $0.dtype = .float32 }])
            return [v[1], v[0], nextC, v[3], nextE, nextF, nextS]
        }
        for (i, value) in looped.enumerated() { try p.save(value, "loop_carried_\(i)") }

        let x = try p.constant([1, -2, 3, 0.5], [2, 2])
        let outer = try g.loop(0..<3, carrying: [x], at: p.here()) { _, v in
            let inner = try g.loop(0..<4, carrying: [v[0]], at: p.here()) { j, w in
                [try p.op(.add, [try p.op(.mul, [w[0], try p.splat(0.5, [])]), try p.op(.cast, [j]) { $0.dtype = .float32 }])]
            }
            return [try p.op(.add, [inner[0], try p.splat(1, [])])]
        }
        try p.save(outer[0], "nested_loops")
        let empty = try g.loop(3..<3, carrying: [a], at: p.here()) { _, v in [try p.op(.neg, [v[0]])] }
        try p.save(empty[0], "zero_trip_loop")

        let positive = try p.op(.greater, [try p.op(.reduceSum, [a]) { $0.axes = nil }, try p.splat(0, [])])
        let branched = try g.branch(positive, carrying: [a, c], at: p.here(),
                                    then: { v in [try p.op(.mul, [v[0], try p.splat(2, [])]), v[1]] },
                                    else: { v in [try p.op(.sub, [v[0], try p.splat(1, [])]), v[1]] })
        try p.save(branched[0], "if_then")
        try p.save(branched[1], "if_unchanged")
        let negative = try p.op(.less, [try p.splat(1, []), try p.splat(0, [])])
        let other = try g.branch(negative, carrying: [b], at: p.here(),
                                 then: { v in [try p.op(.neg, [v[0]])] }, else: { v in [try p.op(.exp, [v[0]])] })
        try p.save(other[0], "if_else")

        let alternating = try g.loop(0..<6, carrying: [a], at: p.here()) { index, v in
            let even = try p.op(.equal, [try p.op(.mod, [index, try p.splat(2, [], .int64)]), try p.splat(0, [], .int64)])
            return try g.branch(even, carrying: [v[0]], at: p.here(),
                                then: { w in [try p.op(.add, [w[0], try p.splat(1, [])])] },
                                else: { w in [w[0]] })
        }
        try p.save(alternating[0], "if_in_loop")
        return p.module
    }

    /// print: text with quotes, backslashes, tabs, newlines, non-ASCII and trigraph-like
    /// sequences; tensors of each dtype (with a suffix, summarized, zero-size); scalars as repr,
    /// fixed precision, int and bool; prints inside a loop.
    static func printing() throws -> Module {
        let p = ProgramBuilder()
        func show(_ segments: [PrintSegment], _ operands: [ValueID]) throws {
            try p.effect(.print, operands) { $0.printSegments = segments }
        }
        let matrix = try p.constant(TestData.floats(6, seed: 30, scale: 10), [2, 3])
        let ints = try p.constant([3, -1, 0, 12345], [4], .int64)
        let bools = try p.constant([1, 0, 0, 1], [2, 2], .bool)
        let scalar = try p.op(.add, [try p.splat(0.1, []), try p.splat(0.2, [])])
        try show([.text("quote \" backslash \\ tab\t é ñ 日本 ??= ??/ 100% %s done")], [])
        try show([.text("two\nlines")], [])
        try show([], [])
        try show([.text("m = "), .tensor(operand: 0, suffix: nil)], [matrix])
        try show([.tensor(operand: 0, suffix: "requires_grad=True")], [matrix])
        try show([.tensor(operand: 0, suffix: nil), .text(" and "), .tensor(operand: 1, suffix: nil)], [ints, bools])
        try show([.tensor(operand: 0, suffix: nil)], [try p.op(.arange, []) { $0.start = 0; $0.step = 1; $0.shape = [1500]; $0.dtype = .float32 }])
        try show([.tensor(operand: 0, suffix: nil)], [try p.splat(0, [0])])
        try show([.tensor(operand: 0, suffix: nil)], [scalar])
        try show([.text("repr "), .scalar(operand: 0, precision: nil), .text(" fixed "), .scalar(operand: 0, precision: 4),
                  .text(" int "), .scalar(operand: 1, precision: nil), .text(" bool "), .scalar(operand: 2, precision: nil)],
                 [scalar, try p.splat(-42, [], .int64), try p.splat(1, [], .bool)])
        let loss = try p.splat(2, [])
        _ = try p.graph.loop(0..<3, carrying: [loss], at: p.here()) { index, v in
            let epoch = try p.op(.add, [index, try p.splat(1, [], .int64)])
            try show([.text("Epoch "), .scalar(operand: 0, precision: nil), .text(": Loss = "), .scalar(operand: 1, precision: 4)], [epoch, v[0]])
            return [try p.op(.mul, [v[0], try p.splat(0.3, [])])]
        }
        try p.save(loss, "loss")
        return p.module
    }
}

/// Deterministic test data: floats in [-scale, scale), varied and reproducible.
enum TestData {
    static func floats(_ count: Int, seed: Int, scale: Double = 4) -> [Double] {
        var state = UInt64(truncatingIfNeeded: seed) &* 6364136223846793005 &+ 1442695040888963407
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let unit = Double(state >> 11) / Double(1 << 53)
            return Double(Float((unit * 2 - 1) * scale))
        }
    }
}
