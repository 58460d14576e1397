import TGCBase
@testable import TGCCore

/// Gradient checks of the loss composites (Builder+Losses.swift): each reduction, label
/// smoothing, ignored samples, repeated classes, class weights and probability targets (whose
/// target gets a gradient too). Differences stay away from 0, where l1's |d| has its kink.
extension GradientCheckTests {
    static func labels(_ b: Builder, _ data: [Double], _ shape: [Int]) throws -> ValueID {
        try indexConstant(b, data, shape)
    }

    static func floats(_ b: Builder, _ data: [Double], _ shape: [Int]) throws -> ValueID {
        var attrs = Attributes()
        (attrs.data, attrs.shape, attrs.dtype) = (data, shape, .float32)
        return try b.apply1(.constant, [], attrs, at: .unknown)
    }

    static let lossCases: [Case] = {
        let prediction = values([3, 4], seed: 30, low: 0.2, high: 2)
        let target = values([3, 4], seed: 31, low: -2, high: -0.2)
        var cases: [Case] = []
        for reduction in LossReduction.allCases {
            cases.append(Case(name: "mseLoss \(reduction)", inputs: [prediction, target]) { b, x in
                try b.mseLoss(x[0], x[1], reduction: reduction, at: .unknown)
            })
            cases.append(Case(name: "l1Loss \(reduction)", inputs: [prediction, target]) { b, x in
                try b.l1Loss(x[0], x[1], reduction: reduction, at: .unknown)
            })
        }
        cases.append(Case(name: "mseLoss broadcast", inputs: [prediction, values([4], seed: 32, low: -2, high: -0.2)]) { b, x in
            try b.mseLoss(x[0], x[1], reduction: .mean, at: .unknown)
        })
        // Differences of both signs, inside and outside the threshold (kinks of the second
        // derivative only: the first is continuous at the threshold).
        let near = values([3, 4], seed: 33, low: -1.5, high: 1.5)
        let zero = Tensor(type: TensorType([3, 4], .float32), elements: Array(repeating: 0, count: 12))
        cases.append(Case(name: "smoothL1Loss beta 0.8 sum", inputs: [near, zero]) { b, x in
            try b.smoothL1Loss(x[0], x[1], threshold: 0.8, huber: false, reduction: .sum, at: .unknown)
        })
        cases.append(Case(name: "huberLoss delta 0.7 none", inputs: [near, zero]) { b, x in
            try b.smoothL1Loss(x[0], x[1], threshold: 0.7, huber: true, reduction: .none, at: .unknown)
        })
        let logits = values([4, 5], seed: 34)
        let repeated: [Double] = [1, 1, 4, 0]
        for reduction in LossReduction.allCases {
            cases.append(Case(name: "crossEntropy labels \(reduction)", inputs: [logits]) { b, x in
                try b.crossEntropy(x[0], labels: try labels(b, repeated, [4]), weight: nil, ignoreIndex: -100,
                                   labelSmoothing: 0, reduction: reduction, at: .unknown)
            })
            cases.append(Case(name: "crossEntropy smoothed, ignored \(reduction)", inputs: [logits]) { b, x in
                try b.crossEntropy(x[0], labels: try labels(b, [2, -100, 2, 3], [4]), weight: nil, ignoreIndex: -100,
                                   labelSmoothing: 0.2, reduction: reduction, at: .unknown)
            })
            cases.append(Case(name: "crossEntropy probabilities smoothed \(reduction)", inputs: [logits, values([4, 5], seed: 35, low: 0.1, high: 0.9)]) { b, x in
                try b.crossEntropy(x[0], probabilities: x[1], weight: nil, labelSmoothing: 0.1, reduction: reduction, at: .unknown)
            })
        }
        cases.append(Case(name: "crossEntropy weighted, smoothed, ignoreIndex 4", inputs: [logits, values([5], seed: 36, low: 0.5, high: 2)]) { b, x in
            try b.crossEntropy(x[0], labels: try labels(b, repeated, [4]), weight: x[1], ignoreIndex: 4,
                               labelSmoothing: 0.3, reduction: .mean, at: .unknown)
        })
        cases.append(Case(name: "crossEntropy weighted probabilities", inputs: [logits, values([4, 5], seed: 37, low: 0.1, high: 0.9)]) { b, x in
            try b.crossEntropy(x[0], probabilities: x[1], weight: try floats(b, [1, 2, 0.5, 1.5, 3], [5]), labelSmoothing: 0,
                               reduction: .mean, at: .unknown)
        })
        cases.append(Case(name: "crossEntropy spatial", inputs: [values([2, 3, 2], seed: 38)]) { b, x in
            try b.crossEntropy(x[0], labels: try labels(b, [0, 2, 2, 2], [2, 2]), weight: nil, ignoreIndex: -100,
                               labelSmoothing: 0.1, reduction: .mean, at: .unknown)
        })
        cases.append(Case(name: "nllLoss weighted", inputs: [logits]) { b, x in
            try b.nllLoss(x[0], try labels(b, [3, -100, 3, 0], [4]), weight: try floats(b, [1, 2, 0.5, 1.5, 3], [5]), ignoreIndex: -100,
                          reduction: .mean, at: .unknown)
        })
        let probabilities = values([2, 3], seed: 39, low: 0.1, high: 0.9)
        let flags = values([2, 3], seed: 40, low: 0, high: 1)
        for reduction in LossReduction.allCases {
            cases.append(Case(name: "binaryCrossEntropy \(reduction)", inputs: [probabilities, flags]) { b, x in
                try b.binaryCrossEntropy(x[0], x[1], weight: nil, reduction: reduction, at: .unknown)
            })
            cases.append(Case(name: "binaryCrossEntropyWithLogits \(reduction)", inputs: [values([2, 3], seed: 41), flags]) { b, x in
                try b.binaryCrossEntropyWithLogits(x[0], x[1], weight: nil, posWeight: nil, reduction: reduction, at: .unknown)
            })
        }
        cases.append(Case(name: "binaryCrossEntropyWithLogits weight, posWeight", inputs: [values([2, 3], seed: 42), flags, values([3], seed: 43, low: 0.5, high: 3)]) { b, x in
            try b.binaryCrossEntropyWithLogits(x[0], x[1], weight: try floats(b, [1, 0.5, 2], [3]), posWeight: x[2], reduction: .mean, at: .unknown)
        })
        return cases
    }()
}
