/// The `main` of a generated program: parse options, seed the RNG, run the module once, or
/// with `--bench N` warm up and time N runs (printing suppressed, unbound inputs filled with
/// deterministic values, the RNG reseeded before every run). It starts and ends MPI for a
/// program built with `--distributed mpi` (no-ops otherwise), and only rank 0 prints. A device
/// program (CUDA, compiled as C++) first checks for a GPU and waits for the device at the end
/// of each timed run.
package enum CMainFunction {
    /// The seed of the values that `--bench` puts into inputs not bound with `--in`.
    static let benchInputSeed = 1234

    package static func emit(into out: inout CSourceWriter, programName: String, description: String, hasInputs: Bool,
                             hyperparameterCount: Int, requiredRanks: Int = 0, device: Bool = false) {
        func allocation(_ type: String, _ bytes: String) -> String {
            device ? "(\(type) *)tgc_alloc(\(bytes))" : "tgc_alloc(\(bytes))"
        }
        out.line("/* --bench: inputs not bound with --in get deterministic values (Philox seed \(benchInputSeed)):")
        out.line("   float32 standard normal, int64 small non-negative integers, bool coin flips. */")
        out.open("static void tgc_fill_unbound_inputs(void)")
        if hasInputs {
            out.line("tgc_rng fill;")
            out.line("tgc_rng_seed(&fill, \(benchInputSeed));")
            out.openLoop("k", to: "TGC_INPUT_COUNT", type: "int")
            out.line("tgc_input *in = &tgc_inputs[k];")
            out.line("if (in->bound) continue;")
            out.line("int64_t n = 1;")
            out.line(CSourceWriter.loopHeader("d", to: "in->ndim", type: "int") + " n *= in->shape[d];")
            out.line("if (in->data == NULL) in->data = tgc_alloc(tgc_dtype_size(in->dtype) * (size_t)n);")
            out.line("float *noise = \(allocation("float", "sizeof(float) * (size_t)n"));")
            out.line("tgc_rng_normal(&fill, noise, n);")
            out.openLoop("i", to: "n")
            out.line("if (in->dtype == TGC_F32) ((float *)in->data)[i] = noise[i];")
            out.line("else if (in->dtype == TGC_I64) ((int64_t *)in->data)[i] = (int64_t)fabsf(noise[i] * 4.0f);")
            out.line("else ((uint8_t *)in->data)[i] = noise[i] > 0.0f;")
            out.close()
            out.line("tgc_free(noise);")
            out.line("in->bound = 1;")
            out.close()
        }
        out.close()
        out.line()
        out.open("int main(int argc, char **argv)")
        out.line("tgc_distributed_init(&argc, &argv, \(requiredRanks));")
        if hyperparameterCount > 0 { out.line("tgc_set_hyperparameters(tgc_hypers, \(hyperparameterCount));") }
        out.line("tgc_parse_args(argc, argv, \(CSourceText.stringLiteral(programName)), \(CSourceText.stringLiteral(description)), tgc_inputs, TGC_INPUT_COUNT, &tgc_opts);")
        if device { out.line("tgc_cuda_init();") }
        out.line("tgc_allocate();")
        out.line("tgc_printing = !tgc_opts.quiet && tgc_process_rank() == 0;")
        out.open("if (tgc_opts.bench_runs <= 0)")
        out.line("tgc_rng_seed(&tgc_rng_state, tgc_opts.seed);")
        out.line("tgc_program();")
        if device { out.line("tgc_cuda_sync(\"tgc_program\");") }
        out.line("tgc_distributed_finalize();")
        out.line("return 0;")
        out.close()
        out.line("tgc_fill_unbound_inputs();")
        out.line("tgc_rng_seed(&tgc_rng_state, tgc_opts.seed);")
        out.line("tgc_program(); /* warm-up (prints unless --quiet) */")
        out.line("tgc_printing = 0;")
        out.line("double *run_ms = \(allocation("double", "sizeof(double) * (size_t)tgc_opts.bench_runs"));")
        out.openLoop("run", to: "tgc_opts.bench_runs", type: "int")
        out.line("tgc_rng_seed(&tgc_rng_state, tgc_opts.seed);")
        out.line("double start = tgc_now_ms();")
        out.line("tgc_program();")
        if device { out.line("tgc_cuda_sync(\"tgc_program\");") }
        out.line("run_ms[run] = tgc_now_ms() - start;")
        out.close()
        out.line("if (tgc_process_rank() == 0) tgc_bench_report(run_ms, tgc_opts.bench_runs);")
        out.line("tgc_free(run_ms);")
        out.line("tgc_distributed_finalize();")
        out.line("return 0;")
        out.close()
    }
}
