import Foundation
import Testing
@testable import TGCDriver

/// `tgc doctor`: the report lists every check with ok or missing, the three targets with
/// whether they run (from what was found), and an install command for each missing piece; on
/// this machine it finds gcc with a working OpenMP, so the c target runs.
@Suite struct DoctorTests {
    static let everything = DoctorFindings(
        version: "tgc 0.1.0",
        cCompiler: .found("C compiler", "/usr/bin/gcc (gcc 12.2.0)"),
        openMP: .found("OpenMP", "/usr/bin/gcc -fopenmp: a test program ran 4 threads"),
        cxxCompiler: .found("C++ compiler", "/usr/bin/g++ (g++ 12.2.0)"),
        nvcc: .found("nvcc", "/usr/local/cuda/bin/nvcc: Cuda compilation tools, release 13.0, V13.0.88"),
        gpu: .found("GPU", "NVIDIA H100 80GB HBM3, 81559 MiB, compute capability 9.0, driver 580.65.06"),
        mpicc: .found("mpicc", "/usr/bin/mpicc"),
        mpirun: .found("mpirun", "/usr/bin/mpirun"))

    @Test func everythingFoundRunsEveryTarget() {
        let report = DoctorReport(findings: Self.everything)
        #expect(report.targets.map(\.runs) == [true, true, true])
        #expect(report.text == """
            tgc doctor: tgc 0.1.0

              C compiler       ok       /usr/bin/gcc (gcc 12.2.0)
              OpenMP           ok       /usr/bin/gcc -fopenmp: a test program ran 4 threads
              C++ compiler     ok       /usr/bin/g++ (g++ 12.2.0)
              nvcc             ok       /usr/local/cuda/bin/nvcc: Cuda compilation tools, release 13.0, V13.0.88
              GPU              ok       NVIDIA H100 80GB HBM3, 81559 MiB, compute capability 9.0, driver 580.65.06
              mpicc            ok       /usr/bin/mpicc
              mpirun           ok       /usr/bin/mpirun

            targets
              c                yes      tgc run FILE
              cuda (emulated)  yes      tgc run --target cuda --emulate FILE (CUDA threads as fibers on the CPU)
              cuda (GPU)       yes      tgc run --target cuda FILE

            """)
    }

    @Test func eachMissingPieceNamesItsInstallCommand() {
        var findings = Self.everything
        findings.gpu = .missing("GPU", "no GPU (nvidia-smi not found)", install: "a machine with an NVIDIA GPU")
        findings.mpirun = .missing("mpirun", "not found on PATH", install: DoctorProbe.aptOpenMPI)
        var report = DoctorReport(findings: findings)
        #expect(report.targets.map(\.runs) == [true, true, false])
        #expect(report.text.contains("  GPU              missing  no GPU (nvidia-smi not found)\n"))
        #expect(report.text.contains("  cuda (GPU)       no       no GPU here; nvcc still builds CUDA programs for one: tgc compile --target cuda FILE\n"))
        #expect(report.text.hasSuffix("""
            to install what is missing
              GPU              a machine with an NVIDIA GPU
              mpirun           sudo apt-get install openmpi-bin libopenmpi-dev

            """))

        findings.nvcc = .missing("nvcc", "not on the PATH", install: "make cuda")
        findings.cxxCompiler = .missing("C++ compiler", "g++ not found", install: "sudo apt-get install g++")
        report = DoctorReport(findings: findings)
        #expect(report.targets.map(\.runs) == [true, false, false])
        #expect(report.text.contains("  nvcc             make cuda\n"))
        #expect(report.text.contains("  cuda (GPU)       no       needs nvcc and a GPU\n"))
    }

    @Test func thisMachineHasACompilerWithOpenMP() {
        let findings = DoctorProbe.probe()
        #expect(findings.cCompiler.found && findings.openMP.found, "\(findings.cCompiler) \(findings.openMP)")
        #expect(findings.openMP.detail.contains("a test program ran"))
        let text = DoctorReport(findings: findings).text
        #expect(text.hasPrefix("tgc doctor: tgc "))
        for name in ["C compiler", "OpenMP", "C++ compiler", "nvcc", "GPU", "mpicc", "mpirun", "c ", "cuda (emulated)", "cuda (GPU)"] {
            #expect(text.contains("\n  \(name)"), "no line for \(name)")
        }
        #expect(text.contains("\n  c                yes"))
        #expect(findings.checks.allSatisfy { $0.found || !($0.install ?? "").isEmpty })
    }

    @Test func unknownArgumentsAreErrors() {
        #expect(throws: (any Error).self) { try DoctorCommand.run(["--gpu"]) }
    }
}
