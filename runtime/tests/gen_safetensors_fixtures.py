#!/usr/bin/env python3
"""Writes the safetensors files in fixtures/ that test_runtime.c reads, with the reference
writer (the `safetensors` package). Needs numpy and safetensors. Regenerate from the
repository root with
    python3 runtime/tests/gen_safetensors_fixtures.py
The values are repeated in test_runtime.c (test_safetensors_fixtures); keep them in step.
"""
import os

import numpy as np
from safetensors.numpy import save_file

DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
os.makedirs(DIR, exist_ok=True)

save_file({
    "weight": np.arange(6, dtype="<f4").reshape(2, 3) * 0.5 - 1,
    "steps": np.array([-3, 0, 7, 2**40], dtype="<i8"),
    "mask": np.array([[True, False], [False, True]]),
    "double": np.array([0.1, -2.5, 1e10], dtype="<f8"),
    "scalar": np.array(3.5, dtype="<f4"),
    "empty": np.zeros((0, 3), dtype="<f4"),
    "名前": np.array([1.0, 2.0], dtype="<f4"),
}, os.path.join(DIR, "mixed.safetensors"), metadata={"format": "pt"})
save_file({"half": np.array([1.0, 2.0], dtype="<f2")}, os.path.join(DIR, "f16.safetensors"))
print("wrote mixed.safetensors, f16.safetensors")
