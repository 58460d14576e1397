import Foundation
import TGCBase
import TGCCBackend
import TGCCUDABackend

/// Looks at this machine for what `tgc doctor` reports: runs each tool's version query, builds
/// and runs a tiny OpenMP program, and asks nvidia-smi for the GPUs.
enum DoctorProbe {
    static let aptOpenMPI = "sudo apt-get install openmpi-bin libopenmpi-dev"

    static func probe() -> DoctorFindings {
        let cc = CToolchain.findCompiler()
        return DoctorFindings(
            version: HelpText.version,
            cCompiler: cc.map { .found("C compiler", "\($0) (\(firstLine(of: $0, ["--version"])))") }
                ?? .missing("C compiler", "gcc not found on PATH (or TGC_CC)", install: "sudo apt-get install gcc"),
            openMP: openMP(compiler: cc),
            cxxCompiler: cxxCompiler(),
            nvcc: nvcc(),
            gpu: gpu(),
            mpicc: tool("mpicc", install: aptOpenMPI),
            mpirun: tool("mpirun", install: aptOpenMPI))
    }

    /// The first non-empty line `executable arguments` prints (the first containing `marker`
    /// when one does), or why there is none.
    static func firstLine(of executable: String, _ arguments: [String], containing marker: String = "") -> String {
        guard let result = try? ProcessRunner.run(executable, arguments) else { return "does not run" }
        let lines = (result.stdout + result.stderr).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        return lines.first { $0.contains(marker) } ?? lines.first ?? "no output"
    }

    /// Compiles and runs a parallel region with `compiler -fopenmp`; reports its thread count.
    static func openMP(compiler: String?) -> DoctorCheck {
        guard let compiler else { return .missing("OpenMP", "no C compiler", install: "sudo apt-get install gcc") }
        let install = "sudo apt-get install gcc libgomp1 (gcc's OpenMP)"
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tgc-doctor-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = folder.appendingPathComponent("omp.c"), binary = folder.appendingPathComponent("omp")
        let program = """
            #include <omp.h>
            #include <stdio.h>
            int main(void) {
                int threads = 0;
            #pragma omp parallel reduction(+ : threads)
                threads += 1;
                printf("%d\\n", threads);
                return threads > 0 ? 0 : 1;
            }
            """
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(program.utf8).write(to: source)
            let build = try ProcessRunner.run(compiler, ["-fopenmp", source.path, "-o", binary.path])
            guard build.status == 0 else {
                let reason = build.stderr.split(separator: "\n").first.map(String.init) ?? "failed"
                return .missing("OpenMP", "\(compiler) -fopenmp cannot build a parallel region: \(reason)", install: install)
            }
            let run = try ProcessRunner.run(binary.path, [])
            let threads = run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            guard run.status == 0 else { return .missing("OpenMP", "an OpenMP test program failed to run", install: install) }
            return .found("OpenMP", "\(compiler) -fopenmp: a test program ran \(threads) threads")
        } catch {
            return .missing("OpenMP", "cannot build a test program: \(error)", install: install)
        }
    }

    /// g++ (or TGC_CXX), which builds CUDA programs against the emulation.
    static func cxxCompiler() -> DoctorCheck {
        let environment = ProcessInfo.processInfo.environment
        let name = environment["TGC_CXX"].flatMap { $0.isEmpty ? nil : $0 } ?? "g++"
        guard let path = ProcessRunner.findExecutable(name) else {
            return .missing("C++ compiler", "\(name) not found on PATH (the CUDA emulation builds with it)", install: "sudo apt-get install g++")
        }
        return .found("C++ compiler", "\(path) (\(firstLine(of: path, ["--version"])))")
    }

    /// nvcc on the PATH (or TGC_NVCC), else the project-local one `make cuda` installs.
    static func nvcc() -> DoctorCheck {
        guard let path = CUDAToolchain.findNVCC() else {
            return .missing("nvcc", "not on the PATH (or TGC_NVCC), nor in the checkout's .cuda/",
                            install: "make cuda (in the tgc checkout: installs nvcc 13.0 from PyPI into .cuda/)")
        }
        let local = path.contains("/.cuda/") ? " (project-local, from make cuda)" : ""
        return .found("nvcc", "\(path)\(local): \(firstLine(of: path, ["--version"], containing: "release"))")
    }

    /// The GPUs nvidia-smi lists, with memory, compute capability and driver version.
    static func gpu() -> DoctorCheck {
        let install = "a machine with an NVIDIA GPU and its driver (Debian: sudo apt-get install nvidia-driver, which brings nvidia-smi)"
        guard let smi = ProcessRunner.findExecutable("nvidia-smi") else {
            return .missing("GPU", "no GPU (nvidia-smi not found)", install: install)
        }
        let query = ["--query-gpu=name,memory.total,compute_cap,driver_version", "--format=csv,noheader"]
        guard let result = try? ProcessRunner.run(smi, query), result.status == 0 else {
            return .missing("GPU", "no GPU (nvidia-smi finds none, or no driver is loaded)", install: install)
        }
        let gpus = result.stdout.split(separator: "\n").map { line -> String in
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard fields.count == 4 else { return String(line) }
            return "\(fields[0]), \(fields[1]), compute capability \(fields[2]), driver \(fields[3])"
        }
        guard !gpus.isEmpty else { return .missing("GPU", "no GPU (nvidia-smi lists none)", install: install) }
        return .found("GPU", gpus.joined(separator: "; "))
    }

    /// A tool found on the PATH (its path), or missing with its install command.
    static func tool(_ name: String, install: String) -> DoctorCheck {
        guard let path = ProcessRunner.findExecutable(name) else { return .missing(name, "not found on PATH", install: install) }
        return .found(name, path)
    }
}
