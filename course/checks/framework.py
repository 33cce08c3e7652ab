"""How a check runs: it finds what it needs in the learner's kernel, runs the learner's code
under a time limit, and turns every way that code can fail into one line for the learner.

A check is a function in `course/checks/nbNN.py`, registered with the `check` decorator:

    @check("sigmoid", "values at 0 and ±ln 3, ...")
    def sigmoid(LogisticModel):
        assert ..., "what is wrong, on which input, expected and got, the likely cause"

Its parameters are the names it takes from the notebook (`LogisticModel`, `epochs`,
`train_images`, ...). The notebook's check cell is one line, `helpers.check("sigmoid")`, which
calls `run` with the kernel's namespace. A failed `assert` in the check becomes
`✗ sigmoid: <its message>`, without a traceback. Everything else is told in words too:

- a name the check needs that the kernel lacks (a fresh kernel, cells skipped): which cell to run;
- code that still raises NotImplementedError: not written yet, naming the piece;
- the latest run of the piece's cell failed (a SyntaxError): that, not the previous version's bug;
- any exception the learner's code raises: its type, message and the learner's line;
- a function that does not return within the check's time limit: stopped, naming where it was;
- a NameError inside the learner's code: a cell of this notebook not run yet, or a typo.
"""
import ast
import contextlib
import ctypes
import dis
import inspect
import io
import json
import re
import textwrap
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from course import notebooks

CHECKS_DIR = Path(__file__).resolve().parent
COURSE_DIR = CHECKS_DIR.parent
# Long enough for every check on a loaded machine (the slowest takes about 0.3 s), short enough
# that a loop that never ends is reported within a few seconds.
SECONDS = 5.0

# The registry: check name -> Check, filled once, when the check modules are imported
# (course/checks/__init__.py imports them all), and never changed after.
CHECKS = {}


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


class TookTooLong(BaseException):
    """Raised inside the learner's code when a check's time is up. A BaseException, so that an
    `except Exception:` in the learner's code cannot swallow it."""


@dataclass(frozen=True)
class Check:
    name: str          # what the notebook's one line passes: helpers.check("sigmoid")
    piece: str         # what the messages name: "sigmoid", "__init__", ...
    verified: str      # the ✓ line: what a pass has verified
    notebook: int      # the notebook whose cell calls it
    function: object   # the check itself; its parameters are the names it takes from the notebook
    seconds: float
    going_further: bool = False  # an optional task beyond the core course, not graded

    @property
    def needs(self):
        return tuple(inspect.signature(self.function).parameters)

    @property
    def of_the_model(self):
        """A check of a piece of LogisticModel alone, which later notebooks run again."""
        return self.needs == ("LogisticModel",)

    @property
    def source_file(self):
        return Path(inspect.getfile(self.function))


def check(piece, verified, seconds=SECONDS, going_further=False):
    """Register the decorated function as the check of `piece`, under the function's name.
    `going_further=True` marks the check of an optional task, which progress() counts apart."""
    def register(function):
        module = function.__module__.rpartition(".")[2]  # nb06
        CHECKS[function.__name__] = Check(function.__name__, piece, verified, int(module[2:]),
                                          function, seconds, going_further)
        return function
    return register


def notebook_globals_read(function, keep):
    """The names of the notebook's globals that the learner's `function` reads instead of its
    arguments (or self), among those whose value `keep(name, value)` accepts: a check uses it to
    tell "reads the notebook's train_labels" or "uses the notebook's model" in words."""
    code = getattr(function, "__code__", None)
    if code is None:
        return []
    return sorted({step.argval for step in dis.get_instructions(code) if step.opname == "LOAD_GLOBAL"
                   and keep(step.argval, function.__globals__.get(step.argval))})


def notebook_arrays_read(function):
    """The names of the notebook's NumPy arrays (X_train, train_labels, ...) `function` reads."""
    return notebook_globals_read(function, lambda name, value: isinstance(value, np.ndarray))


# ---------------------------------------------------------------------------------------------
# Running a check
# ---------------------------------------------------------------------------------------------

def run(name, namespace, alone=False):
    """Run the check `name` on what `namespace` (the kernel's globals) holds; print its ✓ line,
    or raise CheckFailed with a message for the learner.

    `alone`: run by a later notebook on the model its saved cells built (check_earlier_exercises),
    where no cell of this notebook has run and nothing is printed.
    """
    found = CHECKS.get(name)
    if found is None:
        raise ValueError(f"there is no check named {name!r}; the checks are {', '.join(sorted(CHECKS))}")
    arguments = _arguments(found, namespace)
    if not alone:
        _latest_run_problem(found, namespace, arguments)
    limit = {"fired": False}
    try:
        with _time_limit(found.seconds, limit):
            found.function(**arguments)
    except KeyboardInterrupt:  # the learner pressed the kernel's stop button
        raise
    except BaseException as error:  # noqa: BLE001 - every error becomes a message
        failure = _failure(found, error, alone, limit["fired"])
        if found.going_further and not alone and isinstance(failure, NotWrittenYet) \
                and failure.stub == found.piece:
            # an optional task left undone: said, without stopping "Run All" before the last cell
            print(f"· {found.piece}: not written yet. This task is optional; skip it or come back later.")
            return
        raise failure from None
    if not alone:
        print(f"✓ {found.piece}: {found.verified}")


def _failure(found, error, alone, timed_out):
    """The CheckFailed that tells the learner what `error`, raised while checking, means."""
    piece = found.piece
    if timed_out or isinstance(error, TookTooLong):
        # also when the learner's code caught the stop and went on: what followed is no answer
        return CheckFailed(_too_long_message(found, error), piece)
    if isinstance(error, CheckFailed):
        return error
    if isinstance(error, NotImplementedError):
        return _not_written(piece, error)
    if isinstance(error, NameError):
        return CheckFailed(_name_error_message(found, error, alone), piece)
    if isinstance(error, AssertionError) and _raised_by_the_check(error):
        return CheckFailed(f"✗ {piece}: {error}", piece)
    if isinstance(error, FloatingPointError):
        return CheckFailed(
            f"✗ {piece}: NumPy, told to raise on overflow, division by zero and invalid values "
            f"for this check, raised '{error}' ({_where(error)}). A formula that computes "
            f"e^(large) or log(0) breaks on extreme inputs: use a form that never does.", piece)
    if isinstance(error, ValueError) and "read-only" in str(error):
        return CheckFailed(
            f"✗ {piece}: it writes into an array it was given ({_where(error)}). The caller's "
            f"arrays must stay as they were: compute a new array instead of changing one in "
            f"place (`-=`, `+=`, `array[...] = ...`).", piece)
    return CheckFailed(_raised_message(piece, error), piece)


def _arguments(found, namespace):
    """The values of the names the check takes from the notebook, or a message saying which
    cell to run first (a fresh kernel, a check run before the cells above it)."""
    missing = [name for name in found.needs if name not in namespace]
    if missing and _own_cell_is_a_stub(found):  # an exercise of values (z_train = ...) not written
        raise NotWrittenYet(
            f"✗ {found.piece} is not written yet: fill in its cell above (it still says "
            f"`raise NotImplementedError()`), run that cell, then run this check again.", found.piece)
    if missing:
        raise CheckFailed(_run_first_message(found, missing), found.piece)
    arguments = {name: namespace[name] for name in found.needs}
    model = arguments.get("LogisticModel")
    if isinstance(model, type) and found.piece != "__init__" and "LogisticModel" in found.needs \
            and found.of_the_model and not hasattr(model, found.piece):
        cell = _defining_cell(found, found.piece)
        raise CheckFailed(
            f"✗ {found.piece} could not be checked: LogisticModel has no {found.piece} yet in this "
            f"kernel. Run {cell or 'the cell above that writes it'} first (it adds {found.piece} to "
            f"the model), then this check.", found.piece)
    return arguments


def _own_cell_is_a_stub(found):
    """Whether the exercise's own cell (its nbgrader id is the check's name), as saved, still
    raises NotImplementedError."""
    try:
        path = notebooks.notebooks_folder() / notebooks.COURSE_NOTEBOOKS[found.notebook - 1]
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return any(((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id") == found.name
               and "raise NotImplementedError" in notebooks._joined(cell.get("source", ""))
               for cell in cells if isinstance(cell, dict))


def _run_first_message(found, missing):
    cells = [(name, _defining_cell(found, name)) for name in missing]
    told = "; ".join(f"`{name}` comes from {cell}" for name, cell in cells if cell)
    return (f"✗ {found.piece} could not be checked: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not defined in this kernel yet (a fresh kernel, "
            f"or cells above not run). Run the cells above this one first (Run > Run All Above "
            f"Selected Cell)" + (f": {told}." if told else "."))


def _defining_cell(found, name):
    """'the cell with `def scores(self, X):`': the cell above the check's own, in its saved
    notebook, that defines `name` (a def, a class, an assignment, an import, or
    LogisticModel.name = ...), or None."""
    try:
        path = notebooks.notebooks_folder() / notebooks.COURSE_NOTEBOOKS[found.notebook - 1]
        code_cells = notebooks._code_cells(path)
    except (OSError, ValueError):
        return None
    own_line = f'helpers.check("{found.name}")'
    above = []
    for cell in code_cells:
        if own_line in cell[2]:
            break
        above.append(cell)
    for _, _, source in reversed(above):  # the nearest one is the one that counts
        line = _names_defined(source).get(name)
        if line is not None:
            cell = f"the cell with `{notebooks._first_line(source)}`"
            return cell if name in notebooks._first_line(source) else f"{cell} (its line `{line}`)"
    return None


def _names_defined(source):
    """{name: its defining line, shortened} for the names a cell's top level defines, attributes
    set on LogisticModel included."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    lines = source.splitlines()
    names = {}

    def add(name, node):
        line = lines[node.lineno - 1].strip()
        names.setdefault(name, line if len(line) <= 60 else line[:57] + "...")

    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            add(node.name, node)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                add((alias.asname or alias.name).split(".")[0], node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for part in ast.walk(target):
                    if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Store):
                        add(part.id, node)
                    elif isinstance(part, ast.Attribute) and isinstance(part.value, ast.Name) \
                            and part.value.id == "LogisticModel":
                        add(part.attr, node)
    return names


# ---------------------------------------------------------------------------------------------
# The latest run of the piece's cell
# ---------------------------------------------------------------------------------------------

def _latest_run_problem(found, namespace, arguments):
    """Stop, with a message, when the latest cell that defines the piece did not run to its end:
    the kernel still holds an earlier version, and judging that one would mislead."""
    history = namespace.get("_ih")  # IPython's inputs, this check cell last
    if not isinstance(history, list) or len(history) < 2:
        return
    name = found.piece
    pattern = re.compile(rf"^\s*def {re.escape(name)}\s*\(", re.M)
    # The latest cell that defines the piece, or attaches it under its name (a function written
    # under another name and attached as LogisticModel.sigmoid = ...): only the first is judged.
    attaches = re.compile(rf"^\s*(def {re.escape(name)}\s*\(|LogisticModel\.{re.escape(name)}\s*=|"
                          rf"{re.escape(name)}\s*=)", re.M)
    latest = next((source for source in reversed(history[:-1])
                   if isinstance(source, str) and attaches.search(source)), None)
    if latest is None or not pattern.search(latest):
        return
    try:
        tree = ast.parse(latest)
    except SyntaxError as error:
        raise CheckFailed(
            f"✗ {name} could not be checked: the latest run of the cell with "
            f"`{notebooks._first_line(latest)}` stopped at {notebooks._a_or_an(type(error).__name__)} (line "
            f"{error.lineno}: {error.msg}), so the kernel still holds an earlier version of {name}. "
            f"Correct that cell and run it, then this check.", name) from None
    written = next((node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                    and node.name == name), None)
    current = _current_function(found, namespace, arguments)
    if written is None or current is None:
        return
    try:
        held = inspect.getsource(current)
    except (OSError, TypeError):
        return
    if _same_code(held, ast.get_source_segment(latest, written) or ""):
        return
    raise CheckFailed(
        f"✗ {name} could not be checked: the latest run of the cell with "
        f"`{notebooks._first_line(latest)}` did not finish (an error stopped it before {name} was "
        f"attached), so the kernel still holds an earlier version of {name}. Run that cell again "
        f"until it finishes without an error, then this check.", name)


def _current_function(found, namespace, arguments):
    """The function the kernel holds for the piece: the model's method, or the notebook's function."""
    model = arguments.get("LogisticModel")
    if isinstance(model, type) and found.of_the_model:
        try:
            held = inspect.getattr_static(model, found.piece)
        except AttributeError:
            return None
        return getattr(held, "__func__", held)
    held = namespace.get(found.piece)
    return held if inspect.isfunction(held) else None


def _same_code(one, other):
    """Whether two sources of a function are the same code: compared as syntax trees, so that
    comments, blank lines and indentation do not count."""
    def tree(text):
        try:
            return ast.dump(ast.parse(textwrap.dedent(text)))
        except SyntaxError:
            return None
    first = tree(one)
    return first is not None and first == tree(other)


# ---------------------------------------------------------------------------------------------
# A time limit on the learner's code
# ---------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _time_limit(seconds, limit):
    """Raise TookTooLong in this thread once `seconds` have passed; `limit["fired"]` says it did.

    A timer thread asks the interpreter to raise the exception in this thread
    (PyThreadState_SetAsyncExc): it works in CPython on Linux, macOS and Windows, inside
    JupyterLab's kernel, nbgrader and pytest alike, and stops any Python loop, again every 0.2 s
    while the block runs (code that catches one and goes on meets the next one, in its own code
    or the check's). One NumPy call or time.sleep that runs longer is stopped when it returns.
    Two cases it cannot stop: a loop whose body catches every exception (`while True:` around
    `try: ... except: continue`) catches each one, and other Pythons (PyPy) have no such call, so
    the check runs without a time limit there. The kernel's stop button (■) ends both.

    (A trace function cannot do better: CPython unsets it once it raises, and in CPython 3.11 a
    trace function and an exception raised by this call together hang the next traced call.)
    """
    set_async_exc = getattr(getattr(ctypes, "pythonapi", None), "PyThreadState_SetAsyncExc", None)
    if set_async_exc is None:  # not CPython (PyPy, for one): no time limit rather than no check
        yield
        return
    target = threading.get_ident()
    guard = threading.Lock()
    finished = threading.Event()
    state = {"running": True, "fired": False}

    def stop():
        # Raise again every 0.2 s until the block ends: learner code with a bare `except:` may
        # catch the first one and loop on.
        while not finished.wait(seconds if not state["fired"] else 0.2):
            with guard:
                if not state["running"]:
                    return
                set_async_exc(ctypes.c_ulong(target), ctypes.py_object(TookTooLong))
                state["fired"] = limit["fired"] = True

    timer = threading.Thread(target=stop, daemon=True)
    timer.start()
    try:
        yield
    finally:
        with guard:
            state["running"] = False
            if state["fired"]:  # one not delivered yet (the code ended meanwhile): take it back
                set_async_exc(ctypes.c_ulong(target), None)
        finished.set()


def _too_long_message(found, error):
    frames = _learner_frames(error)
    line = (frames[-1].line or "").strip() if frames else ""
    where = (f" It was stopped at `{line}`, in {frames[-1].name}." if line else
             f" It was stopped in {frames[-1].name}." if frames else "")
    if not isinstance(error, TookTooLong):  # the stop was caught, and the code went on
        where = (" It went on after the check stopped it: an `except:` (or `except BaseException:`) "
                 "catches even that; catch only the exceptions you expect.")
    return (f"✗ {found.piece}: it did not return within {found.seconds:g} s on the check's small "
            f"input, so the check stopped it.{where} A loop whose condition never becomes false "
            f"(`while True:` without a `break` or `return`), or a function that calls itself "
            f"without end?")


# ---------------------------------------------------------------------------------------------
# Messages for errors the learner's code raised
# ---------------------------------------------------------------------------------------------

def _is_course_file(filename):
    return filename.startswith(str(COURSE_DIR))


def _learner_frames(error):
    """The traceback's frames in the learner's code: not NumPy's, nor any installed package's,
    nor the course's own modules."""
    return [frame for frame in traceback.extract_tb(error.__traceback__)
            if "site-packages" not in frame.filename and "/numpy/" not in frame.filename
            and "\\numpy\\" not in frame.filename and not _is_course_file(frame.filename)
            and not frame.filename.startswith("<frozen")]


def _raised_by_the_check(error):
    """Whether a failed assert is the check's own (rather than one in the learner's code)."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and frames[-1].filename.startswith(str(CHECKS_DIR))


def _where(error):
    """'at `line`, in function': the deepest line of the learner's code that raised."""
    frames = _learner_frames(error)
    if not frames:
        return "in NumPy, on what the piece returned"
    frame = frames[-1]
    line = (frame.line or "").strip()
    return f"at `{line}`, in {frame.name}" if line else f"in {frame.name}"


def _raised_message(piece, error):
    if not _learner_frames(error):  # raised by the check, on what the learner's code returned
        return (f"✗ {piece}: the check could not use what it returned ({type(error).__name__}: "
                f"{error}). Compare the type and shape it returns with what the exercise asks for "
                f"(print them to see).")
    kind = type(error).__name__
    hint = {"RecursionError": " A function that calls itself without end, or a method that calls "
                              "itself instead of the piece it builds on?",
            "AttributeError": " A misspelt name? Every attribute and method must exist with "
                              "exactly that spelling (print dir(...) of the object to see its names).",
            "KeyError": " A key that this dictionary does not have: print its keys to see.",
            "SystemExit": " exit() and sys.exit() end the kernel's work: return a value instead."}
    if kind == "AttributeError" and "'LogisticModel' object" in str(error):
        hint[kind] += " The model's own values are self.w and self.b."
    return (f"✗ {piece}: on the check's input it raised {kind}: {error}, {_where(error)}."
            + hint.get(kind, " Check the shapes and types on that line against the exercise's "
                             "formula (print them to see)."))


def _name_error_message(found, error, alone):
    """A name the learner's code uses: a cell of this notebook not run yet, or a typo."""
    name = getattr(error, "name", None) or (re.findall(r"'(\w+)'", str(error)) or ["?"])[0]
    where = _where(error)
    if alone:  # a later notebook: only the cells tagged `model` ran
        return (f"✗ {found.piece}: {error}, {where}. When a later notebook builds the model, only "
                f"the cells tagged 'model' run: what a piece uses (a function of your own, an "
                f"import) must be in one of them.")
    cell = _defining_cell(found, name)
    if cell:
        return (f"✗ {found.piece}: {error}, {where}. `{name}` comes from {cell} in this notebook, "
                f"which has not run in this kernel: run the cells above (Run > Run All Above "
                f"Selected Cell), then this check.")
    return (f"✗ {found.piece}: {error}, {where}. A typo, or a variable of the notebook that the "
            f"function should take as an argument (or from self)?")


def _not_written(piece, error):
    """NotWrittenYet for the piece that still raises NotImplementedError: the one checked, or
    one it calls (named, with its notebook)."""
    frames = traceback.extract_tb(error.__traceback__)
    stub = frames[-1].name if frames else piece
    if stub in (piece, "<module>") or stub.startswith("<") or _is_course_file(frames[-1].filename):
        return NotWrittenYet(
            f"✗ {piece} is not written yet: fill in its cell above (it still says "
            f"`raise NotImplementedError()`), run that cell, then run this check again.", piece)
    home = notebook_of(stub)
    where = f" in {home}" if home else ""
    return NotWrittenYet(
        f"✗ {piece} could not be checked: it calls {stub}, which is not written yet{where}. "
        f"Write {stub} first, save that notebook, then run this check again.", piece, stub)


def notebook_of(piece):
    """The model notebook that writes `piece` (`__init__` is notebook 5's), or None."""
    return next((notebooks.MODEL_NOTEBOOKS[number] for number, pieces in notebooks.MODEL_PIECES.items()
                 if piece in pieces or (piece == "__init__" and number == 5)), None)


# ---------------------------------------------------------------------------------------------
# The earlier notebooks' checks, run again by a later notebook
# ---------------------------------------------------------------------------------------------

# A cache, the other piece of state: the modules of the classes (one per build of the saved
# notebooks) whose earlier checks all passed, so that a notebook's first cell, run again, does
# not check again what has not changed. A changed notebook builds a new class, checked anew.
_passed = set()


def check_earlier_exercises(model_class):
    """Stop, with one message, unless notebooks 5..N (those `model_class` was built from) are
    finished: every piece written and every check of the model's pieces passing.

    Each check runs on `model_class` alone, as nbgrader runs it. Call it right after
    `model_from_notebooks`, in the first cell of a notebook: the learner learns at once which
    earlier exercise to finish, instead of meeting a broken piece later.
    """
    folder, through = getattr(model_class, "notebooks_dir", None), getattr(model_class, "through", None)
    if folder is None or through is None:
        raise TypeError(f"check_earlier_exercises needs the class from helpers.model_from_notebooks, "
                        f"got {model_class!r}")
    if model_class.__module__ in _passed:
        return
    for found in model_checks(through):
        name = notebooks.COURSE_NOTEBOOKS[found.notebook - 1]
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                run(found.name, {"LogisticModel": model_class}, alone=True)
        except NotWrittenYet as failure:
            home = notebook_of(failure.stub) or name
            raise CheckFailed(
                f"✗ Finish {home} first: {failure.stub} is not written yet.\n"
                f"Open {home} (in {folder}), write it, save the notebook, then run this cell "
                f"again.", failure.piece) from None
        except CheckFailed as failure:
            raise CheckFailed(
                f"✗ Finish {name} first: its check of {failure.piece} fails.\n{failure}\n"
                f"Open {name} (in {folder}), correct {failure.piece}, save the notebook, then "
                f"run this cell again.", failure.piece) from None
    _passed.add(model_class.__module__)


def model_checks(through=max(notebooks.MODEL_NOTEBOOKS)):
    """The checks of the model's pieces in notebooks 5..`through`, in the course's order."""
    return [found for found in CHECKS.values() if found.of_the_model and found.notebook <= through]
