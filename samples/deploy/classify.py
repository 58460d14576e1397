"""Classifies the images of a .npy file with the shared library that
`tgc compile classifier.swiftdsl --emit lib -o build/classifier` builds, through ctypes:
    python classify.py build/libclassifier.so images.npy [weights.safetensors]
With a safetensors file, the weights are read from it (classifier_create_from). Prints the predicted classes as PyTorch prints a tensor: tensor([1, 6, ...])."""
import ctypes
import sys

import numpy as np

BATCH, PIXELS = 16, 8 * 8   # CLASSIFIER_CLASSIFY_IMAGES_SHAPE { 16, 1, 8, 8 } in classifier.h


def main(library_path, images_path, weights_path=None):
    lib = ctypes.CDLL(library_path)
    lib.classifier_create.restype = ctypes.c_void_p
    lib.classifier_create_from.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t]
    lib.classifier_create_from.restype = ctypes.c_void_p
    lib.classifier_destroy.argtypes = [ctypes.c_void_p]
    lib.classifier_error_message.restype = ctypes.c_char_p
    lib.classifier_last_error.argtypes = [ctypes.c_void_p]
    lib.classifier_last_error.restype = ctypes.c_char_p
    lib.classifier_classify.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]

    images = np.load(images_path)
    if images.dtype == np.uint8:
        images = images.astype(np.float32) / np.float32(255)
    images = np.ascontiguousarray(images, dtype=np.float32).reshape(-1, PIXELS)
    error = ctypes.create_string_buffer(512)
    if weights_path is None:
        ctx = lib.classifier_create()
    else:
        ctx = lib.classifier_create_from(weights_path.encode(), error, len(error))
    if not ctx:
        sys.exit(f"error: {error.value.decode() or 'out of memory'}")
    classes = []
    for start in range(0, len(images), BATCH):
        batch = np.zeros((BATCH, PIXELS), dtype=np.float32)   # a last partial batch is padded
        part = images[start:start + BATCH]
        batch[:len(part)] = part
        out = np.zeros(BATCH, dtype=np.int64)
        status = lib.classifier_classify(ctx, batch.ctypes.data, out.ctypes.data)
        if status != 0:
            sys.exit(f"error: {lib.classifier_error_message(status).decode()}: {lib.classifier_last_error(ctx).decode()}")
        classes += out[:len(part)].tolist()
    lib.classifier_destroy(ctx)
    print("tensor([" + ", ".join(map(str, classes)) + "])")


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: classify.py LIBCLASSIFIER.so IMAGES.npy [WEIGHTS.safetensors]")
    main(*sys.argv[1:])
