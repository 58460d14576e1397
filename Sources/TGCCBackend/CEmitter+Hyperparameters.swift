import TGCCore

extension CProgramEmitter {
    /// The program's hyperparameters: the module's list, then any `hyper` op it does not name
    /// (IR read from text carries no list).
    package var hyperparameters: [Hyperparameter] {
        var all = module.hyperparameters
        module.body.walk { op in
            guard op.kind == .hyper, let name = op.attributes.name, !all.contains(where: { $0.name == name }) else { return }
            all.append(Hyperparameter(name: name, value: PrintFormatter.pythonRepr(op.attributes.value ?? 0), isFixed: false))
        }
        return all
    }

    /// The run-time values (each starts at its default; `--NAME X` overwrites it) and the table
    /// that `tgc_parse_args` reads.
    package mutating func emitHyperparameterTable() {
        let all = hyperparameters
        guard !all.isEmpty else { return }
        out.line("/* ---- hyperparameters: --NAME X sets a run-time one; a fixed one was compiled in ---- */")
        out.line("static double tgc_hyper_values[\(all.count)] = { \(all.map(\.value).joined(separator: ", ")) };")
        out.line("static const tgc_hyper tgc_hypers[\(all.count)] = {")
        for (index, hyper) in all.enumerated() {
            let slot = hyper.isFixed ? "NULL" : "&tgc_hyper_values[\(index)]"
            out.line("    { \(CSourceText.stringLiteral(hyper.name)), \(CSourceText.stringLiteral(hyper.value)), \(slot) },")
        }
        out.line("};")
        out.line()
    }
}
