"""Where a learner stands: every exercise of the course, judged from the saved notebooks.

`show()` (helpers.progress(), the last cell of every notebook) prints one line per exercise:
✓ done, ✗ failing with the first line of its check's message, or · not written yet, and the
totals, the optional going-further tasks apart. Nothing is trained and no notebook is run:
the model's pieces are built from the saved cells tagged `model` (as a later notebook builds
them), the other exercises' cells are read for their imports and definitions alone, and each
check runs on what they define, as it does in its notebook. An exercise that computes values
from the notebook's data (`z_train = ...`) is judged by what its check cell printed when the
notebook was last run and saved.
"""
import ast
import contextlib
import inspect
import io
import json
import textwrap
from dataclasses import dataclass

from course import notebooks
from course.checks.framework import CHECKS, CheckFailed, NotWrittenYet, run

DONE, FAILING, NOT_WRITTEN = "✓", "✗", "·"
# Modules an exercise never needs and that take long to import.
SLOW_IMPORTS = ("matplotlib", "tensorflow", "tensorflow_datasets")
LONGEST_LINE = 110
SHUT_DOWN_REMINDER = ("Save this notebook (Ctrl+S), then File ▸ Close and Shut Down Notebook: closing "
                      "the tab alone leaves its kernel running, holding memory.")


@dataclass(frozen=True)
class Status:
    name: str           # the check's name, as its cell calls it: helpers.check("sigmoid")
    notebook: int
    mark: str           # DONE, FAILING or NOT_WRITTEN
    message: str        # for FAILING, the first line of the check's message
    going_further: bool
    saved: object = None  # the function judged, as the saved notebook defines it


def statuses(notebooks_dir=None):
    """(folder, [Status of every exercise, in the course's order]) for the saved notebooks in
    `notebooks_dir` (by default the folder helpers.notebooks_folder() chooses)."""
    folder = notebooks.notebooks_folder(notebooks_dir)
    read = {}  # notebook number -> its exercise cells, or the problem reading it
    return folder, [_status(found, folder, read) for found in CHECKS.values()]


def show(notebooks_dir=None, kernel=None):
    """Print where the learner stands, then the reminder to save and shut the kernel down.
    `kernel`, the calling notebook's names: an exercise whose code there differs from the saved
    notebook's is named first, since the view judges the saved code."""
    folder, found = statuses(notebooks_dir)
    unsaved = [status.name for status in found if _differs(status, kernel or {})]
    lines = [f"⚠ Not saved yet: {', '.join(unsaved)} in this notebook differ{'s' if len(unsaved) == 1 else ''} "
             f"from the saved file, which is what this view judges. Save (Ctrl+S), then run this cell "
             f"again."] if unsaved else []
    print("\n".join(lines + [report(folder, found)] + before_handing_in(folder)))


def before_handing_in(folder):
    """What a grader would have to work around in the folder (course/grading/submission.py):
    renamed copies, lost or copied exercise and check cells, each in a sentence."""
    from course.grading.submission import problems
    found = problems(folder)
    return ["Before you hand in:", *(f"  ⚠ {problem}" for problem in found)] if found else []


def _differs(status, kernel):
    """Whether the kernel holds another version of the exercise's function than the saved one."""
    found = CHECKS[status.name]
    if found.of_the_model:
        model = kernel.get("LogisticModel")
        mine = getattr(model, found.piece, None) if isinstance(model, type) else None
    else:
        mine = kernel.get(found.name)
    if mine is None or status.saved is None:
        return False
    kernel_code, saved_code = _syntax(mine), _syntax(status.saved)
    return None not in (kernel_code, saved_code) and kernel_code != saved_code


def _syntax(function):
    """The function's code as a syntax tree (its formatting and comments aside), or None when
    its source cannot be read."""
    function = getattr(function, "__func__", function)  # a staticmethod's function
    try:
        return ast.dump(ast.parse(textwrap.dedent(inspect.getsource(function))))
    except (OSError, TypeError, SyntaxError):
        return None


def report(folder, found):
    core = [status for status in found if not status.going_further]
    further = [status for status in found if status.going_further]
    lines = [f"Your progress, from the notebooks saved in {folder.name}/: "
             f"{_count(core)} of {len(core)} exercises done."]
    lines += _table(core)
    if further:
        lines += ["", f"Going further (optional, not graded): {_count(further)} of {len(further)} done."]
        lines += _table(further)
    lines += ["", f"{DONE} done   {FAILING} its check fails (run it in its notebook for the whole "
                  f"message)   {NOT_WRITTEN} not written yet", SHUT_DOWN_REMINDER]
    return "\n".join(lines)


def _count(found):
    return sum(status.mark == DONE for status in found)


def _table(found):
    lines, shown = [], None
    for status in found:
        title = notebooks.COURSE_NOTEBOOKS[status.notebook - 1].removesuffix(".ipynb")
        label = title.replace("_", " ") if status.notebook != shown else ""
        shown = status.notebook
        text = f"{status.mark} {status.name}"
        if status.mark == FAILING:
            # most messages begin with the piece's name: "sigmoid could not be checked: ..."
            said = status.message.split(":")[0].split()
            text = f"{status.mark} {status.message}" if status.name in said[:1] else f"{text}: {status.message}"
        elif status.mark == NOT_WRITTEN:
            text += ": not written yet"
        lines.append(f"  {label:24}{_shortened(text)}")
    return lines


def _shortened(text):
    if len(text) <= LONGEST_LINE:
        return text
    return text[:LONGEST_LINE - 1].rsplit(" ", 1)[0] + " …"


def _status(found, folder, read):
    namespace = {}

    def status(mark, message=""):
        return Status(found.name, found.notebook, mark, message, found.going_further,
                      _judged(found, namespace))

    try:
        namespace.update(_namespace(found, folder, read))
        if any(name not in namespace for name in found.needs):
            # the check reads values the notebook computes from its data (z_train, ...): judged
            # by what its check cell printed when the notebook was last run and saved
            return status(*_as_last_run(found, folder, read))
        if _still_a_stub(found, namespace):
            return status(NOT_WRITTEN)
        with contextlib.redirect_stdout(io.StringIO()):
            run(found.name, namespace, alone=True)
    except NotWrittenYet as failure:
        if failure.stub in (found.piece, found.name):
            return status(NOT_WRITTEN)
        return status(FAILING, _first_line(str(failure)))
    except (CheckFailed, notebooks.NotebookProblem) as failure:
        # the notebook's name is enough here: the folder is named in the first line of the view
        return status(FAILING, _first_line(str(failure).replace(f"{folder}/", "")))
    return status(DONE)


def _as_last_run(found, folder, read):
    """(mark, message) from the saved output of the exercise's check cell."""
    number, source = read[found.notebook][1][found.name]
    if "raise NotImplementedError" in source:
        return NOT_WRITTEN, ""
    outputs = read[found.notebook][2].get(f"check_{found.name}", [])
    printed = "".join(notebooks._joined(output.get("text", "")) for output in outputs
                      if output.get("output_type") == "stream")
    errors = [output for output in outputs if output.get("output_type") == "error"]
    if errors:
        return FAILING, _first_line(str(errors[0].get("evalue", ""))) + " (as last run)"
    if f"{DONE} " in printed:
        return DONE, ""
    return FAILING, "not checked since the last save: run its check cell, then save (Ctrl+S)"


def _judged(found, namespace):
    """The exercise's function, as the saved notebook defines it (None if it could not be built)."""
    if found.of_the_model:
        return getattr(namespace.get("LogisticModel"), found.piece, None)
    return namespace.get(found.name)


def _still_a_stub(found, namespace):
    """Whether the exercise's own function still raises NotImplementedError, as released: then
    it is not written yet, whatever the pieces it calls."""
    code = getattr(_judged(found, namespace), "__code__", None)
    return code is not None and "NotImplementedError" in code.co_names


def _first_line(message):
    line = next((line for line in message.splitlines() if line.strip()), "")
    return line.strip().removeprefix(FAILING).strip()


def _namespace(found, folder, read):
    """What the check takes from its notebook, rebuilt from the saved files: the model of the
    notebooks up to this one, and the definitions of the exercise's own cell."""
    namespace = {}
    if "LogisticModel" in found.needs:
        through = min(found.notebook, max(notebooks.MODEL_NOTEBOOKS))
        namespace["LogisticModel"] = notebooks.model_from_notebooks(through, folder)
    if found.of_the_model:
        return namespace
    if found.notebook not in read:
        read[found.notebook] = _exercise_cells(folder / notebooks.COURSE_NOTEBOOKS[found.notebook - 1])
    imports, cells, _ = read[found.notebook]
    path = folder / notebooks.COURSE_NOTEBOOKS[found.notebook - 1]
    if found.name not in cells:
        raise CheckFailed(f"{path.name} has no cell for {found.name} (its nbgrader id, "
                          f"'{found.name}', is gone: was the cell deleted or replaced?)", found.piece)
    number, source = cells[found.name]
    definitions = _definitions(source)
    notebooks._run_cells([(0, imports)] if imports else [], path, namespace)
    notebooks._run_cells([(number, definitions)], path, namespace)
    return namespace


def _exercise_cells(path):
    """(the notebook's imports, {grade id: (cell number, source)} of its solution cells,
    {grade id: saved outputs} of its check cells)."""
    code_cells = notebooks._code_cells(path)  # a missing or broken file: its NotebookProblem
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    exercises, outputs = {}, {}
    for number, cell in enumerate(cells, start=1):
        grading = (cell.get("metadata") or {}).get("nbgrader") or {}
        if cell.get("cell_type") != "code" or not grading.get("grade_id"):
            continue
        if grading.get("solution"):
            exercises[grading["grade_id"]] = (number, notebooks._joined(cell.get("source", "")))
        elif str(grading["grade_id"]).startswith("check_"):
            outputs[grading["grade_id"]] = cell.get("outputs") or []
    imports = "\n".join(line for _, _, source in code_cells for line in _imports(source))
    return imports, exercises, outputs


def _imports(source):
    """The top-level import statements of a cell, but for the slow modules no exercise needs."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    statements = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if not any(name.split(".")[0] in SLOW_IMPORTS for name in names):
            statements.append(ast.unparse(node))
    return statements


def _definitions(source):
    """The cell's imports, functions and classes, without what it runs (training, printing):
    what a check needs, quickly. A cell that does not compile is returned as it is, so that
    running it reports the SyntaxError."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    kept = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    lines = source.splitlines(True)
    # Keep the definitions at their own lines, so that a traceback points at the learner's line.
    keep = set()
    for node in tree.body:
        if isinstance(node, kept):
            start = min([node.lineno] + [decorator.lineno for decorator in getattr(node, "decorator_list", [])])
            keep.update(range(start, node.end_lineno + 1))
    return "".join(line if number in keep else "\n" for number, line in enumerate(lines, start=1))
