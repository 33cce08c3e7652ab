"""Helpers for the course "Logistic Regression with Python and NumPy".

Thin on purpose: loading data, drawing figures, and handing a notebook what earlier notebooks
built. The model itself is written in the notebooks, never here.

    import helpers
    train_images, train_labels, test_images, test_labels = helpers.load_mnist()

Importing this module is fast and imports neither matplotlib nor TensorFlow: each is imported
by the first function that needs it.
"""
import hashlib
import io
import json
import linecache
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
NOTEBOOKS_DIR = ROOT / "notebooks"
MNIST_FILE = DATA_DIR / "mnist_01.npz"
BREAST_CANCER_FILE = DATA_DIR / "breast_cancer.csv"
CHECKSUM_FILE = DATA_DIR / "SHA256SUMS"
TFDS_INSTALL = "python -m pip install -r requirements-tfds.txt"
IMAGE_SHAPE = (28, 28)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

def load_mnist(source="local"):
    """Real MNIST images of the digits 0 and 1, ready for the model.

    Parameters
    ----------
    source : {"local", "tfds"}
        "local" (the default) reads the 1,000 images shipped in data/mnist_01.npz (800 train,
        200 test, half zeros and half ones in each), after checking the file's SHA-256.
        "tfds" loads every 0 and 1 of the full MNIST (12,665 train / 2,115 test) through
        tensorflow-datasets, which downloads it once; install it first with
        `python -m pip install -r requirements-tfds.txt`.

    Returns
    -------
    train_images : float64 array, shape (n_train, 28, 28), values in [0, 1]
    train_labels : int64 array, shape (n_train,), values 0 or 1
    test_images : float64 array, shape (n_test, 28, 28), values in [0, 1]
    test_labels : int64 array, shape (n_test,), values 0 or 1
    """
    if source == "local":
        raw = _read_local_mnist()
    elif source == "tfds":
        raw = _read_tfds_mnist()
    else:
        raise ValueError(f"source must be 'local' (the shipped data) or 'tfds' (full MNIST "
                         f"through tensorflow-datasets), got {source!r}")
    train_images, train_labels, test_images, test_labels = raw
    return (_scale(train_images), train_labels.astype(np.int64),
            _scale(test_images), test_labels.astype(np.int64))


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


def _read_tfds_mnist():
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
        # Keep the zeros and ones inside TensorFlow's pipeline, then convert in large batches.
        dataset = dataset.filter(lambda image, label: label <= 1).batch(4096)
        images, labels = [np.empty((0, *IMAGE_SHAPE), np.uint8)], [np.empty(0, np.int64)]
        for image_batch, label_batch in tfds.as_numpy(dataset):
            images.append(image_batch.reshape(-1, *IMAGE_SHAPE))
            labels.append(label_batch)
        arrays += [np.concatenate(images).astype(np.uint8), np.concatenate(labels).astype(np.int64)]
    return tuple(arrays)


def random_batch(X, y, batch_size, rng):
    """A random mini-batch: `batch_size` different examples of (X, y), drawn with `rng`.

    X has one example per row (any number of further dimensions), y one label per example.
    The same seed of the numpy.random.Generator `rng` gives the same batch. A batch of every
    example is (X, y) itself: nothing to draw, and no copy of the whole data set.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
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


# ---------------------------------------------------------------------------------------------
# What earlier notebooks built
# ---------------------------------------------------------------------------------------------

def hyperparameters(notebooks_dir=None):
    """The hyperparameters as chosen in notebook 2 (its cell tagged `hyperparameters`).

    Returns a dict such as {"learning_rate": 0.5, "batch_size": 64, "iterations": 300}: the
    notebook is read again on every call, so an edit there (once saved) carries forward.
    """
    namespace = _run_tagged_cells("hyperparameters", ["02_hyperparameters.ipynb"], notebooks_dir)
    return {name: value for name, value in namespace.items() if not name.startswith("_")}


MODEL_NOTEBOOKS = {5: "05_create_model.ipynb", 6: "06_forward_pass.ipynb",
                   7: "07_backward_pass.ipynb", 8: "08_update_parameters.ipynb",
                   9: "09_model_performance.ipynb", 10: "10_training_loop.ipynb"}


def model_from_notebooks(through=max(MODEL_NOTEBOOKS), notebooks_dir=None):
    """The `LogisticModel` class as notebooks 5..`through` built it.

    Runs, in order and in a fresh namespace, the code cells tagged `model` of the notebooks
    05_create_model ... up to number `through`, read from their saved files, and returns the
    class they define. With no argument: the finished model of notebooks 5-10.

    Nothing is cached: edit a model cell, save the notebook, and the next call (in any
    notebook) runs your version. An error in a model cell is reported with the notebook's
    name and the cell's number.
    """
    first = min(MODEL_NOTEBOOKS)
    if isinstance(through, bool) or not isinstance(through, (int, np.integer)) \
            or not first <= through <= 12:
        raise ValueError(f"through must be a notebook number from {first} to 12, got {through!r}")
    names = [name for number, name in MODEL_NOTEBOOKS.items() if number <= through]
    namespace = _run_tagged_cells("model", names, notebooks_dir)
    if "LogisticModel" not in namespace:
        raise RuntimeError(f"the cells tagged 'model' in {', '.join(names)} define no "
                           f"LogisticModel class")
    return namespace["LogisticModel"]


def _run_tagged_cells(tag, notebook_names, notebooks_dir=None):
    """Run, in order and in one fresh namespace, the code cells tagged `tag` of the notebooks."""
    folder = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
    namespace = {"__name__": f"course_{tag}"}
    for name in notebook_names:
        path = folder / name
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for number, cell in enumerate(cells, start=1):
            if cell["cell_type"] == "code" and tag in cell.get("metadata", {}).get("tags", []):
                source = "".join(cell["source"])
                filename = f"<{name}, cell {number}>"
                # Let tracebacks show the notebook's own lines.
                linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
                exec(compile(source, filename, "exec"), namespace)
    return namespace


# ---------------------------------------------------------------------------------------------
# Figures (each function returns its matplotlib Figure)
# ---------------------------------------------------------------------------------------------

def _as_image(example):
    example = np.asarray(example)
    if example.shape == (IMAGE_SHAPE[0] * IMAGE_SHAPE[1],):
        return example.reshape(IMAGE_SHAPE)
    if example.shape != IMAGE_SHAPE:
        raise ValueError(f"an image must have shape (28, 28) or (784,), got {example.shape}")
    return example


def _draw_digit(ax, example, title=None, color="black"):
    ax.imshow(_as_image(example), cmap="gray_r", vmin=0.0, vmax=1.0)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, color=color, fontsize=10)


def plot_example(image, label=None):
    """One image, (28, 28) or unrolled (784,), with its label as the title if given."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(2.5, 2.5))
    _draw_digit(ax, image, None if label is None else f"label: {label}")
    return fig


def plot_examples(images, labels, predictions=None, columns=8):
    """A grid of images titled with their labels.

    With `predictions`, each title reads "predicted (true)" in green when the prediction is
    right and in red when it is wrong.
    """
    import matplotlib.pyplot as plt
    images, labels = np.asarray(images), np.asarray(labels).reshape(-1)
    if len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"need as many labels as images (at least one), got {len(images)} "
                         f"images and {len(labels)} labels")
    if predictions is not None:
        predictions = np.asarray(predictions).reshape(-1)
        if len(predictions) != len(labels):
            raise ValueError(f"need one prediction per image, got {len(predictions)} predictions "
                             f"for {len(images)} images")
    columns = min(columns, len(images))
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.3 * columns, 1.5 * rows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index >= len(images):
            ax.axis("off")
            continue
        label = int(labels[index])
        if predictions is None:
            _draw_digit(ax, images[index], f"label {label}")
        else:
            predicted = int(predictions[index])
            right = predicted == label
            _draw_digit(ax, images[index], f"{predicted} (true {label})",
                        color="tab:green" if right else "tab:red")
    fig.tight_layout()
    return fig


def plot_history(history):
    """Training curves: loss (left) and accuracy (right) against the iteration.

    `history` maps "iteration" to a list of iteration numbers and each recorded quantity
    ("train_loss", "val_loss", "val_accuracy", ...) to a list of the same length.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, NullFormatter
    if "iteration" not in history:
        raise ValueError(f"history must have an 'iteration' entry, got keys {sorted(history)}")
    steps = history["iteration"]
    fig, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(10, 3.5))
    for key, ax in [(k, loss_ax if "loss" in k else accuracy_ax) for k in history
                    if k != "iteration"]:
        if len(history[key]) != len(steps):
            raise ValueError(f"history[{key!r}] has {len(history[key])} values for "
                             f"{len(steps)} iterations")
        ax.plot(steps, history[key], label=key.replace("_", " "))
    # A log scale shows the loss still falling long after the first steep drop.
    loss_ax.set(xlabel="iteration", ylabel="binary cross-entropy", title="Loss", yscale="log")
    accuracy_ax.set(xlabel="iteration", ylabel="accuracy", title="Accuracy")
    # Ticks at 1, 2 and 5 times powers of ten, labelled 0.2 rather than 2 x 10^-1.
    loss_ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    loss_ax.yaxis.set_major_formatter(lambda value, _: f"{value:g}")
    loss_ax.yaxis.set_minor_formatter(NullFormatter())
    accuracy_ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    for ax in (loss_ax, accuracy_ax):
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend()
    fig.tight_layout()
    return fig


def plot_weights(weights):
    """A model's 784 weights as a 28 x 28 image: red pushes towards 1, blue towards 0."""
    import matplotlib.pyplot as plt
    image = _as_image(weights)
    limit = np.abs(image).max() or 1.0
    fig, ax = plt.subplots(figsize=(4.4, 3.6))
    shown = ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set(xticks=[], yticks=[], title="Learned weights, one per pixel")
    fig.colorbar(shown, ax=ax, label="weight (red: evidence for 1, blue: for 0)")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(labels, predictions, class_names=("0", "1")):
    """The 2 x 2 table of true labels (rows) against predictions (columns), with counts."""
    import matplotlib.pyplot as plt
    labels = np.asarray(labels).reshape(-1)
    predictions = np.asarray(predictions).reshape(-1)
    if labels.shape != predictions.shape:
        raise ValueError(f"need one prediction per label, got {len(predictions)} predictions "
                         f"for {len(labels)} labels")
    counts = np.array([[np.sum((labels == true) & (predictions == predicted)) for predicted in (0, 1)]
                       for true in (0, 1)])
    fig, ax = plt.subplots(figsize=(4, 3.4))
    ax.imshow(counts, cmap="Blues", vmin=0)
    for (row, column), count in np.ndenumerate(counts):
        ax.text(column, row, str(count), ha="center", va="center", fontsize=14,
                color="white" if count > counts.max() / 2 else "black")
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=[f"predicted\n{n}" for n in class_names],
           yticklabels=[f"true {n}" for n in class_names], title="Confusion matrix")
    fig.tight_layout()
    return fig
