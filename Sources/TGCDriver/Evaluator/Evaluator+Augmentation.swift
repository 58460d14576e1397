import TGCBase
import TGCCore

/// Preprocessing and augmentation of batches (DataBuiltins.swift declares the parameters; the
/// work is Builder+Augmentation.swift's).
extension Evaluator {
    /// `toFloat(images)`.
    func toFloat(_ site: CallSite) throws -> EvalValue {
        let x = try asTensor(site.value("images")!, at: site.location("images"))
        return .tensor(try recordComposite("toFloat()", [x], gradFunction: nil, at: site.location) {
            try builder.imagesToFloat(x.id, at: site.location)
        })
    }

    /// `normalize(x, mean: [0.286], std: [0.353])`.
    func normalize(_ site: CallSite) throws -> EvalValue {
        let x = try asTensor(site.value("input")!, at: site.location("input"))
        let mean = try numbers(site, "mean"), std = try numbers(site, "std")
        return .tensor(try recordComposite("normalize()", [x], gradFunction: OpKind.div.definition.gradFunction, at: site.location) {
            try builder.normalize(x.id, mean: mean, std: std, at: site.location)
        })
    }

    /// `randomHorizontalFlip(x, p: 0.5)`.
    func randomHorizontalFlip(_ site: CallSite) throws -> EvalValue {
        let x = try asTensor(site.value("input")!, at: site.location("input"))
        let p = try site.value("p").map { try staticDouble($0, what: "p", at: site.location("p")) } ?? 0.5
        guard (0...1).contains(p) else { throw Diagnostic("p must be a probability in 0...1, got \(p)", at: site.location("p")) }
        return .tensor(try recordComposite("randomHorizontalFlip()", [x], gradFunction: OpKind.select.definition.gradFunction, at: site.location) {
            try builder.randomHorizontalFlip(x.id, p: p, at: site.location)
        })
    }

    /// `randomCrop(x, size: 28, padding: 4)`; `size: [h, w]` for a rectangle.
    func randomCrop(_ site: CallSite) throws -> EvalValue {
        let x = try asTensor(site.value("input")!, at: site.location("input"))
        let sizeValue = site.value("size")!
        let sizes = try (sizeValue.arrayItems ?? [sizeValue]).map { try staticInt($0, what: "the crop size", at: site.location("size")) }
        guard sizes.count == 1 || sizes.count == 2 else {
            throw Diagnostic("size: is one side or [height, width], got \(sizes.count) numbers", at: site.location("size"))
        }
        let padding = try site.value("padding").map { try staticInt($0, what: "padding", at: site.location("padding")) } ?? 0
        return .tensor(try recordComposite("randomCrop()", [x], gradFunction: OpKind.gather.definition.gradFunction, at: site.location) {
            try builder.randomCrop(x.id, size: (sizes[0], sizes.last!), padding: padding, at: site.location)
        })
    }

    /// The numbers of an array argument known at compile time (`mean: [0.286]`).
    private func numbers(_ site: CallSite, _ label: String) throws -> [Double] {
        if case .int(let number)? = site.value(label) { return [Double(number)] }   // one number for every channel,
        if case .float(let number)? = site.value(label) { return [number] }         // as torchvision takes it
        guard let items = site.value(label)?.arrayItems, !items.isEmpty else {
            throw Diagnostic("\(label): needs an array of numbers, one per channel", at: site.location(label))
        }
        return try items.map { try staticDouble($0, what: label, at: site.location(label)) }
    }
}
