import TGCBase
import TGCCore
import TGCSyntax

/// A value the evaluator computes: static (known while evaluating, like Swift constants) or a
/// tensor handle from the Builder.
enum EvalValue {
    case int(Int)
    case float(Double)
    case bool(Bool)
    case string(String)
    case tensor(TensorValue)
    /// An array literal: `[3, 4]`.
    case array([EvalValue])
    /// A tensor's shape (`x.shape`, `x.size()`): indexed, counted and passed as a shape like an
    /// array, printed as PyTorch prints a `torch.Size`: `torch.Size([3, 4])`.
    case size([Int])
    /// `d.keys`: a dictionary's keys, used as an array and printed as Python's
    /// `dict_keys(['a', 'b'])` (`odict_keys([...])` for a state dict).
    case keys([String], ordered: Bool)
    case tuple([EvalValue])
    /// `["w": w, "b": b]` and the tensors of a safetensors file: String keys in order, as a
    /// Python dict keeps them; `ordered` for `model.stateDict()`, printed as PyTorch's
    /// `OrderedDict([('fc.weight', tensor(...)), ...])`.
    case dictionary(_ entries: [(key: String, value: EvalValue)], ordered: Bool = false)
    /// `torch.return_types.max(values=..., indices=...)`.
    case namedTuple(name: String, fields: [(String, EvalValue)])
    case dtype(DType)
    case device(String)
    /// `.mean`, `.sum`, `.none`: a loss's `reduction:`.
    case reduction(LossReduction)
    case function(FuncDecl)
    /// A `struct Name: Module` declaration: calling it makes a module.
    case structType(StructDecl)
    /// A module (a layer such as `Linear`, or an instance of a program's struct).
    case module(ModuleObject)
    /// An optimizer (`SGD`, `Adam`).
    case optimizer(OptimizerObject)
    /// `SummaryWriter("runs/name")`: the log folder its `addScalar` calls write to.
    case summaryWriter(String)
    /// A data set (`TensorDataset`, `FashionMNIST`, a part of `randomSplit`).
    case dataset(DatasetValue)
    /// A `DataLoader`: a `for` loop over it yields batches.
    case loader(LoaderValue)
    /// A learning-rate scheduler (`StepLR`, `CosineAnnealingLR`).
    case scheduler(SchedulerObject)
    /// A string with tensor interpolations, formatted when printed.
    case formatted(FormattedText)
    /// Python's `None` (`y.grad` of a value that keeps no gradient, `x.gradFn` of a leaf).
    case none
    /// A backward node (`y.gradFn`), by its PyTorch name: `<MulBackward0 object at 0x...>`.
    case gradFunction(String)
    case void

    /// The elements of an array or a shape; nil for other values.
    var arrayItems: [EvalValue]? {
        switch self {
        case .array(let items): items
        case .size(let dims): dims.map(EvalValue.int)
        case .keys(let names, _): names.map(EvalValue.string)
        default: nil
        }
    }

    /// The items of an array, shape, keys or tuple (what `Array(x)` and `==` read), nil otherwise.
    var sequenceItems: [EvalValue]? {
        if case .tuple(let items) = self { return items }
        return arrayItems
    }

    /// Whether the value names a device: `.cpu`, `.cuda`, or a string `"cpu"`, `"cuda"`, `"cuda:0"`.
    var isDevice: Bool {
        switch self {
        case .device: true
        case .string(let name): name == "cpu" || name == "cuda" || name.hasPrefix("cuda:")
        default: false
        }
    }

    /// Python's None (`nil`, a `.grad` that is None).
    var isNone: Bool {
        if case .none = self { return true }
        return false
    }

    /// A Python number: an Int, a Float, or a number known at run time (a host scalar).
    var isPythonNumber: Bool {
        switch self {
        case .int, .float: true
        case .tensor(let tensor): tensor.isHostScalar
        default: false
        }
    }

    /// How the value is described in messages ("tensor f32[3]", "Int").
    var kindName: String {
        switch self {
        case .int: "Int"
        case .float: "Float"
        case .bool: "Bool"
        case .string: "String"
        case .tensor(let t): t.isHostScalar ? "scalar" : "Tensor"
        case .array: "array"
        case .size: "torch.Size"
        case .keys: "dict_keys"
        case .tuple, .namedTuple: "tuple"
        case .dictionary: "dictionary"
        case .dtype: "dtype"
        case .device: "device"
        case .reduction: "reduction"
        case .function: "function"
        case .structType(let decl): "\(decl.name).Type"
        case .module(let module): module.typeName
        case .optimizer(let optimizer): optimizer.kind.rawValue
        case .summaryWriter: "SummaryWriter"
        case .dataset: "Dataset"
        case .loader: "DataLoader"
        case .scheduler(let scheduler): scheduler.typeName
        case .formatted: "String"
        case .none: "None"
        case .gradFunction: "backward node"
        case .void: "Void"
        }
    }
}

/// A tensor handle plus what the evaluator knows statically about it (PyTorch's autograd metadata).
/// Most values carry no autograd metadata, so it lives in an optional immutable box: copying a
/// plain value (what eager loops do for every op) costs no reference counting of dictionaries
/// or strings.
struct TensorValue {
    var id: ValueID
    /// A 0-dim value that stands for a number (`x.item()`, a loop index): prints like one.
    var isHostScalar = false
    private var autograd: AutogradBox?

    init(id: ValueID, isHostScalar: Bool = false) {
        self.id = id
        self.isHostScalar = isHostScalar
    }

    /// The leaf tensors (by leaf key) this value depends on differentiably, with the handle of
    /// each leaf that was used. Non-empty means the value requires grad.
    var leaves: [Int: ValueID] {
        get { autograd?.metadata.leaves ?? [:] }
        set { update { $0.leaves = newValue } }
    }
    /// Set by `retainGrad()` on a value computed from leaves: the key of its `.grad` (backward()
    /// finds the retained values it reaches, Evaluator.retainedValues(reaching:)).
    var retainKey: Int? {
        get { autograd?.metadata.retainKey }
        set { update { $0.retainKey = newValue } }
    }
    /// Set when this value is itself a leaf created with `requiresGrad: true`.
    var leafKey: Int? {
        get { autograd?.metadata.leafKey }
        set { update { $0.leafKey = newValue } }
    }
    /// The leaf key a frozen tensor (`requiresGrad = false`) had: unfreezing it gives it back,
    /// so an optimizer made before sees its parameter again, as PyTorch's holds the object.
    var frozenLeafKey: Int? {
        get { autograd?.metadata.frozenLeafKey }
        set { update { $0.frozenLeafKey = newValue } }
    }
    /// PyTorch's grad_fn name, shown when printing a non-leaf that requires grad.
    var gradFunction: String? {
        get { autograd?.metadata.gradFunction }
        set { update { $0.gradFunction = newValue } }
    }
    /// The op with no derivative that cut this value off from the leaves it came from.
    var blockedBy: (op: String, location: SourceLocation)? {
        get { autograd?.metadata.blockedBy }
        set { update { $0.blockedBy = newValue } }
    }
    /// Set when the value was computed from leaves through a loop or a branch on a tensor: it
    /// requires grad and prints its grad_fn as in PyTorch, but tgc cannot differentiate it
    /// (`blockedBy` names the loop or `if`).
    var historyThroughControlFlow: Bool {
        get { autograd?.metadata.historyThroughControlFlow ?? false }
        set { update { $0.historyThroughControlFlow = newValue } }
    }

    /// Set on a value assigned in an `if` on a tensor when the branches would print different
    /// suffixes: compiled code prints the one of the branch that ran.
    var branchSuffix: BranchSuffix? {
        get { autograd?.metadata.branchSuffix }
        set { update { $0.branchSuffix = newValue } }
    }

    /// Set on a module's parameters (PyTorch's `nn.Parameter`), which print as
    /// `Parameter containing:` and the tensor.
    var isParameter: Bool {
        get { autograd?.metadata.isParameter ?? false }
        set { update { $0.isParameter = newValue } }
    }

    var requiresGrad: Bool { !leaves.isEmpty || historyThroughControlFlow }
    /// Whether backward() and grad(of:) can differentiate the value back to its leaves.
    var isDifferentiable: Bool { !leaves.isEmpty }
    /// Whether any autograd metadata is set (false for most values).
    var hasAutogradMetadata: Bool { autograd != nil }
    var isLeaf: Bool { leafKey != nil || !requiresGrad }

    /// Replaces the box (never mutates a shared one), dropping it when nothing is left in it.
    private mutating func update(_ change: (inout AutogradMetadata) -> Void) {
        var metadata = autograd?.metadata ?? AutogradMetadata()
        change(&metadata)
        autograd = metadata.isEmpty ? nil : AutogradBox(metadata)
    }
}

/// The autograd metadata of a TensorValue (see its properties).
struct AutogradMetadata {
    var leaves: [Int: ValueID] = [:]
    var leafKey: Int? = nil
    var frozenLeafKey: Int? = nil
    var retainKey: Int? = nil
    var gradFunction: String? = nil
    var blockedBy: (op: String, location: SourceLocation)? = nil
    var historyThroughControlFlow = false
    var branchSuffix: BranchSuffix? = nil
    var isParameter = false

    var isEmpty: Bool {
        leaves.isEmpty && leafKey == nil && frozenLeafKey == nil && retainKey == nil && gradFunction == nil && blockedBy == nil && !historyThroughControlFlow
            && branchSuffix == nil && !isParameter
    }
}

/// The print suffixes of the two branches of an `if` on the bool scalar `condition`.
struct BranchSuffix: Sendable {
    var condition: ValueID
    var ifTrue: String?
    var ifFalse: String?
}

/// Shares one TensorValue's metadata between its copies; immutable, so copies keep value semantics.
final class AutogradBox: Sendable {
    let metadata: AutogradMetadata
    init(_ metadata: AutogradMetadata) { self.metadata = metadata }
}

/// Text whose pieces include tensors known only at run time (`"loss: \(loss)"`).
struct FormattedText {
    var segments: [PrintSegment] = []
    var operands: [ValueID] = []

    mutating func append(_ text: String) {
        if case .text(let previous)? = segments.last {
            segments[segments.count - 1] = .text(previous + text)
        } else if !text.isEmpty {
            segments.append(.text(text))
        }
    }

    /// The options and index of text that is one string chosen at run time (`classes[k]`).
    var choiceOptions: (options: [String], index: ValueID)? {
        guard segments.count == 1, case .choice(0, let options) = segments[0], operands.count == 1 else { return nil }
        return (options, operands[0])
    }

    /// The text as a value: a plain string when nothing in it is computed at run time.
    var value: EvalValue {
        guard operands.isEmpty else { return .formatted(self) }
        if case .text(let literal)? = segments.first { return .string(literal) }
        return .string("")
    }

    mutating func append(_ other: FormattedText) {
        for segment in other.segments {
            if case .text(let text) = segment { append(text) } else { segments.append(segment.shifted(by: operands.count)) }
        }
        operands += other.operands
    }
}
