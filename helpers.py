"""Helpers for the course "Logistic Regression with Python and NumPy".

Thin on purpose: loading data, drawing figures, and handing a notebook what earlier notebooks
built. The model itself is written in the notebooks, never here.

    import helpers
    train_images, train_labels, test_images, test_labels = helpers.load_mnist()

Importing this module is fast and imports neither matplotlib nor TensorFlow: each is imported
by the first function that needs it.
"""
import contextlib
import hashlib
import io
import json
import linecache
import re
import sys
import traceback
import types
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
DATA_DIR = ROOT / "data"
NOTEBOOKS_DIR = ROOT / "notebooks"
MNIST_FILE = DATA_DIR / "mnist_5k.npz"
BREAST_CANCER_FILE = DATA_DIR / "breast_cancer.csv"
CHECKSUM_FILE = DATA_DIR / "SHA256SUMS"
TFDS_INSTALL = "python -m pip install -r requirements-tfds.txt"
IMAGE_SHAPE = (28, 28)


# ---------------------------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------------------------

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
    if isinstance(digits, (str, bytes)) or not hasattr(digits, "__len__") or len(digits) != 2:
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
    split_off = []
    for label in np.unique(labels):
        rows = rng.permutation(np.flatnonzero(labels == label))
        split_off.append(rows[:round(fraction * len(rows))])
    split_off = np.concatenate(split_off)
    kept = np.setdiff1d(np.arange(len(labels)), split_off)
    return rng.permutation(kept), rng.permutation(split_off)


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


# ---------------------------------------------------------------------------------------------
# What earlier notebooks built
# ---------------------------------------------------------------------------------------------

COURSE_NOTEBOOKS = ("01_introduction.ipynb", "02_hyperparameters.ipynb", "03_dataset.ipynb",
                    "04_mini_batch.ipynb", "05_create_model.ipynb", "06_forward_pass.ipynb",
                    "07_backward_pass.ipynb", "08_update_parameters.ipynb",
                    "09_model_performance.ipynb", "10_training_loop.ipynb",
                    "11_training_the_model.ipynb", "12_additional_example.ipynb")
HYPERPARAMETERS_NOTEBOOK = COURSE_NOTEBOOKS[1]
HYPERPARAMETER_NAMES = ("learning_rate", "batch_size", "iterations")
MODEL_NOTEBOOKS = {number: COURSE_NOTEBOOKS[number - 1] for number in range(5, 11)}
# What each notebook's cells tagged `model` add to LogisticModel. Checked right after they run,
# so a cell that lost its tag is reported at once, by name, not when a method is missing later.
MODEL_PIECES = {5: ("check_count", "check_features", "check_labels"),
                6: ("scores", "sigmoid", "forward", "binary_cross_entropy", "loss"),
                7: ("backward",),
                8: ("update",),
                9: ("predict", "accuracy_and_loss", "evaluate"),
                10: ("record", "train")}


def notebooks_folder(notebooks_dir=None):
    """The folder of notebooks that `model_from_notebooks` and `hyperparameters` read.

    `notebooks_dir`, if given. Otherwise the course the current working directory belongs to:
    a kernel started by JupyterLab, nbval or nbclient works in the notebook's own folder, so a
    notebook reads the notebooks next to it, in whichever copy of the course it lives. Python
    started at a course's root (or anywhere below it) reads that course's `notebooks/`. Only
    outside any course folder is it the course this helpers.py was installed from.
    """
    if notebooks_dir is not None:
        folder = Path(notebooks_dir).expanduser().resolve()
        if not folder.is_dir():
            raise FileNotFoundError(f"notebooks_dir must be a folder of the course's notebooks, "
                                    f"got {folder}, which is not a folder")
        return folder
    try:
        here = Path.cwd().resolve()
    except FileNotFoundError:  # the working directory was deleted
        return NOTEBOOKS_DIR
    for folder in (here, *here.parents):
        for candidate in (folder, folder / "notebooks"):
            if any((candidate / name).is_file() for name in COURSE_NOTEBOOKS):
                return candidate
    return NOTEBOOKS_DIR


def hyperparameters(notebooks_dir=None):
    """The hyperparameters as chosen in notebook 2, in its cell tagged `hyperparameters`.

    Returns {"learning_rate": ..., "batch_size": ..., "iterations": ...}, read from the saved
    notebook on every call, so an edit there (once saved) carries forward. That cell is the one
    place where their values are written; anything missing, extra or out of range is refused
    with an error that names it.
    """
    path = notebooks_folder(notebooks_dir) / HYPERPARAMETERS_NOTEBOOK
    cells = _tagged(_code_cells(path), "hyperparameters")
    if not cells:
        raise ValueError(
            f"{path} has no code cell tagged 'hyperparameters'. The course reads Task 2's values "
            f"from that one cell: in JupyterLab, select the cell that sets "
            f"{', '.join(HYPERPARAMETER_NAMES)}, add the tag 'hyperparameters' (property "
            f"inspector, the gear icon at the top right), and save the notebook.")
    where = f"{path.name}, {_cells_named(cells)} (tagged 'hyperparameters', in {path.parent})"
    namespace = {}
    _run_cells(cells, path, namespace)
    values = {name: value for name, value in namespace.items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    missing = [name for name in HYPERPARAMETER_NAMES if name not in values]
    if missing:
        raise ValueError(f"{where} must set {' and '.join(missing)}; it sets "
                         f"{', '.join(sorted(values)) or 'nothing'}. Write, for example, "
                         f"`{missing[0]} = ...` in that cell and save the notebook.")
    extra = sorted(set(values) - set(HYPERPARAMETER_NAMES))
    if extra:
        raise ValueError(f"{where} sets {', '.join(extra)} besides "
                         f"{', '.join(HYPERPARAMETER_NAMES)}; no notebook reads "
                         f"{'it' if len(extra) == 1 else 'them'}. Keep only the three "
                         f"hyperparameters in that cell (work anything else out in another cell).")
    return {"learning_rate": _positive_number(values["learning_rate"], "learning_rate", where),
            "batch_size": _whole_number(values["batch_size"], "batch_size", where),
            "iterations": _whole_number(values["iterations"], "iterations", where)}


def _positive_number(value, name, where):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer,
                                                                     np.floating)):
        raise TypeError(f"{where}: {name} must be a number, got {value!r} ({type(value).__name__})")
    try:
        number = float(value)
    except OverflowError:
        number = float("inf")
    if not (np.isfinite(number) and number > 0):
        raise ValueError(f"{where}: {name} must be a finite number > 0, got {value!r:.40}")
    return number


def _whole_number(value, name, where):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{where}: {name} must be a whole number, got {value!r} "
                        f"({type(value).__name__})")
    if value < 1:
        raise ValueError(f"{where}: {name} must be at least 1, got {value}")
    return int(value)


_built_models = {}  # (folder, through) -> (cells, class, class attributes when built)


def model_from_notebooks(through=max(MODEL_NOTEBOOKS), notebooks_dir=None):
    """The `LogisticModel` class as notebooks 5..`through` built it.

    Runs the code cells tagged `model` of 05_create_model ... up to notebook number `through`,
    read from their saved files in `notebooks_folder(notebooks_dir)`, and returns the class
    they define. With no argument: the finished model of notebooks 5-10. Each notebook's cells
    run in a namespace of their own that holds only the `LogisticModel` built so far, as in
    the notebook itself, so they import what they use.

    Edit a model cell, save the notebook, and the next call (in any notebook) runs your version;
    while nothing changed, every call returns the same class, so `isinstance` and `pickle` work
    as usual. The class's `notebooks_dir` says which folder it was built from. A missing or
    unreadable notebook, a notebook whose cells do not add the pieces it should, and an error in
    a model cell are reported with the notebook's name and the cell.
    """
    first = min(MODEL_NOTEBOOKS)
    if isinstance(through, bool) or not isinstance(through, (int, np.integer)) \
            or not first <= through <= len(COURSE_NOTEBOOKS):
        raise ValueError(f"through must be a notebook number from {first} to "
                         f"{len(COURSE_NOTEBOOKS)}, got {through!r}")
    folder = notebooks_folder(notebooks_dir)
    # Read every notebook first: a missing one is reported before any cell runs.
    notebooks = {number: _code_cells(folder / name)
                 for number, name in MODEL_NOTEBOOKS.items() if number <= through}
    cells = {number: _tagged(code_cells, "model") for number, code_cells in notebooks.items()}
    key = (folder, int(through))
    built = _built_models.get(key)
    if built is not None and built[0] == cells and _attributes(built[1]) == built[2]:
        return built[1]
    model_class = _build_model(folder, notebooks, cells)
    _built_models[key] = (cells, model_class, _attributes(model_class))
    return model_class


def _attributes(model_class):
    """The class's attributes, to tell whether a notebook has changed it since it was built."""
    attributes = dict(vars(model_class))
    attributes.pop("__slotnames__", None)  # pickle's cache, added at the first pickle.dumps
    return attributes


def model_source(through=max(MODEL_NOTEBOOKS), notebooks_dir=None):
    """The code of the cells tagged `model` in notebooks 5..`through`, as one text.

    Exactly what `model_from_notebooks` runs, in order, each cell headed by a comment naming its
    notebook: the whole model in one place.
    """
    folder = notebooks_folder(notebooks_dir)
    model_from_notebooks(through, folder)  # the same checks and errors; it keeps the cells it ran
    cells = _built_models[(folder, int(through))][0]
    return "\n\n".join(f"# ---- {MODEL_NOTEBOOKS[number]} ".ljust(90, "-") +
                         f"\n{source.strip()}\n"
                         for number, tagged_cells in cells.items() for _, source in tagged_cells)


def _build_model(folder, notebooks, cells):
    digest = hashlib.sha256(repr((str(folder), sorted(cells.items()))).encode()).hexdigest()
    module_name = f"course_model_{digest[:16]}"
    if module_name in sys.modules:  # same code, but that class was changed since it was built
        module_name += f"_{sum(name.startswith(module_name) for name in sys.modules)}"
    model_class = None
    for number, tagged_cells in cells.items():
        path = folder / MODEL_NOTEBOOKS[number]
        if not tagged_cells:
            raise ValueError(f"{path} has no code cell tagged 'model', so the model's pieces "
                             f"of Task {number} ({', '.join(MODEL_PIECES[number])}) are missing. "
                             f"{_tag_advice(notebooks[number], MODEL_PIECES[number])}")
        if model_class is None and not any(re.search(r"^class LogisticModel\b", source, re.M)
                                           for _, source in tagged_cells):
            raise ValueError(f"{path}: no cell tagged 'model' defines the class LogisticModel. "
                             f"{_tag_advice(notebooks[number], ['LogisticModel'])}")
        namespace = {"__name__": module_name}
        if model_class is not None:
            namespace["LogisticModel"] = model_class
        _run_cells(tagged_cells, path, namespace)
        model_class = namespace.get("LogisticModel")
        if not isinstance(model_class, type):
            raise ValueError(f"{path}: after its cells tagged 'model' ({_cells_named(tagged_cells)}) "
                             f"LogisticModel is {'missing' if model_class is None else 'not a class'}; "
                             f"Task 5's cell defines it with `class LogisticModel:`.")
        missing = [piece for piece in MODEL_PIECES[number] if not hasattr(model_class, piece)]
        if missing:
            raise ValueError(f"{path}: its cells tagged 'model' ({_cells_named(tagged_cells)}) "
                             f"add no {', '.join(missing)} to LogisticModel. "
                             f"{_tag_advice(notebooks[number], missing)}")
    model_class.__module__ = module_name
    model_class.notebooks_dir = folder
    model_class.through = max(cells)
    module = types.ModuleType(module_name, f"LogisticModel built from the notebooks in {folder}")
    module.LogisticModel = model_class
    sys.modules[module_name] = module  # a real module: models pickle and unpickle
    return model_class


def _tag_advice(code_cells, pieces):
    """What to do about pieces no tagged cell defines: tag the cells that do, or write them."""
    untagged = [f"the cell with `{_first_line(source)}` defines {piece} but is not tagged 'model' "
                f"(its tags: {tags or 'none'})"
                for number, tags, source in code_cells if "model" not in tags
                for piece in pieces
                if re.search(rf"^(def|class) {piece}\b|^LogisticModel\.{piece}\s*=", source, re.M)]
    if untagged:
        found = "; ".join(untagged)
        return (f"{found[0].upper()}{found[1:]}: add the tag 'model' "
                f"in JupyterLab's property inspector (the gear icon at the top right) and save "
                f"the notebook.")
    if pieces == ["LogisticModel"]:
        return "Define it with `class LogisticModel:` in a code cell tagged 'model' and save the notebook."
    return (f"Write {', '.join(pieces)} in a code cell tagged 'model', attach each to the class as "
            f"the course does (`LogisticModel.{pieces[0]} = {pieces[0]}`, or "
            f"`staticmethod({pieces[0]})` for a function without `self`), and save the notebook.")


def _code_cells(path):
    """[(cell number, tags, source)] of the notebook's code cells, or an error naming the file."""
    if not path.is_file():
        raise FileNotFoundError(
            f"{path.name} is missing: looked for it in {path.parent} (helpers.notebooks_folder() "
            f"says how that folder was chosen). Put the notebook back there (from a copy of the "
            f"course, or `git checkout -- {path.name}` in that folder of a git checkout), or pass "
            f"notebooks_dir=... to read another folder.")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not a notebook: it is not UTF-8 text ({error.reason} at "
                         f"byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ValueError(
            f"{path} is not a readable notebook: invalid JSON at line {error.lineno}, column "
            f"{error.colno} ({error.msg}). It was probably damaged outside JupyterLab; restore "
            f"the saved version (`git checkout -- {path.name}`, or a copy of the course).") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise ValueError(f"{path} is not a Jupyter notebook: it has no list of 'cells'")
    code_cells = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        tags = metadata.get("tags", []) if isinstance(metadata, dict) else []
        source = cell.get("source", "")
        code_cells.append((number, list(tags), "".join(source) if isinstance(source, list) else str(source)))
    return code_cells


def _tagged(code_cells, tag):
    return [(number, source) for number, tags, source in code_cells if tag in tags]


def _first_line(source):
    """The line that tells a cell apart: its first definition, else its first line of code."""
    lines = [re.sub(r"\s+#.*$", "", line.strip()) for line in source.splitlines()
             if line.strip() and not line.lstrip().startswith("#")]
    definitions = [line for line in lines if re.match(r"(def|class) ", line)]
    line = (definitions or lines or ["empty"])[0]
    return line if len(line) <= 50 else line[:47] + "..."


def _cells_named(cells):
    """'the cell with `def scores(self, X):`': how a learner finds a cell in JupyterLab, which
    numbers no cells (its `[3]` is the run's count, not the cell's place): by its first line."""
    named = " and ".join(f"`{_first_line(source)}`" for _, source in cells)
    return f"the cell{'s' if len(cells) > 1 else ''} with {named}"


def _cell_filename(path, cells, number, source):
    """The name tracebacks show for a notebook cell run here: the notebook's full path (copies
    of the course stay apart) and the cell's first line; its place only when two cells share
    that line."""
    first = _first_line(source)
    twins = [n for n, s in cells if _first_line(s) == first]
    place = f" ({twins.index(number) + 1} of {len(twins)})" if len(twins) > 1 else ""
    return f"{path}, the cell with `{first}`{place}"


def _run_cells(cells, path, namespace):
    """Run the cells' sources in `namespace`, in order; errors point at the notebook's cell."""
    for number, source in cells:
        filename = _cell_filename(path, cells, number, source)  # linecache: tracebacks show lines
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)


# ---------------------------------------------------------------------------------------------
# Checks of the learner's code
# ---------------------------------------------------------------------------------------------

class CheckFailed(AssertionError):
    """A check of the learner's code failed. Shown as its message alone, without a traceback:
    the message says what was checked, on which input, what came back and the likely cause."""

    def __init__(self, message, piece=None):
        super().__init__(message)
        self.piece = piece

    def _render_traceback_(self):  # IPython shows these lines instead of a traceback
        return str(self).splitlines()


class NotWrittenYet(CheckFailed):
    """A check ran into code that still raises NotImplementedError: an exercise not yet done.
    `stub` is the function that raised it: the piece checked, or a piece it calls."""

    def __init__(self, message, piece=None, stub=None):
        super().__init__(message, piece)
        self.stub = stub or piece


@contextlib.contextmanager
def check(piece, verified):
    """Run the `assert`s of one check of `piece`; print one line that says what was verified.

        with helpers.check("sigmoid", "values at 0 and ±ln 3, symmetry, no overflow at ±1000"):
            assert ..., "what is wrong, on which input, expected and got, the likely cause"

    A failed assert stops with its message (and no traceback); code that still raises
    NotImplementedError is reported as not written yet, naming the piece and its notebook.
    Any other error raised while checking is reported with the line of the learner's code that
    raised it. Arrays a check makes read-only (`array.flags.writeable = False`) turn a piece that
    writes into its inputs into a message that says so.
    """
    try:
        yield
    except NotImplementedError as error:
        raise _not_written(piece, error) from None
    except CheckFailed:
        raise
    except NameError as error:
        raise CheckFailed(_name_error_message(piece, error), piece) from None
    except AssertionError as error:
        raise CheckFailed(f"✗ {piece}: {error}", piece) from None
    except ValueError as error:
        if "read-only" not in str(error):
            raise CheckFailed(_raised_message(piece, error), piece) from None
        raise CheckFailed(
            f"✗ {piece}: it writes into an array it was given ({_where(error)}). The caller's "
            f"arrays must stay as they were: compute a new array (`y_hat - y`, `self.w - step`) "
            f"instead of changing one in place (`-=`, `array[...] = ...`).", piece) from None
    except FloatingPointError as error:
        raise CheckFailed(
            f"✗ {piece}: NumPy, told to raise on overflow, division by zero and invalid values "
            f"for this check, raised '{error}' ({_where(error)}). A formula that computes e^(large) "
            f"or log(0) breaks on extreme inputs: use a form that never does.", piece) from None
    except (TypeError, IndexError, ArithmeticError) as error:
        raise CheckFailed(_raised_message(piece, error), piece) from None
    print(f"✓ {piece}: {verified}")


def _name_error_message(piece, error):
    """A name the check cell itself lacks (cells above not run), or one the learner's code uses."""
    frames = traceback.extract_tb(error.__traceback__)
    if frames and frames[-1].name == "<module>" and not _rerunning_checks:
        return (f"✗ {piece} could not be checked: {error}. Run the cells above this check first "
                f"(from the top: Run > Run All Above Selected Cell).")
    message = (f"✗ {piece}: {error}, {_where(error)}. A typo, or a variable of the notebook that "
               f"the function should take as an argument (or from self)?")
    if _rerunning_checks:  # only the cells tagged `model` ran
        message += (" When a later notebook builds the model, only the cells tagged 'model' run: "
                    "what a piece uses (a function of your own, an import) must be in one of them.")
    return message


def _where(error):
    """'at `line` (in function)': the deepest line of the course's or the learner's code."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if "site-packages" not in frame.filename and "/numpy/" not in frame.filename
              and frame.filename != __file__]
    if not frames:
        return "in NumPy"
    frame = frames[-1]
    line = (frame.line or "").strip()
    return f"at `{line}`, in {frame.name}" if line else f"in {frame.name}"


def _raised_message(piece, error):
    return (f"✗ {piece}: on the check's input it raised {type(error).__name__}: {error}, "
            f"{_where(error)}. Check the shapes and types on that line against the exercise's "
            f"formula (print them to see).")


def _not_written(piece, error):
    """NotWrittenYet for the piece that still raises NotImplementedError: the one checked, or
    one it calls (named, with its notebook)."""
    frames = traceback.extract_tb(error.__traceback__)
    stub = frames[-1].name if frames else piece
    if stub in (piece, "<module>") or stub.startswith("<"):
        return NotWrittenYet(
            f"✗ {piece} is not written yet: fill in its cell above (it still says "
            f"`raise NotImplementedError()`), run that cell, then run this check again.", piece)
    home = _notebook_of(stub)
    where = f" in {home}" if home else ""
    return NotWrittenYet(
        f"✗ {piece} could not be checked: it calls {stub}, which is not written yet{where}. "
        f"Write {stub} first, save that notebook, then run this check again.", piece, stub)


def _notebook_of(piece):
    """The model notebook that writes `piece` (`__init__` is notebook 5's), or None."""
    return next((MODEL_NOTEBOOKS[number] for number, pieces in MODEL_PIECES.items()
                 if piece in pieces or (piece == "__init__" and number == 5)), None)


_passed_checks = set()  # names of the model modules whose earlier checks all passed
_rerunning_checks = False  # True while check_earlier_exercises runs the checks of earlier notebooks


def check_earlier_exercises(model_class):
    """Stop, with one message, unless notebooks 5..N (those `model_class` was built from) are
    finished: every piece written and every check there (its cells tagged `check`) passing.

    Each check runs as in its own notebook, with only `np`, `helpers` and `LogisticModel`.
    Call it right after `model_from_notebooks`, in the first cell of a notebook: the learner
    learns at once which earlier exercise to finish, instead of meeting a broken piece later.
    """
    folder, through = getattr(model_class, "notebooks_dir", None), getattr(model_class, "through", None)
    if folder is None or through is None:
        raise TypeError(f"check_earlier_exercises needs the class from helpers.model_from_notebooks, "
                        f"got {model_class!r}")
    global _rerunning_checks
    if model_class.__module__ in _passed_checks:
        return
    _rerunning_checks = True
    try:
        _run_earlier_checks(model_class, folder, through)
    finally:
        _rerunning_checks = False
    _passed_checks.add(model_class.__module__)


def run_check_cell(source, model_class, path, cell):
    """Run one check cell of a model notebook alone, with only `np`, `helpers` and
    `LogisticModel`, its printed line swallowed; a failure raises CheckFailed."""
    namespace = {"np": np, "helpers": sys.modules[__name__], "LogisticModel": model_class}
    with contextlib.redirect_stdout(io.StringIO()):
        _run_cells([(cell, source)], path, namespace)


def _run_earlier_checks(model_class, folder, through):
    for number, name in MODEL_NOTEBOOKS.items():
        if number > through:
            break
        path = folder / name
        for cell, source in _tagged(_code_cells(path), "check"):
            try:
                run_check_cell(source, model_class, path, cell)
            except NotWrittenYet as failure:
                home = _notebook_of(failure.stub) or name
                raise CheckFailed(
                    f"✗ Finish {home} first: {failure.stub} is not written yet.\n"
                    f"Open {home} (in {folder}), write it, save the notebook, then run this cell "
                    f"again.", failure.piece) from None
            except CheckFailed as failure:
                raise CheckFailed(
                    f"✗ Finish {name} first: its check of {failure.piece} fails.\n{failure}\n"
                    f"Open {name} (in {folder}), correct {failure.piece}, save the notebook, then "
                    f"run this cell again.", failure.piece) from None


# ---------------------------------------------------------------------------------------------
# Figures (each function returns its matplotlib Figure)
# ---------------------------------------------------------------------------------------------

# The two colours that carry meaning in the course's figures, from Okabe and Ito's palette for
# colour-blind readers (https://jfly.uni-koeln.de/color/): they stay far apart under red-, green-
# and blue-weak vision alike, where green and red merge. Colour is never the only cue: every figure
# also tells the pair apart by a mark, a word or a line style (tests/test_figures_accessible.py).
BLUE = "#0072B2"        # right answers, training curves, class 0 and weights that argue for it
VERMILLION = "#D55E00"  # wrong answers, validation curves, class 1 and weights that argue for it
RIGHT_MARK, WRONG_MARK = "✓", "✗"
# The widest figure, in inches: at the notebooks' 100 dpi it fits the narrowest page unshrunk (the
# website's column in a 1280-pixel window, 688 pixels), so 9 pt text reads as 9 pt.
FIGURE_WIDTH = 6.6

# Training and validation curves differ in colour, line style and marker, so that they can be told
# apart in grey, by colour-blind readers, and where they cross. Keys: the start of a history key.
# A marker every tenth of the axes, validation's offset by half of that: they never overlap.
CURVE_STYLES = {
    "train": {"label": "training", "color": BLUE, "ls": "-", "marker": "o",
              "markevery": (0.0, 0.1)},
    "val": {"label": "validation", "color": VERMILLION, "ls": "--", "marker": "s",
            "markevery": (0.05, 0.1)},
}


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
        ax.set_title(title, color=color, fontsize=9)


def plot_example(image, label=None):
    """One image, (28, 28) or unrolled (784,), with its label as the title if given."""
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(2.5, 2.5))
    _draw_digit(ax, image, None if label is None else f"label: {label}")
    return fig


def _zeros_and_ones(values, name, function):
    """`values` as an int64 array of 0s and 1s, shape (m,), or an error saying what came."""
    array = _as_array(values, name)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{function}: {name} must be one 0 or 1 per example, shape (m,), "
                         f"got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{function}: {name} must hold the numbers 0 and 1, got an array of "
                        f"dtype {array.dtype}")
    wrong = array[(array != 0) & (array != 1)]
    if wrong.size:
        between = wrong[(wrong > 0) & (wrong < 1)]
        hint = (" These look like probabilities: pass labels (model.predict(X)), not "
                "probabilities (model.forward(X))." if between.size else "")
        raise ValueError(f"{function}: {name} must hold only 0 and 1, got also "
                         f"{np.unique(wrong)[:5].tolist()}.{hint}")
    return array.astype(np.int64)


def plot_examples(images, labels, predictions=None, columns=8, probabilities=None, titles=None):
    """A grid of images titled with their labels (0 or 1).

    With `predictions` (0 or 1 each), each title reads "✓ predicted (true label)" in blue when the
    prediction is right and "✗ predicted (true label)" in vermillion when it is wrong: the mark, not
    only the colour, tells them apart. With `probabilities` (the model's probability of a 1 for each
    image), the title adds it: "p = 0.39". `titles` (one string per image) replaces the label
    titles, for images that are not examples, such as averages.
    """
    import matplotlib.pyplot as plt
    images = _as_array(images, "images")
    labels = _zeros_and_ones(labels, "labels", "plot_examples")
    if len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"plot_examples: need as many labels as images (at least one), got "
                         f"{len(images)} images and {len(labels)} labels")
    if predictions is not None:
        predictions = _zeros_and_ones(predictions, "predictions", "plot_examples")
        if len(predictions) != len(labels):
            raise ValueError(f"plot_examples: need one prediction per image, got "
                             f"{len(predictions)} predictions for {len(images)} images")
    if probabilities is not None:
        probabilities = _as_array(probabilities, "probabilities").reshape(-1)
        if len(probabilities) != len(images) or probabilities.dtype.kind not in "uif" \
                or not np.all((probabilities >= 0) & (probabilities <= 1)):
            raise ValueError(f"plot_examples: probabilities must be one number from 0 to 1 per "
                             f"image ({len(images)}), got {probabilities[:5].tolist()}")
    if titles is not None and (isinstance(titles, str) or len(titles) != len(images)):
        raise ValueError(f"plot_examples: titles must be one string per image ({len(images)}), "
                         f"got {titles!r}")
    if isinstance(columns, bool) or not isinstance(columns, (int, np.integer)) or columns < 1:
        raise ValueError(f"plot_examples: columns must be a whole number, at least 1, got "
                         f"{columns!r}")
    columns = min(columns, len(images))
    rows = -(-len(images) // columns)
    # As large as 1.5 inches an image, but never wider than a page shows unshrunk (FIGURE_WIDTH at
    # the notebooks' 100 dpi), where the titles' 9 pt stay 9 pt; and room for them above each.
    size = min(1.5, FIGURE_WIDTH / columns)
    height = size + (0.5 if probabilities is not None else 0.3)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, height * rows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index >= len(images):
            ax.axis("off")
            continue
        label, color = labels[index], "black"
        if titles is not None:
            title = str(titles[index])
        elif predictions is None:
            title = f"label {label}"
        else:
            title, color = _verdict(predictions[index], label)
        if probabilities is not None:
            title += f"\np = {probabilities[index]:.2f}"
        _draw_digit(ax, images[index], title, color=color)
    fig.tight_layout()
    return fig


def _verdict(prediction, label):
    """The title of a prediction and its colour; its mark, ✓ or ✗, says right or wrong in grey too."""
    if prediction == label:
        return f"{RIGHT_MARK} {prediction} (true {label})", BLUE
    return f"{WRONG_MARK} {prediction} (true {label})", VERMILLION


def _plot_curve(ax, steps, values, key):
    """One recorded quantity against the iteration, styled by whose it is (training, validation)."""
    prefix, _, quantity = key.partition("_")
    style = dict(CURVE_STYLES.get(prefix, {"label": prefix, "markevery": (0.0, 0.1)}))
    label = f"{style.pop('label')} {quantity.replace('_', ' ')}".strip()
    ax.plot(steps, values, label=label, ms=5, lw=1.8, **style)


def plot_history(history):
    """Training curves: loss (left) and accuracy (right) against the iteration.

    `history` maps "iteration" to a list of iteration numbers and each recorded quantity
    ("train_loss", "val_loss", "val_accuracy", ...) to a list of the same length.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter
    if "iteration" not in history:
        raise ValueError(f"history must have an 'iteration' entry, got keys {sorted(history)}")
    steps = history["iteration"]
    fig, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, 3.3))
    for key, ax in [(k, loss_ax if "loss" in k else accuracy_ax) for k in history
                    if k != "iteration"]:
        if len(history[key]) != len(steps):
            raise ValueError(f"history[{key!r}] has {len(history[key])} values for "
                             f"{len(steps)} iterations")
        _plot_curve(ax, steps, history[key], key)
    # A log scale shows the loss still falling long after the first steep drop.
    loss_ax.set(xlabel="iteration", ylabel="binary cross-entropy (log scale)", title="Loss",
                yscale="log")
    accuracy_ax.set(xlabel="iteration", ylabel="accuracy", title="Accuracy")
    # Ticks at 1, 2 and 5 times powers of ten, labelled 0.2 rather than 2 x 10^-1.
    loss_ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    loss_ax.yaxis.set_major_formatter(lambda value, _: f"{value:g}")
    loss_ax.yaxis.set_minor_formatter(NullFormatter())
    accuracy_ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    for ax in (loss_ax, accuracy_ax):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # whole iterations
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend()
    fig.tight_layout()
    return fig


def _weights_colormap():
    """Blue (negative weights, for 0) through white (0) to vermillion (positive, for 1)."""
    from matplotlib.colors import LinearSegmentedColormap
    return LinearSegmentedColormap.from_list("blue_white_vermillion", [BLUE, "white", VERMILLION])


def plot_weights(weights):
    """A model's 784 weights as a 28 x 28 image: vermillion pushes towards 1, blue towards 0."""
    import matplotlib.pyplot as plt
    image = _as_image(weights)
    limit = np.abs(image).max() or 1.0
    fig, ax = plt.subplots(figsize=(4.4, 3.6))
    shown = ax.imshow(image, cmap=_weights_colormap(), vmin=-limit, vmax=limit)
    ax.set(xticks=[], yticks=[], title="Learned weights, one per pixel")
    # The label says in words what the sign means, so the colours are not needed to read it.
    fig.colorbar(shown, ax=ax, label="weight (− argues for 0, + for 1)")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(labels, predictions, class_names=("0", "1")):
    """The 2 x 2 table of true labels (rows) against predictions (columns), with counts.

    labels and predictions hold 0 or 1 each; class_names names class 0 and class 1.
    """
    import matplotlib.pyplot as plt
    labels = _zeros_and_ones(labels, "labels", "plot_confusion_matrix")
    predictions = _zeros_and_ones(predictions, "predictions", "plot_confusion_matrix")
    if isinstance(class_names, str) or len(class_names) != 2:
        raise ValueError(f"plot_confusion_matrix: class_names must name the two classes, 0 and 1, "
                         f"e.g. ('benign', 'malignant'), got {class_names!r}")
    if labels.shape != predictions.shape:
        raise ValueError(f"plot_confusion_matrix: need one prediction per label, got "
                         f"{len(predictions)} predictions for {len(labels)} labels")
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
