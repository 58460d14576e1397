import TGCCore

/// A data set: tensors whose first dimension counts the same samples (`TensorDataset(x, y)`,
/// `FashionMNIST(...)`, a part of `randomSplit`); sample i is every tensor's row i.
struct DatasetValue {
    var tensors: [TensorValue]
    /// The number of samples (every tensor's first dimension).
    var count: Int
}

/// `DataLoader(ds, batchSize:, shuffle:, dropLast:)`: how a `for` loop over it batches the data
/// set. Its order is drawn when the loop starts, so each epoch reshuffles.
struct LoaderValue {
    var dataset: DatasetValue
    var batchSize: Int
    var shuffle: Bool
    var dropLast: Bool

    /// Batches of the full size.
    var fullBatches: Int { dataset.count / batchSize }
    /// The size of the last, smaller batch; 0 when there is none or it is dropped.
    var remainder: Int { dropLast ? 0 : dataset.count % batchSize }
    /// Batches per epoch (`len(loader)`).
    var count: Int { fullBatches + (remainder > 0 ? 1 : 0) }
}
