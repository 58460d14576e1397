#!/usr/bin/env python3
"""Writes the small numpy-written .npy files in fixtures/ that test_runtime.c reads.

Needs numpy. Regenerate from the repository root with
    python3 runtime/tests/gen_fixtures.py
The values are repeated in test_runtime.c (test_npy_fixtures); keep them in step.
"""
import os

import numpy as np

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
os.makedirs(DIR, exist_ok=True)


def save(name, arr, version=None):
    path = os.path.join(DIR, name)
    if version is None:
        np.save(path, arr)
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, arr, version=version)


save("f4_2x3.npy", (np.arange(6, dtype="<f4").reshape(2, 3) * 0.5 - 1))
save("i8_4.npy", np.array([-3, 0, 7, 2**40], dtype="<i8"))
save("b1_2x2.npy", np.array([[True, False], [False, True]]))
save("f8_3.npy", np.array([0.1, -2.5, 1e10], dtype="<f8"))
save("i4_2x2.npy", np.array([[1, -2], [3, 2**31 - 1]], dtype="<i4"))
save("u1_3.npy", np.array([0, 128, 255], dtype="|u1"))
save("f4_scalar.npy", np.array(3.5, dtype="<f4"))
save("f4_v2.npy", np.array([1.0, 2.0, 3.0], dtype="<f4"), version=(2, 0))
save("f4_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
save("c8.npy", np.array([1 + 2j], dtype="<c8"))
save("f4_bigendian.npy", np.array([1.0, 2.0], dtype=">f4"))
print("wrote", sorted(os.listdir(DIR)))
