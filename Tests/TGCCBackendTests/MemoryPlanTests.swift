import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCCore

/// The memory plan, checked directly: a shadow-memory run of each program (independent of the
/// planner's own liveness analysis) records which value each arena byte range holds, executes
/// ops in order — loops twice around, both branches of each `if` — and fails if a value is
/// read after another value was written over it. Slots must be aligned and inside the arena.
struct MemoryPlanTests {
    static let sources: [(name: String, source: String)] = [
        ("linear-regression", try! String(contentsOfFile: TestRepository.samples.appendingPathComponent("ch1_07_linear_regression.swiftdsl").path, encoding: .utf8)),
        ("mlp", FusedKernelTestsSources.mlp),
        ("softmax", FusedKernelTests.programs.first { $0.name == "softmax" }!.source),
        ("reductions", FusedKernelTests.programs.first { $0.name == "reduction-prologues" }!.source),
        ("nested-loops", """
        var x = randn([4, 3])
        var s = zeros([3])
        for i in 0..<3 {
            var y = x * 2
            for j in 0..<2 {
                y = relu(y - 1) + s
                s = s + y.sum(dim: 0)
            }
            if i == 1 {
                x = x - y * 0.5
            } else {
                s = s * 0.5
            }
            print("step \\(i): \\(s.sum().item(), precision: 4)")
        }
        print(x)
        """),
    ]

    @Test(arguments: sources.map(\.name))
    func noValueIsOverwrittenWhileLive(_ name: String) throws {
        let source = Self.sources.first { $0.name == name }!.source
        let module = try CrossBackend.module(source: source, name: name)
        try Self.check(module, name: name)
    }

    @Test func handBuiltLoopsSwapsAndBranches() throws {
        for (name, module) in [("control", try AgreementPrograms.controlFlow()), ("random", try AgreementPrograms.random()),
                               ("printing", try AgreementPrograms.printing())] {
            try PassPipeline.pass(named: "memory-plan")!.run(module)
            try Self.check(module, name: name)
        }
    }

    /// The training loop reuses memory and updates w and b in place (no copy per epoch), and
    /// `tgc ir --after memory-plan` shows the slots.
    @Test func trainingLoopArenaIsSmallerThanOneBufferPerValue() throws {
        let source = Self.sources[0].source
        let module = try CrossBackend.module(source: source, name: "linreg-plan")
        let plan = try #require(MemoryPlan(reading: module))
        #expect(plan.arenaBytes < plan.naiveBytes, "arena \(plan.arenaBytes) vs naive \(plan.naiveBytes)")
        let ir = IRPrinter.print(module)
        #expect(ir.contains("arena = [0, 400]"), "\(ir)")
        #expect(ir.contains(") : f32[1], f32[1] {arena = [["), "the loop lists its carried values' slots")
        let c = try CEmitter.emit(module, programName: "linreg", description: "")
        #expect(!c.contains("carry to the next iteration"), "w and b are computed in their carried slots")
        #expect(c.contains("tgc_arena = tgc_alloc(TGC_ARENA_BYTES);"))
        let program = try #require(c.range(of: "static void tgc_program(void) {")).upperBound
        let end = try #require(c[program...].range(of: "\n}\n")).lowerBound
        #expect(!c[program..<end].contains("tgc_alloc("), "nothing is allocated while the program runs")
        let stats = try CEmitter.statistics(module)
        #expect(stats.arenaBytes == plan.arenaBytes && stats.naiveBytes == plan.naiveBytes)
        #expect(stats.kernelsAfterFusion < stats.kernelsBeforeFusion)
    }

    /// IR before and after the pass: `exp` reads x element by element and x dies there, so
    /// exp(x) takes x's slot; the sum is alive at the same time as exp(x), so it goes after it.
    @Test func passAnnotatesSlots() throws {
        let b = GraphBuilder()
        let at = SourceLocation.unknown
        var attrs = Attributes()
        attrs.shape = [16]
        attrs.dtype = .float32
        let x = try b.apply1(.randNormal, [], attrs, at: at)
        let total = try b.apply1(.reduceSum, [try b.apply1(.exp, [x], at: at)], at: at)
        var format = Attributes()
        format.printSegments = [.tensor(operand: 0, suffix: nil)]
        _ = try b.apply(.print, [total], format, at: at)
        try PassPipeline.pass(named: "memory-plan")!.run(b.module)
        try Verifier.verify(b.module, after: "memory-plan")
        #expect(IRPrinter.print(b.module, locations: false) == """
        module {
          %0 = rand_normal {shape = [16], dtype = float32, arena = [0, 64]} : f32[16]
          %1 = exp %0 {arena = [0, 64]} : f32[16]
          %2 = reduce_sum %1 {arena = [64, 4]} : f32[]
          print %2 {format = "{0}"}
        }

        """)
    }

    /// A result is written over an operand that dies at its op when the op reads it element by
    /// element; a transpose reads other positions, so its result needs a slot of its own.
    @Test func resultsReuseDeadOperandsOnlyWhenPointwise() throws {
        let module = try CrossBackend.module(source: """
        let x = randn([64])
        save(exp(x) * 2, "y.npy")
        let w = randn([8, 8])
        save(w.T + 1, "t.npy")
        """, name: "in-place")
        var slots: [(String, Int)] = []
        module.body.walkOutsideFusions { op in
            if let slot = op.attributes.arena?.first { slots.append((op.attributes.name ?? IRPrinter.opName(op.kind), slot.offset)) }
        }
        #expect(slots.map(\.0) == ["rand_normal", "fused_exp_mul", "rand_normal", "fused_transpose_add"], "\(slots)")
        guard slots.count == 4 else { return }
        #expect(slots[1].1 == slots[0].1, "exp(x) * 2 is written over x")
        #expect(slots[3].1 != slots[2].1, "w.T + 1 cannot be written over w")
        try Self.check(module, name: "in-place")
    }

    /// Buffers of 256 KiB or more share bytes only with large buffers of their own size: threads
    /// split kernels by their outer loops, so bytes passed to a tensor of another shape would be
    /// written by other threads than the ones whose caches hold them (MemoryPlan's placement).
    /// Smaller buffers still take any dead bytes.
    @Test func largeBuffersShareOnlyWithTheirOwnSize() throws {
        let module = try CrossBackend.module(source: """
        let a = randn([256, 512])
        save(a.sum(dim: 1), "a.npy")
        let b = randn([128, 512])
        save(b.sum(dim: 1), "b.npy")
        let c = randn([256, 512])
        save(c.sum(dim: 1), "c.npy")
        let d = randn([16, 512])
        save(d.sum(dim: 1), "d.npy")
        """, name: "large-buffers")
        var draws: [ArenaSlot] = []
        module.body.walkOutsideFusions { op in
            if op.kind == .randNormal, let slot = op.attributes.arena?.first { draws.append(slot) }
        }
        try #require(draws.count == 4, "\(draws)")
        let (a, b, c, d) = (draws[0], draws[1], draws[2], draws[3])
        func overlap(_ x: ArenaSlot, _ y: ArenaSlot) -> Bool { x.offset < y.offset + y.bytes && y.offset < x.offset + x.bytes }
        #expect(a.bytes == 512 << 10 && b.bytes == 256 << 10 && d.bytes == 32 << 10)
        #expect(c.offset == a.offset, "c takes the bytes of a, dead and of its size")
        #expect(!overlap(b, a) && !overlap(b, c), "b, large and of another size, keeps apart: \(draws)")
        #expect(overlap(d, a) || overlap(d, b), "d, small, takes dead bytes: \(draws)")
        try Self.check(module, name: "large-buffers")
    }

    // MARK: shadow memory

    /// Runs `module`'s ops in order against a map of which value holds each arena byte range.
    static func check(_ module: Module, name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let plan = try #require(MemoryPlan(reading: module), "\(name) has no complete memory plan")
        for (value, slot) in plan.slots {
            #expect(slot.offset % ArenaSlot.alignment == 0, "\(name): \(value) at \(slot.offset) is not aligned", sourceLocation: sourceLocation)
            #expect(slot.offset + slot.bytes <= plan.arenaBytes, "\(name): \(value) ends past the arena", sourceLocation: sourceLocation)
        }
        var shadow = Shadow(plan: plan, name: name, sourceLocation: sourceLocation)
        shadow.run(module.body)
    }

    /// Which value each written byte range of the arena holds.
    struct Shadow {
        let plan: MemoryPlan
        let name: String
        let sourceLocation: Testing.SourceLocation
        var holder: [(range: Range<Int>, value: Value)] = []

        /// The arena value whose bytes `value` reads, if any.
        func storage(_ value: Value) -> Value? {
            switch plan.storage[value] {
            case .arena: return plan.slots[value]!.bytes > 0 ? value : nil
            case .view(let base): return storage(base)
            case .transposedOperand(let base): return storage(base)
            case .external, nil: return nil
            }
        }

        func range(_ value: Value) -> Range<Int> {
            let slot = plan.slots[value]!
            return slot.offset..<(slot.offset + slot.bytes)
        }

        func read(_ value: Value, by op: Op) {
            guard let stored = storage(value) else { return }
            let ok = holder.contains { $0.range == range(stored) && $0.value === stored }
            #expect(ok, "\(name): \(IRPrinter.opName(op.kind)) at \(op.location) reads \(stored) (\(stored.type)) after its slot \(range(stored)) was overwritten", sourceLocation: sourceLocation)
        }

        mutating func write(_ value: Value) {
            guard let stored = storage(value), stored === value else { return }
            let bytes = range(value)
            holder.removeAll { $0.range.overlaps(bytes) }
            holder.append((bytes, value))
        }

        mutating func run(_ block: Block) {
            for op in block.ops {
                switch op.kind {
                case .yield:
                    op.operands.forEach { read($0, by: op) }
                case .forLoop:
                    op.operands.forEach { read($0, by: op) }
                    let body = op.regions[0]
                    let carried = Array(body.arguments.dropFirst())
                    carried.forEach { write($0) }
                    let trips = min(2, max(0, (op.attributes.upper ?? 0) - (op.attributes.lower ?? 0)))
                    for _ in 0..<trips {
                        run(body)
                        // The carry: copies read every yielded value first (swaps go through
                        // temporaries), then each carried slot holds its new value.
                        for (argument, yielded) in zip(carried, body.yielded) {
                            if let stored = storage(yielded), range(stored) == range(argument) {
                                let bytes = range(argument)
                                holder.removeAll { $0.range.overlaps(bytes) }
                                holder.append((bytes, argument))
                            } else {
                                write(argument)
                            }
                        }
                    }
                case .ifElse:
                    read(op.operands[0], by: op)
                    let before = holder
                    var afterThen = self
                    afterThen.run(op.regions[0])
                    zip(op.results, op.regions[0].yielded).forEach { afterThen.read($0.1, by: op) }
                    holder = before
                    run(op.regions[1])
                    zip(op.results, op.regions[1].yielded).forEach { read($0.1, by: op) }
                    op.results.forEach { write($0) }
                default:
                    op.operands.forEach { read($0, by: op) }
                    for (index, operand) in op.operands.enumerated() {
                        let overwritten = op.results.contains { result in storage(result) === result && storage(operand).map { range($0) == range(result) } == true }
                        if overwritten {
                            #expect(MemoryPlan.readsPointwise(op, operand: index),
                                    "\(name): \(IRPrinter.opName(op.kind)) at \(op.location) writes over operand \(index), which it does not read pointwise",
                                    sourceLocation: sourceLocation)
                        }
                    }
                    op.results.forEach { write($0) }
                }
            }
        }
    }
}

/// Programs shared between test files.
enum FusedKernelTestsSources {
    static let mlp = """
    manualSeed(18)
    let x = randn([16, 13])
    let w1 = randn([13, 9]) * 0.4
    let b1 = randn([9]) * 0.1
    let w2 = randn([9, 5]) * 0.4
    let hidden = relu(matmul(x, w1) + b1)
    let logits = matmul(hidden, w2)
    let loss = (logits * logits).mean()
    let (gw1, gb1, gw2) = grad(of: loss, wrt: w1, b1, w2)
    save(gw1, "gw1.npy")
    save(gb1, "gb1.npy")
    save(gw2, "gw2.npy")
    """
}
