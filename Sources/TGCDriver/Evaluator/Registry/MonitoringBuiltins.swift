import TGCBase
import TGCCore

/// Watching and tuning a training run: `SummaryWriter` (TensorBoard scalars), `hyper`
/// (hyperparameters set without recompiling), `progress` (a progress bar around a loop).
extension BuiltinFamily {
    static let monitoring = BuiltinFamily(name: "monitoring", functions: [
        FunctionEntry("SummaryWriter", [.unlabeled("logDir")],
                      "torch.utils.tensorboard.SummaryWriter: scalars to DIR/scalars.csv and a TensorBoard event file") { e, site in
            try e.makeSummaryWriter(site)
        },
        FunctionEntry("progress", [.unlabeled("sequence"), .unlabeled("label", optional: true)],
                      "wraps a for loop's sequence: a progress bar on stderr (one summary line when stderr is not a terminal)") { _, site in
            throw Diagnostic("progress(...) wraps the sequence of a for loop: for i in progress(0..<n, \"label\") { ... }", at: site.location)
        },
        FunctionEntry("hyper", [.unlabeled("name"), .unlabeled("default")],
                      "a hyperparameter: a Float one is set at run time (--name X), an Int one when compiling (-D name=N)") { e, site in
            try e.makeHyper(site)
        },
    ])
}
