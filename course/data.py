"""The course's data: the shipped MNIST and breast-cancer files (checked against data/SHA256SUMS),
the full MNIST through tensorflow-datasets on request, and the two ways the notebooks draw rows
from them (a stratified split, a random mini-batch). Nothing here downloads unless asked.
"""
import hashlib
import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
NOTEBOOKS_DIR = ROOT / "notebooks"
MNIST_FILE = DATA_DIR / "mnist_5k.npz"
BREAST_CANCER_FILE = DATA_DIR / "breast_cancer.csv"
CHECKSUM_FILE = DATA_DIR / "SHA256SUMS"
TFDS_INSTALL = "python -m pip install -r requirements-tfds.txt"
IMAGE_SHAPE = (28, 28)


def load_mnist(source="local", digits=(0, 1)):
    """Real MNIST images of two digits, labelled 0 (the first digit) and 1 (the second).

    Parameters
    ----------
    source : {"local", "tfds"}
        "local" (the default) reads the 5,000 images shipped in data/mnist_5k.npz, after checking
        the file's SHA-256: 500 of each digit, 400 for training and 100 for testing, so any
        pair gives 800 training and 200 test images, half of each digit.
        "tfds" loads every image of the two digits in the full MNIST (for 0 and 1: 12,665 train,
        2,115 test) through tensorflow-datasets, which downloads it once; install it first with
        `python -m pip install -r requirements-tfds.txt`.
    digits : two different digits from 0 to 9, default (0, 1)
        The two classes: images of digits[0] get the label 0, images of digits[1] the label 1.

    Returns
    -------
    train_images : float64 array, shape (n_train, 28, 28), values in [0, 1]
    train_labels : int64 array, shape (n_train,), values 0 or 1
    test_images : float64 array, shape (n_test, 28, 28), values in [0, 1]
    test_labels : int64 array, shape (n_test,), values 0 or 1
    """
    digits = _check_digits(digits)
    if source == "local":
        raw = _read_local_mnist()
    elif source == "tfds":
        raw = _read_tfds_mnist(digits)
    else:
        raise ValueError(f"source must be 'local' (the shipped data) or 'tfds' (full MNIST "
                         f"through tensorflow-datasets), got {source!r}")
    train_images, train_digits, test_images, test_digits = raw
    train_keep, test_keep = np.isin(train_digits, digits), np.isin(test_digits, digits)
    return (_scale(train_images[train_keep]), (train_digits[train_keep] == digits[1]).astype(np.int64),
            _scale(test_images[test_keep]), (test_digits[test_keep] == digits[1]).astype(np.int64))


def _check_digits(digits):
    """digits as a tuple of two different ints from 0 to 9, or a clear error."""
    example = "for example digits=(4, 9): images of 4 get the label 0, images of 9 the label 1"
    if isinstance(digits, (set, frozenset)) and len(digits) == 2:
        pair = sorted(digits, key=repr)
        raise ValueError(f"digits must be an ordered pair, a tuple or a list ({example}), got "
                         f"the {type(digits).__name__} {digits!r}, which has no order: which digit "
                         f"gets the label 0 would be undefined. Write the pair in the order you "
                         f"want: ({pair[0]!r}, {pair[1]!r}) or ({pair[1]!r}, {pair[0]!r})")
    if isinstance(digits, (str, bytes, Mapping)) or not hasattr(digits, "__len__") \
            or not hasattr(digits, "__getitem__") or len(digits) != 2:
        raise ValueError(f"digits must be a pair of two different digits from 0 to 9 ({example}), "
                         f"got {digits!r}")
    for digit in digits:
        if isinstance(digit, (bool, np.bool_)) or not isinstance(digit, (int, np.integer)) \
                or not 0 <= digit <= 9:
            raise ValueError(f"digits must be two different digits from 0 to 9 ({example}); "
                             f"{digit!r} in {digits!r} is not one")
    if digits[0] == digits[1]:
        raise ValueError(f"digits must be two *different* digits ({example}), got {digits!r}")
    return int(digits[0]), int(digits[1])


def _scale(images):
    """uint8 pixels 0..255 -> float64 in [0, 1]."""
    return images.astype(np.float64) / 255.0


def verify_checksum(path):
    """Raise ValueError unless `path` has the SHA-256 recorded for it in data/SHA256SUMS."""
    _read_verified(path)


def _read_verified(path):
    """The bytes of a shipped data file, after checking them against data/SHA256SUMS."""
    path = Path(path)
    expected = _recorded_checksums().get(path.name)
    if expected is None:
        raise ValueError(f"{CHECKSUM_FILE} has no checksum for {path.name}")
    content = path.read_bytes()
    actual = hashlib.sha256(content).hexdigest()
    if actual != expected and hashlib.sha256(content.replace(b"\r\n", b"\n")).hexdigest() == expected:
        raise ValueError(
            f"{path}: the SHA-256 checksum does not match because the file's line endings were "
            f"changed to Windows' CRLF (Git's core.autocrlf setting does that). The course's "
            f".gitattributes keeps data files exact: update your copy of the course, then restore "
            f"the file with `git checkout -- data/{path.name}`.")
    if actual != expected:
        raise ValueError(
            f"{path}: the SHA-256 checksum does not match: expected {expected}, got {actual}. "
            f"The file is damaged or was changed; restore it with `git checkout -- data/{path.name}` "
            f"(or rebuild it as data/README.md describes).")
    return content


def _recorded_checksums():
    checksums = {}
    for line in CHECKSUM_FILE.read_text(encoding="ascii").splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            checksums[name.lstrip("*")] = digest
    return checksums


def _read_local_mnist():
    with np.load(io.BytesIO(_read_verified(MNIST_FILE)), allow_pickle=False) as data:
        return (data["train_images"], data["train_labels"],
                data["test_images"], data["test_labels"])


def load_breast_cancer():
    """The Breast Cancer Wisconsin (Diagnostic) data shipped in data/breast_cancer.csv.

    Returns
    -------
    features : float64 array, shape (569, 30), measurements of each tumour's cell nuclei
    labels : int64 array, shape (569,), 1 = malignant (212), 0 = benign (357)
    feature_names : list of 30 str
    """
    text = _read_verified(BREAST_CANCER_FILE).decode("ascii")
    header, _, body = text.partition("\n")
    table = np.loadtxt(io.StringIO(body), delimiter=",", dtype=np.float64)
    return table[:, :-1], table[:, -1].astype(np.int64), header.split(",")[:-1]


def _as_array(values, name):
    """`values` as a numpy array (no copy of an array), or a clear error for ragged lists."""
    try:
        return np.asarray(values)
    except ValueError:
        raise ValueError(f"{name} must be rectangular: an array, or lists of equal lengths "
                         f"(got lists of different lengths)") from None


def _read_tfds_mnist(digits):
    try:
        import tensorflow_datasets as tfds
    except ImportError as error:
        raise ImportError(
            "load_mnist(source='tfds') needs tensorflow-datasets and TensorFlow, which the "
            f"offline course does not install. Install them with:\n    {TFDS_INSTALL}\n"
            "(the shipped data, load_mnist(), needs neither)") from error
    arrays = []
    for split in ("train", "test"):
        dataset = tfds.load("mnist", split=split, as_supervised=True)
        # Keep the two digits inside TensorFlow's pipeline, then convert in large batches.
        first, second = digits
        dataset = dataset.filter(lambda image, label: (label == first) | (label == second))
        dataset = dataset.batch(4096)
        images, labels = [np.empty((0, *IMAGE_SHAPE), np.uint8)], [np.empty(0, np.int64)]
        for image_batch, label_batch in tfds.as_numpy(dataset):
            images.append(image_batch.reshape(-1, *IMAGE_SHAPE))
            labels.append(label_batch)
        arrays += [np.concatenate(images).astype(np.uint8), np.concatenate(labels).astype(np.int64)]
    return tuple(arrays)


def stratified_split(labels, fraction, rng):
    """Row numbers (kept, split_off): `fraction` of each class's rows go to split_off.

    Drawing from each class separately (a stratified split) keeps the share of each class the
    same on both sides. Both lists of rows are shuffled with the numpy.random.Generator `rng`,
    so the same seed gives the same split. Use it to set test or validation examples aside:
    `train_rows, validation_rows = stratified_split(labels, 0.2, np.random.default_rng(0))`.
    """
    labels = _as_array(labels, "labels")
    if labels.ndim != 1 or len(labels) == 0:
        raise ValueError(f"labels must hold one label per example, shape (m,) with m >= 1, "
                         f"got shape {labels.shape}")
    if isinstance(fraction, (bool, np.bool_)) or not isinstance(fraction, (float, int, np.number)) \
            or not 0 < fraction < 1:
        raise ValueError(f"fraction must be a number between 0 and 1 (the share to split off), "
                         f"got {fraction!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    if labels.dtype.kind in "fc" and np.isnan(labels).any():
        rows = np.flatnonzero(np.isnan(labels))
        more = f" and {len(rows) - 5} more" if len(rows) > 5 else ""
        raise ValueError(f"stratified_split: labels must not hold NaN (each NaN would be a class "
                         f"of its own), got {len(rows)} NaN of {len(labels)}, at rows "
                         f"{rows[:5].tolist()}{more}. Drop those examples first, such as "
                         f"keep = ~np.isnan(labels), then split labels[keep].")
    classes, counts = np.unique(labels, return_counts=True)
    sizes = [round(fraction * count) for count in counts]  # split off from each class
    if sum(sizes) in (0, len(labels)):
        _refuse_an_empty_side(fraction, counts, empty="split_off" if sum(sizes) == 0 else "kept")
    split_off = []
    for label, size in zip(classes, sizes):
        rows = rng.permutation(np.flatnonzero(labels == label))
        split_off.append(rows[:size])
    split_off = np.concatenate(split_off)
    kept = np.setdiff1d(np.arange(len(labels)), split_off)
    return rng.permutation(kept), rng.permutation(split_off)


def _refuse_an_empty_side(fraction, counts, empty):
    """The error for a fraction that leaves kept or split_off without a single row: which, why,
    and a fraction (to 3 decimals, on the safe side) that leaves rows of the largest class there."""
    largest = int(counts.max())
    classes = (f"{len(counts)} class{'es' if len(counts) > 1 else ''} of "
               f"{', '.join(map(str, counts.tolist()))} rows")
    if largest == 1:
        raise ValueError(f"stratified_split: every class has a single row ({classes}), so one side "
                         f"of the split is empty whatever the fraction: a class needs at least 2 "
                         f"rows, one for each side")
    if empty == "split_off":
        at_least = np.ceil(1000 / largest) / 1000  # 1 row of the largest class, or a little more
        raise ValueError(f"stratified_split: fraction={fraction!r} splits off no row at all "
                         f"({classes}; {fraction!r} of each class rounds to 0), so split_off "
                         f"would be empty. Use a larger fraction, at least {at_least:g}.")
    at_most = np.floor(1000 * (1 - 1 / largest)) / 1000  # keeps 1 row of the largest class, or more
    raise ValueError(f"stratified_split: fraction={fraction!r} splits off every row ({classes}; "
                     f"{fraction!r} of each class rounds to all of it), so kept would be empty. "
                     f"Use a smaller fraction, at most {at_most:g}.")


def random_batch(X, y, batch_size, rng):
    """A random mini-batch: `batch_size` different examples of (X, y), drawn with `rng`.

    X has one example per row (any number of further dimensions), y one label per example.
    The same seed of the numpy.random.Generator `rng` gives the same batch. A batch of every
    example is (X, y) itself: nothing to draw, and no copy of the whole data set.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    X, y = _as_array(X, "X"), _as_array(y, "y")  # lists too; an array is used as it is
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must hold one entry per example, got a single value "
                         f"({'X' if X.ndim == 0 else 'y'} has shape ())")
    n = len(X)
    if len(y) != n:
        raise ValueError(f"X and y must hold the same number of examples, got {n} and {len(y)}")
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be a whole number, got {batch_size!r} "
                        f"({type(batch_size).__name__})")
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be from 1 to the number of examples ({n}), "
                         f"got {batch_size}")
    if batch_size == n:
        return X, y
    rows = rng.choice(n, size=batch_size, replace=False)
    return X[rows], y[rows]
