"""The exercise edition and its checks: generated, complete, and honest about the learner's code.

The checks of the model's pieces (cells tagged `check` in notebooks 5-10) are run here in-process,
exactly as `helpers.check_earlier_exercises` runs them: alone, with only `np`, `helpers` and
`LogisticModel`. A check cell passes or fails here exactly as nbgrader grades it (a graded cell
that raises scores 0), so the planted mistakes below prove what a submission would score.
tests/test_grading.py runs nbgrader itself.
"""
import ast
import contextlib
import copy
import dataclasses
import importlib.util
import io
import json
import re
import shutil
import types
from pathlib import Path

import pytest

import helpers
from course import checks
from notebook_edits import edit_graded_cell

ROOT = helpers.ROOT
NOTEBOOKS = ROOT / "notebooks"
EXERCISES = ROOT / "exercises"
MISTAKES_DIR = Path(__file__).parent / "mistakes"
MODEL_NUMBERS = tuple(helpers.MODEL_NOTEBOOKS)  # 5..10
# The model's mathematics: in the exercise edition each of these is the learner's to write.
MATHEMATICS = ("__init__", "scores", "sigmoid", "forward", "binary_cross_entropy", "loss",
               "backward", "update", "predict", "accuracy_and_loss", "evaluate", "train")
# Fragments of the model's formulas that no pre-written code cell of notebooks 5-10 may hold.
FORMULA_FRAGMENTS = (r"np\.exp\(-", r"logaddexp", r"\.T\s*@", r"\bX\w*\s*@\s*\w*\.?w\b",
                     r"learning_rate\s*\*\s*d[wb]", r"y_hat\s*-\s*y\b", r"\.normal\(")


def load_tool(name):
    """tools/<name>.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def grading(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def is_solution(cell):
    return bool(grading(cell).get("solution"))


def is_going_further(cell):
    return "going-further" in cell["metadata"].get("tags", [])


def is_graded_check(cell):
    return bool(grading(cell).get("grade")) and cell["cell_type"] == "code"


def notebook_path(folder, number):
    return folder / helpers.COURSE_NOTEBOOKS[number - 1]


def model_checks(number):
    """The grade ids of the checks of the model's pieces in notebook `number` (5..10)."""
    return [f"check_{found.name}" for found in checks.model_checks() if found.notebook == number]


def run_all_model_checks(folder):
    """{grade_id: None if passed, else the CheckFailed} for every check of notebooks 5-10, each
    run alone on the model the saved notebooks in `folder` build, as check_earlier_exercises
    (and nbgrader, cell by cell) runs it."""
    model_class = helpers.model_from_notebooks(through=10, notebooks_dir=folder)
    results = {}
    for found in checks.model_checks():
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                checks.run(found.name, {"LogisticModel": model_class})
            results[f"check_{found.name}"] = None
        except helpers.CheckFailed as failure:
            results[f"check_{found.name}"] = failure
    return results


def load_mistakes():
    mistakes = []
    for path in sorted(MISTAKES_DIR.glob("nb*.py")):
        number = int(path.stem[2:])
        namespace = {}
        exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
        mistakes += [dict(mistake, number=number) for mistake in namespace["MISTAKES"]]
    return mistakes


MISTAKES = load_mistakes()
MODEL_CHECKS = {grade_id for number in MODEL_NUMBERS for grade_id in model_checks(number)}
# Mistakes in the model's pieces, whose checks (tagged `check`) run on their own ...
MODEL_MISTAKES = [mistake for mistake in MISTAKES if mistake["check"] in MODEL_CHECKS]
# ... and the others (notebooks 2-4, 11, 12, the training step of 10), checked within their notebook.
NOTEBOOK_MISTAKES = [mistake for mistake in MISTAKES if mistake["check"] not in MODEL_CHECKS]


def plant(folder, mistake):
    """Make the mistake in the solution cell `mistake["cell"]` of its notebook in `folder`."""
    def change(cell):
        text = source(cell)
        assert text.count(mistake["old"]) == 1, \
            f"cell {mistake['cell']}: {mistake['old']!r} must occur exactly once"
        return text.replace(mistake["old"], mistake["new"])
    edit_graded_cell(notebook_path(folder, mistake["number"]), mistake["cell"], change)


@pytest.fixture
def short_time_limits(monkeypatch):
    """A planted loop that never ends is stopped after 1 s instead of 5: the limit itself is
    tested in tests/test_check_framework.py; here, that the message names the loop (every
    check of the worked edition takes milliseconds)."""
    for name, found in checks.CHECKS.items():
        monkeypatch.setitem(checks.CHECKS, name, dataclasses.replace(found, seconds=1.0))


@pytest.fixture
def notebooks_copy(tmp_path):
    copy = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return copy


# ---- The exercise edition is generated, and up to date -----------------------------------------

def test_exercise_edition_is_what_the_script_builds_from_the_worked_edition():
    stale = load_tool("build_exercises").stale_files(EXERCISES)
    assert not stale, (f"exercises/ is stale ({', '.join(stale)}): run "
                       f"`python tools/build_exercises.py` and commit the result")


def test_the_staleness_check_notices_a_hand_edit(tmp_path):
    copy = tmp_path / "exercises"
    shutil.copytree(EXERCISES, copy)
    path = copy / "06_forward_pass.ipynb"
    path.write_text(path.read_text(encoding="utf-8").replace("YOUR CODE HERE", "my code", 1),
                    encoding="utf-8")
    assert load_tool("build_exercises").stale_files(copy) == ["06_forward_pass.ipynb"]


# ---- What the learner finds in each notebook ---------------------------------------------------

@pytest.mark.parametrize("number", range(2, 13))
def test_every_notebook_has_an_exercise_a_check_and_a_concept_question(number):
    worked = cells(notebook_path(NOTEBOOKS, number))
    exercise = cells(notebook_path(EXERCISES, number))
    solutions = [i for i, cell in enumerate(worked) if is_solution(cell)]
    assert solutions, f"notebook {number} has no exercise (no cell with nbgrader solution metadata)"
    for i in solutions:
        following = [cell for cell in worked[i + 1:] if cell["cell_type"] == "code"
                     and not is_solution(cell)]
        if not is_going_further(worked[i]):
            assert following and is_graded_check(following[0]), (
                f"notebook {number}: the exercise in cell {i + 1} must be followed by its check")
        elif grading(worked[i])["grade_id"] in checks.CHECKS:  # an optional task's function
            assert following and grading(following[0]).get("grade_id") == f"check_{grading(worked[i])['grade_id']}", (
                f"notebook {number}: the optional task in cell {i + 1} must be followed by its check")
    for cell in worked:
        if is_graded_check(cell):
            assert grading(cell)["locked"] and grading(cell)["points"] > 0, grading(cell)
            assert "helpers.check(" in source(cell), \
                f"notebook {number}: check {grading(cell)['grade_id']} must use helpers.check"
    for i in solutions:  # the exercise edition keeps the frame and leaves the idea to the learner
        # (an optional task's demonstration is left as a comment: it must not stop "Run All")
        stub = "raise NotImplementedError()" if not is_going_further(worked[i]) or \
            grading(worked[i])["grade_id"] in checks.CHECKS else "# (optional)"
        assert stub in source(exercise[i]), (number, i + 1, source(exercise[i]))
        assert "BEGIN SOLUTION" not in source(exercise[i])
    questions = [cell for cell in worked if cell["cell_type"] == "markdown"
                 and re.search(r"<details>\s*<summary>\s*Answer", source(cell))]
    assert questions, f"notebook {number} has no concept question with a collapsed answer"
    assert all(not cell.get("outputs") for cell in exercise if cell["cell_type"] == "code")


def test_grade_ids_are_unique_and_solution_markers_only_in_solution_cells():
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        ids = [grading(cell)["grade_id"] for cell in cells(path) if grading(cell)]
        assert len(ids) == len(set(ids)), f"{path.name}: repeated grade_id in {ids}"
        for cell in cells(path):
            if "### BEGIN SOLUTION" in source(cell):
                assert is_solution(cell), f"{path.name}: markers in a cell without solution metadata"


@pytest.mark.parametrize("number", MODEL_NUMBERS)
def test_model_notebooks_leave_no_line_of_mathematics_prewritten(number):
    exercise = cells(notebook_path(EXERCISES, number))
    for cell in exercise:
        if cell["cell_type"] != "code" or is_graded_check(cell):
            continue
        text = source(cell)
        for fragment in FORMULA_FRAGMENTS:
            assert not re.search(fragment, text), \
                f"exercises, notebook {number}: pre-written formula {fragment!r} in:\n{text}"
        if "model" not in cell["metadata"].get("tags", []):
            continue
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef) and node.name in MATHEMATICS:
                body = ast.get_source_segment(text, node)
                assert "raise NotImplementedError()" in body, \
                    f"exercises, notebook {number}: {node.name} is pre-written:\n{body}"
                calls = {call.func.attr for call in ast.walk(node) if isinstance(call, ast.Call)
                         and isinstance(call.func, ast.Attribute)}
                assert not calls & {"forward", "backward", "update", "scores", "sigmoid",
                                    "binary_cross_entropy", "normal"}, \
                    f"exercises, notebook {number}: {node.name} still calls {calls}"
                arithmetic = [n for n in ast.walk(node) if isinstance(n, ast.BinOp)
                              and not isinstance(n.op, ast.Mod)]  # % formats text
                allowed = 2 if node.name == "train" else 0  # train's record rhythm: ceil(i / 50)
                assert len(arithmetic) <= allowed, (
                    f"exercises, notebook {number}: {node.name} keeps arithmetic: "
                    f"{[ast.get_source_segment(text, n) for n in arithmetic]}")


# ---- Checks: pass on the worked edition, say "not written yet" on the exercise edition ----------

def test_every_model_check_passes_on_the_worked_edition():
    results = run_all_model_checks(NOTEBOOKS)
    assert len(results) >= 6, results
    assert {grade_id: str(failure) for grade_id, failure in results.items() if failure} == {}


def test_every_model_check_says_not_written_yet_on_the_untouched_exercise_edition():
    results = run_all_model_checks(EXERCISES)
    for grade_id, failure in results.items():
        assert isinstance(failure, helpers.NotWrittenYet), (grade_id, failure)
        assert "not written yet" in str(failure), (grade_id, str(failure))


def test_a_later_notebook_stops_at_once_naming_the_unwritten_exercise():
    model_class = helpers.model_from_notebooks(through=8, notebooks_dir=EXERCISES)
    with pytest.raises(helpers.CheckFailed) as stop:
        helpers.check_earlier_exercises(model_class)
    message = str(stop.value)
    assert message.startswith("✗ Finish 05_create_model.ipynb first:"), message
    assert "not written yet" in message


def test_check_failures_show_their_message_not_a_traceback():
    worked = helpers.model_from_notebooks(through=6, notebooks_dir=NOTEBOOKS)
    flipped = type("LogisticModel", (worked,), {"sigmoid": staticmethod(lambda z: 1 - worked.sigmoid(z))})
    with pytest.raises(helpers.CheckFailed) as failure:
        checks.run("sigmoid", {"LogisticModel": flipped})
    message = str(failure.value)
    assert message.startswith("✗ sigmoid: for z = [0, ln 3, -ln 3] it returned [0.5"), message
    assert "sign is flipped" in message, message
    assert failure.value._render_traceback_() == message.splitlines()  # IPython shows only this
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        checks.run("sigmoid", {"LogisticModel": worked})
    assert printed.getvalue() == f"✓ sigmoid: {checks.CHECKS['sigmoid'].verified}\n"


# ---- Planted mistakes: caught where they are made, and only there --------------------------------

def test_there_are_planted_mistakes_for_every_notebook_with_exercises():
    counts = {number: sum(m["number"] == number for m in MISTAKES) for number in range(2, 13)}
    assert all(counts[number] >= (5 if number in MODEL_NUMBERS else 2) for number in counts), counts


def assert_caught(failure, mistake):
    """The check failed, as a mistake (not as "not written yet"), in words that name it."""
    assert failure is not None, f"{mistake['check']} passed with the mistake: {mistake['description']}"
    message = str(failure)
    assert not isinstance(failure, helpers.NotWrittenYet), message
    assert message.startswith(f"✗ {failure.piece}:"), message
    for word in mistake["words"]:
        assert word.lower() in message.lower(), f"{word!r} missing from: {message}"


@pytest.mark.parametrize("mistake", MODEL_MISTAKES, ids=lambda m: f"nb{m['number']:02}-{m['description']}")
def test_a_planted_mistake_is_caught_by_its_own_check_and_no_later_one(notebooks_copy, mistake,
                                                                     short_time_limits):
    plant(notebooks_copy, mistake)
    results = run_all_model_checks(notebooks_copy)
    assert_caught(results[mistake["check"]], mistake)
    owner = {grade_id: number for number in MODEL_NUMBERS for grade_id in model_checks(number)}
    punished_elsewhere = {grade_id: str(failure) for grade_id, failure in results.items()
                          if failure and owner[grade_id] != mistake["number"]}
    assert punished_elsewhere == {}, f"{mistake['description']} also fails other notebooks' checks"
    if mistake["number"] < max(MODEL_NUMBERS):  # and the next notebook stops, naming this one
        # what the first cell of the next notebook runs
        later = helpers.model_from_notebooks(through=mistake["number"], notebooks_dir=notebooks_copy)
        with pytest.raises(helpers.CheckFailed) as stop:
            helpers.check_earlier_exercises(later)
        name = helpers.COURSE_NOTEBOOKS[mistake["number"] - 1]
        assert str(stop.value).startswith(f"✗ Finish {name} first"), str(stop.value)


# ---- docs/teaching.md: what each check is worth -------------------------------------------------

def points_table():
    """docs/teaching.md's table of the checks and their points, from the worked edition's
    metadata."""
    rows = ["| Notebook | Checks (points) | Points |", "|---|---|---|"]
    total = 0
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        checks = [(grading(cell)["grade_id"], grading(cell)["points"])
                  for cell in cells(path) if is_graded_check(cell)]
        if checks:
            points = sum(points for _, points in checks)
            total += points
            named = ", ".join(f"`{grade_id}` ({points})" for grade_id, points in checks)
            rows.append(f"| `{path.stem}` | {named} | {points:g} |")
    rows.append(f"| **All** | | **{total:g}** |")
    return "\n".join(rows)


def test_teaching_page_says_what_each_check_is_worth():
    page = (ROOT / "docs" / "teaching.md").read_text(encoding="utf-8")
    assert points_table() in page, f"docs/teaching.md's table of points must read:\n{points_table()}"


_ran_before_the_mistake = {}  # (notebook, sources of the unchanged cells run) -> their namespace


def run_until_check(folder, number, grade_id):
    """Run notebook `number` of `folder` cell by cell, in-process, as far as the check `grade_id`;
    return its failure (None if it passed). The working directory must be `folder`.

    The cells before the first one that differs from the worked edition (the planted mistake)
    run once per notebook and test session: notebook 11's come with minutes of training, and
    each planted mistake starts from a deep copy of the namespace they left."""
    code_cells = [(index, cell) for index, cell in enumerate(cells(notebook_path(folder, number)))
                  if cell["cell_type"] == "code"]
    worked = [source(cell) for cell in cells(notebook_path(NOTEBOOKS, number)) if cell["cell_type"] == "code"]
    unchanged = next((k for k, ((_, cell), original) in enumerate(zip(code_cells, worked))
                      if source(cell) != original), len(code_cells))
    ran = code_cells[:unchanged]
    key = (number, tuple(source(cell) for _, cell in ran))
    if key not in _ran_before_the_mistake:
        namespace = {"__name__": "__main__"}
        for index, cell in ran:
            if (failure := _run_cell(namespace, number, index, cell, grade_id)) is not None:
                return failure
        _ran_before_the_mistake[key] = namespace
    namespace = _copy_namespace(_ran_before_the_mistake[key])
    for index, cell in code_cells[len(ran):]:
        failure = _run_cell(namespace, number, index, cell, grade_id)
        if failure is not None or grading(cell).get("grade_id") == grade_id:
            return failure
    raise AssertionError(f"notebook {number} has no check {grade_id}")


def _run_cell(namespace, number, index, cell, grade_id):
    """Run one cell; the CheckFailed of the check `grade_id`, or None. Another check failing
    first is an error of the test."""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source(cell), f"<notebook {number}, cell {index + 1}>", "exec"), namespace)
    except helpers.CheckFailed as failure:
        assert grading(cell).get("grade_id") == grade_id, \
            f"an earlier cell ({index + 1}) stopped first: {failure}"
        return failure
    return None


def _copy_namespace(namespace):
    """A copy whose arrays, lists, dicts and models a planted mistake cannot change for the next
    one; modules, functions, classes and what cannot be copied (figures) are shared."""
    copied = {}
    for name, value in namespace.items():
        if isinstance(value, (types.ModuleType, types.FunctionType, type)):
            copied[name] = value
            continue
        try:
            copied[name] = copy.deepcopy(value)
        except Exception:  # noqa: BLE001 - e.g. a matplotlib figure: nothing a check reads
            copied[name] = value
    return copied


@pytest.mark.parametrize("mistake", NOTEBOOK_MISTAKES, ids=lambda m: f"nb{m['number']:02}-{m['description']}")
def test_a_planted_mistake_is_caught_by_its_check_within_the_notebook(notebooks_copy, monkeypatch, mistake,
                                                                    short_time_limits):
    monkeypatch.chdir(notebooks_copy)  # as a kernel started by JupyterLab or nbgrader
    plant(notebooks_copy, mistake)  # (on the worked edition every check passes: nbval)
    assert_caught(run_until_check(notebooks_copy, mistake["number"], mistake["check"]), mistake)
