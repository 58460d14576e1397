import Testing
import TGCBase
@testable import TGCCore

/// Second derivatives: differentiating each GradientCheckTests case's gradient (built by the VJP
/// rules, so the rules themselves are differentiated) through eager mode's tape and through the
/// autodiff pass's nested gradient ops agrees with finite differences of the gradient. Every
/// derivative rule is thereby checked to be differentiable.
@Suite struct SecondOrderGradientTests {
    /// The case whose op is the gradient of `base`'s loss with respect to its first input: the
    /// check then differentiates that gradient with respect to every input (mixed partials too).
    static func gradientOf(_ base: GradientCheckTests.Case) -> GradientCheckTests.Case {
        GradientCheckTests.Case(name: "d/dx \(base.name)", inputs: base.inputs) { b, x in
            let inner = try GradientCheckTests.loss(b, base, x)
            return try b.gradient(of: inner, seed: nil, wrt: [x[0]], at: .unknown)[0]
        }
    }

    static let cases: [GradientCheckTests.Case] = {
        let tanhOfMatmul = GradientCheckTests.Case(
            name: "tanh(matmul)",
            inputs: [GradientCheckTests.values([2, 3], seed: 5, low: -1, high: 1), GradientCheckTests.values([3, 2], seed: 6, low: -1, high: 1)]
        ) { b, x in
            try b.apply1(.tanh, [try b.apply1(.matmul, x, at: .unknown)], at: .unknown)
        }
        return (GradientCheckTests.cases.filter { !notTwiceDifferentiable.contains($0.name) } + [tanhOfMatmul]).map(gradientOf)
    }()

    /// First-order cases at points where the second derivative is not checked: a norm at a
    /// zero vector has none; prod's rule treats the zeros of a slice as constants, so its
    /// derivative through them is zero (LANGUAGE.md lists it among the differences); the
    /// Huber case has an input within a finite-difference step of its kink at |d| = delta,
    /// where the second derivative jumps; binary cross-entropy's second derivative grows as
    /// 1/p², beyond what float32 finite differences resolve at these inputs.
    static let notTwiceDifferentiable: Set<String> = ["reduceProd zeros [0]", "reduceProd zeros [1]", "reduceProd all, one zero",
                                                      "reduceProd all, two zeros", "vectorNorm zero row", "huberLoss delta 0.7 none",
                                                      "binaryCrossEntropy mean", "binaryCrossEntropy sum", "binaryCrossEntropy none"]

    @Test(arguments: cases)
    func eagerTapeMatchesFiniteDifferences(_ testCase: GradientCheckTests.Case) throws {
        try GradientCheckTests.checkEagerTape(testCase)
    }

    @Test(arguments: cases)
    func nestedGradientOpsMatchFiniteDifferences(_ testCase: GradientCheckTests.Case) throws {
        try GradientCheckTests.checkAutodiffPass(testCase)
    }
}
