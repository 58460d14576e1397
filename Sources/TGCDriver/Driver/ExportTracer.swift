import Foundation
import TGCBase
import TGCCBackend
import TGCCore
import TGCSyntax

/// Traces the `@export` functions of a program into their own modules: the program runs once
/// eagerly (training or loading its model), then each exported body is evaluated against a
/// GraphBuilder in eval mode without gradients, its parameters `input` ops and every tensor it
/// reads from the program (a model's weights and buffers) a constant with the value it has then.
enum ExportTracer {
    static func trace(_ source: SourceText, hyperparameters: [String: String] = [:],
                      outputDirectory: String? = nil) throws -> [LibraryFunction] {
        let program = try parseProgram(source)
        let exported = program.statements.compactMap { statement -> FuncDecl? in
            if case .function(let decl) = statement.kind, decl.export != nil { decl } else { nil }
        }
        guard !exported.isEmpty else {
            throw ToolError("'\(source.path)' has no exported function: '--emit lib' builds a library of the functions marked '@export(...)', e.g. '@export(images: [64, 1, 28, 28]) func classify(images: Tensor) -> Tensor { ... }' (docs/LANGUAGE.md, Deployment)")
        }
        let parameterTypes = try exported.map(Evaluator.exportedParameterTypes)
        let context = RunContext(seed: 0)
        context.write = { _ in }
        if let outputDirectory { context.outputDirectory = outputDirectory }
        let eager = EagerBuilder(context: context)
        let programRun = try SourceLoader.evaluate(program, at: source.path, with: eager, hyperparameters: hyperparameters)
        let read = namesReadInFunctions(program)
        // Tensors that no function or method reads (a training set) are not copied into the graph.
        let globals = programRun.environment.globals.filter { name, binding in
            if case .tensor = binding.value { read.contains(name) } else { true }
        }
        let weightNames = stateNames(globals.filter { read.contains($0.key) })
        return try zip(exported, parameterTypes).map { decl, types in
            try traceFunction(decl, types, globals: globals, weightNames: weightNames, eager: eager,
                              baseDirectory: programRun.baseDirectory)
        }
    }

    /// The state-dict name of each tensor of the modules held by `globals`, by eager handle:
    /// `conv.weight` when there is one such module, `model.conv.weight` when there are several.
    private static func stateNames(_ globals: [String: Binding]) -> [ValueID: String] {
        let modules = globals.compactMap { name, binding -> (String, ModuleObject)? in
            if case .module(let module) = binding.value { (name, module) } else { nil }
        }.sorted { $0.0 < $1.0 }
        var names: [ValueID: String] = [:]
        for (global, module) in modules {
            for (name, tensor) in module.namedState where names[tensor.id] == nil {
                names[tensor.id] = modules.count == 1 ? name : "\(global).\(name)"
            }
        }
        return names
    }

    /// The names read in the bodies of the program's functions and of its structs' methods.
    private static func namesReadInFunctions(_ program: Program) -> Set<String> {
        var scan = MutationScan(lookupFunction: { _ in nil })
        for statement in program.statements {
            switch statement.kind {
            case .function(let decl):
                scan.visit(decl.body)
            case .structDecl(let decl):
                for method in decl.methods + (decl.initializer.map { [$0] } ?? []) { scan.visit(method.body) }
                for property in decl.properties { if let value = property.value { scan.visit(value) } }
            default:
                break
            }
        }
        return scan.mentioned.union(scan.callees).union(scan.receivers)
    }

    private static func traceFunction(_ decl: FuncDecl, _ types: [TensorType], globals: [String: Binding],
                                      weightNames: [ValueID: String], eager: EagerBuilder,
                                      baseDirectory: String) throws -> LibraryFunction {
        let graph = GraphBuilder()
        let tracer = Evaluator(builder: graph, baseDirectory: baseDirectory)
        tracer.gradEnabled = false
        var constants = ConstantCopier(eager: eager, graph: graph, location: decl.location, weightNames: weightNames)
        for (name, binding) in globals.sorted(by: { $0.key < $1.key }) {
            var copy = binding
            copy.value = try constants.copy(binding.value)
            tracer.environment.declare(name, copy)
        }
        tracer.environment.push()
        for (parameter, type) in zip(decl.parameters, types) {
            var attrs = Attributes()
            attrs.name = parameter.name
            attrs.shape = type.shape
            attrs.dtype = type.dtype
            let input = try graph.apply1(.input, [], attrs, at: parameter.location)
            tracer.environment.declare(parameter.name, Binding(value: .tensor(TensorValue(id: input)), isMutable: false, location: parameter.location))
        }
        tracer.callDepth = 1
        let result = try tracer.runBody(of: decl)
        guard case .tensor(let tensor) = result else {
            throw Diagnostic("an exported function returns one tensor; '\(decl.name)' returns \(result.kindName)", at: decl.location)
        }
        var attrs = Attributes()
        attrs.path = LibraryFunction.resultPath
        _ = try graph.apply(.save, [tensor.id], attrs, at: decl.location)
        try PassPipeline.run(graph.module)
        return LibraryFunction(name: decl.name, parameters: zip(decl.parameters, types).map { ($0.name, $1) },
                               result: graph.type(of: tensor.id), module: graph.module, weights: constants.weights)
    }
}

/// Copies values computed eagerly into a graph: each tensor of a module's state becomes a
/// weight (an `input` op that the library binds), any other tensor a constant holding its
/// elements, each module a copy in eval mode (shared modules stay shared).
private struct ConstantCopier {
    let eager: EagerBuilder
    let graph: GraphBuilder
    let location: SourceLocation
    let weightNames: [ValueID: String]
    var modules: [ObjectIdentifier: ModuleObject] = [:]
    var weights: [LibraryWeight] = []

    mutating func copy(_ value: EvalValue) throws -> EvalValue {
        switch value {
        case .tensor(let tensor):
            let data = eager.tensor(tensor.id)
            var attrs = Attributes()
            attrs.shape = data.shape
            attrs.dtype = data.dtype
            if let name = weightNames[tensor.id] {
                attrs.name = "tgc_weight_\(weights.count)"
                weights.append(LibraryWeight(inputName: attrs.name!, name: name, type: data.type, data: data.elements))
                return .tensor(TensorValue(id: try graph.apply1(.input, [], attrs, at: location)))
            }
            attrs.data = data.elements
            return .tensor(TensorValue(id: try graph.apply1(.constant, [], attrs, at: location), isHostScalar: tensor.isHostScalar))
        case .array(let items): return .array(try items.map { try copy($0) })
        case .tuple(let items): return .tuple(try items.map { try copy($0) })
        case .dictionary(let entries, let ordered): return .dictionary(try entries.map { ($0.key, try copy($0.value)) }, ordered: ordered)
        case .namedTuple(let name, let fields): return .namedTuple(name: name, fields: try fields.map { ($0.0, try copy($0.1)) })
        case .module(let module):
            if let known = modules[ObjectIdentifier(module)] { return .module(known) }
            let copied = ModuleObject(module.kind, fields: [])
            copied.training = false
            modules[ObjectIdentifier(module)] = copied
            copied.fields = try module.fields.map { ($0.name, try copy($0.value)) }
            return .module(copied)
        case .optimizer, .scheduler, .summaryWriter, .dataset, .loader, .formatted:
            return .none   // state of training, not of the model: an exported function cannot use it
        case .int, .float, .bool, .string, .size, .keys, .dtype, .device, .reduction, .function, .structType, .none, .gradFunction, .void:
            return value
        }
    }
}
