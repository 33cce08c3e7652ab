"""Reading the course's notebooks: the cells a later notebook reuses (the carry-forward).

- `notebooks_folder()`: which copy of the course a kernel reads (the notebooks next to it).
- `hyperparameters()`: Task 2's values, from notebook 2's one cell tagged `hyperparameters`.
- `model_from_notebooks(through=N)`: the `LogisticModel` class the cells tagged `model` of
  notebooks 5..N build, read from the saved files, so a learner's saved edit carries forward.
- `model_source()`: those cells as one text.

Every problem with a notebook (missing, damaged, untagged, a cell that fails) is a
`NotebookProblem`: one message that names the notebook and the cell as JupyterLab shows it, and
says what to do, without a traceback through this module.
"""
import hashlib
import json
import linecache
import re
import sys
import traceback
import types
from pathlib import Path

import numpy as np

from course.data import ROOT

NOTEBOOKS_DIR = ROOT / "notebooks"
SAVE_REMINDER = ("The course reads the notebooks as saved: after an edit, save the notebook "
                 "(Ctrl+S), then run this cell again.")


class NotebookProblem(ValueError):
    """A notebook the course reads is missing, damaged or has a cell that fails. Shown as its
    message alone (no traceback through the course's code): the message names the notebook,
    the cell and what to do."""

    def _render_traceback_(self):  # IPython shows these lines instead of a traceback
        return str(self).splitlines()


class NotebookMissing(NotebookProblem, FileNotFoundError):
    """A notebook the course reads is not in the folder it reads."""


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
    started at a course's root (or anywhere below it) reads that course's `notebooks/`. Outside
    any course folder it is an error, never the folder this helpers.py was installed from: on a
    classroom's server that is the teacher's worked edition, and a learner's checks and models
    must come from the learner's own notebooks.
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
        raise NotebookMissing("this kernel's working folder no longer exists: restart the kernel "
                              "(Kernel > Restart Kernel) from a notebook of your copy of the course.") from None
    for folder in (here, *here.parents):
        for candidate in (folder, folder / "notebooks"):
            if any((candidate / name).is_file() for name in COURSE_NOTEBOOKS):
                return candidate
    raise NotebookMissing(
        f"no notebook of the course in {here} or a folder above it (nor in their notebooks/ "
        f"folders), so there is no course here to read: open a notebook from your copy of the "
        f"course (its kernel works in that notebook's folder), or pass notebooks_dir=... to say "
        f"where the course's notebooks are.")


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
        raise NotebookProblem(
            f"{path} has no code cell tagged 'hyperparameters'. The course reads Task 2's values "
            f"from that one cell: in JupyterLab, select the cell that sets "
            f"{', '.join(HYPERPARAMETER_NAMES)}, add the tag 'hyperparameters' (property "
            f"inspector, the gear icon at the top right), and save the notebook.")
    where = f"{path.name}, {_cells_named(cells)} (tagged 'hyperparameters', in {path.parent})"
    if len(cells) > 1:
        raise NotebookProblem(
            f"{where}: {len(cells)} cells carry the tag 'hyperparameters'; the course reads its "
            f"values from exactly one. Keep the tag on the cell that sets "
            f"{', '.join(HYPERPARAMETER_NAMES)}, remove it from the other (property inspector, the "
            f"gear icon at the top right), and save the notebook.")
    namespace = {}
    _run_cells(cells, path, namespace)
    values = {name: value for name, value in namespace.items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType)}
    missing = [name for name in HYPERPARAMETER_NAMES if name not in values]
    if missing:
        raise NotebookProblem(f"{where} must set {' and '.join(missing)}; it sets "
                         f"{', '.join(sorted(values)) or 'nothing'}. Write, for example, "
                         f"`{missing[0]} = ...` in that cell and save the notebook.")
    extra = sorted(set(values) - set(HYPERPARAMETER_NAMES))
    if extra:
        raise NotebookProblem(f"{where} sets {', '.join(extra)} besides "
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


# The one piece of state this module keeps, a cache: (folder, through) -> (the cells run, the class
# they built, its attributes then). model_from_notebooks returns the cached class while neither the
# saved cells nor the class changed, so that every notebook's `isinstance` and `pickle` see one
# class; any change builds a new one. Nothing else reads or writes it.
_built_models = {}


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
            raise NotebookProblem(f"{path} has no code cell tagged 'model', so the model's pieces "
                             f"of Task {number} ({', '.join(MODEL_PIECES[number])}) are missing. "
                             f"{_tag_advice(notebooks[number], MODEL_PIECES[number])}")
        if model_class is None and not any(re.search(r"^class LogisticModel\b", source, re.M)
                                           for _, source in tagged_cells):
            raise NotebookProblem(f"{path}: no cell tagged 'model' defines the class LogisticModel. "
                             f"{_tag_advice(notebooks[number], ['LogisticModel'])}")
        namespace = {"__name__": module_name}
        if model_class is not None:
            namespace["LogisticModel"] = model_class
        _run_cells(tagged_cells, path, namespace)
        model_class = namespace.get("LogisticModel")
        if not isinstance(model_class, type):
            raise NotebookProblem(f"{path}: after its cells tagged 'model' ({_cells_named(tagged_cells)}) "
                             f"LogisticModel is {'missing' if model_class is None else 'not a class'}; "
                             f"Task 5's cell defines it with `class LogisticModel:`.")
        missing = [piece for piece in MODEL_PIECES[number] if not hasattr(model_class, piece)]
        if missing:
            raise NotebookProblem(f"{path}: its cells tagged 'model' ({_cells_named(tagged_cells)}) "
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
        raise NotebookMissing(
            f"{path.name} is missing: looked for it in {path.parent} (helpers.notebooks_folder() "
            f"says how that folder was chosen). Put the notebook back there (from a copy of the "
            f"course, or `git checkout -- {path.name}` in that folder of a git checkout), or pass "
            f"notebooks_dir=... to read another folder.")
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise NotebookProblem(f"{path} is not a notebook: it is not UTF-8 text ({error.reason} at "
                         f"byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise NotebookProblem(
            f"{path} is not a readable notebook: invalid JSON at line {error.lineno}, column "
            f"{error.colno} ({error.msg}). It was probably damaged outside JupyterLab; restore "
            f"the saved version (`git checkout -- {path.name}`, or a copy of the course).") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise NotebookProblem(f"{path} is not a Jupyter notebook: it has no list of 'cells'")
    code_cells = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        metadata = cell.get("metadata")
        if isinstance(metadata, dict) and metadata.get("course_copy_of"):
            continue  # a copied exercise cell that grading set aside (course/grading/submission.py)
        tags = metadata.get("tags") if isinstance(metadata, dict) else None
        if tags is None:  # no tags (JupyterLab leaves the key out; null means the same)
            tags = []
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise NotebookProblem(
                f"{path}, {_cells_named([(number, _joined(cell.get('source', '')))])}: its tags must "
                f"be a list of words, such as [\"model\"], got {tags!r} in the notebook's file. "
                f"Set the cell's tags again in JupyterLab (property inspector, the gear icon at the "
                f"top right) and save the notebook.")
        source = cell.get("source", "")
        code_cells.append((number, list(tags), _joined(source)))
    return code_cells


def _joined(source):
    """A cell's source as one text: nbformat stores it as one string or a list of lines."""
    return "".join(source) if isinstance(source, list) else str(source)


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
    """Run the cells' sources in `namespace`, in order. A cell that does not compile or raises is
    a NotebookProblem naming the notebook, the cell and the line, and saying to save the edit."""
    for number, source in cells:
        filename = _cell_filename(path, cells, number, source)  # linecache: tracebacks show lines
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        try:
            code = compile(source, filename, "exec")
        except SyntaxError as error:
            raise NotebookProblem(
                f"{filename} (in the saved notebook) has {_a_or_an(type(error).__name__)} at line "
                f"{error.lineno} of the cell: {error.msg}.\n    {(error.text or '').strip()}\n"
                f"Correct it in {path.name}. {SAVE_REMINDER}") from None
        try:
            exec(code, namespace)
        except Exception as error:  # noqa: BLE001 - any error of a learner's cell is told as one
            raise NotebookProblem(
                f"{filename} (in the saved notebook) raised {type(error).__name__}: {error}, "
                f"{_line_in(error, filename)}.\nCorrect it in {path.name}. {SAVE_REMINDER}") from None


def _a_or_an(word):
    return f"{'an' if word[:1].upper() in 'AEIOU' else 'a'} {word}"


def _line_in(error, filename):
    """'at line 3: `text`' of the cell `filename` where `error` was raised."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == filename]
    if not frames:
        return "while it ran"
    return f"at line {frames[-1].lineno} of the cell: `{(frames[-1].line or '').strip()}`"
