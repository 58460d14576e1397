/// A learning-rate scheduler (PyTorch's `StepLR`, `CosineAnnealingLR`): the optimizer whose lr
/// it sets, its base lr (PyTorch's `initial_lr`), and its state, which loops carry like
/// variables: `last_epoch` (an int64 host scalar) and the lr its last step set (float64).
final class SchedulerObject {
    enum Kind {
        case step(size: Int, gamma: Double)
        case cosineAnnealing(tMax: Int, etaMin: Double)
    }

    let kind: Kind
    let optimizer: OptimizerObject
    let baseLearningRate: TensorValue
    var lastEpoch: TensorValue
    var lastLearningRate: TensorValue

    init(kind: Kind, optimizer: OptimizerObject, baseLearningRate: TensorValue, lastEpoch: TensorValue) {
        (self.kind, self.optimizer, self.baseLearningRate, self.lastEpoch) = (kind, optimizer, baseLearningRate, lastEpoch)
        lastLearningRate = baseLearningRate
    }

    /// PyTorch's class name.
    var typeName: String {
        switch kind {
        case .step: "StepLR"
        case .cosineAnnealing: "CosineAnnealingLR"
        }
    }
}

/// One state tensor of a scheduler, as a control-flow slot: its `last_epoch` or its last lr.
struct SchedulerState: Hashable {
    let scheduler: SchedulerObject
    let isEpoch: Bool

    static func == (a: Self, b: Self) -> Bool { a.scheduler === b.scheduler && a.isEpoch == b.isEpoch }
    func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(scheduler))
        hasher.combine(isEpoch)
    }

    var value: TensorValue {
        get { isEpoch ? scheduler.lastEpoch : scheduler.lastLearningRate }
        nonmutating set {
            let scalar = TensorValue(id: newValue.id, isHostScalar: true)
            if isEpoch { scheduler.lastEpoch = scalar } else { scheduler.lastLearningRate = scalar }
        }
    }
}
