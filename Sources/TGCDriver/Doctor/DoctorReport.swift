/// The text `tgc doctor` prints: each check, the targets that can run here, and how to install
/// what is missing.
struct DoctorReport {
    var findings: DoctorFindings

    /// A target and whether it can run here, with what to do about it.
    struct Target: Equatable {
        var name: String
        var runs: Bool
        var note: String
    }

    var targets: [Target] {
        let f = findings
        let c = f.cCompiler.found && f.openMP.found
        let emulated = f.cxxCompiler.found && f.openMP.found
        let gpu = f.nvcc.found && f.gpu.found
        let gpuNote: String
        if gpu {
            gpuNote = "tgc run --target cuda FILE"
        } else if f.nvcc.found {
            gpuNote = "no GPU here; nvcc still builds CUDA programs for one: tgc compile --target cuda FILE"
        } else {
            gpuNote = f.gpu.found ? "needs nvcc" : "needs nvcc and a GPU"
        }
        return [
            Target(name: "c", runs: c, note: c ? "tgc run FILE" : "needs a C compiler with OpenMP"),
            Target(name: "cuda (emulated)", runs: emulated,
                   note: emulated ? "tgc run --target cuda --emulate FILE (CUDA threads as fibers on the CPU)" : "needs g++ with OpenMP"),
            Target(name: "cuda (GPU)", runs: gpu, note: gpuNote),
        ]
    }

    var text: String {
        var lines = ["tgc doctor: \(findings.version)", ""]
        let width = max(findings.checks.map(\.name.count).max() ?? 0, targets.map(\.name.count).max() ?? 0) + 2
        func padded(_ name: String) -> String { name + String(repeating: " ", count: width - name.count) }
        for check in findings.checks {
            lines.append("  " + padded(check.name) + (check.found ? "ok       " : "missing  ") + check.detail)
        }
        lines += ["", "targets"]
        for target in targets {
            lines.append("  " + padded(target.name) + (target.runs ? "yes      " : "no       ") + target.note)
        }
        let missing = findings.checks.filter { !$0.found }
        if !missing.isEmpty {
            lines += ["", "to install what is missing"]
            for check in missing { lines.append("  " + padded(check.name) + check.install!) }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
