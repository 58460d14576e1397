import CTGCRuntime

/// Reference kernels of the convolution ops: the runtime's `tgc_conv2d_*` (float32 on the run's
/// threads, `ThreadedKernels`), `tgc_max_pool2d_*` and `tgc_max_pool2d_indices_*`, which generated code calls too,
/// so both modes give the same bits.
extension Kernels {
    /// The runtime's geometry of a convolution op.
    private static func runtimeShape(_ kind: OpKind, _ operands: [TensorType], _ type: TensorType, _ attrs: Attributes) -> tgc_conv2d_shape {
        let f = ConvolutionShape(kind, operands: operands, result: type, attrs: attrs).fields.map(Int64.init)
        return tgc_conv2d_shape(n: f[0], c: f[1], h: f[2], w: f[3], o: f[4], kh: f[5], kw: f[6], sh: f[7], sw: f[8],
                                ph: f[9], pw: f[10], dh: f[11], dw: f[12], groups: f[13], oh: f[14], ow: f[15])
    }

    static func maxPoolIndices(_ x: Tensor, attrs: Attributes, _ type: TensorType) -> Tensor {
        let shape = runtimeShape(.maxPool2dIndices, [x.type], type, attrs)
        var out = filled(type.elementCount, with: Int64(0))
        out.withUnsafeMutableBufferPointer { out in
            switch x.storage {
            case .float32(let x):
                x.withUnsafeBufferPointer { x in
                    byImages(shape, input: x.baseAddress!, output: out.baseAddress!) { tgc_max_pool2d_indices_f32($0, $1, $2) }
                }
            case .float64(let x):
                x.withUnsafeBufferPointer { x in
                    byImages(shape, input: x.baseAddress!, output: out.baseAddress!) { tgc_max_pool2d_indices_f64($0, $1, $2) }
                }
            default: preconditionFailure("max_pool2d's input is float32 or float64 (checked by the type rule)")
            }
        }
        return Tensor(type: type, storage: .int64(out))
    }

    /// `pool` on the images of `shape` shared among the elementwise threads (the runtime's
    /// pooling is one thread's in the interpreter, which it builds without OpenMP); each
    /// plane's result is the same whichever call makes it.
    private static func byImages<In, Out>(_ shape: tgc_conv2d_shape, input: UnsafePointer<In>, output: UnsafeMutablePointer<Out>,
                                          _ pool: (UnsafePointer<tgc_conv2d_shape>, UnsafePointer<In>, UnsafeMutablePointer<Out>) -> Void) {
        let images = Int(shape.n)
        guard images > 0 else { return }
        let (inImage, outImage) = (Int(shape.c * shape.h * shape.w), Int(shape.c * shape.oh * shape.ow))
        let parts = min(ThreadedKernels.elementwiseParts(images * inImage), images)
        ThreadedKernels.run(parts) { part in
            let (first, end) = (ThreadedKernels.start(part, of: parts, images), ThreadedKernels.start(part + 1, of: parts, images))
            var mine = shape
            mine.n = Int64(end - first)
            pool(&mine, input + first * inImage, output + first * outImage)
        }
    }

    /// max_pool2d's values through the runtime's `tgc_max_pool2d_*` (x at the indices above).
    static func maxPool(_ x: Tensor, attrs: Attributes, _ type: TensorType) -> Tensor {
        let shape = runtimeShape(.maxPool2d, [x.type], type, attrs)
        switch x.storage {
        case .float32(let x):
            var out = [Float](repeating: 0, count: type.elementCount)
            x.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { out in
                    byImages(shape, input: x.baseAddress!, output: out.baseAddress!) { tgc_max_pool2d_f32($0, $1, $2) }
                }
            }
            return Tensor(type: type, storage: .float32(out))
        case .float64(let x):
            var out = [Double](repeating: 0, count: type.elementCount)
            x.withUnsafeBufferPointer { x in
                out.withUnsafeMutableBufferPointer { out in
                    byImages(shape, input: x.baseAddress!, output: out.baseAddress!) { tgc_max_pool2d_f64($0, $1, $2) }
                }
            }
            return Tensor(type: type, storage: .float64(out))
        default: preconditionFailure("max_pool2d's input is float32 or float64 (checked by the type rule)")
        }
    }

    static func convolution(_ kind: OpKind, _ a: Tensor, _ b: Tensor, attrs: Attributes, _ type: TensorType,
                            threads: Int) -> Tensor {
        var shape = runtimeShape(kind, [a.type, b.type], type, attrs)
        switch (a.storage, b.storage) {
        case (.float32(let a), .float32(let b)):
            // An empty operand leaves every element of the result zero.
            guard !a.isEmpty, !b.isEmpty else { return Tensor(filling: type, with: 0) }
            let (image, positions) = (Int(shape.c * shape.h * shape.w), Int(shape.o * shape.oh * shape.ow))
            let out: [Float] = a.withUnsafeBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    uninitialized(type.elementCount) { out in
                        let (a, b) = (a.baseAddress!, b.baseAddress!)
                        switch kind {
                        case .conv2d: ThreadedKernels.convolution(kind, shape, a, b, out, imageIn: image, imageOut: positions, threads: threads)
                        case .conv2dInputGrad: ThreadedKernels.convolution(kind, shape, a, b, out, imageIn: positions, imageOut: image, threads: threads)
                        default: ThreadedKernels.weightGradient(shape, a, b, out, threads: threads)
                        }
                    }
                }
            }
            return Tensor(type: type, storage: .float32(out))
        case (.float64(let a), .float64(let b)):
            var out = filled(type.elementCount, with: 0.0)
            switch kind {
            case .conv2d: tgc_conv2d_f64(&shape, a, b, &out)
            case .conv2dInputGrad: tgc_conv2d_input_grad_f64(&shape, a, b, &out)
            default: tgc_conv2d_weight_grad_f64(&shape, a, b, &out)
            }
            return Tensor(type: type, storage: .float64(out))
        default:
            preconditionFailure("conv2d operands are float32 or float64 of one dtype (checked by the type rule)")
        }
    }
}
