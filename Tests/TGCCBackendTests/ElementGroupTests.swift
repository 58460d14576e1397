import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCLowering
@testable import TGCCore

/// Element groups (ElementGroups.swift): the elementwise updates of every parameter, moment
/// and buffer an optimizer step writes are ONE kernel over their concatenated elements.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct ElementGroupTests {
    /// A model with four parameters of four shapes ([16, 20], [16], [3, 16], [3]).
    static func training(_ optimizer: String) -> String {
        """
        manualSeed(31)
        struct Net: Module {
            let fc1 = Linear(20, 16)
            let fc2 = Linear(16, 3)
            func callAsFunction(_ x: Tensor) -> Tensor { fc2(relu(fc1(x))) }
        }
        let model = Net()
        let x = randn([8, 20])
        let y = randn([8, 3])
        let opt = \(optimizer)
        for step in 0..<4 {
            opt.zeroGrad()
            let loss = mseLoss(model(x), y)
            loss.backward()
            opt.step()
        }
        save(model.fc1.weight, "w1.npy")
        save(model.fc1.bias, "b1.npy")
        save(model.fc2.weight, "w2.npy")
        save(model.fc2.bias, "b2.npy")
        """
    }

    static let optimizers = [
        ("adam", "Adam(model.parameters(), lr: 0.01)"),
        ("adamw", "AdamW(model.parameters(), lr: 0.01, weightDecay: 0.1)"),
        ("sgd-momentum", "SGD(model.parameters(), lr: 0.05, momentum: 0.9, weightDecay: 0.01, nesterov: true)"),
        ("rmsprop", "RMSprop(model.parameters(), lr: 0.01)"),
    ]

    /// The element group functions of a C program, with the text of each (its comment and
    /// body; its segments' functions come before it).
    static func groups(_ c: String) -> [Substring] {
        c.components(separatedBy: "\n/* ").filter { $0.hasPrefix("elements_") && !$0.contains("_segment0:") && $0.contains(": one loop over the") }
            .map { Substring($0) }
    }

    /// The step of each optimizer is one kernel: one group over 320 + 16 + 48 + 3 elements whose
    /// four segments run every update of their parameter; the binary agrees with the
    /// interpreter.
    @Test(arguments: optimizers)
    func stepIsOneKernel(_ name: String, _ optimizer: String) throws {
        let source = Self.training(optimizer)
        let c = try CEmitterTextTests.emit(source: source)
        let steps = Self.groups(c).filter { $0.contains("opt.step()") }
        #expect(steps.count == 1, "\(name): \(c)")
        guard let step = steps.first else { return }
        #expect(step.contains("one loop over the 387 elements of 4 tensor sizes"), "\(step)")
        for segment in ["elements 0..<320:", "elements 320..<336:", "elements 336..<384:", "elements 384..<387:"] {
            #expect(step.contains(segment), "\(name): \(segment) in \(step)")
        }
        try CrossBackend.expectAgreement(try CrossBackend.module(source: source, name: "group-" + name), name: "group-" + name)
    }

    /// Adam's three updates of a parameter share its loads: m and v are read from the
    /// registers the earlier kernels stored them from, not from memory. Each segment is a
    /// function of its own (`restrict` parameters), vectorized from 8 elements on.
    @Test func adamReusesStoredMoments() throws {
        let c = try CEmitterTextTests.emit(source: Self.training("Adam(model.parameters(), lr: 0.01)"))
        let step = try #require(Self.groups(c).first { $0.contains("opt.step()") })
        let name = String(step.prefix { $0 != ":" })
        #expect(step.components(separatedBy: "    \(name)_segment").count - 1 == 4, "\(step)")
        for (segment, vectorized) in [(0, true), (1, true), (2, true), (3, false)] {
            let header = "static inline void \(name)_segment\(segment)(int64_t from, int64_t to, "
            let body = try #require(c.range(of: header).map { c[$0.upperBound...].prefix { $0 != "}" } }, "\(c)")
            #expect(body.contains("sqrtf(s"), "the parameter update reads v's register: \(body)")
            #expect(body.contains("#pragma omp simd") == vectorized, "\(body)")
        }
    }

    /// A group large enough to share among threads runs in fixed chunks of the concatenated
    /// range and gives the same bytes on one and two threads.
    @Test func largeGroupRunsInChunks() throws {
        let source = Self.training("Adam(model.parameters(), lr: 0.01)")
            .replacingOccurrences(of: "Linear(20, 16)", with: "Linear(300, 160)")
            .replacingOccurrences(of: "Linear(16, 3)", with: "Linear(160, 3)")
            .replacingOccurrences(of: "randn([8, 20])", with: "randn([8, 300])")
        let c = try CEmitterTextTests.emit(source: source)
        let step = try #require(Self.groups(c).first { $0.contains("opt.step()") })
        #expect(step.contains("in chunks of 4096 shared by OpenMP threads"), "\(step)")
        let module = try CrossBackend.module(source: source, name: "group-chunks")
        try CrossBackend.expectAgreement(module, name: "group-chunks")
        try CrossBackend.expectThreadIndependence(module, name: "group-chunks-threads", files: 4)
    }

    /// A kernel that reads another's result at another element (a shifted slice: b[i] reads
    /// a[i + 1]) or a scalar another computes never joins its group: the kernels of other
    /// tensor sizes run in any order.
    @Test func dependentKernelsStaySeparate() throws {
        let source = """
            manualSeed(32)
            let x = randn([64])
            let a = x * 2
            let b = a[1...] + 1
            let c = randn([8, 8]) * a[3]
            save(a, "a.npy")
            save(b, "b.npy")
            save(c, "c.npy")
            """
        let c = try CEmitterTextTests.emit(source: source)
        #expect(Self.groups(c).isEmpty, "\(c)")
        try CrossBackend.expectAgreement(try CrossBackend.module(source: source, name: "group-dependent"), name: "group-dependent")
    }

    /// The legality rule on the lowered kernels: independent updates of different sizes form
    /// a group; adding a kernel that reads one of them at another element does not.
    @Test func legalityNeedsIndependentSegments() throws {
        let source = """
            manualSeed(33)
            let x = randn([64])
            let y = randn([10])
            let a = x * 2
            let b = y * 3
            let c = a[1...] + 1
            save(a, "a.npy")
            save(b, "b.npy")
            save(c, "c.npy")
            """
        let module = try CrossBackend.module(source: source, name: "group-legal")
        let plan = try BufferPlan(module)
        let members = module.body.ops.compactMap { op -> (op: Op, kernel: LoopKernel)? in
            guard case .kernel(let kernel) = plan.lowering(of: op), let flat = kernel.flattened() else { return nil }
            return (op, flat)
        }
        #expect(members.count == 3)
        guard members.count == 3 else { return }
        #expect(ElementGroup(Array(members[0...1]), plan: plan)?.segments.count == 2)
        #expect(ElementGroup(members, plan: plan) == nil)
    }
}

extension ElementGroupTests {
    /// `tgc compile --stats` counts the groups and the kernels they hold.
    @Test func statisticsCountGroupedKernels() throws {
        let module = try CrossBackend.module(source: Self.training("Adam(model.parameters(), lr: 0.01)"), name: "group-stats")
        let statistics = try CEmitter.statistics(module)
        #expect(statistics.elementGroups >= 1)
        #expect(statistics.kernelsInElementGroups >= 12, "Adam's three updates of four parameters")
        #expect(statistics.kernelsAfterGrouping == statistics.kernelsAfterFusion - statistics.kernelsInElementGroups + statistics.elementGroups)
        #expect(statistics.text.contains("element groups: \(statistics.elementGroups) holding \(statistics.kernelsInElementGroups) kernels"))
    }
}
