import Testing
import TGCBase
@testable import TGCCore

/// The interpreter's float32 products, convolutions and large elementwise results on several
/// threads (ThreadedKernels) must give the bits of one thread: each thread takes whole rows or
/// images, or whole runs of images of the weight gradient, never a part of a sum.
struct ThreadedKernelsTests {
    /// `count` float32 values from a fixed linear congruential sequence in [-1, 1).
    private func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2048) / 1024 - 1
        }
    }

    private func tensor(_ shape: [Int], seed: UInt64) -> Tensor {
        Tensor(type: TensorType(shape, .float32), storage: .float32(values(shape.reduce(1, *), seed: seed)))
    }

    /// The bits of `kind` on `operands` computed on each of `threadCounts`.
    private func results(_ kind: OpKind, _ operands: [Tensor], _ attrs: Attributes = .none,
                         threadCounts: [Int] = [1, 2, 3, 8]) throws -> [[UInt32]] {
        let type = try kind.definition.inferType(operands.map(\.type), attrs)[0]
        return try threadCounts.map { threads in
            let context = RunContext()
            context.threads = threads
            let result = try Interpreter.compute(kind, operands, attrs, resultType: type, context: context, at: .unknown)
            guard case .float32(let v) = result.storage else { Issue.record("not float32"); return [] }
            return v.map(\.bitPattern)
        }
    }

    @Test func productsSplitByRowsEqualOneThread() throws {
        // Rows not a multiple of the thread counts, a batch, and a long k.
        for (a, b) in [([67, 300], [300, 129]), ([3, 45, 200], [200, 70]), ([64, 3136], [3136, 128])] {
            let bits = try results(.matmul, [tensor(a, seed: 1), tensor(b, seed: 2)])
            #expect(bits.allSatisfy { $0 == bits[0] }, "matmul \(a) x \(b)")
        }
    }

    @Test func largeElementwiseResultsSplitByRowsEqualOneThread() throws {
        // A contiguous result (one long row, cut into pieces), broadcasts, a transpose.
        let (x, row, column) = (tensor([300, 1001], seed: 6), tensor([1001], seed: 7), tensor([300, 1], seed: 8))
        var transpose = Attributes()
        transpose.permutation = [1, 0]
        for (kind, operands, attrs) in [(OpKind.mul, [x, x], Attributes.none), (.add, [x, row], .none), (.sub, [column, x], .none),
                                        (.transpose, [x], transpose)] {
            let bits = try results(kind, operands, attrs)
            #expect(bits.allSatisfy { $0 == bits[0] }, "\(kind)")
        }
        var channels = Attributes()
        channels.axes = [0, 2, 3]   // batch norm's sums: each channel's rows, in order, on one thread
        let sums = try results(.reduceSum, [tensor([16, 13, 40, 40], seed: 9)], channels)
        #expect(sums.allSatisfy { $0 == sums[0] }, "reduceSum")
        let positive = try Interpreter.compute(.greater, [x, row], .none, resultType: TensorType([300, 1001], .bool),
                                               context: RunContext(), at: .unknown)
        let chosen = try results(.select, [positive, x, column])
        #expect(chosen.allSatisfy { $0 == chosen[0] }, "select")
    }

    @Test func convolutionsSplitByImagesEqualOneThread() throws {
        let windows = [(Window2D(kernel: (3, 3), stride: (1, 1), padding: (1, 1), dilation: (1, 1)), 1, [13, 8, 14, 14], [16, 8, 3, 3]),
                       (Window2D(kernel: (3, 2), stride: (2, 1), padding: (1, 0), dilation: (1, 2)), 2, [21, 6, 11, 12], [10, 3, 3, 2]),
                       (Window2D(kernel: (1, 1), stride: (1, 1), padding: (0, 0), dilation: (1, 1)), 1, [35, 16, 9, 9], [24, 16, 1, 1])]
        for (window, groups, input, weight) in windows {
            let attrs = window.attributes(groups: groups)
            let (x, w) = (tensor(input, seed: 3), tensor(weight, seed: 4))
            let y = try results(.conv2d, [x, w], attrs)
            #expect(y.allSatisfy { $0 == y[0] }, "conv2d \(input) \(weight)")
            let outputType = try OpKind.conv2d.definition.inferType([x.type, w.type], attrs)[0]
            let gy = tensor(outputType.shape, seed: 5)
            var inputGradAttrs = attrs
            inputGradAttrs.shape = input
            let gx = try results(.conv2dInputGrad, [gy, w], inputGradAttrs)
            #expect(gx.allSatisfy { $0 == gx[0] }, "conv2d input gradient \(input) \(weight)")
            let gw = try results(.conv2dWeightGrad, [x, gy], attrs)
            #expect(gw.allSatisfy { $0 == gw[0] }, "conv2d weight gradient \(input) \(weight)")
        }
    }
}
