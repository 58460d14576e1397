import TGCBase

/// What the verifier does not check but the type rules, kernels and backends assume of an op's
/// attributes: checked on IR read from text, so that bad text is an error and never a crash.
extension IRParser {
    /// The attributes each kind's type rule or kernel reads without checking that they are set.
    static let requiredAttributes: [OpKind: [String]] = [
        .constant: ["shape", "dtype"], .arange: ["shape", "dtype"], .randUniform: ["shape", "dtype"],
        .randNormal: ["shape", "dtype"], .input: ["shape", "dtype", "name"], .load: ["shape", "dtype", "path"],
        .hyper: ["shape", "dtype", "name", "value"], .save: ["path"], .addScalar: ["path", "name"], .progress: ["name", "upper"], .cast: ["dtype"], .reshape: ["shape"], .broadcastTo: ["shape"], .transpose: ["permutation"],
        // Indexing
        .slice: ["slice"], .sliceUpdate: ["slice"],
        // Selecting
        .gather: ["axes"], .scatter: ["axes"], .scatterAdd: ["axes"], .argsort: ["axes"],
        // Convolution
        .conv2d: ["window"], .conv2dInputGrad: ["window", "shape"], .conv2dWeightGrad: ["window"], .maxPool2dIndices: ["window"], .maxPool2d: ["window"],
    ]

    static func checkAttributes(of op: Op, at location: SourceLocation) throws {
        let attributes = op.attributes
        let name = IRPrinter.opName(op.kind)
        let set: [String: Bool] = ["shape": attributes.shape != nil, "dtype": attributes.dtype != nil,
                                   "name": attributes.name != nil, "path": attributes.path != nil,
                                   "permutation": attributes.permutation != nil, "slice": attributes.slice != nil,
                                   "axes": attributes.axes != nil, "value": attributes.value != nil, "upper": attributes.upper != nil,
                                   "window": attributes.window?.count == 9]
        for required in requiredAttributes[op.kind] ?? [] where set[required] != true {
            throw Diagnostic("\(name) needs the attribute '\(required)'", at: location)
        }
        if op.kind == .constant {
            guard (attributes.data == nil) != (attributes.value == nil) else {
                throw Diagnostic("constant needs either 'data' or 'value'", at: location)
            }
            let count = (try? ShapeRules.checkedCount(attributes.shape ?? [])) ?? 0
            if let data = attributes.data, data.count != count {
                throw Diagnostic("constant has \(data.count) data elements for shape \(formatShape(attributes.shape ?? []))", at: location)
            }
        }
        if op.kind == .save, op.operands.count != (attributes.names?.count ?? 1) {
            throw Diagnostic("save writes \(attributes.names.map { "\($0.count) named tensors" } ?? "one tensor") but has \(op.operands.count) operands", at: location)
        }
        if let fileRows = attributes.fileRows {
            let rows = attributes.shape?.first
            guard op.kind == .load, attributes.name == nil, let rows, rows <= fileRows else {
                throw Diagnostic("'fileRows' belongs to a load of a .npy or IDX file, at least its first dimension", at: location)
            }
        }
        if op.kind == .gradient, op.operands.count < (attributes.hasSeedGradient ? 2 : 1) {
            throw Diagnostic("gradient needs its loss\(attributes.hasSeedGradient ? " and seed" : "") as operands", at: location)
        }
        for segment in attributes.printSegments ?? [] {
            for operand in segment.operands where operand >= op.operands.count {
                throw Diagnostic("the format names operand \(operand), but \(name) has \(op.operands.count) operands", at: location)
            }
        }
        if let slots = attributes.arena {
            guard slots.count == op.results.count else {
                throw Diagnostic("\(slots.count) arena slots for \(op.results.count) results", at: location)
            }
            for slot in slots where slot.offset < 0 || slot.offset % ArenaSlot.alignment != 0 || slot.bytes < 0 {
                throw Diagnostic("arena slot [\(slot.offset), \(slot.bytes)] is not at a non-negative multiple of \(ArenaSlot.alignment)", at: location)
            }
        }
    }
}
