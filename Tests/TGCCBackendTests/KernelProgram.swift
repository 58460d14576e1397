import Foundation
import TGCBase
@testable import TGCCBackend
@testable import TGCLowering
@testable import TGCCore

/// Kernels built by hand in the kernel IR, rendered by the C renderer into one small C program:
/// each buffer is its own heap array of exactly its size (so AddressSanitizer sees any read
/// past it), the kernels run in order, then every output is printed one element per line.
final class KernelProgram {
    let module = Module()
    private var buffers: [(value: Value, data: [Double])] = []
    private var kernels: [(name: String, kernel: LoopKernel)] = []
    private var outputs: [(label: String, value: Value)] = []

    /// A buffer of `data.count` elements holding `data` when the program starts.
    func buffer(_ data: [Double], _ dtype: DType = .float32) -> Value {
        let value = module.makeValue(TensorType([data.count], dtype))
        buffers.append((value, data))
        return value
    }

    /// Runs `kernel` as function `name`, after the kernels added before it.
    func run(_ name: String, _ kernel: LoopKernel) { kernels.append((name, kernel)) }

    /// Prints float32 buffer `value` at the end, each element on a line `label k value`.
    func output(_ label: String, _ value: Value) { outputs.append((label, value)) }

    /// The C source: runtime header, kernel prelude, the kernel functions and `main`.
    func source() throws -> String {
        var emitter = CProgramEmitter(plan: try BufferPlan(module), module: module)
        var calls: [String] = []
        for (name, kernel) in kernels {
            calls.append(emitter.emitKernel(kernel, named: name, KernelSchedule(kernel)).call + ";")
        }
        var main = CSourceWriter()
        main.open("int main(void)")
        for (value, data) in buffers {
            let type = ScalarType(value.type.dtype)
            let name = CProgramEmitter.name(value)
            let literals = data.map { element -> String in
                switch type {
                case .float32: CFamilyRenderer.literal(Float(element))
                case .int64: CFamilyRenderer.literal(Int64(element))
                case .float64, .int32, .uint8, .bool: preconditionFailure("KernelProgram holds float32 and int64 buffers")
                }
            }
            main.line("\(type.cName) *\(name) = malloc(\(data.count) * sizeof(\(type.cName)));")
            main.line("{ static const \(type.cName) init[] = { \(literals.joined(separator: ", ")) }; memcpy(\(name), init, sizeof init); }")
        }
        for call in calls { main.line(call) }
        for (label, value) in outputs {
            let name = CProgramEmitter.name(value)
            main.line("for (int64_t k = 0; k < \(value.type.elementCount); k++) printf(\"\(label) %lld %.9g\\n\", (long long)k, (double)\(name)[k]);")
        }
        for (value, _) in buffers { main.line("free(\(CProgramEmitter.name(value)));") }
        main.line("return 0;")
        main.close()
        return """
            #include "tgc_runtime.h"

            #include <math.h>
            #include <stdint.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>

            \(KernelPrelude.source)
            \(emitter.functions.text)
            \(main.text)
            """
    }

    /// Builds the program with each of CrossBackend's configurations (-O3, and the sanitizers)
    /// and runs it on `threads` threads; returns each run's outputs by label.
    func results(name: String, threads: [Int] = [1, 2]) throws -> [(run: String, outputs: [String: [Float]])] {
        let source = try source()
        let directory = try CrossBackend.makeDirectory("kernels-\(name)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var runs: [(run: String, outputs: [String: [Float]])] = []
        for configuration in CrossBackend.configurations {
            let binary = directory.appendingPathComponent("\(name)-\(configuration.label)").path
            try CToolchain.buildExecutable(cSource: source, outputPath: binary, extraFlags: configuration.flags)
            for count in threads {
                let result = try ProcessRunner.run(binary, [], environment: ["ASAN_OPTIONS": "detect_leaks=0",
                                                                             "OMP_NUM_THREADS": String(count)])
                let run = "\(configuration.label) on \(count) thread(s)"
                guard result.status == 0, result.stderr.isEmpty else {
                    throw ToolError("\(run) failed (status \(result.status)):\n\(result.stderr)\n--- source ---\n\(source)")
                }
                var outputs: [String: [Float]] = [:]
                for line in result.stdout.split(separator: "\n") {
                    let fields = line.split(separator: " ")
                    guard fields.count == 3, let value = Float(String(fields[2])) else {
                        throw ToolError("\(run) printed an unexpected line: \(line)")
                    }
                    outputs[String(fields[0]), default: []].append(value)
                }
                runs.append((run, outputs))
            }
        }
        return runs
    }
}

/// Shorthands for hand-built kernel IR.
enum KernelIR {
    static let i0 = AffineIndex(LoopVariable.parallel(0))
    static let i1 = AffineIndex(LoopVariable.parallel(1))
    static let r0 = AffineIndex(LoopVariable.reduction(0))

    /// `variable × stride`.
    static func scaled(_ variable: LoopVariable, _ stride: Int) -> AffineIndex {
        AffineIndex(terms: [AffineIndex.Term(variable: variable, stride: stride)])
    }

    static func constant(_ value: Int) -> AffineIndex { AffineIndex(constant: value) }

    /// `acc = acc + element` (the lowering's sum update).
    static func add(_ accumulator: String, _ element: ScalarExpr) -> KernelStatement {
        .assign(accumulator, .infix("+", .local(accumulator), element))
    }
}
