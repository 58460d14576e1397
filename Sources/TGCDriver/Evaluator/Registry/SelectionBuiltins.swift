import TGCBase
import TGCCore

/// Selecting: `gather`, `scatter`, `scatterAdd`, `indexSelect`, `maskedFill`, `sort`, `argsort`,
/// `topk` (methods, and functions of the tensor: `gather(x, dim:, index:)`), and `randperm`.
extension BuiltinFamily {
    static let selection: BuiltinFamily = {
        let indexed: [Param] = [.labeled("dim", optional: false), .labeled("index", optional: false)]
        let methods = [
            MethodEntry("gather", indexed, "x's elements at the index along dim (index has x's rank)") { e, x, site in try e.gather(x, site) },
            MethodEntry("scatter", indexed + [.labeled("src"), .labeled("value")],
                        "x with src's elements (or value) written at the index along dim") { e, x, site in try e.scatter(x, site, adding: false) },
            MethodEntry("scatterAdd", indexed + [.labeled("src", optional: false)],
                        "x with src's elements added at the index along dim") { e, x, site in try e.scatter(x, site, adding: true) },
            MethodEntry("indexSelect", indexed, "the slices along dim at an int64 vector of indices") { e, x, site in try e.indexSelect(x, site) },
            MethodEntry("maskedFill", [.unlabeled("mask"), .unlabeled("value")], "value where the bool mask holds, else x") { e, x, site in
                try e.maskedFill(x, site)
            },
            MethodEntry("sort", [.labeled("dim"), .labeled("descending"), .labeled("stable")],
                        "(values, indices) sorted along dim (default -1), stable") { e, x, site in try e.sort(x, site) },
            MethodEntry("argsort", [.labeled("dim"), .labeled("descending"), .labeled("stable")],
                        "the indices that sort x along dim (default -1)") { e, x, site in try e.argsort(x, site) },
            MethodEntry("topk", [.unlabeled("k"), .labeled("dim"), .labeled("largest"), .labeled("sorted")],
                        "(values, indices) of the k largest (smallest) along dim (default -1)") { e, x, site in try e.topk(x, site) },
        ]
        let randperm = FunctionEntry("randperm", [.unlabeled("n"), .labeled("dtype")],
                                     "a random permutation of 0 ..< n (int64)") { e, site in try e.randperm(site) }
        return BuiltinFamily(name: "selection", functions: methods.map(\.asFunction) + [randperm], methods: methods)
    }()
}
