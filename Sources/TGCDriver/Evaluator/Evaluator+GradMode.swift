import TGCBase
import TGCCore
import TGCSyntax

/// PyTorch's grad mode: `setGradEnabled(b)`, `enableGrad { }`, `isGradEnabled()` (`noGrad { }`
/// is in Evaluator+Calls.swift). The mode is known while evaluating, so it costs nothing at run time.
extension Evaluator {
    /// `setGradEnabled(false)`: the statements that follow record no history until
    /// `setGradEnabled(true)` (torch.set_grad_enabled); `noGrad { }` and `enableGrad { }`
    /// restore the mode they started with when they end.
    func setGradEnabled(_ site: CallSite) throws -> EvalValue {
        guard let flag = try staticBool(site, "enabled") else {
            throw Diagnostic("setGradEnabled needs true or false", at: site.location)
        }
        gradEnabled = flag
        return .void
    }

    /// Runs the body of a compiled loop or runtime branch, which must end in the grad mode it
    /// started in: compiled mode traces it once, so a mode it leaves changed would differ
    /// between iterations (or branches) that share one trace.
    func keepingGradMode(_ construct: String, at location: SourceLocation, _ body: () throws -> Void) throws {
        let mode = gradEnabled
        try body()
        guard gradEnabled == mode else {
            throw Diagnostic("a \(construct) must end in the grad mode it started in (grad \(mode ? "enabled" : "disabled")): it is compiled once for every run; call setGradEnabled(\(mode)) before it ends, or use noGrad { } or enableGrad { }", at: location)
        }
    }
}
