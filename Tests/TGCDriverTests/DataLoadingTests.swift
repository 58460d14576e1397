import Foundation
import Testing
import TGCCore
@testable import TGCDriver

/// Data loading in both modes: IDX files (gzip'd or not, damaged after compiling), DataLoader
/// loops (IR loops, the same shuffles eager and compiled, every row once per epoch) and the
/// random augmentations.
@Suite struct DataLoadingTests {
    /// Runs `program` (written into `directory` with `files`) eagerly and compiled; both outputs.
    static func run(_ program: String, files: [String: [UInt8]] = [:], gzip: Set<String> = []) throws -> (eager: String, compiled: String) {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try writeFiles(files, gzip: gzip, in: directory)
        let path = directory.appendingPathComponent("program.swiftdsl").path
        try program.write(toFile: path, atomically: true, encoding: .utf8)
        let eager = try Pipeline.eagerOutput(of: path)
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildExecutable(path, to: binary)
        let (status, compiled, errors) = try TestPaths.execute(binary, in: directory)
        #expect(status == 0, "compiled program failed: \(errors)")
        return (eager, compiled)
    }

    static func writeFiles(_ files: [String: [UInt8]], gzip: Set<String>, in directory: URL) throws {
        for (name, bytes) in files {
            let url = directory.appendingPathComponent(name)
            try Data(bytes).write(to: url)
            if gzip.contains(name) {
                let result = try TestPaths.execute("/usr/bin/env", ["gzip", "-f", "-n", url.path])
                #expect(result.0 == 0, "gzip failed: \(result.2)")
                try FileManager.default.moveItem(atPath: url.path + ".gz", toPath: url.path)
            }
        }
    }

    /// An IDX file: magic 0 0 type rank, big-endian dimensions, then `data` as given.
    static func idx(type: UInt8, shape: [Int], data: [UInt8]) -> [UInt8] {
        [0, 0, type, UInt8(shape.count)] + shape.flatMap { d in (0..<4).reversed().map { UInt8((d >> (8 * $0)) & 0xFF) } } + data
    }

    @Test func idxFilesLoadTheSameInBothModes() throws {
        let bytes = Self.idx(type: 0x08, shape: [2, 3], data: [1, 2, 3, 250, 0, 7])
        // float32 [2]: 1.5 and -2.0, big-endian.
        let floats = Self.idx(type: 0x0D, shape: [2], data: [0x3F, 0xC0, 0, 0, 0xC0, 0, 0, 0])
        let (eager, compiled) = try Self.run("""
            let a = loadIDX("a.idx")
            let b = loadIDX("b.idx.gz")
            print(a, b)
            print(a.shape, b.dtype)
            """, files: ["a.idx": bytes, "b.idx.gz": floats], gzip: ["b.idx.gz"])
        let expected = """
            tensor([[  1,   2,   3],
                    [250,   0,   7]], dtype=torch.uint8) tensor([ 1.5000, -2.0000])
            torch.Size([2, 3]) torch.float32

            """
        #expect(eager == expected)
        #expect(compiled == expected)
    }

    /// A file whose header still reads but whose data was cut after compiling: a run-time
    /// error naming the file in both modes, never a crash.
    @Test func idxDataCutAfterCompilingIsARunTimeError() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = Self.idx(type: 0x08, shape: [4], data: [1, 2, 3, 4])
        try Self.writeFiles(["d.idx.gz": full], gzip: ["d.idx.gz"], in: directory)
        let path = directory.appendingPathComponent("program.swiftdsl").path
        try "let d = loadIDX(\"d.idx.gz\")\nprint(d.sum())\n".write(toFile: path, atomically: true, encoding: .utf8)
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildExecutable(path, to: binary)
        try Self.writeFiles(["d.idx.gz": Array(full.dropLast(2))], gzip: ["d.idx.gz"], in: directory)

        let (status, _, errors) = try TestPaths.execute(binary, in: directory)
        #expect(status != 0)
        #expect(errors.contains("d.idx.gz' is truncated: the data ends after 2 of 4 bytes"), "got: \(errors)")
        let error = #expect(throws: (any Error).self) { _ = try Pipeline.eagerOutput(of: path) }
        #expect(error.map { Pipeline.render($0, path: path) }?.contains("is truncated: the data ends after 2 of 4 bytes") == true)
    }

    /// A file damaged after compiling in other ways (emptied, trailing bytes, a gzip stream whose
    /// CRC-32 no longer matches, deflate data overwritten): each a run-time error naming the file
    /// and what is wrong, in the compiled program and eagerly, never a crash.
    @Test func idxFilesDamagedAfterCompilingAreRunTimeErrors() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = Self.idx(type: 0x08, shape: [4], data: [1, 2, 3, 4])
        try Self.writeFiles(["d.idx": full, "d.idx.gz": full], gzip: ["d.idx.gz"], in: directory)
        let gzipped = try [UInt8](Data(contentsOf: directory.appendingPathComponent("d.idx.gz")))
        var badCRC = gzipped
        badCRC[badCRC.count - 8] ^= 0xFF
        var overwritten = gzipped
        for i in 12..<16 { overwritten[i] = 0xFF }
        for (file, damaged, message) in [
            ("d.idx", [UInt8](), "d.idx' is empty, not a .npy or IDX file"),
            ("d.idx", full + [9], "d.idx' holds more data than its header says"),
            ("d.idx.gz", badCRC, "d.idx.gz' is not a valid gzip file (incorrect data check)"),
            ("d.idx.gz", overwritten, "d.idx.gz' is not a valid gzip file ("),
        ] {
            try Self.writeFiles([file: full], gzip: file.hasSuffix(".gz") ? [file] : [], in: directory)
            let path = directory.appendingPathComponent("program.swiftdsl").path
            try "let d = loadIDX(\"\(file)\")\nprint(d.sum())\n".write(toFile: path, atomically: true, encoding: .utf8)
            let binary = directory.appendingPathComponent("program").path
            try Pipeline.buildExecutable(path, to: binary)
            try Data(damaged).write(to: directory.appendingPathComponent(file))
            let (status, _, errors) = try TestPaths.execute(binary, in: directory)
            // At the program's `load`, as eager mode reports it.
            #expect(status == 1 && errors.contains("program.swiftdsl:1:17: error: '") && errors.contains(message), "\(message): \(errors)")
            let error = #expect(throws: (any Error).self) { _ = try Pipeline.eagerOutput(of: path) }
            let rendered = error.map { Pipeline.render($0, path: path) } ?? ""
            #expect(rendered.contains(": error: '") && rendered.contains("/\(file)' "), "eager, \(message): \(rendered)")
        }
    }

    /// A corrupt header whose dimensions multiply past 64 bits (or just past the size limit):
    /// an error at the call in both modes, never an overflow trap.
    @Test func idxHeaderWithAnImpossibleSizeIsAnError() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (shape, count) in [([65535, 65535, 65535, 65535], "more than 2^63"), ([1 << 20, 1 << 20], "1099511627776")] {
            try Self.writeFiles(["d.idx": Self.idx(type: 0x08, shape: shape, data: [])], gzip: [], in: directory)
            let path = directory.appendingPathComponent("program.swiftdsl").path
            try "let d = loadIDX(\"d.idx\")\nprint(d.shape)\n".write(toFile: path, atomically: true, encoding: .utf8)
            let message = "program.swiftdsl:1:17: error: a tensor of shape \(formatShape(shape)) would have \(count) elements; the limit is 68719476736"
            let eager = #expect(throws: (any Error).self) { _ = try Pipeline.eagerOutput(of: path) }
            #expect(eager.map { Pipeline.render($0, path: path) }?.contains(message) == true, "\(String(describing: eager))")
            let compiled = #expect(throws: (any Error).self) {
                try Pipeline.buildExecutable(path, to: directory.appendingPathComponent("program").path)
            }
            #expect(compiled.map { Pipeline.render($0, path: path) }?.contains(message) == true, "\(String(describing: compiled))")
        }
    }

    /// A file read only through leading slices (after a cast, too): the compiled program loads
    /// just the rows they reach (canonicalize's LoadNarrowing), so rows cut off after compiling
    /// beyond them go unnoticed there, while the eager run, which reads the whole file, reports
    /// the cut; both print the same rows of the intact file.
    @Test func compiledProgramsReadOnlyTheLeadingRowsTheyUse() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let full = Self.idx(type: 0x08, shape: [6, 2], data: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        try Self.writeFiles(["d.idx.gz": full], gzip: ["d.idx.gz"], in: directory)
        let path = directory.appendingPathComponent("program.swiftdsl").path
        try "let d = loadIDX(\"d.idx.gz\")\nprint(d[..<2], toFloat(d)[1..<3, 1])\n".write(toFile: path, atomically: true, encoding: .utf8)
        let binary = directory.appendingPathComponent("program").path
        try Pipeline.buildExecutable(path, to: binary)
        let expected = "tensor([[1, 2],\n        [3, 4]], dtype=torch.uint8) tensor([0.0157, 0.0235])\n"
        #expect(try Pipeline.eagerOutput(of: path) == expected)
        #expect(try TestPaths.execute(binary, in: directory).1 == expected)

        try Self.writeFiles(["d.idx.gz": Array(full.dropLast(4))], gzip: ["d.idx.gz"], in: directory)
        let (status, compiled, errors) = try TestPaths.execute(binary, in: directory)
        #expect(status == 0 && compiled == expected, "compiled: \(errors)")
        #expect(throws: (any Error).self) { _ = try Pipeline.eagerOutput(of: path) }
    }

    /// Debian's dataset-fashion-mnist, when installed (`make data`): the test set's 10,000
    /// images and labels, 1,000 of each class, read from the gzip'd IDX files in both modes.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")))
    func fashionMNISTTestSetWhenInstalled() throws {
        let (eager, compiled) = try Self.run("""
            let test = FashionMNIST(train: false)
            let (images, labels) = test.tensors
            print(test.count, images.shape, images.dtype, labels.dtype)
            print(labels[0..<10], (labels == 3).sum(), images.max())
            """)
        let expected = """
            10000 torch.Size([10000, 28, 28]) torch.uint8 torch.int64
            tensor([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]) tensor(1000) tensor(255, dtype=torch.uint8)

            """
        #expect(eager == expected)
        #expect(compiled == expected)
    }

    static let shuffledProgram = """
        let ds = TensorDataset(arange(10).float().reshape(10, 1), arange(10))
        let loader = DataLoader(ds, batchSize: 4, shuffle: true)
        print(loader.count)
        for epoch in 0..<3 {
            for (xb, yb) in loader {
                print(yb.tolist(), (xb.reshape(-1).long() == yb).all().item())
            }
        }
        """

    /// Shuffling draws the same orders eagerly and compiled; every epoch yields each row once
    /// (batches of 4, 4 and the last 2, x and y rows together) in a new order.
    @Test func shuffledEpochsAgreeAndCoverEveryRow() throws {
        let (eager, compiled) = try Self.run(Self.shuffledProgram)
        #expect(eager == compiled)
        let lines = eager.split(separator: "\n").map(String.init)
        #expect(lines.first == "3")
        let batches = lines.dropFirst().map { line -> [Int] in
            #expect(line.hasSuffix(" True"), "x and y rows stay together: \(line)")
            return line.drop(while: { $0 != "[" }).prefix(while: { $0 != "]" }).dropFirst().split(separator: ",")
                .map { Int($0.trimmingCharacters(in: .whitespaces))! }
        }
        #expect(batches.map(\.count) == [4, 4, 2, 4, 4, 2, 4, 4, 2])
        let epochs = (0..<3).map { Array(batches[3 * $0 ..< 3 * $0 + 3].joined()) }
        for order in epochs { #expect(order.sorted() == Array(0..<10)) }
        #expect(Set(epochs.map { $0.map(String.init).joined(separator: ",") }).count == 3, "each epoch reshuffles")
        #expect(epochs[0] != Array(0..<10))
    }

    /// The batch loop is one IR loop however many batches there are (not unrolled): 50 batches
    /// and an epoch loop give two `for` ops and a handful of gathers.
    @Test func loaderLoopIsAnIRLoop() throws {
        let directory = try TestPaths.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("program.swiftdsl").path
        try """
            let ds = TensorDataset(randn([200, 3]), arange(200))
            var total = zeros([3])
            for epoch in 0..<2 {
                for (xb, yb) in DataLoader(ds, batchSize: 4, shuffle: true) {
                    total = total + xb.sum(dim: 0)
                }
            }
            print(total.shape)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let text = IRPrinter.print(try Pipeline.module(of: path, upTo: "autodiff"))
        let loops = text.split(separator: "\n").filter { $0.contains(" for %") }
        #expect(loops.count == 2, "\(loops)")
        #expect(loops.contains { $0.contains("0..<50") })
        #expect(text.components(separatedBy: "gather").count - 1 <= 4)
    }

    /// Flips and crops draw per sample, the same in both modes; p: 1 flips every sample, p: 0
    /// none; a crop of the whole unpadded image is the image.
    @Test func augmentationsAgreeAcrossModes() throws {
        let (eager, compiled) = try Self.run("""
            manualSeed(5)
            let x = arange(48).reshape(4, 3, 4).float()
            print(randomHorizontalFlip(x))
            print(randomCrop(x, size: [2, 3], padding: 1))
            print((randomHorizontalFlip(x, p: 1.0) == x.flip(dims: 2)).all(), (randomHorizontalFlip(x, p: 0.0) == x).all())
            print((randomCrop(x, size: [3, 4]) == x).all())
            """)
        #expect(eager == compiled)
        #expect(eager.hasSuffix("tensor(True) tensor(True)\ntensor(True)\n"), "got: \(eager)")
    }
}
