import Foundation
import Testing
@testable import TGCCore
import TGCTestSupport

/// The dtypes' promotion (as torch.result_type gives it in PyTorch 2.13), their rounding and
/// their .npy round trip through the runtime.
@Suite struct DTypeTests {
    /// (dimensioned, 0-dim, numbers) → torch.result_type, each checked with PyTorch.
    static let promotions: [([DType], [DType], [DType], DType)] = [
        ([.float32, .float64], [], [], .float64),
        ([.int32, .int64], [], [], .int64),
        ([.uint8, .int32], [], [], .int32),
        ([.uint8, .bool], [], [], .uint8),
        ([.int64, .float32], [], [], .float32),
        ([.float32], [.float64], [], .float32),
        ([.int32], [.float64], [], .float64),
        ([.uint8], [.int64], [], .uint8),
        ([.bool], [.int32], [], .int32),
        ([.int32], [], [.int64], .int32),
        ([.int32], [], [.float32], .float32),
        ([.uint8], [], [.int64], .uint8),
        ([.bool], [], [.int64], .int64),
        ([.float64], [], [.float32], .float64),
        ([], [.int32], [.int64], .int32),
        ([], [.int64], [.float32], .float32),
        ([], [.float64], [.float32], .float64),
        ([], [.uint8, .int32], [], .int32),
        ([], [], [.int64, .float32], .float32),
    ]

    @Test func resultTypeIsPyTorchs() {
        for (dimensioned, zeroDim, numbers, expected) in Self.promotions {
            #expect(DType.resultType(dimensioned: dimensioned, zeroDim: zeroDim, numbers: numbers) == expected,
                    "\(dimensioned) \(zeroDim) \(numbers)")
        }
        #expect(DType.resultType(of: [TensorType([3], .float32), TensorType([], .float64)]) == .float32)
        #expect(DType.resultType(of: [TensorType([], .float32), TensorType([], .float64)]) == .float64)
    }

    @Test func roundingTruncatesThroughInt64AndWraps() {
        #expect([-1.7, 2.9, 300, -300, 256 + 7, .nan, .infinity].map { Tensor.round($0, to: .uint8) } == [255, 2, 44, 212, 7, 0, 0])
        #expect([-1.7, 3e9, -3e9, 2147483647].map { Tensor.round($0, to: .int32) } == [-1, -1294967296, 1294967296, 2147483647])
        #expect(Tensor.round(0.1, to: .float64) == 0.1)
        #expect(Tensor.round(0.1, to: .float32) == Double(Float(0.1)))
    }

    /// The Double compatibility path that data-movement kernels written against `elements` use.
    @Test func doubleCompatibilityPathAgreesWithTypedKernels() {
        let type = TensorType([3], .int32)
        let x = Tensor(type: type, elements: [1, -2, 3e9])
        #expect(x.storage == .int32([1, -2, -1294967296]))
        #expect(x.elements == [1, -2, -1294967296])
        var y = x
        y.elements[0] = 7.9
        #expect(y.storage == .int32([7, -2, -1294967296]))
        let a = Tensor(type: TensorType([2], .float32), elements: [0.1, 2])
        #expect(Kernels.binary(a, a, a.type) { $0 * $1 } == Kernels.binary(a, a, a.type, float: *, integer: &*))
        #expect(Kernels.unary(x, type) { -$0 } == Kernels.unary(x, type, float: { -$0 }, integer: { 0 &- $0 }))
        let sum = Kernels.reduce(x, axes: [0], resultType: .scalar(.int64)) { $0.reduce(0, +) }
        #expect(sum.storage == .int64([-1294967297]))
        #expect(Kernels.power(3, 2, .int64) == 9 && Kernels.floorMod(-7, 3, .int32) == 2)
    }

    @Test(arguments: DType.allCases)
    func npyRoundTrip(_ dtype: DType) throws {
        let values: [Double] = switch dtype {
        case .float64: [0.1, -0.0, .infinity, 1e-300, 1e300, -2.5]
        case .float32: [0.5, -0.0, .infinity, 1e-30, 3e38, -2.5]
        case .int64: [-9_007_199_254_740_992, -1, 0, 1, 42, 9_007_199_254_740_992]
        case .int32: [-2147483648, -1, 0, 1, 42, 2147483647]
        case .uint8: [0, 1, 127, 128, 200, 255]
        case .bool: [1, 0, 0, 1, 1, 0]
        }
        let tensor = Tensor(type: TensorType([2, 3], dtype), elements: values.map { Tensor.round($0, to: dtype) })
        let path = try TestScratch.folder("core").path + "/\(dtype).npy"
        try NPY.save(tensor, to: path)
        #expect(try NPY.readType(path) == tensor.type)
        #expect(try NPY.load(path, as: tensor.type) == tensor)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let descr = ["float32": "<f4", "float64": "<f8", "int64": "<i8", "int32": "<i4", "uint8": "|u1", "bool": "|b1"][dtype.rawValue]!
        #expect(String(decoding: bytes.prefix(64), as: UTF8.self).contains("'descr': '\(descr)'"))
        #expect(bytes.count % 64 == (6 * dtype.byteSize) % 64)
    }
}
