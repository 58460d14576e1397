/// How a program compiled with `tgc compile --distributed mpi` runs data-parallel: the number
/// of processes its DataLoader shards are shaped for and the size of the gradient buckets that
/// the gradient-all-reduce pass averages in one `all_reduce` each (docs/DISTRIBUTED.md).
public struct Distribution: Sendable, Equatable {
    /// The processes (`mpirun -np`) the program's DataLoaders are sharded for.
    public var ranks: Int
    /// The largest bucket of gradients averaged by one all-reduce, in bytes (PyTorch DDP's 25 MB).
    public var bucketBytes: Int

    public static let defaultBucketBytes = 25 << 20

    public init(ranks: Int, bucketBytes: Int = Distribution.defaultBucketBytes) {
        self.ranks = ranks
        self.bucketBytes = bucketBytes
    }
}
