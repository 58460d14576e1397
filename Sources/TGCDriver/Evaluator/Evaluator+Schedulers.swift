import Foundation
import TGCBase
import TGCCore
import TGCSyntax

/// Learning-rate schedulers: `StepLR(opt, stepSize: 30, gamma: 0.1)`,
/// `CosineAnnealingLR(opt, tMax: 10, etaMin: 0)`, `scheduler.step()`, `scheduler.getLastLr()`,
/// with PyTorch's recursive (chainable) `get_lr` formulas in float64. The epoch and the lr are
/// run-time values, so a step inside a compiled loop computes the next lr in the program.
extension Evaluator {
    /// `StepLR(...)` / `CosineAnnealingLR(...)`: PyTorch's constructor with `last_epoch = -1`,
    /// whose initial step sets `last_epoch` to 0 and leaves the lr as it is.
    func makeScheduler(_ site: CallSite) throws -> EvalValue {
        guard case .optimizer(let optimizer)? = site.value("optimizer") else {
            throw Diagnostic("\(site.name) takes an optimizer: \(site.name)(opt, ...)", at: site.location("optimizer"))
        }
        let kind: SchedulerObject.Kind
        if site.name == "StepLR" {
            let size = try staticInt(site.value("stepSize")!, what: "stepSize", at: site.location("stepSize"))
            guard size > 0 else { throw Diagnostic("stepSize must be positive, got \(size)", at: site.location("stepSize")) }
            kind = .step(size: size, gamma: try staticDouble(site.value("gamma") ?? .float(0.1), what: "gamma", at: site.location("gamma")))
        } else {
            let tMax = try staticInt(site.value("tMax")!, what: "tMax", at: site.location("tMax"))
            guard tMax > 0 else { throw Diagnostic("tMax must be positive, got \(tMax)", at: site.location("tMax")) }
            kind = .cosineAnnealing(tMax: tMax, etaMin: try staticDouble(site.value("etaMin") ?? .int(0), what: "etaMin", at: site.location("etaMin")))
        }
        let base = try learningRateTensor(optimizer, at: site.location)
        if !optimizer.settings.contains(where: { $0.name == "initial_lr" }) {   // PyTorch's group["initial_lr"]
            optimizer.settings.append(("initial_lr", optimizer.learningRate))
        }
        let epoch = TensorValue(id: try builder.scalar(0, .int64, at: site.location), isHostScalar: true)
        return .scheduler(SchedulerObject(kind: kind, optimizer: optimizer, baseLearningRate: base, lastEpoch: epoch))
    }

    /// `scheduler.step()`, `scheduler.getLastLr()`.
    func callSchedulerMember(_ scheduler: SchedulerObject, _ name: String, _ arguments: [Argument], at location: SourceLocation) throws -> EvalValue {
        guard arguments.isEmpty else { throw Diagnostic("\(name)() takes no arguments", at: location) }
        switch name {
        case "step":
            try withoutGrad { try advance(scheduler, at: location) }
            return .void
        case "getLastLr":
            return .array([.tensor(scheduler.lastLearningRate)])
        default:
            throw Diagnostic("value of type \(scheduler.typeName) has no method '\(name)'", at: location)
        }
    }

    /// PyTorch's `_update_lr`: `last_epoch += 1`, the optimizer's lr set to `get_lr()`.
    private func advance(_ scheduler: SchedulerObject, at location: SourceLocation) throws {
        func constant(_ value: Double, _ dtype: DType = .float64) throws -> ValueID { try builder.scalar(value, dtype, at: location) }
        func op(_ kind: OpKind, _ a: ValueID, _ b: ValueID) throws -> ValueID { try builder.apply1(kind, [a, b], at: location) }
        let epoch = try op(.add, scheduler.lastEpoch.id, try constant(1, .int64))
        let lr = try learningRateTensor(scheduler.optimizer, at: location).id
        let next: ValueID
        switch scheduler.kind {
        case .step(let size, let gamma):
            // lr · gamma when last_epoch is a multiple of stepSize (it is at least 1 here).
            let decays = try op(.equal, try op(.mod, epoch, try constant(Double(size), .int64)), try constant(0, .int64))
            next = try builder.apply1(.select, [decays, try op(.mul, lr, try constant(gamma)), lr], at: location)
        case .cosineAnnealing(let tMax, let etaMin):
            let t = Double(tMax)
            // Where (last_epoch - 1 - T_max) % (2 T_max) == 0:
            // lr + (base_lr - eta_min) * (1 - cos(pi / T_max)) / 2, with Python's order of operations.
            let restart = try op(.equal, try op(.mod, try op(.sub, epoch, try constant(1 + t, .int64)), try constant(2 * t, .int64)),
                                 try constant(0, .int64))
            let amplitude = try op(.div, try op(.mul, try op(.sub, scheduler.baseLearningRate.id, try constant(etaMin)),
                                                try constant(1 - cos(Double.pi / t))), try constant(2))
            let restarted = try op(.add, lr, amplitude)
            // Else (1 + cos(pi·e/T)) / (1 + cos(pi·(e-1)/T)) · (lr - eta_min) + eta_min.
            let e = try builder.cast(epoch, to: .float64, at: location)
            func cosine(_ epochs: ValueID) throws -> ValueID {
                let angle = try op(.div, try op(.mul, try constant(Double.pi), epochs), try constant(t))
                return try op(.add, try constant(1), try builder.apply1(.cos, [angle], at: location))
            }
            let ratio = try op(.div, try cosine(e), try cosine(try op(.sub, e, try constant(1))))
            let annealed = try op(.add, try op(.mul, ratio, try op(.sub, lr, try constant(etaMin))), try constant(etaMin))
            next = try builder.apply1(.select, [restart, restarted, annealed], at: location)
        }
        let value = TensorValue(id: next, isHostScalar: true)
        scheduler.lastEpoch = TensorValue(id: epoch, isHostScalar: true)
        scheduler.optimizer.learningRate = .tensor(value)
        scheduler.lastLearningRate = value
    }
}
