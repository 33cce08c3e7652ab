"""The course in JupyterLab, in a real headless Chromium (issue 10).

One JupyterLab, started with README.md's course command in a copy of the repository (autosave
off, so the copy changes only where a test saves), and one browser page for the whole module:

- The address the server prints opens notebook 1 of the exercise edition, in a JupyterLab rooted
  at the repository (README.md in its file browser).
- Started as a learner starts it (JupyterLab's news settings untouched), a notebook opened and
  not edited is not marked unsaved once its kernel is idle, and no pop-up covers it.
- Every notebook of the worked edition, after "Restart Kernel and Run All Cells": every code cell
  ran, no error and no stderr output, every figure the saved notebook has is shown and loaded,
  every formula typeset by MathJax (no MathJax error, no TeX left as text).
- The exercise edition: the first check says "not written yet" without a traceback; a solution
  typed into notebook 8 and saved with Ctrl+S is what notebook 9 then runs.
- The checker fails on a cell that raises, a broken formula and a figure that no longer appears.
"""
import json
import re
import shutil
from pathlib import Path

import pytest

import helpers
from drivers import lab as lab_driver
from drivers.grading import grading, paste_solutions, source
from drivers.lab import JupyterLab, PlaywrightTimeout, Run, check_run, run_notebooks
from notebook_edits import edit_notebook

pytestmark = pytest.mark.browser

ROOT = lab_driver.ROOT
WORKED = sorted(path.name for path in (ROOT / "notebooks").glob("*.ipynb"))
START = "exercises/01_introduction.ipynb"  # what README's command opens
FIRST_CHECK = "exercises/02_hyperparameters.ipynb"  # the first exercise notebook with a check
UNFINISHED = ("08_update_parameters.ipynb", "update")  # left unwritten in the copy, then typed in
LATER = "09_model_performance.ipynb"  # the notebook that runs it
MODEL_NOTEBOOKS = list(helpers.MODEL_NOTEBOOKS.values())  # 5-10: the exercises carried forward
# Negative tests: copies of course notebooks with one thing broken, for the same checker.
RAISES = "notebooks/negative_raises.ipynb"
BROKEN_FORMULAS = "notebooks/negative_formulas.ipynb"
MISSING_FIGURE = "notebooks/negative_figure.ipynb"
HANGS = "notebooks/negative_hang.ipynb"  # a cell that never finishes: stands for a hung run
HANG_SECONDS = 2  # its bound: no cell finishing for this long is a hang
SETTLE_AFTER_IDLE_MS = 2000  # a notebook's kernel idle this long: its start has changed what it changes
BAD_FORMULAS = {r"$\frac{1}{$": "TeX left as text", r"$\frac{1}$": "MathJax error"}


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


# ---------------------------------------------------------------------------------------------
# The copy of the course: exercises 5-10 solved except notebook 8's update; the negative notebooks
# ---------------------------------------------------------------------------------------------

def solve_exercises(course):
    """Paste the worked solution (matched by grade_id) into every exercise cell of notebooks
    5-10 of the exercise edition, except UNFINISHED."""
    for name in MODEL_NOTEBOOKS:
        solutions = {grading(cell)["grade_id"]: source(cell) for cell in cells(course / "notebooks" / name)
                     if grading(cell).get("solution")}

        def solve(exercise_cells, name=name, solutions=solutions):
            for cell in exercise_cells:
                grade_id = grading(cell).get("grade_id")
                if grading(cell).get("solution") and (name, grade_id) != UNFINISHED:
                    cell["source"] = paste_solutions(source(cell), solutions[grade_id])
        edit_notebook(course / "exercises" / name, solve)


def plant_failures(course):
    """Notebooks the checker must fail: a cell that raises, broken formulas, a figure cell that
    no longer draws (its saved output still has the picture), and a run that never ends."""
    notebooks = course / "notebooks"
    shutil.copy(notebooks / "02_hyperparameters.ipynb", course / RAISES)
    edit_notebook(course / RAISES, lambda cells: cells.insert(first_code_cell(cells) + 1, code_cell(
        'raise ValueError("planted by the negative test")')))
    shutil.copy(notebooks / "02_hyperparameters.ipynb", course / BROKEN_FORMULAS)
    edit_notebook(course / BROKEN_FORMULAS, lambda cells: cells.extend(
        markdown_cell(f"A broken formula: {formula}, in a sentence.") for formula in BAD_FORMULAS))
    shutil.copy(notebooks / "01_introduction.ipynb", course / MISSING_FIGURE)
    edit_notebook(course / MISSING_FIGURE, stop_drawing_the_last_figure)
    shutil.copy(notebooks / "01_introduction.ipynb", course / HANGS)  # for its kernel's metadata
    edit_notebook(course / HANGS, lambda cells: cells.__setitem__(slice(None), [
        markdown_cell("# A run that hangs"), code_cell("import time\n\ntime.sleep(600)")]))


def first_code_cell(notebook_cells):
    return next(i for i, cell in enumerate(notebook_cells) if cell["cell_type"] == "code")


def code_cell(text):
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": text}


def markdown_cell(text):
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def figures(cell):
    return sum("image/png" in output.get("data", {}) for output in cell.get("outputs", []))


def last_figure_cell(notebook_cells):
    return [cell for cell in notebook_cells if figures(cell)][-1]


def stop_drawing_the_last_figure(notebook_cells):
    cell = last_figure_cell(notebook_cells)
    cell["source"] = source(cell) + '\nplt.close("all")  # no figure shown'


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = lab_driver.copy_course(tmp_path_factory.mktemp("lab") / "course")
    solve_exercises(course)
    plant_failures(course)
    return course


# ---------------------------------------------------------------------------------------------
# One JupyterLab, one page
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab(course, tmp_path_factory):
    server = JupyterLab(course, tmp_path_factory.mktemp("lab-server"))
    try:
        # Without these, runs could be saved behind the tests' back, or cells left out of the page.
        assert server.user_setting("@jupyterlab/docmanager-extension:plugin", "autosave") is False
        assert server.user_setting("@jupyterlab/notebook-extension:tracker", "windowingMode") == "none"
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def lab_page(browser, lab):
    """A page at the address the server printed, as a learner opens it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(lab_driver.PAGE_SCRIPT)
    page = context.new_page()
    page.goto(lab_driver.lab_url(lab))
    lab_driver.wait_for_app(page)
    yield page
    context.close()


@pytest.fixture(scope="module")
def screenshots(tmp_path_factory):
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def runs(lab_page, course, screenshots):
    """Every notebook the tests below look at, restarted and run in the page, three at a time:
    {path: Run}. The longest first, so that the other lanes get through the rest meanwhile."""
    paths = sorted([f"notebooks/{name}" for name in WORKED] +
                   [FIRST_CHECK, f"exercises/{LATER}", RAISES, BROKEN_FORMULAS, MISSING_FIGURE],
                   key=lambda path: not path.startswith("notebooks/11"))
    batch = [Run(path, cells(course / path)) for path in paths]
    batch.insert(1, Run(HANGS, cells(course / HANGS), stall_seconds=HANG_SECONDS))
    return {run.path: run for run in run_notebooks(lab_page, batch, screenshots)}


# ---------------------------------------------------------------------------------------------
# Start
# ---------------------------------------------------------------------------------------------

def test_the_printed_address_opens_notebook_1_in_a_jupyterlab_rooted_at_the_repository(lab_page, lab):
    printed = lab.printed_url()
    try:
        lab_page.wait_for_function("path => window.jupyterapp.shell.currentWidget?.context?.path === path",
                                   arg=START, timeout=30_000)
    except PlaywrightTimeout:
        opened = lab_page.evaluate("() => [...jupyterapp.shell.widgets('main')].map(w => w.title.label)")
        pytest.fail(f"{printed} (the address the server printed) did not open {START}; tabs: {opened}")
    tab = lab_page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current")
    assert tab.inner_text().strip() == START.split("/")[-1], f"the tab in front: {tab.inner_text()}"

    lab_page.locator(".jp-BreadCrumbs-home").first.click()  # the file browser's top folder
    readme = lab_page.locator(".jp-DirListing-item", has_text="README.md")
    try:
        readme.first.wait_for(state="visible", timeout=10_000)
    except PlaywrightTimeout:
        listed = lab_page.locator(".jp-DirListing-item").all_inner_texts()
        pytest.fail(f"README.md is not in the file browser's top folder, which lists {listed}: "
                    f"JupyterLab is not rooted at the repository")
    lab_driver.close_notebook(lab_page, START)


def test_a_notebook_opened_and_not_edited_is_not_marked_unsaved_and_no_pop_up_covers_it(
        browser, course, tmp_path_factory):
    """Its own JupyterLab, as a learner gets it: the course command's configuration alone decides
    about the news pop-up (the other tests switch it off themselves)."""
    lab = JupyterLab(course, tmp_path_factory.mktemp("learner-lab"), as_learner=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        context.add_init_script(lab_driver.PAGE_SCRIPT)
        page = context.new_page()
        page.goto(lab_driver.lab_url(lab))
        lab_driver.wait_for_app(page)
        lab_driver.open_notebook(page, START)  # the one the address opens; its kernel idle
        page.wait_for_timeout(SETTLE_AFTER_IDLE_MS)  # anything the kernel's start changes, changed
        unsaved = page.evaluate("path => __lab.unsaved(path)", START)
        toasts = page.evaluate("() => __lab.toasts()")
    finally:
        context.close()
        lab.stop()
    saved = json.loads((course / START).read_text(encoding="utf-8"))["metadata"]
    problems = []
    if unsaved["model"] or unsaved["tab"]:
        problems.append(
            f"{START}, opened and not edited, is marked unsaved (its tab's dot: {unsaved['tab']}) "
            f"{SETTLE_AFTER_IDLE_MS / 1000:g} s after its kernel became idle; its metadata in the "
            f"page {json.dumps(unsaved['metadata'], sort_keys=True)}, saved "
            f"{json.dumps(saved, sort_keys=True)}")
    if toasts:
        problems.append(f"pop-ups over {START}: {toasts}")
    assert not problems, "JupyterLab started as README.md says:\n  " + "\n  ".join(problems)


# ---------------------------------------------------------------------------------------------
# The worked edition
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", WORKED)
def test_a_worked_notebook_runs_cleanly_in_jupyterlab(runs, name):
    check_run(runs[f"notebooks/{name}"])


# ---------------------------------------------------------------------------------------------
# The exercise edition
# ---------------------------------------------------------------------------------------------

def test_the_first_check_of_the_exercise_edition_says_not_written_yet_without_a_traceback(runs, course):
    run = runs[FIRST_CHECK]
    assert run.failure is None, run.failure
    check = next(i for i, cell in enumerate(cells(course / FIRST_CHECK)) if grading(cell).get("grade"))
    failed = [i for i, cell in enumerate(run.report) if cell["type"] == "code"
              and any(output["output_type"] == "error" for output in cell["outputs"])]
    assert run.outcome == "error" and failed == [check], \
        f"{FIRST_CHECK}: Run All should stop at its first check, cell {check + 1}; errors in cells {failed}"
    shown = run.report[check]["errorText"]
    assert re.search(r"^✗ .* not written yet", shown, re.M), \
        f"{FIRST_CHECK} cell {check + 1} shows:\n{shown}"
    assert "Traceback" not in shown and "---->" not in shown and 'File "' not in shown, \
        f"{FIRST_CHECK} cell {check + 1} shows a traceback, not just the message:\n{shown}"


def test_a_solution_typed_and_saved_in_notebook_8_is_what_notebook_9_runs(runs, lab_page, course,
                                                                           screenshots):
    notebook, piece = UNFINISHED
    # Before: notebook 9 stops at its first cell, naming notebook 8.
    before = runs[f"exercises/{LATER}"]
    assert before.failure is None, before.failure
    first = next(i for i, cell in enumerate(before.report) if cell["type"] == "code")
    errors = [output for output in before.report[first]["outputs"] if output["output_type"] == "error"]
    assert before.outcome == "error" and errors, \
        f"exercises/{LATER} ran past its first cell: {before.report[first]}"
    shown = before.report[first]["errorText"]
    assert re.search(rf"Finish {re.escape(notebook)} first: {piece} is not written yet", shown), shown
    assert str((course / "exercises").resolve()) in shown, f"not the copy's notebooks:\n{shown}"

    # Type the solution into notebook 8 and save it with Ctrl+S.
    path = course / "exercises" / notebook
    index = next(i for i, cell in enumerate(cells(path)) if grading(cell).get("grade_id") == piece)
    worked = next(cell for cell in cells(course / "notebooks" / notebook)
                  if grading(cell).get("grade_id") == piece)
    solved = paste_solutions(source(cells(path)[index]), source(worked))
    lab_driver.open_notebook(lab_page, f"exercises/{notebook}")
    lab_driver.replace_cell_source_by_typing(lab_page, f"exercises/{notebook}", index, solved)
    saved = lab_driver.wait_for_saved_source(path, index, solved)
    lab_driver.close_notebook(lab_page, f"exercises/{notebook}")
    assert saved == solved, f"exercises/{notebook} cell {index + 1} as saved:\n{saved}\nexpected:\n{solved}"

    # After: notebook 9 runs to the end, with the figures of the worked edition.
    again = Run(f"exercises/{LATER}", cells(course / "notebooks" / LATER))
    [after] = run_notebooks(lab_page, [again], screenshots)
    check_run(after)


# ---------------------------------------------------------------------------------------------
# The checker fails when it should
# ---------------------------------------------------------------------------------------------

def test_the_checker_reports_a_cell_that_raises(runs):
    with pytest.raises(AssertionError, match=r"cell \d+ \(`raise ValueError.*`\): error output: "
                                             r"ValueError: planted by the negative test"):
        check_run(runs[RAISES])


def test_the_checker_reports_broken_formulas(runs):
    with pytest.raises(AssertionError) as failure:
        check_run(runs[BROKEN_FORMULAS])
    for formula, problem in BAD_FORMULAS.items():
        assert re.search(rf"`A broken formula: {re.escape(formula)}.*`\): {problem}", str(failure.value)), \
            f"{formula} should be reported as {problem}:\n{failure.value}"


def test_the_checker_reports_a_figure_the_run_no_longer_draws(runs, course):
    cell = last_figure_cell(cells(course / MISSING_FIGURE))
    first_line = re.escape(source(cell).splitlines()[0])
    with pytest.raises(AssertionError, match=rf"\(`{first_line}`\): shows 0 loaded figure\(s\) of "
                                             rf"the {figures(cell)} in the saved notebook"):
        check_run(runs[MISSING_FIGURE])


def test_a_run_that_hangs_is_retried_once_then_fails_with_a_screenshot(runs):
    run = runs[HANGS]
    assert run.attempts == 2, f"{HANGS} was run {run.attempts} time(s), not twice"
    hung = rf"{HANGS}: hung twice .*left at \[\*\].*Screenshot: "
    with pytest.raises(AssertionError, match=hung) as failure:
        check_run(run)
    picture = Path(str(failure.value).split("Screenshot: ")[1])
    assert picture.is_file() and picture.stat().st_size > 0, f"no screenshot at {picture}"
