"""helpers.progress(): every exercise of the course, judged from the saved notebooks of one folder.

On the untouched exercise edition nothing is done, on the worked edition everything is, and in a
copy with one failing piece, that piece is named with its check's first line. Its speed is
measured by benchmarks/benchmark.py, not here.
"""
import contextlib
import io
import re
import shutil

import pytest

import helpers
from course.checks import CHECKS, progress
from notebook_edits import edit_graded_cell, edit_notebook

NOTEBOOKS = helpers.ROOT / "notebooks"
EXERCISES = helpers.ROOT / "exercises"
CORE = [name for name, found in CHECKS.items() if not found.going_further]
GOING_FURTHER = [name for name, found in CHECKS.items() if found.going_further]


def marks(folder):
    return {status.name: status.mark for status in progress.statuses(folder)[1]}


def shown(folder=None):
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        progress.show(folder)
    return printed.getvalue()


def solved_as(body):
    """A change for edit_graded_cell: the cell's solution replaced by `body` (one line)."""
    return lambda cell: re.sub(r"### BEGIN SOLUTION.*?### END SOLUTION", lambda _: body,
                               "".join(cell["source"]), flags=re.DOTALL)


@pytest.fixture
def course_copy(tmp_path):
    copy = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return copy


def test_the_untouched_exercise_edition_has_nothing_done():
    found = marks(EXERCISES)
    assert set(found) == set(CHECKS)
    assert set(found.values()) == {progress.NOT_WRITTEN}, found
    text = shown(EXERCISES)
    assert f"0 of {len(CORE)} exercises done" in text
    assert "not written yet" in text and progress.SHUT_DOWN_REMINDER in text


def test_the_worked_edition_has_everything_done():
    found = marks(NOTEBOOKS)
    assert set(found.values()) == {progress.DONE}, found
    text = shown(NOTEBOOKS)
    assert f"{len(CORE)} of {len(CORE)} exercises done" in text
    if GOING_FURTHER:
        assert f"{len(GOING_FURTHER)} of {len(GOING_FURTHER)} done" in text


def test_helpers_progress_reads_the_folder_of_the_current_directory(monkeypatch):
    monkeypatch.chdir(EXERCISES)  # as in a kernel JupyterLab starts for an exercise notebook
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        assert helpers.progress() is None  # prints; nothing for the notebook to display
    assert "saved in exercises/: 0 of" in printed.getvalue()


def test_a_failing_piece_of_the_model_is_named_with_its_checks_first_line(course_copy):
    edit_graded_cell(course_copy / "06_forward_pass.ipynb", "sigmoid",
                     solved_as("return 1 / (1 + np.exp(z))"))  # the sign flipped
    found = {status.name: status for status in progress.statuses(course_copy)[1]}
    assert found["sigmoid"].mark == progress.FAILING
    assert "sigmoid" in found["sigmoid"].message and len(found["sigmoid"].message) > 20
    # of the core's exercises only the sigmoid fails (an optional task may build on it)
    assert [name for name in CORE if found[name].mark != progress.DONE] == ["sigmoid"]
    text = shown(course_copy)
    assert f"{len(CORE) - 1} of {len(CORE)} exercises done" in text
    assert f"{progress.FAILING} sigmoid" in text


def test_a_failing_exercise_outside_the_model_is_named(course_copy):
    edit_graded_cell(course_copy / "03_dataset.ipynb", "share_of_ones",
                     solved_as("return np.sum(labels == 1)"))  # a count, not a fraction
    found = {status.name: status for status in progress.statuses(course_copy)[1]}
    assert found["share_of_ones"].mark == progress.FAILING, found["share_of_ones"]
    assert sum(status.mark != progress.DONE for status in found.values()) == 1


def test_only_the_definitions_of_an_exercise_cell_run(course_copy):
    """A cell that also trains or prints: progress runs its definitions alone."""
    edit_graded_cell(course_copy / "11_training_the_model.ipynb", "mistakes",
                     lambda cell: "".join(cell["source"]) + "\nprint('ran the whole cell')\nraise SystemExit\n")
    assert "ran the whole cell" not in shown(course_copy)
    assert marks(course_copy)["mistakes"] == progress.DONE


def test_a_deleted_exercise_cell_and_a_broken_notebook_are_said(course_copy):
    def drop_rates(cells):
        cells[:] = [cell for cell in cells if cell["metadata"].get("nbgrader", {}).get("grade_id") != "rates"]
    edit_notebook(course_copy / "12_additional_example.ipynb", drop_rates)
    edit_graded_cell(course_copy / "08_update_parameters.ipynb", "update",
                     lambda cell: "".join(cell["source"]) + "\n    return (\n")  # a SyntaxError, saved
    found = {status.name: status for status in progress.statuses(course_copy)[1]}
    assert found["rates"].mark == progress.FAILING and "no cell for rates" in found["rates"].message
    assert found["update"].mark == progress.FAILING and "Error at line" in found["update"].message
    assert str(course_copy) not in found["update"].message  # the notebook's name, not the server's path
    assert found["init"].mark == progress.DONE  # notebook 5 does not depend on notebook 8


def test_long_messages_are_shortened_to_one_line():
    status = progress.Status("sigmoid", 6, progress.FAILING, "word " * 60, False)
    [line] = progress._table([status])
    assert len(line) <= 24 + 2 + progress.LONGEST_LINE and line.endswith("…")


def test_code_in_the_kernel_that_differs_from_the_saved_notebook_is_said_first(tmp_path, monkeypatch):
    """The learner ran an exercise's cell but did not save: the view (of the saved files) says so."""
    module = tmp_path / "kernel_cells.py"  # a file, so that inspect finds the source, as IPython's cells
    module.write_text("def epochs(iterations, batch_size, num_examples):\n"
                      "    return iterations * batch_size / num_examples / 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import kernel_cells
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        progress.show(EXERCISES, kernel={"epochs": kernel_cells.epochs})
    first = printed.getvalue().splitlines()[0]
    assert first.startswith("⚠ Not saved yet: epochs") and "Ctrl+S" in first
    with contextlib.redirect_stdout(io.StringIO()) as printed:  # the same code as saved: nothing said
        progress.show(NOTEBOOKS, kernel={"epochs": progress.statuses(NOTEBOOKS)[1][0].saved})
    assert "Not saved" not in printed.getvalue()


def test_an_exercise_of_values_is_judged_by_its_checks_saved_output(course_copy):
    """untrained_scores computes z_train from the notebook's data: the view reads what its check
    printed when the notebook was saved, and says when it has not run since."""
    def clear_check_output(cells):
        [check] = [c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == "check_untrained_scores"]
        check["outputs"] = []
    assert marks(course_copy)["untrained_scores"] == progress.DONE
    edit_notebook(course_copy / "05_create_model.ipynb", clear_check_output)
    found = {status.name: status for status in progress.statuses(course_copy)[1]}
    assert found["untrained_scores"].mark == progress.FAILING
    assert "not checked since the last save" in found["untrained_scores"].message
    assert "then save" in shown(course_copy)  # the advice fits on its line


def test_what_a_grader_would_have_to_work_around_is_said_before_handing_in(course_copy):
    """course/grading/submission.py's problems(): the learner's own look before handing in."""
    assert "Before you hand in" not in shown(course_copy)
    (course_copy / "06_forward_pass.ipynb").rename(course_copy / "06_forward_pass (1).ipynb")
    shutil.copyfile(course_copy / "09_model_performance.ipynb", course_copy / "09_model_performance-Copy1.ipynb")
    edit_notebook(course_copy / "03_dataset.ipynb", lambda cells: cells.__setitem__(slice(None), [
        cell for cell in cells if cell["metadata"].get("nbgrader", {}).get("grade_id") != "check_average_image"]))
    edit_notebook(course_copy / "12_additional_example.ipynb", lambda cells: cells.extend(
        [cell for cell in cells if cell["metadata"].get("nbgrader", {}).get("grade_id") == "rates"]))
    said = shown(course_copy).split("Before you hand in:\n", 1)[1].splitlines()
    assert said == [
        "  ⚠ '06_forward_pass (1).ipynb' should be named 06_forward_pass.ipynb: rename it in the file "
        "browser (graders look for the course's names).",
        "  ⚠ '09_model_performance-Copy1.ipynb' is a copy of 09_model_performance.ipynb: only "
        "09_model_performance.ipynb is graded; delete the copy or move your work into 09_model_performance.ipynb.",
        "  ⚠ 03_dataset.ipynb has lost the check cell of average_image (`import helpers; "
        "helpers.check(\"average_image\")`): grading puts it back, but put it back below your exercise "
        "to see the check yourself.",
        "  ⚠ 12_additional_example.ipynb has 2 cells with the id 'rates' (a copied cell): only the last "
        "one you wrote in is graded; keep your answer in one cell.",
    ]
