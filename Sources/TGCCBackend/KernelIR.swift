import TGCCore

// The target-independent kernel language that ops lower to: loop nests over static extents
// whose bodies are C-family scalar statements. The C emitter prints them as CPU loops; a CUDA
// emitter maps the parallel loops onto threads and prints the same scalar code.

/// A scalar type that kernel code computes in (C spelling in `cName`).
public enum ScalarType: Hashable, Sendable {
    case float32, float64, int64, bool

    /// The storage type of a tensor element of `dtype` (bool is stored as one byte, 0 or 1).
    public init(_ dtype: DType) {
        switch dtype {
        case .float32: self = .float32
        case .int64: self = .int64
        case .bool: self = .bool
        }
    }

    public var cName: String {
        switch self {
        case .float32: "float"
        case .float64: "double"
        case .int64: "int64_t"
        case .bool: "uint8_t"
        }
    }

    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }
}

/// A loop variable of a kernel: a parallel dimension (`i0`, `i1`, ...) of the output, or a
/// sequential reduction dimension (`r0`, ...).
public enum LoopVariable: Hashable, Sendable {
    case parallel(Int)
    case reduction(Int)

    public var name: String {
        switch self {
        case .parallel(let n): "i\(n)"
        case .reduction(let n): "r\(n)"
        }
    }
}

/// An element offset into a buffer: Σ stride × variable + constant.
public struct AffineIndex: Hashable, Sendable {
    public var terms: [Term]
    public var constant: Int

    /// One `stride × variable` product.
    public struct Term: Hashable, Sendable {
        public var variable: LoopVariable
        public var stride: Int
    }

    public init(terms: [Term] = [], constant: Int = 0) {
        self.terms = terms.filter { $0.stride != 0 }
        self.constant = constant
    }

    public static let zero = AffineIndex()

    public static func + (lhs: AffineIndex, rhs: AffineIndex) -> AffineIndex {
        AffineIndex(terms: lhs.terms + rhs.terms, constant: lhs.constant + rhs.constant)
    }
}

/// A scalar expression in C-family syntax (C, CUDA C and OpenCL share it).
public indirect enum ScalarExpr: Hashable {
    /// An element of an IR value's buffer.
    case load(Value, AffineIndex)
    /// A local variable of the kernel (an accumulator or a named temporary).
    case local(String)
    /// The current value of a loop variable, as int64.
    case loopIndex(LoopVariable)
    /// An element offset as an int64 expression.
    case offset(AffineIndex)
    case floatLiteral(Float)
    case doubleLiteral(Double)
    case intLiteral(Int64)
    /// A prefix operator: `-`, `!`.
    case prefix(String, ScalarExpr)
    /// An infix operator: `+`, `<`, `&&`, ...
    case infix(String, ScalarExpr, ScalarExpr)
    /// A call of a math function or a helper from the kernel prelude.
    case call(String, [ScalarExpr])
    /// An explicit conversion, C's cast.
    case cast(ScalarType, ScalarExpr)
    /// `condition ? then : else`.
    case ternary(ScalarExpr, ScalarExpr, ScalarExpr)
}

/// One statement of a kernel body.
public enum KernelStatement: Hashable {
    /// Declares a local variable with an initial value.
    case declare(String, ScalarType, ScalarExpr)
    /// Assigns to a local variable.
    case assign(String, ScalarExpr)
    /// Writes one element of a result buffer.
    case store(Value, AffineIndex, ScalarExpr)
}

/// A lowered compute op: a nest of parallel loops over the output, optionally a nest of
/// sequential reduction loops inside it, and the statements at each level.
///
///     for i... (parallel)      { prologue; for r... (reduction) { body }; epilogue }
///
/// Without reduction loops, `body` runs once per parallel iteration, between prologue and
/// epilogue. Extent-1 dimensions never get a loop (their index is 0).
public struct LoopKernel: Hashable {
    public var parallelExtents: [Int]
    public var reductionExtents: [Int]
    public var prologue: [KernelStatement] = []
    public var body: [KernelStatement]
    public var epilogue: [KernelStatement] = []

    /// Scalar iterations of the innermost body: a rough measure of the work.
    public var work: Int { (parallelExtents + reductionExtents).reduce(1, *) }
}
