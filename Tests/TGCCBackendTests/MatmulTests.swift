import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCCore

/// float32 matmul through `tgc_sgemm` against the interpreter, on odd and non-square shapes and
/// with transposed operands folded into sgemm's flags.
///
/// Both the interpreter and the C program call sgemm, so they are checked against the exact
/// product the test computes in double: sgemm sums in float32 with fused multiply-adds, in
/// its own order. For a dot product of length k computed in floating point with unit roundoff
/// u = 2⁻²⁴, the error is at most γ_k · Σ_p |a_ip| |b_pj| with γ_k = k·u / (1 − k·u) (Higham,
/// Accuracy and Stability of Numerical Algorithms, §3.1), plus u · Σ_p |a_ip| |b_pj| for
/// rounding the result once. So each element of each must satisfy
///     |c − Σ_p a_ip b_pj| ≤ (k + 2) · 2⁻²⁴ · Σ_p |a_ip| |b_pj|,
/// a bound that follows the data: tight where the terms cancel, never looser than rounding can
/// explain. A wrong index, a missed transpose or a dropped term breaks it by orders of magnitude.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct MatmulTests {
    /// (m, k, n): sizes 1, 3, 17 and 129 (odd, around the micro-kernel's tile edges), square and
    /// not, and one large enough for sgemm's threads.
    static let shapes: [(Int, Int, Int)] = [(1, 1, 1), (3, 17, 5), (17, 3, 129), (129, 17, 3), (1, 129, 1),
                                            (5, 1, 7), (64, 130, 33), (129, 129, 129), (200, 96, 150)]
    static let transposes: [(Bool, Bool)] = [(false, false), (true, false), (false, true), (true, true)]

    /// One product per shape and transpose pair; saves the stored operands and the product.
    static func program() throws -> Module {
        let p = ProgramBuilder()
        for (m, k, n) in shapes {
            for (ta, tb) in transposes {
                let label = "\(m)x\(k)x\(n)_\(ta ? "T" : "N")\(tb ? "T" : "N")"
                let a = try p.op(.randNormal, []) { $0.shape = ta ? [k, m] : [m, k]; $0.dtype = .float32 }
                let b = try p.op(.randNormal, []) { $0.shape = tb ? [n, k] : [k, n]; $0.dtype = .float32 }
                let aOperand = ta ? try p.op(.transpose, [a]) { $0.permutation = [1, 0] } : a
                let bOperand = tb ? try p.op(.transpose, [b]) { $0.permutation = [1, 0] } : b
                try p.save(a, label + "_a")
                try p.save(b, label + "_b")
                try p.save(try p.op(.matmul, [aOperand, bOperand]), label + "_c")
            }
        }
        return p.module
    }

    @Test func sgemmAgreesWithinTheDotProductBound() throws {
        let module = try Self.program()
        let directory = try CrossBackend.makeDirectory("matmul")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (expected, binaries) = try CrossBackend.saveEverywhere(module, name: "matmul", in: directory)
        let c = try CEmitter.emit(module, programName: "matmul", description: "")
        for flags in ["tgc_sgemm(0, 0, ", "tgc_sgemm(1, 0, ", "tgc_sgemm(0, 1, ", "tgc_sgemm(1, 1, "] {
            #expect(c.contains(flags), "expected a call \(flags)...")
        }
        #expect(!c.contains("op_transpose"), "transposes read only by matmuls are not materialized")

        for (label, actual) in binaries {
            var index = 0
            for (m, k, n) in Self.shapes {
                for (ta, tb) in Self.transposes {
                    let label = "\(m)x\(k)x\(n)_\(ta ? "T" : "N")\(tb ? "T" : "N")"
                    func load(_ folder: URL, _ offset: Int, _ suffix: String) throws -> [Double] {
                        let name = String(format: "%03d", index + offset) + "_\(label)_\(suffix).npy"
                        let path = folder.appendingPathComponent(name).path
                        return try NPY.load(path, as: try NPY.readType(path)).elements
                    }
                    let a = try load(expected, 0, "a"), b = try load(expected, 1, "b")
                    let interpreted = try load(expected, 2, "c"), computed = try load(actual, 2, "c")
                    #expect(try load(actual, 0, "a") == a, "\(label): the random operands differ")
                    var worst = 0.0
                    for i in 0..<m {
                        for j in 0..<n {
                            var magnitude = 0.0, exact = 0.0
                            for p in 0..<k {
                                let aValue = ta ? a[p * m + i] : a[i * k + p]
                                let bValue = tb ? b[j * k + p] : b[p * n + j]
                                magnitude += Swift.abs(aValue * bValue)
                                exact += aValue * bValue
                            }
                            let bound = Double(k + 2) * 0x1p-24 * magnitude
                            let error = max(Swift.abs(computed[i * n + j] - exact), Swift.abs(interpreted[i * n + j] - exact))
                            worst = max(worst, bound > 0 ? error / bound : error)
                            if error > bound {
                                Issue.record("\(label) (\(label)) [\(i), \(j)]: C \(computed[i * n + j]), interpreter \(interpreted[i * n + j]), exact \(exact), bound \(bound)")
                                return
                            }
                        }
                    }
                    #expect(worst <= 1, "\(label)")
                    index += 3
                }
            }
        }
    }
}
