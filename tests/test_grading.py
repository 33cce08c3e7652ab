"""Grading is honest: nbgrader itself, with the repository's nbgrader_config.py and the commands
docs/teaching.md gives teachers, in a temporary course folder, offline.

- The worked edition, submitted as a student's work with one mistake planted in each of notebooks
  5-10, gets full marks on every other check.
- The untouched exercise edition gets zero on every check, and every check's message (also in
  the feedback) says the exercise is not written yet.
- Those planted mistakes lose the points of the check of the piece that is wrong, and only those:
  the checks of later pieces, which feed known inputs, still pass.
- What nbgrader releases is the exercise edition in exercises/.
- The exercise edition with the solutions pasted back in is the worked edition, cell for cell,
  less the solution markers (comments): the same code, whose outputs nbval checks.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import helpers
from drivers import kernel_ports
from drivers.grading import ASSIGNMENT, nbgrader_commands, paste_solutions
from notebook_edits import edit_graded_cell
from test_exercises import MODEL_MISTAKES, grading, plant, source

pytestmark = pytest.mark.slow

ROOT = helpers.ROOT
BIN = Path(sys.executable).parent
# Two students. One hands in the untouched exercise edition. The other hands in the worked
# edition, notebooks 2-12 (1 has no check), with one planted mistake in each of the model's notebooks 5-10:
# each check feeds its piece known inputs, so each mistake must cost its own check's points, and
# every other check must get full marks.
PLANTED = list({m["number"]: m for m in reversed(MODEL_MISTAKES)}.values())
PLANTED_STUDENT = "worked_with_six_mistakes"

def nbgrader(course, *arguments, timeout=900):
    """`nbgrader <arguments>` in `course` (nbgrader finds alembic on PATH): the finished process."""
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([str(BIN / "nbgrader"), *arguments], cwd=course, env=environment,
                          capture_output=True, text=True, timeout=timeout)


@kernel_ports.again_if_a_kernel_lost_its_port  # as a teacher would (docs/classroom.md)
def run_nbgrader(course, *arguments):
    """One of docs/teaching.md's nbgrader commands, in `course`, which must succeed."""
    result = nbgrader(course, *arguments)
    said = result.stdout[-3000:] + result.stderr[-3000:]
    if result.returncode != 0 and kernel_ports.a_kernel_lost_its_port(result.stderr):
        raise kernel_ports.KernelLostItsPort(said)
    assert result.returncode == 0, said
    return result


def teacher_commands():
    """The nbgrader commands of docs/teaching.md's section on grading, in order."""
    return nbgrader_commands(ROOT / "docs" / "teaching.md", "Grading with nbgrader")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder graded with docs/teaching.md's commands: one student per kind of
    submission."""
    course = tmp_path_factory.mktemp("classroom")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "notebooks", course / ASSIGNMENT,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    commands = teacher_commands()
    assert [command[0] for command in commands] == \
        ["generate_assignment", "autograde", "generate_feedback"], commands
    run_nbgrader(course, *commands[0])

    submitted = course / "submitted"
    no_checks = shutil.ignore_patterns(".ipynb_checkpoints", "01_introduction.ipynb")  # nothing to grade
    shutil.copytree(course / "release" / ASSIGNMENT, submitted / "untouched" / ASSIGNMENT, ignore=no_checks)
    weaken_a_check(submitted / "untouched" / ASSIGNMENT / "06_forward_pass.ipynb", "check_sigmoid")
    shutil.copytree(course / ASSIGNMENT, submitted / PLANTED_STUDENT / ASSIGNMENT, ignore=no_checks)
    for mistake in PLANTED:
        plant(submitted / PLANTED_STUDENT / ASSIGNMENT, mistake)
    for command in commands[1:]:
        run_nbgrader(course, *command)
    return course


def weaken_a_check(path, grade_id):
    """What a learner might try: a locked check emptied so that it passes. Grading restores it."""
    edit_graded_cell(path, grade_id, lambda cell: 'print("✓ sigmoid: trust me")')


def scores(course, student):
    """{grade_id: (score, max_score)} of the student's graded checks, from the gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {grade.name: (grade.score, grade.max_score)
                for notebook in submission.notebooks for grade in notebook.grades}


def autograded_failures(course, student):
    """{grade_id: error message} of the graded cells that failed in the student's run."""
    failures = {}
    for path in sorted((course / "autograded" / student / ASSIGNMENT).glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            errors = [output for output in cell.get("outputs", []) if output["output_type"] == "error"]
            if grading(cell).get("grade") and errors:
                failures[grading(cell)["grade_id"]] = f"{errors[0]['ename']}: {errors[0]['evalue']}"
    return failures


def test_the_release_is_the_exercise_edition(course):
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        released = json.loads((course / "release" / ASSIGNMENT / path.name).read_text(encoding="utf-8"))
        ours = json.loads(path.read_text(encoding="utf-8"))
        assert [source(c) for c in released["cells"]] == [source(c) for c in ours["cells"]], path.name
        assert [grading(c) for c in released["cells"]] == [grading(c) for c in ours["cells"]], path.name


def test_the_worked_edition_gets_full_marks_on_every_check_its_mistakes_leave_alone(course):
    graded = scores(course, PLANTED_STUDENT)
    assert len(graded) >= 20, graded
    planted = {mistake["check"] for mistake in PLANTED}
    assert {name: score for name, score in graded.items()
            if score[0] != score[1] and name not in planted} == {}
    assert autograded_failures(course, PLANTED_STUDENT).keys() <= planted


def test_the_untouched_exercise_edition_gets_zero_and_says_not_written_yet(course):
    """Its check_sigmoid was emptied (weaken_a_check): nbgrader grades the original."""
    graded = scores(course, "untouched")
    assert graded.keys() == scores(course, PLANTED_STUDENT).keys()
    assert {name: score for name, score in graded.items() if score[0] != 0} == {}
    failures = autograded_failures(course, "untouched")
    assert failures.keys() == graded.keys()
    said_otherwise = {name: message for name, message in failures.items()
                      if not message.startswith("NotWrittenYet: ✗") or "not written yet" not in message}
    assert said_otherwise == {}
    feedback = "".join(path.read_text(encoding="utf-8") for path in
                       (course / "feedback" / "untouched" / ASSIGNMENT).glob("*.html"))
    assert feedback.count("not written yet") >= len(graded)


def test_the_planted_mistakes_lose_the_points_of_their_checks_and_only_those(course):
    graded = scores(course, PLANTED_STUDENT)
    lost = {name for name, (score, maximum) in graded.items() if score < maximum}
    kept = [f"{m['description']}: {m['check']} kept its points" for m in PLANTED
            if m["check"] not in lost]
    assert kept == []
    assert lost == {m["check"] for m in PLANTED}, "other checks were punished too"
    failures = autograded_failures(course, PLANTED_STUDENT)
    for mistake in PLANTED:
        message = failures[mistake["check"]]
        assert message.startswith("CheckFailed: ✗"), message
        feedback = (course / "feedback" / PLANTED_STUDENT / ASSIGNMENT /
                    helpers.COURSE_NOTEBOOKS[mistake["number"] - 1].replace(".ipynb", ".html"))
        first_line = message.removeprefix("CheckFailed: ").splitlines()[0]
        assert first_line.split(":")[0] in feedback.read_text(encoding="utf-8")

def test_the_exercise_edition_with_the_solutions_pasted_back_is_the_worked_edition():
    """Each stub gets back the lines between the markers; then every cell, not only the solutions,
    is the worked edition's cell less its marker lines, which are comments: the same code, so it
    prints what the worked edition printed, which nbval checks on every run."""
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        exercise = json.loads(path.read_text(encoding="utf-8"))
        worked = json.loads((ROOT / "notebooks" / path.name).read_text(encoding="utf-8"))
        for number, (mine, theirs) in enumerate(zip(exercise["cells"], worked["cells"], strict=True), 1):
            pasted = paste_solutions(source(mine), source(theirs)) if grading(mine).get("solution") \
                else source(mine)
            assert pasted == re.sub(r"[ \t]*### (BEGIN|END) SOLUTION(\n|$)", "", source(theirs)), \
                f"{path.name}, cell {number}: {pasted[:200]!r}"


def test_a_kernel_that_lost_its_port_is_told_apart_and_running_autograde_again_grades_it(
        course, tmp_path):
    """kernel_ports.py: another process holds the port nbgrader's kernel is given (as when it
    takes it between jupyter_client choosing it and the kernel binding it). autograde fails for
    that submission in a way `a_kernel_lost_its_port` recognizes, and no other failure does;
    run again, autograde grades it, with the same scores."""
    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    one_notebook = ["autograde", ASSIGNMENT, "--student", "untouched",
                    "--notebook", "02_hyperparameters", "--force"]
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        lost = nbgrader(copy, *one_notebook, "--KernelManager.cache_ports=False",
                        f"--KernelManager.shell_port={holder.getsockname()[1]}",
                        "--Execute.startup_timeout=30", timeout=300)
    assert lost.returncode != 0, lost.stderr[-3000:]
    assert kernel_ports.a_kernel_lost_its_port(lost.stderr), lost.stderr[-3000:]
    assert not (copy / "autograded" / "untouched" / ASSIGNMENT / "02_hyperparameters.ipynb").exists()

    run_nbgrader(copy, *one_notebook[:-1])  # not --force: only what failed
    assert scores(copy, "untouched") == scores(course, "untouched")
    assert autograded_failures(copy, "untouched") == autograded_failures(course, "untouched")

    # Failures of another kind are not taken for a lost port: a notebook that is not there,
    # and the checks that fail in a graded run.
    missing = nbgrader(copy, "autograde", "no_such_assignment", timeout=300)
    assert missing.returncode != 0
    assert not kernel_ports.a_kernel_lost_its_port(missing.stdout + missing.stderr)
    assert not kernel_ports.a_kernel_lost_its_port("".join(
        path.read_text(encoding="utf-8")
        for path in (copy / "autograded" / "untouched" / ASSIGNMENT).glob("*.ipynb")))
