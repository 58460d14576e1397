import TGCCore

/// A data set: tensors whose first dimension counts the same samples (`TensorDataset(x, y)`,
/// `FashionMNIST(...)`, a part of `randomSplit`); sample i is every tensor's row i.
struct DatasetValue {
    var tensors: [TensorValue]
    /// The number of samples (every tensor's first dimension).
    var count: Int
}

/// `DataLoader(ds, batchSize:, shuffle:, dropLast:)`: how a `for` loop over it batches the data
/// set. Its order is drawn when the loop starts, so each epoch reshuffles. Compiled with
/// `--distributed mpi` for `ranks` processes, each process batches its shard of that order, as
/// PyTorch's DistributedSampler: positions rank, rank + ranks, ... of the order padded by
/// wrapping around to `ranks · shardSize` (or cut to it with `dropLast`).
struct LoaderValue {
    var dataset: DatasetValue
    var batchSize: Int
    var shuffle: Bool
    var dropLast: Bool
    var ranks = 1
    /// `loader.enumerated()`: each batch comes with its index, `for (i, (xb, yb)) in ...`.
    var enumerated = false

    /// The samples each process batches per epoch (the whole data set in one process).
    var shardSize: Int { dropLast ? dataset.count / ranks : (dataset.count + ranks - 1) / ranks }
    /// Batches of the full size.
    var fullBatches: Int { shardSize / batchSize }
    /// The size of the last, smaller batch; 0 when there is none or it is dropped.
    var remainder: Int { dropLast ? 0 : shardSize % batchSize }
    /// Batches per epoch (`len(loader)`).
    var count: Int { fullBatches + (remainder > 0 ? 1 : 0) }
}
