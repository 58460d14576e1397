/// Data sets and loading: IDX files, Fashion-MNIST, TensorDataset, randomSplit, DataLoader
/// (Evaluator+Data.swift); preprocessing and augmentation of batches (Evaluator+Augmentation.swift).
extension BuiltinFamily {
    static let data = BuiltinFamily(name: "data", functions: [
        FunctionEntry("loadIDX", [.unlabeled("path")], "a tensor read from an IDX file, gzip'd or not (shape from its header)") { e, site in
            try e.loadIDX(site)
        },
        FunctionEntry("FashionMNIST", [.labeled("root"), .labeled("train")],
                      "Fashion-MNIST's training or test set: images uint8 [N, 28, 28], labels int64 [N]") { e, site in try e.fashionMNIST(site) },
        FunctionEntry("TensorDataset", [.unlabeled("tensors", variadic: true)], "a data set of tensors sharing their first dimension") { e, site in
            try e.tensorDataset(site)
        },
        FunctionEntry("randomSplit", [.unlabeled("dataset"), .unlabeled("lengths")], "a data set split into parts of these sizes at random") { e, site in
            try e.randomSplit(site)
        },
        FunctionEntry("DataLoader", [.unlabeled("dataset"), .labeled("batchSize"), .labeled("shuffle"), .labeled("dropLast"),
                                     .labeled("numWorkers"), .labeled("pinMemory")],
                      "batches of a data set for a for loop, reshuffled each epoch") { e, site in try e.dataLoader(site) },
        FunctionEntry("toFloat", [.unlabeled("images")], "uint8 images as float32 in [0, 1] (divided by 255)") { e, site in try e.toFloat(site) },
        FunctionEntry("normalize", [.unlabeled("input"), .labeled("mean", optional: false), .labeled("std", optional: false)],
                      "(x - mean) / std per channel (dimension -3)") { e, site in try e.normalize(site) },
        FunctionEntry("randomHorizontalFlip", [.unlabeled("input"), .labeled("p")],
                      "each sample flipped left-right with probability p (default 0.5)") { e, site in try e.randomHorizontalFlip(site) },
        FunctionEntry("randomCrop", [.unlabeled("input"), .labeled("size", optional: false), .labeled("padding")],
                      "each sample zero-padded, then cropped at a random offset") { e, site in try e.randomCrop(site) },
    ])
}
