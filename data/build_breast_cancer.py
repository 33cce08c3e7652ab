"""Rebuild data/breast_cancer.csv from scikit-learn's bundled copy, byte for byte.

The Breast Cancer Wisconsin (Diagnostic) data: 569 tumours, 30 numeric features computed from a
digitised image of a fine-needle aspirate, and the diagnosis. scikit-learn ships it as
`sklearn/datasets/data/breast_cancer.csv` (first line "569,30,malignant,benign", then one row per
tumour, the last column 0 = malignant, 1 = benign). This script writes the same numbers, as
written there, under a header of feature names, with the label recoded as `malignant`
(1 = malignant, 0 = benign) so that the class the model detects is the positive one.

Usage:  python data/build_breast_cancer.py     (needs scikit-learn: requirements-test.txt)
It prints the SHA-256 of the result; it must equal the one in data/SHA256SUMS.
"""
import csv
import hashlib
import io
import sys
from importlib import resources
from pathlib import Path

SOURCE_SHA256 = "fed3eb72d0575ef6192293f5093c6e801b1476b577d0386bf4455504522172ed"
OUTPUT = Path(__file__).resolve().parent / "breast_cancer.csv"


def main():
    from sklearn.datasets import load_breast_cancer  # only for the feature names

    source = resources.files("sklearn.datasets").joinpath("data/breast_cancer.csv").read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    if digest != SOURCE_SHA256:
        sys.exit(f"scikit-learn's breast_cancer.csv has SHA-256 {digest}, expected {SOURCE_SHA256}")
    rows = list(csv.reader(io.StringIO(source.decode("ascii"))))
    header, rows = rows[0], rows[1:]
    assert header == ["569", "30", "malignant", "benign"] and len(rows) == 569
    names = [str(name) for name in load_breast_cancer().feature_names]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names + ["malignant"])
    for row in rows:
        assert len(row) == 31 and row[30] in ("0", "1")
        writer.writerow(row[:30] + ["1" if row[30] == "0" else "0"])
    OUTPUT.write_bytes(out.getvalue().encode("ascii"))
    print(f"{hashlib.sha256(OUTPUT.read_bytes()).hexdigest()}  {OUTPUT.name}")


if __name__ == "__main__":
    main()
