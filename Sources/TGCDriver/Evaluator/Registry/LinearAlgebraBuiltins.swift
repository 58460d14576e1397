import TGCBase
import TGCCore

/// Products and matrix functions: `matmul`, `dot`, and PyTorch's rank-checked products `mm`
/// (matrix × matrix), `mv` (matrix × vector), `bmm` (3-D batches of equal size), `outer`,
/// `trace` and `diag`; each as a function and as a method.
extension BuiltinFamily {
    static let linearAlgebra = BuiltinFamily(name: "linear algebra", functions: [
        FunctionEntry(name(.matmul), Param.operands, "the matrix product (vectors as in torch.matmul)") { e, site in
            try e.matmul(site.value("a")!, site.value("b")!, at: site.location)
        },
        FunctionEntry("dot", Param.operands, "the dot product of two vectors") { e, site in
            try e.dot(site.value("a")!, site.value("b")!, at: site.location)
        },
        FunctionEntry("outer", Param.operands, "the outer product of two vectors") { e, site in
            try e.outer(site.value("a")!, site.value("b")!, at: site.location)
        },
        FunctionEntry("trace", [.unlabeled("input")], "the sum of a matrix's diagonal") { e, site in
            try e.trace(site.value("input")!, at: site.location)
        },
        FunctionEntry("diag", [.unlabeled("input")], "a matrix's diagonal, or the matrix with a vector on its diagonal") { e, site in
            try e.diag(site.value("input")!, at: site.location)
        },
    ] + RankCheckedProduct.allCases.map { product in
        FunctionEntry(product.rawValue, Param.operands, product.summary) { e, site in
            try e.rankCheckedProduct(product, site.value("a")!, site.value("b")!, at: site.location)
        }
    }, methods: [
        MethodEntry(name(.matmul), Param.otherOperand, "the matrix product with b") { e, x, site in
            try e.matmul(.tensor(x), site.value("b")!, at: site.location)
        },
        MethodEntry("dot", Param.otherOperand, "the dot product with b") { e, x, site in
            try e.dot(.tensor(x), site.value("b")!, at: site.location)
        },
        MethodEntry("outer", Param.otherOperand, "the outer product with b") { e, x, site in
            try e.outer(.tensor(x), site.value("b")!, at: site.location)
        },
        MethodEntry("trace", [], "the sum of the diagonal") { e, x, site in
            try e.trace(.tensor(x), at: site.location)
        },
        MethodEntry("diag", [], "the diagonal of a matrix, or the matrix with the vector on its diagonal") { e, x, site in
            try e.diag(.tensor(x), at: site.location)
        },
    ] + RankCheckedProduct.allCases.map { product in
        MethodEntry(product.rawValue, Param.otherOperand, product.summary) { e, x, site in
            try e.rankCheckedProduct(product, .tensor(x), site.value("b")!, at: site.location)
        }
    })
}
