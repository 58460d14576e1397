/// One thing `tgc doctor` looks for: found (with what it is) or missing (with why, and the
/// command that installs it).
struct DoctorCheck: Equatable, Sendable {
    var name: String
    /// Found: the path and version. Missing: the reason.
    var detail: String
    /// The command (or step) that installs the missing piece; nil when it was found.
    var install: String?

    var found: Bool { install == nil }

    static func found(_ name: String, _ detail: String) -> DoctorCheck { DoctorCheck(name: name, detail: detail, install: nil) }
    static func missing(_ name: String, _ reason: String, install: String) -> DoctorCheck {
        DoctorCheck(name: name, detail: reason, install: install)
    }
}

/// Everything `tgc doctor` found on this machine.
struct DoctorFindings: Sendable {
    var version: String
    var cCompiler: DoctorCheck
    var openMP: DoctorCheck
    var cxxCompiler: DoctorCheck
    var nvcc: DoctorCheck
    var gpu: DoctorCheck
    var mpicc: DoctorCheck
    var mpirun: DoctorCheck

    var checks: [DoctorCheck] { [cCompiler, openMP, cxxCompiler, nvcc, gpu, mpicc, mpirun] }
}
