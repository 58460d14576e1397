import Foundation
import Testing
import TGCBase
@testable import TGCCBackend
@testable import TGCCore

/// Batched float32 matmul (one `tgc_sgemm` call per matrix, broadcast operands read at stride
/// 0 on the batch dimensions they repeat) against the interpreter: batches on both sides, one
/// side or broadcast from size 1, odd sizes, empty batches and transposes of the last two
/// dimensions folded into sgemm's flags. Both the C result and the interpreter's must lie
/// within MatmulTests' dot-product bound of the product summed in double here, with the batch
/// broadcast by this test's own indexing.
@Suite(.enabled(if: gccAvailable, gccMissing))
struct BatchedMatmulTests {
    /// One product: the operand shapes (as the matmul sees them) and whether each is a
    /// transpose of the last two dimensions of a stored tensor.
    struct Product {
        var a: [Int], b: [Int], transposeA = false, transposeB = false
        var label: String { "\(a)x\(b)_\(transposeA ? "T" : "N")\(transposeB ? "T" : "N")".filter { !" ,[]".contains($0) } }
    }

    static let products: [Product] = [
        Product(a: [2, 3, 5], b: [2, 5, 4]),
        Product(a: [3, 1, 17, 5], b: [4, 5, 3]),
        Product(a: [1, 7, 3], b: [5, 3, 9], transposeA: true),
        Product(a: [4, 9, 2], b: [2, 6], transposeB: true),
        Product(a: [6, 5], b: [3, 5, 1], transposeA: true, transposeB: true),
        Product(a: [2, 1, 33, 129], b: [1, 3, 129, 17], transposeB: true),
        Product(a: [0, 3, 4], b: [4, 2]),
        Product(a: [2, 3, 0], b: [2, 0, 5]),
    ]

    /// The stored shape of an operand: the last two dimensions swapped when it is transposed.
    static func stored(_ shape: [Int], _ transposed: Bool) -> [Int] {
        transposed ? shape.dropLast(2) + [shape[shape.count - 1], shape[shape.count - 2]] : shape
    }

    static func program() throws -> Module {
        let p = ProgramBuilder()
        for product in products {
            let a = try p.op(.randNormal, []) { $0.shape = stored(product.a, product.transposeA); $0.dtype = .float32 }
            let b = try p.op(.randNormal, []) { $0.shape = stored(product.b, product.transposeB); $0.dtype = .float32 }
            func operand(_ x: ValueID, _ transposed: Bool) throws -> ValueID {
                let rank = p.type(x).rank
                return transposed ? try p.op(.transpose, [x]) { $0.permutation = Array(0..<rank - 2) + [rank - 1, rank - 2] } : x
            }
            try p.save(a, product.label + "_a")
            try p.save(b, product.label + "_b")
            try p.save(try p.op(.matmul, [try operand(a, product.transposeA), try operand(b, product.transposeB)]), product.label + "_c")
        }
        return p.module
    }

    @Test func batchedSgemmAgreesWithTheInterpreter() throws {
        let module = try Self.program()
        let c = try CEmitter.emit(module, programName: "bmm", description: "")
        #expect(c.contains("one call per matrix of the batch"))
        #expect(!c.contains("op_transpose"), "transposes of the last two dims read only by matmuls are not materialized")
        #expect(c.contains("tgc_sgemm(1, 0, ") && c.contains("tgc_sgemm(0, 1, ") && c.contains("tgc_sgemm(1, 1, "))
        // [3, 1, 17, 5] @ [4, 5, 3]: A moves with the first batch dim only, B with the second.
        #expect(c.contains(try Regex(#"tgc_sgemm\(0, 0, 17, 3, 5, 1\.0f, v\d+ \+ batch0_0 \* 85, 5, v\d+ \+ batch0_1 \* 15, 3, 0\.0f, v\d+ \+ batch0_0 \* 204 \+ batch0_1 \* 51, 3\);"#)))

        let directory = try CrossBackend.makeDirectory("bmm")
        defer { try? FileManager.default.removeItem(at: directory) }
        let (expected, binaries) = try CrossBackend.saveEverywhere(module, name: "bmm", in: directory)
        for (_, actual) in binaries {
            for (index, product) in Self.products.enumerated() {
                func load(_ folder: URL, _ offset: Int, _ suffix: String) throws -> Tensor {
                    let path = folder.appendingPathComponent(String(format: "%03d", 3 * index + offset) + "_\(product.label)_\(suffix).npy").path
                    return try NPY.load(path, as: try NPY.readType(path))
                }
                let (a, b) = (try load(expected, 0, "a"), try load(expected, 1, "b"))
                let (reference, computed) = (try load(expected, 2, "c"), try load(actual, 2, "c"))
                #expect(try load(actual, 0, "a") == a, "\(product.label): the random operands differ")
                let shape = try ShapeRules.matmul(product.a, product.b)
                #expect(computed.shape == shape && reference.shape == shape)
                Self.checkWithinBound(product, a: a.elements, b: b.elements, reference: reference.elements, computed: computed.elements)
            }
        }
    }

    /// Every element, of C and of the interpreter, within (k + 2) · 2⁻²⁴ · Σ_p |a_ip b_pj| of
    /// Σ_p a_ip b_pj in double.
    static func checkWithinBound(_ product: Product, a: [Double], b: [Double], reference: [Double], computed: [Double]) {
        let (m, k, n) = (product.a[product.a.count - 2], product.a[product.a.count - 1], product.b[product.b.count - 1])
        let batch = Array((try? ShapeRules.matmul(product.a, product.b))!.dropLast(2))
        #expect(reference.count == batch.reduce(1, *) * m * n)
        /// The first element of the matrix of `shape` that batch element `index` reads.
        func matrixStart(_ shape: [Int], _ index: Int) -> Int {
            let own = Array(shape.dropLast(2)), offset = batch.count - own.count
            var (remaining, start, stride) = (index, 0, shape.suffix(2).reduce(1, *))
            var strides = [Int](repeating: 0, count: batch.count)
            for axis in own.indices.reversed() {
                strides[axis + offset] = own[axis] == 1 ? 0 : stride
                stride *= own[axis]
            }
            for axis in batch.indices.reversed() {
                start += remaining % batch[axis] * strides[axis]
                remaining /= batch[axis]
            }
            return start
        }
        for matrix in 0..<batch.reduce(1, *) {
            let (startA, startB) = (matrixStart(product.a, matrix), matrixStart(product.b, matrix))
            for i in 0..<m {
                for j in 0..<n {
                    var (exact, magnitude) = (0.0, 0.0)
                    for p in 0..<k {
                        let x = product.transposeA ? a[startA + p * m + i] : a[startA + i * k + p]
                        let y = product.transposeB ? b[startB + j * k + p] : b[startB + p * n + j]
                        (exact, magnitude) = (exact + x * y, magnitude + Swift.abs(x * y))
                    }
                    let element = matrix * m * n + i * n + j
                    let bound = Double(k + 2) * 0x1p-24 * magnitude
                    if Swift.abs(computed[element] - exact) > bound || Swift.abs(reference[element] - exact) > bound {
                        Issue.record("\(product.label) [\(matrix), \(i), \(j)]: C \(computed[element]), interpreter \(reference[element]), exact \(exact), bound \(bound)")
                        return
                    }
                }
            }
        }
    }
}
