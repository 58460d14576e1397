import TGCBase
import TGCCore

/// Dtype and device conversions: Swift's number conversions (`Float(x)`, `Int(x)`), `x.to(...)`,
/// `x.float()`, `x.double()`, `x.long()`, `x.int()`, `x.byte()`, `x.bool()`, `x.item()`, `x.tolist()`, `x.clone()`, the device
/// no-ops (`x.cpu()`, `x.cuda()`, `x.numpy()`) and `cudaIsAvailable()`.
extension BuiltinFamily {
    static let conversion = BuiltinFamily(name: "conversion", functions: [
        numberConversion("Float", .float32), numberConversion("Double", .float64),
        numberConversion("Int", .int64), numberConversion("Bool", .bool),
        FunctionEntry("cudaIsAvailable", [], "false: programs run on the CPU") { _, _ in .bool(false) },
    ], methods: [
        MethodEntry("to", [.unlabeled("target")], "the tensor with another dtype or on another device") { e, x, site in
            switch site.value("target")! {
            case let device where device.isDevice: return .tensor(x)
            case .dtype(let dtype):
                return .tensor(try e.converted(x, to: dtype, at: site.location))
            default: throw Diagnostic("to() takes a device (.cpu, .cuda) or a dtype (.float32, .float64, .int64, .int32, .uint8, .bool)", at: site.location("target"))
            }
        },
        dtypeConversion("float", .float32), dtypeConversion("double", .float64), dtypeConversion("long", .int64),
        dtypeConversion("int", .int32), dtypeConversion("byte", .uint8), dtypeConversion("bool", .bool),
        MethodEntry("item", [], "the one element of a tensor, as a number") { e, x, site in try e.item(x, at: site.location) },
        MethodEntry("tolist", [], "the elements as a Python list, for printing (a 0-dim tensor gives its number)") { e, x, site in
            guard e.builder.type(of: x.id).rank > 0 else { return try e.item(x, at: site.location) }
            return .formatted(FormattedText(segments: [.list(operand: 0)], operands: [try e.withoutGrad { try e.builder.apply1(.stopGradient, [x.id], at: site.location) }]))
        },
        MethodEntry("clone", [], "a copy of the tensor (a new non-leaf with CloneBackward0 when it requires grad)") { e, x, site in
            // Under noGrad the copy has no history and does not require grad (a view would).
            guard e.gradEnabled || !x.requiresGrad else { return .tensor(TensorValue(id: try e.builder.apply1(.stopGradient, [x.id], at: site.location))) }
            return .tensor(try e.reshaped(x, to: e.builder.type(of: x.id).shape, gradFunction: SurfaceFunction.clone.gradFunction, at: site.location))
        },
        identity("numpy"), identity("cpu"), identity("cuda"),
    ])

    /// `Float(x)`: numbers convert now, tensors become casts.
    private static func numberConversion(_ name: String, _ dtype: DType) -> FunctionEntry {
        FunctionEntry(name, [.unlabeled("value")], "Swift's number conversion; a tensor is cast") { e, site in
            try e.convertNumber(site.value("value")!, to: dtype, at: site.location)
        }
    }

    /// `x.float()`, `x.double()`, ...: the tensor converted to `dtype`, as PyTorch's methods.
    private static func dtypeConversion(_ name: String, _ dtype: DType) -> MethodEntry {
        MethodEntry(name, [], "the tensor as \(dtype)") { e, x, site in .tensor(try e.converted(x, to: dtype, at: site.location)) }
    }

    /// Methods that give the tensor itself (one device, values are never shared mutably).
    private static func identity(_ name: String) -> MethodEntry {
        MethodEntry(name, [], "the tensor itself") { _, x, _ in .tensor(x) }
    }
}

extension Evaluator {
    /// `Float(x)`, `Double(x)`, `Int(x)`, `Bool(x)`: numbers convert at compile time (Int
    /// truncates toward zero as Swift does), run-time numbers as Python's `float()`, `int()`,
    /// `bool()`, tensors are cast (`Float` to float32, `Double` to float64).
    func convertNumber(_ value: EvalValue, to dtype: DType, at location: SourceLocation) throws -> EvalValue {
        switch value {
        case .tensor(let tensor):
            // A run-time number converts as Python's float() does: to float64.
            let target = tensor.isHostScalar && dtype.isFloatingPoint ? DType.float64 : dtype
            var result = try converted(tensor, to: target, at: location)
            result.isHostScalar = tensor.isHostScalar
            return .tensor(result)
        default:
            let number = try staticDouble(value, what: "the value to convert", at: location)
            switch dtype {
            case .float32, .float64: return .float(number)
            case .bool: return .bool(number != 0)
            case .int64, .int32, .uint8:
                guard number.isFinite, abs(number) < 9.2e18 else {
                    throw Diagnostic("\(number) cannot be converted to Int", at: location)
                }
                return .int(Int(number))
            }
        }
    }
}
