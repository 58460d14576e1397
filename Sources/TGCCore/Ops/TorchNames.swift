/// The names PyTorch gives each op's backward node (`grad_fn=<MulBackward0>` when a tensor
/// that requires grad is printed). Kept beside the op table so a new op kind gets its name
/// here; the evaluator overrides it where one op kind stands for several PyTorch functions
/// (`x.sum()` vs `x.sum(dim:)`, `1 - x`, `mean`, `std`).
extension OpKind {
    public var torchGradFunction: String? { Self.torchGradFunctions[self] }

    private static let torchGradFunctions: [OpKind: String] = [
        .add: "AddBackward0", .sub: "SubBackward0", .mul: "MulBackward0", .div: "DivBackward0",
        .pow: "PowBackward0", .neg: "NegBackward0", .exp: "ExpBackward0", .log: "LogBackward0",
        .sin: "SinBackward0", .cos: "CosBackward0", .tanh: "TanhBackward0", .sqrt: "SqrtBackward0",
        .abs: "AbsBackward0", .relu: "ReluBackward0", .sigmoid: "SigmoidBackward0",
        .maximum: "MaximumBackward0", .minimum: "MinimumBackward0", .select: "WhereBackward0",
        .matmul: "MmBackward0", .reshape: "ViewBackward0", .transpose: "TransposeBackward0",
        .broadcastTo: "ExpandBackward0", .reduceSum: "SumBackward0", .reduceMax: "MaxBackward1",
        .reduceMin: "MinBackward1", .cast: "ToCopyBackward0", .mod: "RemainderBackward0",
        .sign: "SignBackward0",
    ]
}
