import Foundation
import TGCBase
import TGCCore
import TGCSyntax

/// Data sets and loading (DataBuiltins.swift declares the parameters): IDX files, Fashion-MNIST,
/// `TensorDataset`, `randomSplit`, `DataLoader` and the `for` loop over a loader.
extension Evaluator {
    /// Where Debian's `dataset-fashion-mnist` puts the files.
    static let fashionMNISTRoot = "/usr/share/datasets/fashion-mnist"

    /// `loadIDX(path)`: the header is read now (the shape is static), the data at run time.
    func loadIDX(_ site: CallSite) throws -> EvalValue {
        let path = try resolvePath(site.value("path"), at: site.location("path"))
        return .tensor(try loadIDXFile(path, at: site.location("path")))
    }

    private func loadIDXFile(_ path: String, at location: SourceLocation) throws -> TensorValue {
        let type: TensorType
        do { type = try IDX.readType(path) } catch let error as ToolError {
            throw Diagnostic(error.message, at: location)
        }
        var attrs = Attributes()
        attrs.path = path
        attrs.shape = type.shape
        attrs.dtype = type.dtype
        return TensorValue(id: try builder.apply1(.load, [], attrs, at: location))
    }

    /// `FashionMNIST(train: true, root: ...)`: images uint8 [N, 28, 28] and labels int64 [N]
    /// from the gzip'd IDX files of Debian's `dataset-fashion-mnist`.
    func fashionMNIST(_ site: CallSite) throws -> EvalValue {
        let train = try staticBool(site, "train") ?? true
        let root = site.value("root") == nil ? Self.fashionMNISTRoot : try resolvePath(site.value("root"), at: site.location("root"))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Diagnostic("Fashion-MNIST is not installed: there is no folder '\(root)' (install Debian's package dataset-fashion-mnist: `make data`, or pass root: the folder holding its files)",
                             at: site.location)
        }
        let prefix = train ? "train" : "t10k"
        func file(_ kind: String) throws -> String {
            let plain = URL(fileURLWithPath: root).appendingPathComponent("\(prefix)-\(kind)-ubyte").path
            if FileManager.default.fileExists(atPath: plain) { return plain }
            guard FileManager.default.fileExists(atPath: plain + ".gz") else {
                throw Diagnostic("Fashion-MNIST's file '\(plain).gz' is missing (install Debian's package dataset-fashion-mnist: `make data`, or pass root: the folder holding its files)",
                                 at: site.location)
            }
            return plain + ".gz"
        }
        let images = try loadIDXFile(try file("images-idx3"), at: site.location)
        let labels = try loadIDXFile(try file("labels-idx1"), at: site.location)
        let (imageShape, labelShape) = (builder.type(of: images.id).shape, builder.type(of: labels.id).shape)
        guard imageShape.count == 3, labelShape.count == 1, imageShape[0] == labelShape[0],
              builder.type(of: images.id).dtype == .uint8, builder.type(of: labels.id).dtype == .uint8 else {
            throw Diagnostic("'\(root)' does not hold Fashion-MNIST: images uint8 \(imageShape), labels \(builder.type(of: labels.id).dtype) \(labelShape)", at: site.location)
        }
        let targets = TensorValue(id: try builder.cast(labels.id, to: .int64, at: site.location))
        return .dataset(DatasetValue(tensors: [images, targets], count: imageShape[0]))
    }

    /// `TensorDataset(x, y, ...)`: tensors with the same first dimension.
    func tensorDataset(_ site: CallSite) throws -> EvalValue {
        let tensors = try (site.bound["tensors"] ?? []).map { try asTensor($0.value, at: $0.location) }
        let shapes = tensors.map { builder.type(of: $0.id).shape }
        guard let first = shapes.first?.first, shapes.allSatisfy({ $0.first == first }) else {
            let described = shapes.map { $0.isEmpty ? "a 0-dim tensor" : "\($0[0])" }.joined(separator: ", ")
            throw Diagnostic("TensorDataset needs tensors whose first dimensions are equal (size mismatch between tensors: \(described))", at: site.location)
        }
        return .dataset(DatasetValue(tensors: tensors, count: first))
    }

    /// `randomSplit(ds, [a, b, ...])`: parts of those sizes, drawn through one permutation of
    /// the Philox stream (not PyTorch's generator, so not PyTorch's parts).
    func randomSplit(_ site: CallSite) throws -> EvalValue {
        let dataset = try datasetArgument(site.value("dataset")!, at: site.location("dataset"))
        guard let items = site.value("lengths")?.arrayItems else {
            throw Diagnostic("randomSplit needs an array of part sizes: randomSplit(ds, [\(dataset.count - dataset.count / 5), \(dataset.count / 5)])", at: site.location("lengths"))
        }
        let lengths = try partSizes(items, of: dataset.count, at: site.location("lengths"))
        guard lengths.allSatisfy({ $0 >= 0 }), lengths.reduce(0, +) == dataset.count else {
            throw Diagnostic("sum of input lengths \(lengths) does not equal the length of the input dataset (\(dataset.count))", at: site.location("lengths"))
        }
        let order = try builder.randomPermutation(dataset.count, at: site.location)
        var start = 0
        return .array(try lengths.map { length in
            defer { start += length }
            let rows = try slice(order, start: start, count: length, at: site.location)
            return .dataset(try selectRows(dataset, rows, count: length, at: site.location))
        })
    }

    /// The sizes of randomSplit's parts: counts, or fractions adding up to 1, as PyTorch's
    /// random_split: floor(fraction · count) each, the samples left over given one by one to the
    /// parts in order.
    private func partSizes(_ items: [EvalValue], of count: Int, at location: SourceLocation) throws -> [Int] {
        guard items.contains(where: { if case .float = $0 { return true } else { return false } }) else {
            return try items.map { try staticInt($0, what: "a part size", at: location) }
        }
        let fractions = try items.map { try staticDouble($0, what: "a fraction", at: location) }
        guard fractions.allSatisfy({ (0...1).contains($0) }), abs(fractions.reduce(0, +) - 1) <= 1e-9 else {
            throw Diagnostic("fractions \(fractions) must each lie in 0...1 and add up to 1", at: location)
        }
        var sizes = fractions.map { Int((Double(count) * $0).rounded(.down)) }
        for index in 0..<(count - sizes.reduce(0, +)) { sizes[index % sizes.count] += 1 }
        return sizes
    }

    /// `DataLoader(ds, batchSize: 64, shuffle: true, dropLast: false)`.
    func dataLoader(_ site: CallSite) throws -> EvalValue {
        let dataset = try datasetArgument(site.value("dataset")!, at: site.location("dataset"))
        let batchSize = try site.value("batchSize").map { try staticInt($0, what: "batchSize", at: site.location("batchSize")) } ?? 1
        guard batchSize > 0 else {
            throw Diagnostic("batchSize should be a positive integer value, but got batchSize=\(batchSize)", at: site.location("batchSize"))
        }
        // Worker processes and pinned memory change how PyTorch fetches batches, not which:
        // accepted for PyTorch's spelling, and checked.
        if let workers = try site.value("numWorkers").map({ try staticInt($0, what: "numWorkers", at: site.location("numWorkers")) }), workers < 0 {
            throw Diagnostic("numWorkers option should be non-negative; use numWorkers: 0 to disable multiprocessing", at: site.location("numWorkers"))
        }
        _ = try staticBool(site, "pinMemory")
        let ranks = (builder as? GraphBuilder)?.module.distribution?.ranks ?? 1
        let loader = LoaderValue(dataset: dataset, batchSize: batchSize, shuffle: try staticBool(site, "shuffle") ?? false,
                                 dropLast: try staticBool(site, "dropLast") ?? false, ranks: ranks)
        guard loader.count > 0 else {
            guard dataset.count > 0 else {
                // PyTorch's loader yields nothing; a compiled loop needs a batch shape to trace.
                throw Diagnostic("the DataLoader yields no batch: its data set is empty (a loop over it would never run)", at: site.location("dataset"))
            }
            let shard = ranks > 1 ? "each of the \(ranks) processes' shard of \(loader.shardSize) samples" : "the data set's \(dataset.count) samples"
            throw Diagnostic("the DataLoader yields no batch: batchSize \(batchSize) is larger than \(shard) and dropLast is true", at: site.location("batchSize"))
        }
        return .loader(loader)
    }

    /// `ds.count`, `ds.tensors`; `loader.count` (batches per epoch), `loader.batchSize`, `loader.dataset`.
    func dataProperty(_ base: EvalValue, _ name: String, at location: SourceLocation) throws -> EvalValue {
        switch (base, name) {
        case (.dataset(let dataset), "count"): return .int(dataset.count)
        case (.dataset(let dataset), "tensors"): return .tuple(dataset.tensors.map(EvalValue.tensor))
        case (.loader(let loader), "count"): return .int(loader.count)
        case (.loader(let loader), "batchSize"): return .int(loader.batchSize)
        case (.loader(let loader), "dataset"): return .dataset(loader.dataset)
        default: throw Diagnostic("value of type \(base.kindName) has no member '\(name)'", at: location)
        }
    }

    /// `for (xb, yb) in loader { ... }`: a loop in the IR over the full batches, batch i being
    /// rows `order[i·B ..< i·B + B]` of each tensor (order: a fresh permutation when shuffling,
    /// else 0..<N), then the body once more for the smaller last batch unless it is dropped.
    func executeLoaderLoop(_ pattern: Pattern, _ loader: LoaderValue, _ body: [Stmt], at location: SourceLocation,
                           progress: ProgressLabel? = nil, exitFlag: String? = nil) throws {
        let count = loader.dataset.count
        let order = try shard(loader.shuffle ? try builder.randomPermutation(count, at: location) : try arange(count, at: location),
                              of: loader, at: location)
        let batch = loader.batchSize
        let offsets = try arange(batch, at: location)
        func bindFullBatch(_ index: ValueID) throws {
            let start = try builder.apply1(.mul, [index, try builder.scalar(Double(batch), .int64, at: location)], at: location)
            let positions = try builder.apply1(.add, [offsets, try builder.broadcast(start, to: [batch], at: location)], at: location)
            let rows = try builder.indexSelect(order, axis: 0, positions, at: location)
            try bindBatch(pattern, try selectRows(loader.dataset, rows, count: batch, at: location), index: index, of: loader, at: location)
        }
        if loader.fullBatches > 0 && compileTimeState(assignedIn: body) {
            // `outputs.append(model(xb))`: an array that grows is known only by running the body
            // once per batch, so the loop is unrolled (as a range loop that grows one is).
            let limit = builder is GraphBuilder ? Self.compiledUnrollLimit : 1_000_000
            guard loader.count <= limit else {
                throw Diagnostic("a DataLoader loop that grows an array or a dictionary is unrolled, and its \(loader.count) batches are too many for a compiled program (at most \(limit)); keep the values in a tensor instead (preds[i] = ... with for (i, (xb, yb)) in loader.enumerated()), or run it with --eager", at: location)
            }
            for position in 0..<loader.fullBatches {
                environment.push()
                defer { environment.pop() }
                let index = try builder.scalar(Double(position), .int64, at: location)
                if let progress { try reportProgress(progress, done: index, total: loader.count) }
                try bindFullBatch(index)
                try keepingGradMode("loop body", at: location) { try executeBlock(body) }
            }
        } else if loader.fullBatches > 0 {
            try executeLoop(0..<loader.fullBatches, body, at: location, progress: progress.map { ($0, loader.count) }, exitFlag: exitFlag) { index in
                try bindFullBatch(index)
            }
        }
        if loader.remainder > 0 {
            environment.push()
            defer { environment.pop() }
            if let progress { try reportProgress(progress, done: try builder.scalar(Double(loader.fullBatches), .int64, at: location), total: loader.count) }
            let rows = try slice(order, start: loader.fullBatches * batch, count: loader.remainder, at: location)
            try bindBatch(pattern, try selectRows(loader.dataset, rows, count: loader.remainder, at: location),
                          index: try builder.scalar(Double(loader.fullBatches), .int64, at: location), of: loader, at: location)
            do {
                try keepingGradMode("loop body", at: location) { try executeBlock(body) }
            } catch var diagnostic as Diagnostic where diagnostic.message.contains("changes type from") {
                diagnostic.notes.append("note: the DataLoader's last batch has \(loader.remainder) rows, not \(batch) (its \(loader.dataset.count) samples are no multiple of the batch size): the body runs once more for it, so a batch-shaped value it assigns changes shape; pass dropLast: true, or keep such values inside the loop")
                throw diagnostic
            }
        }
        if let progress { try reportProgress(progress, done: try builder.scalar(Double(loader.count), .int64, at: location), total: loader.count) }
    }

    /// This process's part of `order` (`--distributed mpi`): positions `rank + ranks · j` for j in
    /// 0..<shardSize, modulo the data set's size (DistributedSampler's padding); all of it in one process.
    private func shard(_ order: ValueID, of loader: LoaderValue, at location: SourceLocation) throws -> ValueID {
        guard loader.ranks > 1 else { return order }
        let rank = try builder.apply1(.processRank, [], at: location)
        let strided = try builder.apply1(.mul, [try arange(loader.shardSize, at: location), try builder.scalar(Double(loader.ranks), .int64, at: location)], at: location)
        let positions = try builder.apply1(.add, [strided, try builder.broadcast(rank, to: [loader.shardSize], at: location)], at: location)
        let wrapped = try builder.apply1(.mod, [positions, try builder.scalar(Double(loader.dataset.count), .int64, at: location)], at: location)
        return try builder.indexSelect(order, axis: 0, wrapped, at: location)
    }

    /// Binds a loop's pattern to one batch, with its index first for an enumerated loader.
    private func bindBatch(_ pattern: Pattern, _ batch: DatasetValue, index: ValueID, of loader: LoaderValue,
                           at location: SourceLocation) throws {
        let items = batch.tensors.map(EvalValue.tensor)
        // A batch of several tensors is a list, as PyTorch's default_collate makes it (it prints
        // `[tensor(...), tensor(...)]`); one tensor is the batch itself.
        let value = items.count == 1 ? items[0] : .array(items)
        try bind(pattern, to: loader.enumerated ? .tuple([.tensor(TensorValue(id: index, isHostScalar: true)), value]) : value, mutable: false)
    }

    /// Each tensor's rows at the int64 vector `rows`.
    private func selectRows(_ dataset: DatasetValue, _ rows: ValueID, count: Int, at location: SourceLocation) throws -> DatasetValue {
        DatasetValue(tensors: try dataset.tensors.map { TensorValue(id: try builder.indexSelect($0.id, axis: 0, rows, at: location)) }, count: count)
    }

    private func datasetArgument(_ value: EvalValue, at location: SourceLocation) throws -> DatasetValue {
        guard case .dataset(let dataset) = value else {
            throw Diagnostic("expected a data set (TensorDataset(x, y), FashionMNIST(...) or a part of randomSplit), got \(value.kindName)", at: location)
        }
        return dataset
    }

    /// 0, 1, ..., n - 1 as int64.
    func arange(_ n: Int, at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.start = 0
        attrs.step = 1
        attrs.shape = [n]
        attrs.dtype = .int64
        return try builder.apply1(.arange, [], attrs, at: location)
    }

    /// `vector[start ..< start + count]`.
    private func slice(_ vector: ValueID, start: Int, count: Int, at location: SourceLocation) throws -> ValueID {
        var attrs = Attributes()
        attrs.slice = [SliceDim(start: start, step: 1, size: count)]
        return try builder.apply1(.slice, [vector], attrs, at: location)
    }
}
