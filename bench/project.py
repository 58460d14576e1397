"""Chapter 5's project in the benchmark report (bench/run.py, docs/BENCHMARKS.md "Project"):
the whole samples/cnn_fashion.swiftdsl run end to end and its `tgc compile` time, then the
deployed classifier (samples/cnn_fashion_eval.swiftdsl's `classify`, built with --emit lib and
called from bench/classifier_latency.c) on 1 and 64 images; against the PyTorch peers of
bench/peers/project_torch.py (DataLoader training; eager and ONNX Runtime inference)."""
import json
import math
import os
import re
import shutil
import time

from run import BENCH, BENCH_LINE, ROOT, BUILD, fmt, log, run, wall

SAMPLES = os.path.join(ROOT, "samples")
FASHION_MNIST = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"
EXPORT_SHAPE = "@export(images: [64, 1, 28, 28])"
BATCHES = (1, 64)
# (key, peer column, ratio needed, text): ratios are peer time / tgc time.
TARGETS = [
    ("cnn_fashion", "torch", 3.0, "cnn_fashion end to end: ≥ 3× faster than PyTorch with DataLoader"),
    ("classify_1", "torch", 1.0, "deployed classifier, 1 image: faster than PyTorch eager"),
    ("classify_1", "onnxruntime", 1.0, "deployed classifier, 1 image: faster than ONNX Runtime"),
    ("classify_64", "torch", 1.0, "deployed classifier, 64 images: faster than PyTorch eager"),
    ("classify_64", "onnxruntime", 1.0, "deployed classifier, 64 images: faster than ONNX Runtime"),
]
COMPILE_TARGET_S = 2.0


def accuracy_of(output):
    found = re.findall(r"test accuracy = ([\d.]+)%", output)
    return float(found[-1]) if found else None


def progress_seconds(errors):
    """The time of the `progress(...)` loops (the training loops) from the summary lines a
    generated program writes to a stderr that is not a terminal: `LABEL: 94/94 in 1.23s (...)`."""
    return sum(float(s) for s in re.findall(r"^.*: \d+/\d+ in ([\d.]+)s \(", errors, re.MULTILINE))


def tgc_training(tgc, folder, threads, settings):
    """Compile time (best of 3 after a warm-up) and one timed end-to-end run of cnn_fashion."""
    source = os.path.join(SAMPLES, "cnn_fashion.swiftdsl")
    exe = os.path.join(folder, "cnn_fashion")
    defines = [f"-D{name}={value}" for name, value in settings.items()]
    compile_cmd = [tgc, "compile", source, "-o", exe] + defines
    run(compile_cmd)
    compile_s = wall(compile_cmd, 3)
    t0 = time.perf_counter()
    p = run([exe, "--threads", str(threads), "--out", folder], timeout=3600)
    seconds = time.perf_counter() - t0
    return {"seconds": seconds, "train_seconds": progress_seconds(p.stderr), "accuracy": accuracy_of(p.stdout)}, compile_s


def tgc_latency(tgc, folder, batch, threads, target_s):
    """Builds the classifier library for `batch` images from the checkpoint in `folder` and
    times classifier_classify through bench/classifier_latency.c."""
    lib_folder = os.path.join(folder, f"classifier_{batch}")
    os.makedirs(lib_folder, exist_ok=True)
    with open(os.path.join(SAMPLES, "cnn_fashion_eval.swiftdsl")) as f:
        text = f.read()
    if EXPORT_SHAPE not in text:
        raise RuntimeError(f"cnn_fashion_eval.swiftdsl: '{EXPORT_SHAPE}' was not found")
    model = os.path.join(lib_folder, "cnn_fashion_eval.swiftdsl")
    with open(model, "w") as f:
        f.write(text.replace(EXPORT_SHAPE, f"@export(images: [{batch}, 1, 28, 28])"))
    shutil.copy(os.path.join(folder, "cnn_fashion.safetensors"), lib_folder)
    prefix = os.path.join(lib_folder, "classifier")
    run([tgc, "compile", model, "--emit", "lib", "-DtestLimit=64", "--out", lib_folder, "-o", prefix])
    exe = os.path.join(lib_folder, "latency")
    run(["gcc", "-O2", "-I", lib_folder, os.path.join(BENCH, "classifier_latency.c"),
         os.path.join(lib_folder, "libclassifier.a"), "-fopenmp", "-lz", "-lm", "-o", exe])
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))

    def timed(runs):
        p = run([exe, str(runs)], env=env)
        m = BENCH_LINE.search(p.stderr)
        return {"runs": int(m.group(1)), "min_ms": float(m.group(2)), "median_ms": float(m.group(3))}

    probe = timed(10)
    return timed(max(10, min(100_000, math.ceil(target_s / max(probe["min_ms"] / 1e3, 1e-6)))))


def torch_results(torch_python, folder, threads, target_s, settings):
    script = os.path.join(BENCH, "peers", "project_torch.py")
    results = {}
    train = run([torch_python, script, "train", "--threads", str(threads), "--limit", str(settings["limit"]),
                 "--test-limit", str(settings["testLimit"]), "--epochs", str(settings["epochs"])], timeout=3600)
    latency = run([torch_python, script, "latency", "--threads", str(threads), "--target-s", str(target_s),
                   "--checkpoint", os.path.join(folder, "cnn_fashion.safetensors")], timeout=3600)
    infos = []
    for line in (train.stdout + latency.stdout).splitlines():
        obj = json.loads(line)
        if "info" in obj:
            infos.append(obj["info"])
            continue
        key, _, variant = obj.pop("workload").partition("@")
        results.setdefault(variant or "torch", {})[key] = obj
    return results, "; ".join(infos)


def measure(tgc, torch_python, threads, target_s, settings):
    """Every figure of the project section; peers only when torch_python is given."""
    if not os.path.exists(FASHION_MNIST):
        return {"skipped": f"Fashion-MNIST is not installed ({FASHION_MNIST}): run `make data`"}
    folder = os.path.join(BUILD, "project")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    log(f"project: cnn_fashion {settings} ...")
    training, compile_s = tgc_training(tgc, folder, threads, settings)
    log(f"  tgc cnn_fashion: {training}, compile {compile_s:.3f} s")
    tgc_r = {"cnn_fashion": training}
    for batch in BATCHES:
        tgc_r[f"classify_{batch}"] = tgc_latency(tgc, folder, batch, threads, target_s)
        log(f"  tgc classify_{batch}: {tgc_r[f'classify_{batch}']}")
    peers, info = {}, ""
    if torch_python:
        log(f"project peers ({torch_python}) ...")
        peers, info = torch_results(torch_python, folder, threads, target_s, settings)
        log(f"  {peers}")
    return {"settings": settings, "threads": threads, "compile_s": compile_s, "tgc": tgc_r, "peers": peers, "info": info}


def time_of(key, r):
    if r is None:
        return None
    return r["seconds"] * 1e3 if key == "cnn_fashion" else r.get("min_ms")


def split_rows(result):
    """The end-to-end run split into its training loops and the rest (reading the files,
    evaluation, start-up, checkpoint), when both sides timed their loops."""
    runs = [result["tgc"].get("cnn_fashion"), result["peers"].get("torch", {}).get("cnn_fashion")]
    if not all(r and r.get("train_seconds") for r in runs):
        return []
    loops = [fmt(r["train_seconds"]) for r in runs]
    rest = [fmt(r["seconds"] - r["train_seconds"]) for r in runs]
    return [f"| … in the training loops (s) | {loops[0]} | {loops[1]} | — |",
            f"| … the rest: files, evaluation, start-up, checkpoint (s) | {rest[0]} | {rest[1]} | — |"]


def report(result):
    """The report's "Project" section (Markdown lines)."""
    out = ["## Project: chapter 5's CNN (samples/cnn_fashion.swiftdsl)", ""]
    if "skipped" in result:
        return out + [f"Not measured: {result['skipped']}.", ""]
    s = result["settings"]
    out.append(f"- cnn_fashion compiled with `-D limit={s['limit']} -D testLimit={s['testLimit']} -D epochs={s['epochs']}`, "
               f"run once end to end on {result['threads']} threads (process wall time: reading the IDX files, "
               "augmentation, training, evaluation, checkpoint); PyTorch timed from reading the files to the last accuracy")
    out.append("- deployed classifier: the library of cnn_fashion_eval's `classify` (batch 1 and 64 builds), "
               "called from bench/classifier_latency.c with OMP_NUM_THREADS set to the threads; min ms per call")
    if result["info"]:
        out.append(f"- peers: {result['info']}")
    out += ["", "| workload | tgc | PyTorch | ONNX Runtime |", "|---|---:|---:|---:|"]
    columns = ("torch", "onnxruntime")
    for key, label in [("cnn_fashion", "cnn_fashion end to end (s)"), ("classify_1", "classify, 1 image (ms)"),
                       ("classify_64", "classify, 64 images (ms)")]:
        tgc_t = time_of(key, result["tgc"].get(key))
        scale = 1e-3 if key == "cnn_fashion" else 1.0
        row = [fmt(tgc_t * scale if tgc_t else None)]
        row += [fmt(time_of(key, result["peers"].get(c, {}).get(key)) * scale) if result["peers"].get(c, {}).get(key) else "—"
                for c in columns]
        out.append(f"| {label} | " + " | ".join(row) + " |")
        if key == "cnn_fashion":
            out += split_rows(result)
    acc = result["tgc"]["cnn_fashion"].get("accuracy")
    peer_acc = result["peers"].get("torch", {}).get("cnn_fashion", {}).get("accuracy")
    out += ["", f"Test accuracy after the run: tgc {fmt(acc)}%" + (f", PyTorch {fmt(peer_acc)}%" if peer_acc else ""), ""]
    out += ["| target | measured | status |", "|---|---:|---|"]
    compile_s = result["compile_s"]
    out.append(f"| `tgc compile` of cnn_fashion < {COMPILE_TARGET_S:g} s | {fmt(compile_s)} s | "
               f"{'met' if compile_s < COMPILE_TARGET_S else 'missed'} |")
    for key, column, need, text in TARGETS:
        t = time_of(key, result["tgc"].get(key))
        pt = time_of(key, result["peers"].get(column, {}).get(key))
        if t and pt:
            ratio = pt / t
            met = ratio >= need if need > 1 else ratio > need
            out.append(f"| {text} | {fmt(ratio)}× | {'met' if met else 'missed'} |")
        else:
            out.append(f"| {text} | — | not measured |")
    out.append("")
    return out
