import Foundation
import Testing
@testable import TGCCBackend
@testable import TGCLowering
@testable import TGCCore

/// The kernel IR's irregular forms (KernelForms.swift), built by hand, rendered by the C
/// renderer and run: a gather, a scatter-add and an index-put with repeated indices, a padded
/// convolution and a concatenation through guarded loads, max and average pooling with stride
/// and padding. Each result is compared with values computed here in Swift in the same order
/// (so floats agree exactly), at -O3 and under the sanitizers, on one and two threads.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct KernelFormTests {
    typealias K = KernelIR

    /// `rows × columns` floats: row r, column c is `r - c / 4 + 0.37` (negative ones included).
    static func matrix(_ rows: Int, _ columns: Int) -> [Double] {
        (0..<rows * columns).map { Double(Float($0 / columns) - Float($0 % columns) / 4 + 0.37) }
    }

    /// Every run's output `label` is exactly `expected`.
    static func expect(_ runs: [(run: String, outputs: [String: [Float]])], _ label: String, _ expected: [Float],
                       sourceLocation: SourceLocation = #_sourceLocation) {
        for (run, outputs) in runs {
            let actual = outputs[label] ?? []
            #expect(actual.count == expected.count && zip(actual, expected).allSatisfy { $0.bitPattern == $1.bitPattern },
                    "\(label), \(run): \(actual) instead of \(expected)", sourceLocation: sourceLocation)
        }
    }

    /// An embedding lookup `y[n, :] = table[idx[n], :]` with repeated and out-of-order rows.
    @Test func gatherReadsTheIndexedRows() throws {
        let program = KernelProgram()
        let (rows, width) = (5, 3)
        let tableData = Self.matrix(rows, width)
        let indices = [3, 0, 3, 4, 1, 3]
        let table = program.buffer(tableData)
        let idx = program.buffer(indices.map(Double.init), .int64)
        let y = program.buffer([Double](repeating: 0, count: indices.count * width))
        let gathered = IndirectIndex(table: idx, position: K.i0, scale: width, count: rows, remainder: K.i1)
        program.run("gather", LoopKernel(parallelExtents: [indices.count, width], steps: [
            .statement(.store(y, K.scaled(.parallel(0), width) + K.i1, .indirectLoad(table, gathered))),
        ]))
        program.output("y", y)
        let expected = indices.flatMap { row in (0..<width).map { Float(tableData[row * width + $0]) } }
        Self.expect(try program.results(name: "gather"), "y", expected)
    }

    /// `y[idx[i]] += x[i]` with repeated indices, added in index order; and an index-put
    /// `z[idx[i]] = x[i]`, where the last write to an element wins. Both kernels race on i0.
    @Test func scatterAddAndIndexPutWithRepeatedIndices() throws {
        let program = KernelProgram()
        let xData = (0..<10).map { Double(Float($0) * 0.1 + 0.013) }
        let indices = [2, 0, 2, 3, 2, 0, 1, 3, 3, 2]
        let initial = [1.5, -2.0, 0.25, 7.0]
        let x = program.buffer(xData)
        let idx = program.buffer(indices.map(Double.init), .int64)
        let y = program.buffer(initial)
        let z = program.buffer(initial)
        let target = IndirectIndex(table: idx, position: K.i0, scale: 1, count: initial.count)
        let scatter = LoopKernel(parallelExtents: [indices.count], steps: [.statement(.accumulate(y, .indirect(target), .load(x, K.i0), .add))])
        let put = LoopKernel(parallelExtents: [indices.count], steps: [.statement(.indirectStore(z, target, .load(x, K.i0)))])
        #expect(scatter.racingVariables == [.parallel(0)])
        #expect(put.racingVariables == [.parallel(0)])
        program.run("scatter_add", scatter)
        program.run("index_put", put)
        program.output("y", y)
        program.output("z", z)
        var sums = initial.map(Float.init)
        var puts = initial.map(Float.init)
        for (i, index) in indices.enumerated() {
            sums[index] += Float(xData[i])
            puts[index] = Float(xData[i])
        }
        let runs = try program.results(name: "scatter")
        Self.expect(runs, "y", sums)
        Self.expect(runs, "z", puts)
    }

    /// A scatter-add along dimension 1 of a `[8, 8192]` source: rows never collide, so the
    /// outer loop runs in threads and the racing inner loop in order inside each row. Large
    /// enough to open a parallel region; the sums must not depend on the thread count.
    @Test func scatterAlongColumnsRunsRowsInParallel() throws {
        let program = KernelProgram()
        let (rows, columns, width) = (8, 8192, 5)
        let xData = (0..<rows * columns).map { Double(Float($0 % 97) * 0.01 - 0.3) }
        let indices = (0..<rows * columns).map { ($0 * 7 + $0 / 13) % width }
        let x = program.buffer(xData)
        let idx = program.buffer(indices.map(Double.init), .int64)
        let y = program.buffer([Double](repeating: 0, count: rows * width))
        let target = IndirectIndex(table: idx, position: K.scaled(.parallel(0), columns) + K.i1, scale: 1, count: width,
                                   remainder: K.scaled(.parallel(0), width))
        let kernel = LoopKernel(parallelExtents: [rows, columns], steps: [
            .statement(.accumulate(y, .indirect(target), .load(x, K.scaled(.parallel(0), columns) + K.i1), .add)),
        ])
        #expect(kernel.racingVariables == [.parallel(1)])
        let schedule = KernelSchedule(kernel)
        #expect(schedule.parallel && schedule.collapse == 1 && !schedule.simdInnermost)
        program.run("scatter_columns", kernel)
        program.output("y", y)
        var expected = [Float](repeating: 0, count: rows * width)
        for row in 0..<rows {
            for column in 0..<columns {
                expected[row * width + indices[row * columns + column]] += Float(xData[row * columns + column])
            }
        }
        let source = try program.source()
        #expect(source.contains("#pragma omp parallel for\n"))
        #expect(!source.contains("collapse") && !source.contains("simd") && !source.contains("atomic"))
        Self.expect(try program.results(name: "scatter-columns"), "y", expected)
    }

    /// `y[i] = Σ_k w[k] · x[i + k - 1]`, x padded with zeros on both sides (padding 1): the
    /// guarded load never reads x[-1] or x[10] (the sanitized build would fail).
    @Test func paddedConvolutionReadsOnlyInsideTheInput() throws {
        let program = KernelProgram()
        let xData = (0..<10).map { Double(Float($0) * 0.5 - 2.1) }
        let wData = [0.25, -1.0, 0.5]
        let x = program.buffer(xData)
        let w = program.buffer(wData)
        let y = program.buffer([Double](repeating: 0, count: 10))
        let position = K.i0 + K.r0 + K.constant(-1)
        let element = ScalarExpr.guardedLoad(x, position, bounds: [IndexBound(position, below: 10)], fill: .floatLiteral(0))
        let nest = ReductionNest(extents: [3], accumulators: [Accumulator(name: "acc", type: .float64, initial: .doubleLiteral(0), fold: .sum)],
                                 body: [K.add("acc", .cast(.float64, .infix("*", .load(w, K.r0), element)))])
        program.run("conv1d", LoopKernel(parallelExtents: [10], steps: [.nest(nest), .statement(.store(y, K.i0, .cast(.float32, .local("acc"))))]))
        program.output("y", y)
        let expected = (0..<10).map { i -> Float in
            var acc = 0.0
            for k in 0..<3 {
                let j = i + k - 1
                acc += Double(Float(wData[k]) * (j >= 0 && j < 10 ? Float(xData[j]) : 0))
            }
            return Float(acc)
        }
        Self.expect(try program.results(name: "conv1d"), "y", expected)
    }

    /// `cat([a, b])` as nested guarded loads: a where `i < 3`, else b at `i - 3`.
    @Test func concatenationThroughGuardedLoads() throws {
        let program = KernelProgram()
        let (aData, bData) = ([1.5, -2.25, 3.0], [10.0, 11.5, -12.0, 13.0, 14.75])
        let a = program.buffer(aData)
        let b = program.buffer(bData)
        let y = program.buffer([Double](repeating: 0, count: 8))
        let shifted = K.i0 + K.constant(-3)
        let fromB = ScalarExpr.guardedLoad(b, shifted, bounds: [IndexBound(shifted, below: 5)], fill: .floatLiteral(0))
        let element = ScalarExpr.guardedLoad(a, K.i0, bounds: [IndexBound(K.i0, below: 3)], fill: fromB)
        program.run("cat", LoopKernel(parallelExtents: [8], steps: [.statement(.store(y, K.i0, element))]))
        program.output("y", y)
        Self.expect(try program.results(name: "cat"), "y", (aData + bData).map(Float.init))
    }

    /// 1-D max pooling and average pooling (window 3, stride 2, padding 1) of 11 negative and
    /// positive values: 6 outputs. Max pads with -inf (a padded zero would beat the negative
    /// windows); the average both counts the padding (`count_include_pad`) and does not.
    @Test func poolingWithStrideAndPadding() throws {
        let program = KernelProgram()
        let (n, window, stride, padding) = (11, 3, 2, 1)
        let outputs = (n + 2 * padding - window) / stride + 1
        let xData = (0..<n).map { Double(Float(($0 * 5) % 11) * 0.75 - 6.1) }
        let x = program.buffer(xData)
        let maxima = program.buffer([Double](repeating: 0, count: outputs))
        let averages = program.buffer([Double](repeating: 0, count: outputs))
        let validAverages = program.buffer([Double](repeating: 0, count: outputs))
        let position = K.scaled(.parallel(0), stride) + K.r0 + K.constant(-padding)
        let bounds = [IndexBound(position, below: n)]
        func element(fill: Float) -> ScalarExpr { .guardedLoad(x, position, bounds: bounds, fill: .floatLiteral(fill)) }
        let inside = ScalarExpr.infix("&&", .infix(">=", .offset(position), .intLiteral(0)), .infix("<", .offset(position), .intLiteral(Int64(n))))
        let maxNest = ReductionNest(extents: [window], accumulators: [
            Accumulator(name: "m", type: .float32, initial: .floatLiteral(-.infinity), fold: .extreme(ExtremeFold(isMax: true, type: .float32))),
        ], body: [.assign("m", .call(.maximum(.float32), [.local("m"), element(fill: -.infinity)]))])
        let sumNest = ReductionNest(extents: [window], accumulators: [
            Accumulator(name: "s", type: .float64, initial: .doubleLiteral(0), fold: .sum),
            Accumulator(name: "c", type: .int64, initial: .intLiteral(0), fold: .sum),
        ], body: [K.add("s", .cast(.float64, element(fill: 0))), K.add("c", .cast(.int64, inside))])
        program.run("max_pool", LoopKernel(parallelExtents: [outputs], steps: [
            .nest(maxNest), .statement(.store(maxima, K.i0, .local("m"))),
        ]))
        program.run("avg_pool", LoopKernel(parallelExtents: [outputs], steps: [
            .nest(sumNest),
            .statement(.store(averages, K.i0, .cast(.float32, .infix("/", .local("s"), .doubleLiteral(Double(window)))))),
            .statement(.store(validAverages, K.i0, .cast(.float32, .infix("/", .local("s"), .cast(.float64, .local("c")))))),
        ]))
        program.output("max", maxima)
        program.output("avg", averages)
        program.output("avgvalid", validAverages)
        var (expectedMax, expectedAverage, expectedValid) = ([Float](), [Float](), [Float]())
        for i in 0..<outputs {
            var (m, s, c) = (-Float.infinity, 0.0, 0)
            for k in 0..<window {
                let j = i * stride + k - padding
                guard j >= 0 && j < n else { continue }
                m = Float(xData[j]) >= m ? Float(xData[j]) : m
                s += Double(Float(xData[j]))
                c += 1
            }
            expectedMax.append(m)
            expectedAverage.append(Float(s / Double(window)))
            expectedValid.append(Float(s / Double(c)))
        }
        let runs = try program.results(name: "pool")
        Self.expect(runs, "max", expectedMax)
        Self.expect(runs, "avg", expectedAverage)
        Self.expect(runs, "avgvalid", expectedValid)
    }
}
