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
        FunctionEntry("hyper", [.unlabeled("name"), .unlabeled("default")],
                      "a hyperparameter: a Float one is set at run time (--name X), an Int one when compiling (-D name=N)") { e, site in
            try e.makeHyper(site)
        },
    ])
}
