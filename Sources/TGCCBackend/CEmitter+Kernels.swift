import Foundation
import TGCBase
import TGCCore
import TGCLowering

/// Kernel functions: each lowered loop nest becomes a static C function named after its ops
/// (`fused_sub_exp_div`, `op_add`), commented with the DSL lines of the ops it computes. Its
/// buffers are `restrict` pointer parameters — values that share memory (a view and its base,
/// a result written over its operand) are one parameter — and its schedule decides the
/// OpenMP pragmas.
extension CProgramEmitter {
    /// A kernel function and the call that runs it from `tgc_program`.
    package struct KernelFunction {
        package var name: String
        package var call: String
    }

    package mutating func emitKernelFunction(_ kernel: LoopKernel, for op: Op) throws -> KernelFunction {
        let kernel = kernelAsRun(kernel, for: op)
        let function = uniqueFunctionName(Self.functionBase(op))
        let schedule = KernelSchedule(kernel)
        for line in kernelComment(function, op, kernel, schedule) { functions.line(line) }
        return emitKernel(kernel, named: function, schedule)
    }

    /// The function `name` that runs `kernel` with `schedule`, without a comment (a kernel
    /// built by hand has no op to describe).
    mutating func emitKernel(_ kernel: LoopKernel, named function: String, _ schedule: KernelSchedule) -> KernelFunction {
        let buffers = kernelBuffers([kernel])
        functions.open("static void \(function)(\(buffers.parameters))")
        if let interchange = schedule.interchange {
            emitInterchanged(kernel, schedule, interchange, buffers.renderer)
        } else if !schedule.chunks.isEmpty {
            emitChunked(kernel, schedule, buffers.renderer)
        } else {
            emitLoops(kernel, schedule, buffers.renderer)
        }
        functions.close()
        functions.line()
        return KernelFunction(name: function, call: "\(function)(\(buffers.arguments))")
    }

    /// The kernel of `op` as it runs: an op that updates its base (`sliceUpdate`, `indexAdd`)
    /// and is written in place over it skips its first nest, the copy of the base; a scatter
    /// whose base is a constant of equal elements fills it instead (`scatterFilledBases`).
    package func kernelAsRun(_ kernel: LoopKernel, for op: Op) -> LoopKernel {
        var kernel = kernel
        if let base = op.operands.first, scatterFilledBases.contains(base), let constant = base.definingOp {
            return kernel.fillingScatterBase(with: constant.attributes.value ?? 0, base.type.dtype)
        }
        if op.kind.updatesItsBase, plan.address(op.result) == plan.address(op.operands[0]), case .nest? = kernel.steps.first,
           op.operands[0].type.elementCount > 0 {
            kernel.steps.removeFirst()   // written in place over its base: the copy of the base is already there
        }
        return kernel
    }

    /// `fused_sub_exp_div` for a fusion op, `op_add` for an op alone.
    package static func functionBase(_ op: Op) -> String {
        op.kind == .fusion ? (op.attributes.name ?? "fused") : "op_" + IRPrinter.opName(op.kind)
    }

    /// `base`, or `base_2`, `base_3`, ... when a function already has that name.
    package mutating func uniqueFunctionName(_ base: String) -> String {
        let count = (functionNames[base] ?? 0) + 1
        functionNames[base] = count
        return count == 1 ? base : "\(base)_\(count)"
    }

    /// The ops a kernel computes: a fusion op's members (literals left out), or the op.
    package static func members(_ op: Op) -> [Op] {
        op.kind == .fusion ? op.regions[0].ops.filter { $0.kind != .yield && $0.kind != .constant } : [op]
    }

    /// The buffers of a kernel function: its parameter list, the arguments of its call and a
    /// renderer that spells each buffer by its parameter.
    package struct KernelBuffers {
        /// One declaration per parameter (`const float *restrict v3`), in order.
        package var declarations: [String]
        package var parameters: String
        package var arguments: String
        package var renderer: CFamilyRenderer
        /// The memory of each parameter, in order, and its parameter name.
        package var addresses: [BufferPlan.Address]
        package var names: [BufferPlan.Address: String]
    }

    /// One parameter per distinct memory the kernels touch: written buffers first, then reads
    /// in order of use.
    package func kernelBuffers(_ kernels: [LoopKernel]) -> KernelBuffers {
        var order: [BufferPlan.Address] = []
        var representative: [BufferPlan.Address: Value] = [:]
        var written: Set<BufferPlan.Address> = []
        func note(_ value: Value, write: Bool) {
            let address = plan.address(value)
            if representative[address] == nil {
                representative[address] = value
                order.append(address)
            }
            if write { written.insert(address) }
        }
        let statements = kernels.flatMap(\.allStatements)
        for statement in statements {
            if let value = statement.writtenBuffer { note(value, write: true) }
        }
        for statement in statements {
            for value in statement.buffersRead { note(value, write: false) }
        }
        let parameters = order.map { address -> String in
            let value = representative[address]!
            let type = ScalarType(value.type.dtype).cName
            return (written.contains(address) ? "" : "const ") + "\(type) *restrict \(name(value))"
        }
        let names = representative.mapValues { name($0) }
        return KernelBuffers(declarations: parameters,
                             parameters: parameters.isEmpty ? "void" : parameters.joined(separator: ", "),
                             arguments: order.map { name(representative[$0]!) }.joined(separator: ", "),
                             renderer: CFamilyRenderer(bufferName: { [plan] in names[plan.address($0)]! }),
                             addresses: order, names: names)
    }

    /// Parallel loops (the outer one shared among threads when the schedule says so), then at
    /// each point the statements and reduction nests in order.
    private mutating func emitLoops(_ kernel: LoopKernel, _ schedule: KernelSchedule, _ renderer: CFamilyRenderer) {
        let count = kernel.parallelExtents.count
        let collapsedAll = schedule.parallel && schedule.collapse >= count
        for (axis, extent) in kernel.parallelExtents.enumerated() {
            var pragma: String?
            if axis == 0, schedule.parallel {
                pragma = "#pragma omp parallel for"
                if schedule.simdInnermost, count == 1 || collapsedAll { pragma! += " simd" }
                if schedule.collapse > 1 { pragma! += " collapse(\(schedule.collapse))" }
            } else if axis == count - 1, schedule.simdInnermost, !collapsedAll {
                pragma = "#pragma omp simd"
            }
            functions.openLoop(LoopVariable.parallel(axis).name, to: "\(extent)", pragma: pragma)
        }
        emitSteps(kernel, schedule, renderer)
        for _ in kernel.parallelExtents { functions.close() }
    }

    /// What a kernel does at each point of its parallel loops: statements and reduction nests.
    package mutating func emitSteps(_ kernel: LoopKernel, _ schedule: KernelSchedule, _ renderer: CFamilyRenderer) {
        var nestIndex = 0
        for step in kernel.steps {
            switch step {
            case .statement(let statement):
                functions.line(renderer.render(statement))
            case .nest(let nest):
                emitNest(nest, simd: schedule.simdNests.contains(nestIndex), renderer, firstLoop: nil)
                nestIndex += 1
            }
        }
    }

    /// A reduction nest: accumulators, sequential loops, body. `firstLoop` replaces the bounds
    /// of the outermost loop (a chunk of it). With `simd`, the innermost loop is vectorized:
    /// sums with `reduction(+)`; a max (min) with `reduction(max)` on `x > acc ? x : acc`,
    /// exact in value; the fold's rules (`ExtremeFold`) say what else the reordering must keep:
    /// a NaN flag where NaN propagates (a vector max drops NaN), and an ordered recomputation
    /// of a zero result where the sign of a zero depends on the order.
    package mutating func emitNest(_ nest: ReductionNest, simd: Bool, _ renderer: CFamilyRenderer,
                           firstLoop: (from: String, to: String)?) {
        var sums: [String] = []
        var extremes: [(accumulator: Accumulator, fold: ExtremeFold)] = []
        for accumulator in nest.accumulators {
            switch accumulator.fold {
            case .sum: sums.append(accumulator.name)
            case .extreme(let fold): if simd { extremes.append((accumulator, fold)) }
            case .ordered: precondition(!simd, "an ordered fold (\(accumulator.name)) cannot be vectorized")
            }
        }
        let flags = extremes.filter { $0.fold.nan == .propagates }.map { $0.accumulator.name + "_nan" }
        for accumulator in nest.accumulators {
            functions.line("\(accumulator.type.cName) \(accumulator.name) = \(renderer.render(accumulator.initial));")
        }
        for flag in flags { functions.line("int \(flag) = 0;") }
        var clauses: [String] = []
        if !sums.isEmpty { clauses.append("reduction(+:\(sums.joined(separator: ", ")))") }
        for isMax in [true, false] {
            let names = extremes.filter { $0.fold.isMax == isMax }.map(\.accumulator.name)
            if !names.isEmpty { clauses.append("reduction(\(isMax ? "max" : "min"):\(names.joined(separator: ", ")))") }
        }
        if !flags.isEmpty { clauses.append("reduction(|:\(flags.joined(separator: ", ")))") }
        openNestLoops(nest, firstLoop: firstLoop, pragma: simd ? "#pragma omp simd " + clauses.joined(separator: " ") : nil)
        for statement in nest.body {
            if case .assign(let name, .call(_, let arguments)) = statement,
               let (accumulator, fold) = extremes.first(where: { $0.accumulator.name == name }), arguments.count == 2 {
                let element = "\(name)_x"
                functions.line("\(accumulator.type.cName) \(element) = \(renderer.render(arguments[1]));")
                functions.line("\(name) = \(element) \(fold.isMax ? ">" : "<") \(name) ? \(element) : \(name);")
                switch fold.nan {
                case .propagates: functions.line("\(name)_nan |= \(element) != \(element);")
                case .noNaN: break
                }
            } else {
                functions.line(renderer.render(statement))
            }
        }
        for _ in nest.extents { functions.close() }
        for (accumulator, fold) in extremes {
            let name = accumulator.name
            var opened = false
            switch fold.nan {
            case .propagates:
                functions.open("if (\(name)_nan)")
                functions.line("\(name) = NAN;")
                opened = true
            case .noNaN:
                break
            }
            switch fold.zeroSign {
            case .laterTieWins:
                if opened {
                    functions.close("} else if (\(name) == 0) {")
                    functions.indent += 1
                } else {
                    functions.open("if (\(name) == 0)")
                }
                opened = true
                functions.line("/* +0 or -0: the sign comes from the ordered fold */")
                functions.line("\(name) = \(renderer.render(accumulator.initial));")
                openNestLoops(nest, firstLoop: firstLoop, pragma: nil)
                for statement in nest.body {
                    switch statement {
                    case .declare: functions.line(renderer.render(statement))
                    case .assign(name, _): functions.line(renderer.render(statement))
                    case .assign, .store, .indirectStore, .accumulate: break   // each write once
                    }
                }
                for _ in nest.extents { functions.close() }
            case .noSignedZero:
                break
            }
            if opened { functions.close() }
        }
    }

    /// The loops of a nest, `pragma` on the innermost.
    private mutating func openNestLoops(_ nest: ReductionNest, firstLoop: (from: String, to: String)?, pragma: String?) {
        for (axis, extent) in nest.extents.enumerated() {
            let bounds = (axis == 0 ? firstLoop : nil) ?? (from: "0", to: "\(extent)")
            functions.openLoop(LoopVariable.reduction(axis).name, from: bounds.from, to: bounds.to,
                               pragma: axis == nest.extents.count - 1 ? pragma : nil)
        }
    }

    /// A kernel of one output element whose large nests run in fixed chunks of their outermost
    /// loop: each chunk folds into its own partial result (each thread takes one contiguous run
    /// of chunks, so it streams through memory in order), then the partials are folded in chunk order.
    /// The chunks do not depend on the thread count, so neither does the result. Other nests
    /// and the statements run as they are, in order.
    private mutating func emitChunked(_ kernel: LoopKernel, _ schedule: KernelSchedule, _ renderer: CFamilyRenderer) {
        var nestIndex = -1
        for step in kernel.steps {
            guard case .nest(let nest) = step else {
                if case .statement(let statement) = step { functions.line(renderer.render(statement)) }
                continue
            }
            nestIndex += 1
            guard let chunks = schedule.chunks[nestIndex] else {
                emitNest(nest, simd: schedule.simdNests.contains(nestIndex), renderer, firstLoop: nil)
                continue
            }
            let extent = nest.extents[0]
            functions.line("/* \(chunks.count) chunks of \(chunks.length) iterations, folded in order: the same result on any number of threads */")
            for accumulator in nest.accumulators {
                functions.line("\(accumulator.type.cName) \(accumulator.name)_part[\(chunks.count)];")
            }
            functions.openLoop("chunk", to: "\(chunks.count)", pragma: "#pragma omp parallel for schedule(static)")
            functions.line("const int64_t chunkStart = chunk * \(chunks.length);")
            functions.line("const int64_t chunkEnd = chunkStart + \(chunks.length) < \(extent) ? chunkStart + \(chunks.length) : \(extent);")
            let simd = schedule.simdNests.contains(nestIndex)
            if simd, nest.extents.count == 1, nest.accumulators.allSatisfy(\.isSum) {
                emitLaneSums(nest, extent: extent, renderer)
            } else {
                emitNest(nest, simd: simd, renderer, firstLoop: ("chunkStart", "chunkEnd"))
            }
            for accumulator in nest.accumulators {
                functions.line("\(accumulator.name)_part[chunk] = \(accumulator.name);")
            }
            functions.close()
            emitFoldOfChunks(nest, count: chunks.count, renderer)
        }
    }

    /// Declares the nest's accumulators and folds the partial results of `count` chunks
    /// (`acc_part[chunk]`) into them in chunk order.
    package mutating func emitFoldOfChunks(_ nest: ReductionNest, count: Int, _ renderer: CFamilyRenderer) {
        for accumulator in nest.accumulators {
            functions.line("\(accumulator.type.cName) \(accumulator.name) = \(renderer.render(accumulator.initial));")
        }
        functions.openLoop("chunk", to: "\(count)")
        for accumulator in nest.accumulators {
            let part = "\(accumulator.name)_part[chunk]"
            switch accumulator.fold.combiner {
            case .add:
                functions.line("\(accumulator.name) += \(part);")
            case .apply(let function):
                functions.line(renderer.render(.assign(accumulator.name, .call(function, [.local(accumulator.name), .local(part)]))))
            case .inOrderOnly:
                preconditionFailure("\(accumulator.name) folds in order only: its nest cannot run in chunks")
            }
        }
        functions.close()
    }

    /// Elements summed ahead of the one being added: far enough for a load from memory to
    /// arrive in time, near enough to stay in L1.
    static let prefetchDistance = 512
    /// Independent partial sums per accumulator in a lane-blocked chunk.
    static let sumLanes = 16

    /// One chunk (`chunkStart` ..< `chunkEnd`) of a single-loop nest of sums, in lanes: each
    /// accumulator keeps `sumLanes` partial sums, which gcc holds in several vector registers
    /// (one vector accumulator would wait on its add's latency, and double sums of floats
    /// convert every element), and where `TGC_PREFETCH_SUMS` is set (KernelPrelude: not on
    /// AVX-512 machines) every stream the body reads contiguously is prefetched
    /// `prefetchDistance` elements ahead. The lanes are added in order after the tail. Sums
    /// accumulate in double or int64, so the partial sums change no float32 result's bits
    /// beyond what any vectorized order does.
    private mutating func emitLaneSums(_ nest: ReductionNest, extent: Int, _ renderer: CFamilyRenderer) {
        let index = LoopVariable.reduction(0).name
        let lanes = Self.sumLanes
        for accumulator in nest.accumulators {
            functions.line("\(accumulator.type.cName) \(accumulator.name) = \(renderer.render(accumulator.initial));")
            functions.line("\(accumulator.type.cName) \(accumulator.name)_lane[\(lanes)] = {0};")
        }
        var streams: [String] = []
        for statement in nest.body {
            statement.value.visit(indices: { buffer, offset in
                guard let buffer, offset.stride(of: .reduction(0)) == 1 else { return }
                let address = "&" + renderer.render(.load(buffer, offset))
                if !streams.contains(address) { streams.append(address) }
            })
        }
        functions.line("int64_t \(index)_base = chunkStart;")
        functions.open("for (; \(index)_base + \(lanes) <= chunkEnd; \(index)_base += \(lanes))")
        if !streams.isEmpty {
            let ahead = "\(index)_base + \(Self.prefetchDistance)"
            functions.line("#if TGC_PREFETCH_SUMS")
            functions.open("")
            functions.line("const int64_t \(index) = \(ahead) < \(extent) ? \(ahead) : \(extent - 1);")
            for address in streams { functions.line("__builtin_prefetch(\(address), 0, 0);") }
            functions.close()
            functions.line("#endif")
        }
        functions.openLoop("lane", to: "\(lanes)", type: "int", pragma: "#pragma omp simd")
        functions.line("const int64_t \(index) = \(index)_base + lane;")
        for statement in nest.body {
            if case .assign(let name, let value) = statement, case .infix("+", .local(name), let element) = value,
               nest.accumulators.contains(where: { $0.name == name }) {
                functions.line("\(name)_lane[lane] += \(renderer.render(element));")
            } else {
                functions.line(renderer.render(statement))
            }
        }
        functions.close()
        functions.close()
        functions.openLoop(index, from: "\(index)_base", to: "chunkEnd")
        for statement in nest.body { functions.line(renderer.render(statement)) }
        functions.close()
        for accumulator in nest.accumulators {
            functions.line(CSourceWriter.loopHeader("lane", to: "\(lanes)", type: "int") + " \(accumulator.name) += \(accumulator.name)_lane[lane];")
        }
    }

    // MARK: comments

    /// `name: one loop nest over f32[...]` and the DSL lines of the ops it computes.
    private mutating func kernelComment(_ function: String, _ op: Op, _ kernel: LoopKernel,
                                        _ schedule: KernelSchedule) -> [String] {
        let members = Self.members(op)
        var how: [String] = []
        if schedule.parallel { how.append("OpenMP threads share the outer loop") }
        if !schedule.chunks.isEmpty { how.append("threads fold fixed chunks") }
        let reductions = kernel.nests.count
        if schedule.interchange != nil {
            how.append("its reduction loop runs outside the innermost loop")
        } else if reductions > 0 {
            how.append("\(reductions) reduction loop\(reductions == 1 ? "" : "s") inside")
        }
        var lines = ["/* \(function): one loop nest over \(op.result.type)" + (how.isEmpty ? "" : " (" + how.joined(separator: "; ") + ")")]
        lines += sourceLines(of: members)
        lines[lines.count - 1] += " */"
        return lines
    }

    /// `" *   line 7:  let s = ...  [sub, exp]"`: the DSL lines of `members`, in line order.
    package mutating func sourceLines(of members: [Op]) -> [String] {
        var lines: [String] = []
        var order: [SourceLocation] = []
        var opsAt: [SourceLocation: [String]] = [:]
        for member in members {
            let key = SourceLocation(file: member.location.file, line: member.location.line, column: 0)
            if opsAt[key] == nil { order.append(key) }
            let name = IRPrinter.opName(member.kind)
            if opsAt[key]?.last != name { opsAt[key, default: []].append(name) }
        }
        for key in order.sorted(by: { ($0.file, $0.line) < ($1.file, $1.line) }) where key.line > 0 {
            let text = sourceLine(key).map { ":  " + CSourceText.comment($0.trimmingCharacters(in: .whitespaces)) } ?? ""
            lines.append(" *   line \(key.line)\(text)  [\(opsAt[key]!.joined(separator: ", "))]")
        }
        return lines
    }

    /// The text of a source line, when the file can be read.
    private mutating func sourceLine(_ location: SourceLocation) -> String? {
        if sourceFiles[location.file] == nil {
            let text = try? String(contentsOfFile: location.file, encoding: .utf8)
            sourceFiles[location.file] = .some(text.map { $0.split(separator: "\n", omittingEmptySubsequences: false) })
        }
        guard let lines = sourceFiles[location.file] ?? nil, location.line >= 1, location.line <= lines.count else { return nil }
        return String(lines[location.line - 1])
    }
}
