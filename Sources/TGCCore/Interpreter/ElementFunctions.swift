/// A function of two elements that `Kernels.map` applies at each element of a result.
protocol ElementFunction {
    associatedtype Left
    associatedtype Right
    associatedtype Result
    func callAsFunction(_ a: Left, _ b: Right) -> Result
}

/// A closure as an `ElementFunction` (one call per element: for ops without a loop of their own).
struct ElementClosure<Left, Right, Result>: ElementFunction {
    let function: (Left, Right) -> Result
    func callAsFunction(_ a: Left, _ b: Right) -> Result { function(a, b) }
}

/// + - * / of float32 elements in single precision (`Kernels.single`).
enum SingleArithmetic {
    struct Add: ElementFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a + b } }
    struct Subtract: ElementFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a - b } }
    struct Multiply: ElementFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a * b } }
    struct Divide: ElementFunction { func callAsFunction(_ a: Float, _ b: Float) -> Float { a / b } }
}

/// A comparison or logical op of two elements, one definition for float32, float64 and int64
/// operands (comparing two float32 values as doubles gives the same truth).
protocol ElementComparison {
    static func holds<T: Comparable & ExpressibleByIntegerLiteral>(_ a: T, _ b: T) -> Bool
}

/// The comparison and logical ops (`Kernels.compare`).
enum Comparison {
    enum Equal: ElementComparison { static func holds<T: Comparable & ExpressibleByIntegerLiteral>(_ a: T, _ b: T) -> Bool { a == b } }
    enum NotEqual: ElementComparison { static func holds<T: Comparable & ExpressibleByIntegerLiteral>(_ a: T, _ b: T) -> Bool { a != b } }
    enum Less: ElementComparison { static func holds<T: Comparable & ExpressibleByIntegerLiteral>(_ a: T, _ b: T) -> Bool { a < b } }
    enum LessEqual: ElementComparison { static func holds<T: Comparable & ExpressibleByIntegerLiteral>(_ a: T, _ b: T) -> Bool { a <= b } }
    enum Greater: ElementComparison { static func holds<T: Comparable & ExpressibleByIntegerLiteral>(_ a: T, _ b: T) -> Bool { a > b } }
    enum GreaterEqual: ElementComparison { static func holds<T: Comparable & ExpressibleByIntegerLiteral>(_ a: T, _ b: T) -> Bool { a >= b } }
    enum And: ElementComparison { static func holds<T: Comparable & ExpressibleByIntegerLiteral>(_ a: T, _ b: T) -> Bool { a != 0 && b != 0 } }
    enum Or: ElementComparison { static func holds<T: Comparable & ExpressibleByIntegerLiteral>(_ a: T, _ b: T) -> Bool { a != 0 || b != 0 } }
}

/// A comparison of float32 elements as a `Kernels.map` function.
struct SingleComparison<C: ElementComparison>: ElementFunction {
    func callAsFunction(_ a: Float, _ b: Float) -> Bool { C.holds(a, b) }
}

/// A reduction as a left fold from a start value: one definition for floating-point elements
/// (folded in double) and integer ones (folded in int64, wrapping).
protocol FoldReduction {
    static var floatStart: Double { get }
    static var integerStart: Int64 { get }
    static func combine(_ sum: Double, _ x: Double) -> Double
    static func combine(_ sum: Int64, _ x: Int64) -> Int64
}

/// The folds of reduceSum, reduceProd, reduceMax and reduceMin (`Kernels.fold`). The maximum
/// and minimum start from the infinity that any first element replaces (NaN propagates).
enum Folds {
    enum Sum: FoldReduction {
        static let floatStart = 0.0, integerStart: Int64 = 0
        static func combine(_ sum: Double, _ x: Double) -> Double { sum + x }
        static func combine(_ sum: Int64, _ x: Int64) -> Int64 { sum &+ x }
    }
    enum Product: FoldReduction {
        static let floatStart = 1.0, integerStart: Int64 = 1
        static func combine(_ sum: Double, _ x: Double) -> Double { sum * x }
        static func combine(_ sum: Int64, _ x: Int64) -> Int64 { sum &* x }
    }
    enum Maximum: FoldReduction {
        static let floatStart = -Double.infinity, integerStart = Int64.min
        static func combine(_ sum: Double, _ x: Double) -> Double { Kernels.nanMax(sum, x) }
        static func combine(_ sum: Int64, _ x: Int64) -> Int64 { max(sum, x) }
    }
    enum Minimum: FoldReduction {
        static let floatStart = Double.infinity, integerStart = Int64.max
        static func combine(_ sum: Double, _ x: Double) -> Double { Kernels.nanMin(sum, x) }
        static func combine(_ sum: Int64, _ x: Int64) -> Int64 { min(sum, x) }
    }
}

/// One step of a fold of floating-point elements in double (`Kernels.fold`).
struct FloatFoldStep<R: FoldReduction, T: BinaryFloatingPoint>: ElementFunction {
    func callAsFunction(_ sum: Double, _ x: T) -> Double { R.combine(sum, Double(x)) }
}

/// One step of a fold of int64 elements.
struct IntegerFoldStep<R: FoldReduction>: ElementFunction {
    func callAsFunction(_ sum: Int64, _ x: Int64) -> Int64 { R.combine(sum, x) }
}
