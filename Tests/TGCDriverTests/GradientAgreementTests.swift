import Foundation
import Testing
import TGCCore
@testable import TGCDriver

/// Gradients of composite programs agree between eager mode (the tape) and compiled C (the
/// autodiff pass), within 1e-4 relative + 1e-5 absolute: both run the same float32 ops, but
/// gcc may reorder the sums of reductions and matmuls.
@Suite struct GradientAgreementTests {
    static let programs: [(name: String, source: String, outputs: [String])] = [
        ("mlp", """
        manualSeed(3)
        let x = randn([8, 5])
        let labels = tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0],
                             [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
        let w1 = randn([5, 6]) * 0.5
        let b1 = zeros([6])
        let w2 = randn([6, 3]) * 0.5
        let b2 = zeros([3])
        let hidden = relu(matmul(x, w1) + b1)
        let logits = matmul(hidden, w2) + b2
        let (m, _) = logits.max(dim: 1, keepDim: true)
        let shifted = logits - m
        let logProbs = shifted - log(exp(shifted).sum(dim: 1, keepDim: true))
        let loss = -(labels * logProbs).sum() / 8
        let (gw1, gb1, gw2, gb2) = grad(of: loss, wrt: w1, b1, w2, b2)
        save(gw1, "gw1.npy")
        save(gb1, "gb1.npy")
        save(gw2, "gw2.npy")
        save(gb2, "gb2.npy")
        """, ["gw1", "gb1", "gw2", "gb2"]),
        ("softmax-chain", """
        manualSeed(5)
        var x = randn([4, 7], requiresGrad: true)
        let e = exp(x - x.max())
        let p = e / e.sum(dim: 1, keepDim: true)
        let y = (p * tanh(x) + sigmoid(x) * x.std()).mean()
        y.backward()
        save(x.grad, "gx.npy")
        """, ["gx"]),
        ("batched-attention", """
        manualSeed(7)
        let q = randn([2, 3, 4])
        let k = randn([1, 5, 4])
        let v = randn([2, 5, 4])
        let wo = randn([4, 4]) * 0.5
        let scores = matmul(q, k.transpose(1, 2)) * 0.5
        let (top, _) = scores.max(dim: 2, keepDim: true)
        let e = exp(scores - top)
        let p = e / e.sum(dim: 2, keepDim: true)
        let out = matmul(matmul(p, v), wo)
        let loss = (out * out).mean()
        let (gq, gk, gv, gwo) = grad(of: loss, wrt: q, k, v, wo)
        save(gq, "gq.npy")
        save(gk, "gk.npy")
        save(gv, "gv.npy")
        save(gwo, "gwo.npy")
        """, ["gq", "gk", "gv", "gwo"]),
        ("loop-training", """
        manualSeed(1)
        let X = randn([20, 3])
        let target = matmul(X, tensor([[1.0], [-2.0], [0.5]]))
        var w = zeros([3, 1], requiresGrad: true)
        for step in 0..<25 {
            let loss = ((matmul(X, w) - target) ** 2).mean()
            loss.backward()
            noGrad { w -= 0.1 * w.grad }
            w.grad.zero()
        }
        save(w, "w.npy")
        """, ["w"]),
        // A variable that holds a leaf, assigned in an `if` or a loop: PyTorch rebinds it, and
        // the gradient flows through the branch that ran (issue 11).
        ("leaf-aliases-if", """
        manualSeed(11)
        let w = randn([3], requiresGrad: true)
        let x = randn([3])
        var m = w
        if w.sum() > 0 { m = w * x } else { m = exp(w) }
        var n = w * 3
        if w.sum() > 0 { n = w } else { n = w * x }
        var k = w * 3
        if w.sum() <= 0 { k = w } else { k = tanh(w) * 2 }
        (m * m + n * x + k).sum().backward()
        save(w.grad, "gw.npy")
        let v = randn([2, 3], requiresGrad: true)
        var h = v
        if v.mean() > 10 { h = v * 2 }
        (h * h).sum().backward()
        save(v.grad, "gv.npy")
        """, ["gw", "gv"]),
        ("leaf-aliases-loop", """
        manualSeed(12)
        let w = randn([4], requiresGrad: true)
        let x = randn([4])
        var m = w
        for i in 0..<3 { m = m * x + w }
        var n = w
        for i in 0..<2 {
            if n.sum() > 0 { n = sigmoid(n) * 2 } else { n = n + 1 }
        }
        (m * m + n).sum().backward()
        save(w.grad, "gw.npy")
        """, ["gw"]),
        // Second order (issue 11, chapter 3): nested gradients differentiate the VJP rules'
        // own ops, in eager mode through the tape and compiled through nested gradient ops.
        ("second-order", """
        manualSeed(13)
        let x = randn([5], requiresGrad: true)
        let w = randn([3, 5], requiresGrad: true)
        let h = tanh(matmul(w, sin(x) * exp(x * 0.5)))
        let loss = (sigmoid(h) * h).sum() + (x ** 3).mean()
        let gx = grad(of: loss, wrt: x, createGraph: true)
        let gxx = grad(of: (gx * gx).sum(), wrt: x)
        let hessianX = hessian(of: loss, wrt: x)
        let jacobianW = jacobian(of: h, wrt: w)
        loss.backward(createGraph: true)
        let penalty = (w.grad ** 2).sum() + relu(x.grad).sum()
        penalty.backward()
        save(gxx, "gxx.npy")
        save(hessianX, "hessian.npy")
        save(jacobianW, "jacobian.npy")
        save(x.grad, "gx.npy")
        save(w.grad, "gw.npy")
        """, ["gxx", "hessian", "jacobian", "gx", "gw"]),
        // retainGrad inside a loop body whose values are carried out of it: the retained value
        // stays inside (the backward after the loop cannot read it).
        ("retain-grad-loop", """
        manualSeed(14)
        let w = randn([3], requiresGrad: true)
        var acc = w * 0
        for i in 0..<2 {
            let h = tanh(w * 3)
            h.retainGrad()
            acc = acc + h * h
            (h * w).sum().backward()
            save(h.grad, "gh.npy")
        }
        acc.sum().backward()
        save(w.grad, "gw.npy")
        """, ["gh", "gw"]),
        ("augmented-batches", """
        manualSeed(11)
        let images = randint(0, 256, [6, 1, 5, 5], dtype: .uint8)
        let w = randn([16, 3], requiresGrad: true)
        let ds = TensorDataset(images, arange(6))
        for (xb, yb) in DataLoader(ds, batchSize: 4, shuffle: true) {
            let x = randomCrop(randomHorizontalFlip(normalize(toFloat(xb), mean: [0.5], std: [0.25])), size: 4, padding: 1)
            let loss = (matmul(x.reshape(-1, 16), w) * yb.float().reshape(-1, 1)).tanh().sum()
            loss.backward()
        }
        save(w.grad, "gw.npy")
        """, ["gw"]),
        ("augmentation-gradients", """
        manualSeed(4)
        let x = randn([3, 2, 4, 4], requiresGrad: true)
        let y = randomCrop(randomHorizontalFlip(normalize(x, mean: [0.1, -0.2], std: [0.5, 2.0])), size: [3, 4], padding: 2)
        (y * y.tanh()).sum().backward()
        save(x.grad, "gx.npy")
        """, ["gx"]),
    ]

    @Test(arguments: programs.map(\.name))
    func eagerAndCompiledGradientsAgree(_ name: String) throws {
        let program = Self.programs.first { $0.name == name }!
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("\(name).swiftdsl")
        try program.source.write(to: file, atomically: true, encoding: .utf8)
        let eagerDirectory = directory.appendingPathComponent("eager")
        let compiledDirectory = directory.appendingPathComponent("compiled")
        for folder in [eagerDirectory, compiledDirectory] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        _ = try Pipeline.eagerOutput(of: file.path, outputDirectory: eagerDirectory.path)
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildExecutable(file.path, to: binary)
        let (status, _, errors) = try TestPaths.execute(binary, ["--out", compiledDirectory.path])
        #expect(status == 0, "\(errors)")
        for output in program.outputs {
            let eagerPath = eagerDirectory.appendingPathComponent(output + ".npy").path
            let compiledPath = compiledDirectory.appendingPathComponent(output + ".npy").path
            let eager = try NPY.load(eagerPath, as: try NPY.readType(eagerPath))
            let compiled = try NPY.load(compiledPath, as: try NPY.readType(compiledPath))
            #expect(eager.type == compiled.type)
            #expect(eager.elements.contains { $0 != 0 }, "\(output) should not be all zeros")
            for (a, b) in zip(eager.elements, compiled.elements) {
                #expect(abs(a - b) <= 1e-5 + 1e-4 * abs(a), "\(name)/\(output): eager \(a) vs compiled \(b)")
            }
        }
    }
}
