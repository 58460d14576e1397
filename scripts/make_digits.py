#!/usr/bin/env python3
"""Converts scikit-learn's copy of the UCI handwritten digits to the .npy files the samples read.

Usage: python3 scripts/make_digits.py WHEEL_OR_CSV_GZ [OUT_DIR]

WHEEL_OR_CSV_GZ is scikit-learn's wheel (`pip download --no-deps scikit-learn -d /tmp/skl`) or
the `sklearn/datasets/data/digits.csv.gz` taken out of it. Writes OUT_DIR/digits_images.npy
(uint8 [1797, 8, 8], pixels 0..16 as in the file) and OUT_DIR/digits_labels.npy (int64 [1797]);
OUT_DIR defaults to samples/data. Also writes OUT_DIR/digits_idx/, the first 100 samples as
Fashion-MNIST's gzip'd IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz) and the
next 50 as its test files (t10k-...), for tests of the IDX reader and `FashionMNIST(root:)`.
Standard library and numpy only; scikit-learn is not installed.
"""
import gzip
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "sklearn/datasets/data/digits.csv.gz"


def read_csv_gz(source: Path) -> bytes:
    """The compressed CSV, from the wheel or from the file itself."""
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            return wheel.read(MEMBER)
    return source.read_bytes()


def idx_bytes(array: np.ndarray) -> bytes:
    """An IDX file of uint8 data: magic 0 0 0x08 rank, big-endian dimensions, the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_sets(images: np.ndarray, labels: np.ndarray, folder: Path) -> None:
    """Fashion-MNIST's four file names over the first 100 (train) and next 50 (t10k) samples."""
    folder.mkdir(parents=True, exist_ok=True)
    for prefix, rows in (("train", slice(0, 100)), ("t10k", slice(100, 150))):
        for kind, array in (("images-idx3", images[rows]), ("labels-idx1", labels[rows])):
            # mtime=0: the same bytes on every run.
            (folder / f"{prefix}-{kind}-ubyte.gz").write_bytes(gzip.compress(idx_bytes(array), mtime=0))


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out_dir = Path(sys.argv[2] if len(sys.argv) == 3 else "samples/data")
    text = gzip.decompress(read_csv_gz(Path(sys.argv[1]))).decode("ascii")
    rows = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int64)
    if rows.shape != (1797, 65) or rows[:, :64].min() < 0 or rows[:, :64].max() > 16:
        sys.exit(f"unexpected digits table: shape {rows.shape}")
    images = rows[:, :64].astype(np.uint8).reshape(-1, 8, 8)
    labels = rows[:, 64].astype(np.int64)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.save(out_dir / "digits_images.npy", images)
    np.save(out_dir / "digits_labels.npy", labels)
    write_idx_sets(images, labels, out_dir / "digits_idx")
    print(f"wrote {images.shape} images and {labels.shape} labels to {out_dir}")


if __name__ == "__main__":
    main()
