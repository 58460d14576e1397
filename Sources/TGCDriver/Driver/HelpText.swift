import TGCCore

/// The text of `tgc --help`.
enum HelpText {
    static let version = "tgc 0.1.0"

    static let usage = """
    tgc: an ahead-of-time compiler for tensor programs written in a Swift-syntax DSL.

    USAGE
      tgc compile FILE [-o OUT] [--emit exe|c|cuda|ir|dot|lib] [-O0] [--disable-pass NAME] [--stats] [-D NAME=VALUE]
                  [--distributed mpi [--ranks N] [--bucket-mb MB]]
          Compile FILE to a standalone executable (default OUT: FILE without its extension),
          or stop at C source, IR text or a Graphviz graph. --stats prints the memory arena's
          size, what one buffer per value would take, the kernels before and after fusion, and
          the element groups (an optimizer step's updates run as one kernel).
          --emit c writes the program as one C file; the executable is built from the same
          text, its kernels compiled by gcc as several translation units at once.
          --emit lib -o DIR/NAME runs FILE, then builds DIR/NAME.h, DIR/libNAME.a and
          DIR/libNAME.so: a C library of its @export functions with the weights embedded.
          -D NAME=VALUE sets hyper("NAME", ...): an Int one is compiled in, a Float one's
          default changes (the program's --NAME X still sets it at run time).
          --distributed mpi [--ranks N] [--bucket-mb MB] builds it with mpicc for
          'mpirun -np N OUT' (default N 2): data-parallel training, each DataLoader sharded
          over the N processes, gradients averaged in all-reduces of MB MiB buckets (default 25)
          (docs/DISTRIBUTED.md; 'make mpi' installs Open MPI).
      tgc compile FILE --target cuda [-o OUT] [--emulate]
          Compile FILE to a CUDA program built by nvcc (on the PATH, or the project's .cuda/
          that 'make cuda' installs); --emulate builds it with the host C++ compiler against
          the CPU emulation of CUDA instead. --emit cuda stops at the CUDA C++ source (.cu).
      tgc run FILE [--seed N] [--in NAME=FILE.npy] [--out DIR] [--threads N] [-D NAME=VALUE] [-- PROGRAM-FLAGS]
          Compile into a cache folder keyed by the generated code, then run it (on N threads).
      tgc run --target cuda --emulate FILE [--seed N] [--in NAME=FILE.npy] [--out DIR] [-D NAME=VALUE]
          Build the CUDA program against the CPU emulation (each CUDA thread a fiber) and run it.
      tgc run --eager FILE [--trace] [--seed N] [--in NAME=FILE.npy] [--out DIR] [--threads N] [-D NAME=VALUE]
          Run FILE op by op through the interpreter (define-by-run); --trace prints each op
          with its shapes to stderr as it runs; products, convolutions and large elementwise
          ops run on N threads (default: all cores). -D sets any hyperparameter.
      tgc check FILE [--distributed mpi [--ranks N]]
          Parse and infer every shape; report the first error.
      tgc ir FILE [--after PASS|none] [-O0] [--distributed mpi [--ranks N] [--bucket-mb MB]]
          Print the IR after the pass pipeline, or after PASS (passes: \(passNames)).
      tgc opt FILE.tgir|- [--passes PASS,PASS...|none] [--emit ir|c] [-o OUT]
          Read IR text (as 'tgc ir' prints it; - reads standard input), run the passes in
          order, verifying after each, and print the IR or continue to C source.
      tgc plot DIR [-o OUT.svg]
          Draw every scalar in DIR/scalars.csv (SummaryWriter's log) against its step as an
          SVG, one panel per tag prefix (train/, test/); default OUT: DIR/scalars.svg.
      tgc doctor
          Print what this machine has for tgc (C compiler, OpenMP, g++, nvcc, GPU and driver,
          mpicc/mpirun), which targets can run here, and how to install what is missing.
      tgc --help | --version

    Generated programs accept --seed N, --in NAME=FILE.npy, --out DIR, --bench N, --threads N,
    --NAME X for each run-time hyperparameter, and --help. Errors are reported as FILE:LINE:COL: error: MESSAGE; the exit status is
    non-zero on any failure. Set TGC_CACHE_DIR to move the cache (default ~/.cache/tgc).
    """

    static var passNames: String { (["none"] + PassPipeline.all.map(\.name)).joined(separator: ", ") }
}
