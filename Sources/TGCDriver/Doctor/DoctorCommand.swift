import TGCBase

/// `tgc doctor`: prints what this machine has for building and running tgc programs and which
/// targets can therefore run, with the command that installs each missing piece.
enum DoctorCommand {
    static let usage = """
        usage: tgc doctor

        Prints tgc's version; the C compiler and whether OpenMP works (a test program is built and
        run); the C++ compiler of the CUDA emulation; nvcc (on the PATH, or the project-local one
        `make cuda` installs in .cuda/) and its version; the GPUs and driver nvidia-smi reports
        (name, memory, compute capability, driver version); mpicc and mpirun; then which targets
        can run here (c, cuda (emulated), cuda (GPU)) and how to install what is missing.
        """

    static func run(_ arguments: [String]) throws -> Int32 {
        for argument in arguments {
            guard argument == "-h" || argument == "--help" else {
                throw ToolError("unknown argument '\(argument)' for 'tgc doctor' (see 'tgc doctor --help')")
            }
            print(usage)
            return 0
        }
        print(DoctorReport(findings: DoctorProbe.probe()).text, terminator: "")
        return 0
    }
}
