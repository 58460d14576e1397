import Foundation
import Testing
import TGCBase
import TGCCore
@testable import TGCCBackend
@testable import TGCDriver

/// Data-parallel training over MPI (`--distributed mpi`, docs/DISTRIBUTED.md): the digits MLP on
/// two processes (`mpirun -np 2 --oversubscribe`) against one process over the same global
/// batches, its checkpoint read back by one process, one copy of the output, a failing rank
/// ending the run, and the all-reduce in the IR. Skipped, with the reason printed, only where
/// Open MPI is missing (`make test` installs it first).
@Suite(.serialized) struct DistributedTests {
    /// Three epochs of the digits MLP (samples/mlp_digits.swiftdsl) with batches of `batch`
    /// per process (its split and shuffles drawn from `--seed`); prints the loss over the whole
    /// training part with the final weights and saves them to weights.safetensors.
    static let program = """
        let images = load("DATA/digits_images.npy")
        let labels = load("DATA/digits_labels.npy")
        let x = images.reshape(1797, 64).float() / 16
        let model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
        model.load("DATA/mlp_digits_init.safetensors")
        let opt = Adam(model.parameters(), lr: hyper("lr", 0.01))
        let criterion = CrossEntropyLoss()
        let parts = randomSplit(TensorDataset(x, labels), [1500, 297])
        let train = parts[0]
        let loader = DataLoader(train, batchSize: hyper("batch", 64), shuffle: true)
        print("batches per epoch:", loader.count)
        for epoch in 0..<3 {
            for (xb, yb) in loader {
                opt.zeroGrad()
                criterion(model(xb), yb).backward()
                opt.step()
            }
        }
        let (trainX, trainY) = train.tensors
        print("final loss:", criterion(model(trainX), trainY).item())
        save(model, "weights.safetensors")
        """

    /// The parameters the program saves.
    static let parameterNames = [("0.weight", [32, 64]), ("0.bias", [32]), ("2.weight", [10, 32]), ("2.bias", [10])]

    /// Where mpirun is, or nil (with the reason printed) when Open MPI is not installed.
    static func mpirun() -> String? {
        guard CToolchain.findMPICompiler() != nil, let mpirun = ProcessRunner.findExecutable("mpirun") else {
            print("DistributedTests skipped: Open MPI is not installed (mpicc, mpirun; `make mpi` installs openmpi-bin and libopenmpi-dev)")
            return nil
        }
        return mpirun
    }

    /// Writes the program into a fresh folder and compiles it there as `program`.
    static func build(_ source: String = program, batch: Int, distribution: Distribution?) throws -> URL {
        let directory = try TestPaths.temporaryDirectory()
        let path = directory.appendingPathComponent("program.swiftdsl").path
        try source.replacingOccurrences(of: "DATA", with: TestPaths.samples.appendingPathComponent("data").path)
            .write(toFile: path, atomically: true, encoding: .utf8)
        try Pipeline.buildExecutable(path, to: directory.appendingPathComponent("program").path,
                                     hyperparameters: ["batch": String(batch)], distribution: distribution)
        return directory
    }

    /// Runs `mpirun ARGUMENTS` in `directory` as root on this small machine, one thread per process,
    /// stopped after two minutes (a hang fails the test instead of blocking it).
    static func mpiExecute(_ mpirun: String, _ arguments: [String], in directory: URL) throws -> (Int32, String, String) {
        let result = try ProcessRunner.run("/usr/bin/env", ["OMP_NUM_THREADS=1", "OMPI_ALLOW_RUN_AS_ROOT=1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1",
                                                            "timeout", "120", mpirun, "--oversubscribe"] + arguments,
                                           directory: directory.path)
        return (result.status, result.stdout, result.stderr)
    }

    static func weights(in directory: URL) throws -> [[Float]] {
        try parameterNames.map { name, shape in
            let tensor = try SafeTensors.load(directory.appendingPathComponent("weights.safetensors").path, name: name,
                                              as: TensorType(shape, .float32))
            return tensor.elements.map { Float($0) }
        }
    }

    static func finalLoss(_ output: String) -> Double? {
        output.split(separator: "\n").first { $0.hasPrefix("final loss:") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    /// Two processes with batches of 64 see the same 128 samples per step as one process with
    /// batches of 128 (1500 samples split evenly), and average the same gradients: the weights
    /// agree within 1e-5 and the losses within 1e-5 (measured: 9e-8 and 0; the float32 sums of the
    /// gradients run in another order, two halves averaged, and Adam's 36 steps carry that on).
    @Test func twoProcessesTrainAsOneOverTheSameGlobalBatches() throws {
        guard let mpirun = Self.mpirun() else { return }
        let distributed = try Self.build(batch: 64, distribution: Distribution(ranks: 2))
        let single = try Self.build(batch: 128, distribution: nil)
        defer {
            try? FileManager.default.removeItem(at: distributed)
            try? FileManager.default.removeItem(at: single)
        }
        // The command line reaches every process: were rank 1 to keep the default seed, its
        // split and shuffles would differ and the two processes would not see one process's batches.
        let (status, output, errors) = try Self.mpiExecute(mpirun, ["-np", "2", "./program", "--seed", "7"], in: distributed)
        #expect(status == 0, "mpirun failed: \(errors)")
        let (singleStatus, singleOutput, singleErrors) = try TestPaths.execute(single.appendingPathComponent("program").path, ["--seed", "7"], in: single)
        #expect(singleStatus == 0, "the one-process run failed: \(singleErrors)")

        // One copy of the output (rank 0's), with the batches of one process's shard: 750 / 64.
        #expect(output.components(separatedBy: "batches per epoch: 12\n").count == 2, "output: \(output)")
        #expect(output.components(separatedBy: "final loss:").count == 2, "output: \(output)")
        #expect(singleOutput.hasPrefix("batches per epoch: 12\n"))

        let (loss, singleLoss) = (try #require(Self.finalLoss(output)), try #require(Self.finalLoss(singleOutput)))
        #expect(abs(loss - singleLoss) <= 1e-5, "losses \(loss) and \(singleLoss)")
        let largest = zip(try Self.weights(in: distributed), try Self.weights(in: single)).map { a, b in
            zip(a, b).map { abs($0 - $1) }.max()!
        }.max()!
        #expect(largest <= 1e-5, "weights differ by up to \(largest)")
        // The training moved them: the two runs agree because they average, not because nothing happened.
        #expect(loss < 0.5, "final loss \(loss) (2.3 before training)")

        // The checkpoint the two processes wrote loads and evaluates the same in one process.
        let evaluate = distributed.appendingPathComponent("evaluate.swiftdsl").path
        try """
            let images = load("\(TestPaths.samples.path)/data/digits_images.npy")
            let labels = load("\(TestPaths.samples.path)/data/digits_labels.npy")
            let x = images.reshape(1797, 64).float() / 16
            let model = Sequential(Linear(64, 32), ReLU(), Linear(32, 10))
            model.load("weights.safetensors")
            let parts = randomSplit(TensorDataset(x, labels), [1500, 297])
            let (trainX, trainY) = parts[0].tensors
            print("final loss:", CrossEntropyLoss()(model(trainX), trainY).item())
            """.write(toFile: evaluate, atomically: true, encoding: .utf8)
        let reloaded = try #require(Self.finalLoss(try Pipeline.eagerOutput(of: evaluate, seed: 7)))
        #expect(abs(reloaded - loss) <= 1e-6, "reloaded loss \(reloaded), trained \(loss)")
    }

    /// A rank that fails (here rank 1 is given an option it does not know, while rank 0 goes on
    /// into the all-reduce that waits for it) ends the whole run with a non-zero status and the
    /// failing rank's message, instead of hanging; so does a run on more processes than compiled for.
    @Test func aFailingRankEndsTheRun() throws {
        guard let mpirun = Self.mpirun() else { return }
        let directory = try Self.build(batch: 64, distribution: Distribution(ranks: 2))
        defer { try? FileManager.default.removeItem(at: directory) }
        let (status, _, errors) = try Self.mpiExecute(mpirun, ["-np", "1", "./program", ":", "-np", "1", "./program", "--no-such-option"],
                                                      in: directory)
        #expect(status != 0 && status != 124, "status \(status) (124: timed out)")
        #expect(errors.contains("--no-such-option"), "stderr: \(errors)")

        let (wrongStatus, _, wrongErrors) = try Self.mpiExecute(mpirun, ["-np", "3", "./program"], in: directory)
        #expect(wrongStatus != 0 && wrongStatus != 124, "status \(wrongStatus)")
        #expect(wrongErrors.contains("compiled for 2 processes"), "stderr: \(wrongErrors)")
    }

    /// `tgc ir --after gradient-all-reduce`: one all_reduce after each backward pass (the loop
    /// over full batches and the last, smaller batch), on one bucket of the 2,410 parameters'
    /// gradients; the shard's positions come from process_rank. Smaller buckets make more
    /// all_reduces; without --distributed there is none.
    @Test func theIRShowsTheAllReduceAfterTheBackwardPass() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("program.swiftdsl").path
        try Self.program.replacingOccurrences(of: "DATA", with: TestPaths.samples.appendingPathComponent("data").path)
            .write(toFile: path, atomically: true, encoding: .utf8)
        func allReduces(_ distribution: Distribution?) throws -> [String] {
            let text = IRPrinter.print(try Pipeline.module(of: path, upTo: "gradient-all-reduce", distribution: distribution))
            return text.split(separator: "\n").filter { $0.contains(" = all_reduce ") }.map { String($0.split(separator: "//")[0].trimmingCharacters(in: .whitespaces)) }
        }
        let lines = try allReduces(Distribution(ranks: 2))
        #expect(lines.count == 2 && lines.allSatisfy { $0.hasSuffix(": f32[2410]") }, "\(lines)")
        // Buckets of 4 KiB: the first weight's gradient (8 KiB) alone, the three others (1,448 bytes) together.
        #expect(try allReduces(Distribution(ranks: 2, bucketBytes: 4096)).count == 2 * 2)
        #expect(try allReduces(Distribution(ranks: 2, bucketBytes: 100)).count == 2 * 4)
        #expect(try allReduces(nil).isEmpty)
        let text = IRPrinter.print(try Pipeline.module(of: path, upTo: "gradient-all-reduce", distribution: Distribution(ranks: 2)))
        #expect(text.contains("= process_rank : i64[]"))
        #expect(text.contains("i64[750]"), "the shard: 1500 samples over 2 processes")
    }

    /// The options: defaults (2 processes, 25 MiB buckets), --ranks and --bucket-mb, and misuse.
    @Test func theDistributedOptionsParse() throws {
        #expect(try Options.parse(["compile", "m.swiftdsl", "--distributed", "mpi"]).distribution == Distribution(ranks: 2, bucketBytes: 25 << 20))
        #expect(try Options.parse(["ir", "m.swiftdsl", "--distributed=mpi", "--ranks", "8", "--bucket-mb", "0.5"]).distribution
                == Distribution(ranks: 8, bucketBytes: 1 << 19))
        #expect(try Options.parse(["compile", "m.swiftdsl"]).distribution == nil)
        for bad in [["compile", "m.swiftdsl", "--distributed", "nccl"], ["compile", "m.swiftdsl", "--ranks", "4"],
                    ["compile", "m.swiftdsl", "--distributed", "mpi", "--ranks", "0"],
                    ["compile", "m.swiftdsl", "--distributed", "mpi", "--bucket-mb", "-1"],
                    ["run", "m.swiftdsl", "--distributed", "mpi"], ["compile", "m.swiftdsl", "--distributed", "mpi", "--emit", "lib"]] {
            #expect(throws: ToolError.self, "\(bad)") { try Options.parse(bad) }
        }
    }

    /// Without Open MPI's compiler wrapper the build stops with an error naming `make mpi` and
    /// the Debian packages (TGC_MPICC names a wrapper that does not exist).
    @Test func aMissingMPICompilerIsNamed() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.swiftdsl").path
        try "print(1)\n".write(toFile: path, atomically: true, encoding: .utf8)
        let bundle = Bundle.main.bundleURL
        let candidates = [bundle.deletingLastPathComponent(), bundle, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        guard let tgc = candidates.map({ $0.appendingPathComponent("tgc").path }).first(where: FileManager.default.isExecutableFile) else {
            Issue.record("the built tgc is not next to the test bundle (\(candidates))")
            return
        }
        let result = try ProcessRunner.run(tgc, ["compile", "--distributed", "mpi", path, "-o", directory.appendingPathComponent("m").path],
                                           environment: ["TGC_MPICC": "no-such-mpicc"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("make mpi") && result.stderr.contains("libopenmpi-dev"), "stderr: \(result.stderr)")
    }

    /// A loader is sharded only under --distributed: `loader.count` is the batches of one
    /// process's shard (10 samples over 3 processes: shards of 4, the last padded by wrapping
    /// around, as torch's DistributedSampler gives [0, 3, 6, 9], [1, 4, 7, 0], [2, 5, 8, 1]; 3 with
    /// dropLast), and a batch larger than the shard with dropLast is a located error naming it.
    @Test func loaderCountsAreThoseOfOneShard() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        func ir(_ loader: String, _ distribution: Distribution?) throws -> String {
            let path = directory.appendingPathComponent("m.swiftdsl").path
            try "let ds = TensorDataset(arange(10))\nlet loader = \(loader)\nprint(loader.count)\nfor x in loader { print(x) }\n"
                .write(toFile: path, atomically: true, encoding: .utf8)
            return IRPrinter.print(try Pipeline.module(of: path, upTo: "none", distribution: distribution))
        }
        let sharded = try ir("DataLoader(ds, batchSize: 3)", Distribution(ranks: 3))
        #expect(sharded.contains("print {format = \"2\"}") && sharded.contains(": i64[4]"), "\(sharded)")
        #expect(try ir("DataLoader(ds, batchSize: 3, dropLast: true)", Distribution(ranks: 3)).contains("print {format = \"1\"}"))
        #expect(try ir("DataLoader(ds, batchSize: 3)", nil).contains("print {format = \"4\"}"))
        #expect(throws: Diagnostic.self) { try ir("DataLoader(ds, batchSize: 4, dropLast: true)", Distribution(ranks: 3)) }
        do {
            _ = try ir("DataLoader(ds, batchSize: 4, dropLast: true)", Distribution(ranks: 3))
        } catch let diagnostic as Diagnostic {
            #expect(diagnostic.message.contains("each of the 3 processes' shard of 3 samples"), "\(diagnostic.message)")
        }
    }
}
