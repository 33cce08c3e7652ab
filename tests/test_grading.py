"""Grading is honest: nbgrader itself, with the repository's nbgrader_config.py and the commands
docs/teaching.md gives teachers, in a temporary course folder, offline, one class of submissions
as learners really hand them in (course/grading/ does the work):

- worked: the worked edition, full marks; untouched: the release, zero, every check "not written
  yet", a check emptied by the learner graded as the course wrote it;
- six_mistakes: one mistake per model notebook (5-10) loses its own check's points, only those;
- hard_coded: six pieces that answer the visible check's inputs from a table recorded from it:
  they pass the visible check and lose the points on the hidden cases;
- renamed: notebooks renamed as browsers and JupyterLab rename them, and a renamed copy beside
  the course's own file: graded under the course's names, each said in one sentence;
- damaged: a deleted check cell (and a wrong piece after it, which still loses its points), a
  deleted setup cell, a duplicated exercise cell, a duplicated check cell, an edited check, a
  notebook saved as nbformat 4.4 without cell ids: the learner's code gets its due;
- tampering: seven tricks on the checks (helpers.check, NumPy's comparisons, numpy.testing,
  the check framework, an answer equal to anything, a patch made at call time), each next to a
  wrong piece: those pieces earn nothing, the others their points;
- endless: a loop that never ends and one that catches every exception: they cost their own
  checks, nothing else.

Every score is asserted, and every line of each learner's summary page and the class summary.
"""
import base64
import html
import inspect
import json
import os
import pickle
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import helpers
from course.checks import framework
from course.grading import hidden
from drivers.grading import ASSIGNMENT, nbgrader_commands, paste_solutions
from notebook_edits import edit_graded_cell, edit_notebook
from test_exercises import MODEL_MISTAKES, grading, plant, source

pytestmark = pytest.mark.slow

ROOT = helpers.ROOT
BIN = Path(sys.executable).parent
NAMES = helpers.COURSE_NOTEBOOKS
GRADED = NAMES[1:]  # notebook 1 has no check
PLANTED = list({m["number"]: m for m in reversed(MODEL_MISTAKES)}.values())

# (notebook number, piece, a static method of LogisticModel?) answered from a recorded table
HARD_CODED = [(3, "share_of_ones", False), (3, "average_image", False), (4, "unroll", False),
              (6, "sigmoid", True), (6, "binary_cross_entropy", True), (12, "rates", False)]

# Each trick sits in the cell of a piece that is also wrong: (number, grade id, the wrong
# answer's cell, with the trick in it). Grading puts back what the trick replaced before each
# check, and fails a check during which the learner's code changed it.
TRICKS = {
    "helpers.check replaced": (6, "scores", """\
import numpy as np
import contextlib
import helpers
helpers.check = lambda *a, **k: contextlib.suppress(Exception)


def scores(self, X):
    return np.zeros(len(X))


LogisticModel.scores = scores
"""),
    "np.allclose always true": (6, "forward", """\
import numpy as np
np.allclose = lambda *a, **k: True


def forward(self, X):
    return np.full(len(X), 0.5)


LogisticModel.forward = forward
"""),
    "np.isclose and np.all always true": (6, "loss", """\
import numpy as np
np.isclose = lambda a, b, *args, **k: np.ones(np.broadcast(a, b).shape, bool)
np.all = lambda *a, **k: True


def loss(self, X, y):
    return 0.0


LogisticModel.loss = loss
"""),
    "numpy.testing silenced": (7, "backward", """\
import numpy as np
import numpy.testing
numpy.testing.assert_allclose = lambda *a, **k: None
np.testing.assert_array_equal = lambda *a, **k: None


def backward(self, X, y):
    return np.zeros(X.shape[1]), 0.0


LogisticModel.backward = backward
"""),
    "the check framework replaced": (8, "update", """\
import numpy as np
import course.checks.framework
course.checks.framework.run = lambda *a, **k: None
np.array_equal = lambda *a, **k: True


def update(self, dw, db, learning_rate):
    pass


LogisticModel.update = update
"""),
    "an answer equal to anything": (9, "predict", """\
import numpy as np
class Anything(np.ndarray):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False


def predict(self, X, threshold=0.5):
    return np.zeros(len(X), dtype=int).view(Anything)


LogisticModel.predict = predict
"""),
    "a patch made while the check runs": (12, "rates", """\
def rates(matrix):
    import numpy
    numpy.allclose = numpy.isclose = lambda *a, **k: True
    numpy.array_equal = lambda *a, **k: True
    return 0.5, 0.5
"""),
}

ENDLESS = {  # (number, grade id): a loop in the learner's answer
    (2, "epochs"): "epochs = 0\nwhile True:\n    epochs += 1\n",
    (3, "share_of_ones"): """\
def share_of_ones(labels):
    while True:  # catches even the time limit's exception, every time
        try:
            while True:
                pass
        except BaseException:
            continue
""",
}

SETUP_CELL = "train_images, train_labels, test_images, test_labels ="  # notebook 3's data loading

LOST = {  # the checks each learner loses, and the words each lost check's message holds
    "worked": {},
    "renamed": {},
    "damaged": {"check_forward": "✗"},
    "six_mistakes": {m["check"]: "✗" for m in PLANTED},
    "hard_coded": {f"check_{piece}": "cases kept for grading" for _, piece, _ in HARD_CODED},
    "tampering": {f"check_{piece}": "✗" for _, piece, _ in TRICKS.values()},
    "endless": {"check_epochs": "epochs", "check_share_of_ones": "never finished"},
    "missing": {f"check_{name}": "not handed in" for name in ("scores", "sigmoid", "forward",
                                                                "binary_cross_entropy", "loss")},
    "unreadable": {f"check_{name}": "could not be read" for name in (
        "unroll", "roll", "pixel_position", "scores", "sigmoid", "forward", "binary_cross_entropy", "loss")},
    "slow": {},
    "late": {},
}


def nbgrader(course, *arguments, timeout=900):
    """`nbgrader <arguments>` in `course` (nbgrader finds alembic on PATH): the finished process."""
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([str(BIN / "nbgrader"), *arguments], cwd=course, env=environment,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def teacher_commands():
    """The nbgrader commands of docs/teaching.md's section on grading, in order."""
    return nbgrader_commands(ROOT / "docs" / "teaching.md", "Grading with nbgrader")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder graded with docs/teaching.md's commands: one learner per kind of
    submission."""
    course = tmp_path_factory.mktemp("classroom")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "notebooks", course / ASSIGNMENT,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    commands = teacher_commands()
    assert [command[0] for command in commands] == \
        ["generate_assignment", "autograde", "generate_feedback", "export"], commands
    nbgrader(course, *commands[0])
    [due_date] = nbgrader_commands(ROOT / "docs" / "teaching.md", "Late work")
    nbgrader(course, *due_date)  # the documented due date; one learner hands in after it
    for student, hand_in in SUBMISSIONS.items():
        hand_in(course, course / "submitted" / student / ASSIGNMENT)
    logs = [nbgrader(course, *command) for command in commands[1:]]
    course.joinpath("autograde.log").write_text(logs[0].stdout + logs[0].stderr, encoding="utf-8")
    return course


def copy_notebooks(folder, into):
    into.mkdir(parents=True)
    for name in GRADED:
        shutil.copyfile(folder / name, into / name)


def hand_in_worked(course, into):
    copy_notebooks(course / ASSIGNMENT, into)


def hand_in_untouched(course, into):
    copy_notebooks(course / "release" / ASSIGNMENT, into)
    # A locked check emptied so that it passes (nbgrader puts the original back).
    edit_graded_cell(into / NAMES[5], "check_sigmoid", lambda cell: 'print("✓ sigmoid: trust me")')


def hand_in_six_mistakes(course, into):
    copy_notebooks(course / ASSIGNMENT, into)
    for mistake in PLANTED:
        plant(into, mistake)


def hand_in_hard_coded(course, into):
    copy_notebooks(course / ASSIGNMENT, into)
    for number, piece, static in HARD_CODED:
        edit_graded_cell(into / NAMES[number - 1], piece,
                         lambda cell, piece=piece, number=number, static=static:
                         answers_from_a_table(number, piece, static))
    # and the hidden cases switched off, in the first of them (the guard puts them back)
    edit_graded_cell(into / NAMES[2], "share_of_ones", lambda cell: "import course.grading.hidden\n"
                     "course.grading.hidden.run = lambda *a, **k: None\n" + source(cell))


def hand_in_renamed(course, into):
    copy_notebooks(course / ASSIGNMENT, into)
    for name, renamed in RENAMES.items():
        (into / name).rename(into / renamed)
    # a copy of the untouched release beside the learner's own 09 (the copy is not graded)
    shutil.copyfile(course / "release" / ASSIGNMENT / NAMES[8], into / "09_model_performance-Copy1.ipynb")


RENAMES = {NAMES[5]: "06_forward_pass (1).ipynb", NAMES[6]: "07_backward_pass-Copy1.ipynb",
           NAMES[7]: "08_Update_Parameters.ipynb", NAMES[9]: "10 training loop.ipynb",
           NAMES[10]: "11_training_the_model (2) .ipynb", NAMES[11]: "12_additional_example.ipynb.ipynb"}


def hand_in_damaged(course, into):
    copy_notebooks(course / ASSIGNMENT, into)
    delete_cells(into / NAMES[5], lambda cell: grading(cell).get("grade_id") == "check_sigmoid")
    # a mistake after the deleted check: its check, found after the cell put back, catches it
    edit_graded_cell(into / NAMES[5], "forward", lambda cell: source(cell).replace(
        "return self.sigmoid(self.scores(X))", "return self.scores(X)"))
    delete_cells(into / NAMES[2], lambda cell: SETUP_CELL in source(cell))
    duplicate_the_exercise_as_a_stub_below_it(into / NAMES[8], "predict")
    duplicate_the_check_below_it(into / NAMES[3], "check_roll")
    edit_graded_cell(into / NAMES[11], "check_rates", lambda cell: 'print("✓ rates")')
    as_nbformat_4_4(into / NAMES[10])


def hand_in_tampering(course, into):
    copy_notebooks(course / ASSIGNMENT, into)
    for number, piece, cell_source in TRICKS.values():
        edit_graded_cell(into / NAMES[number - 1], piece, lambda cell, cell_source=cell_source: cell_source)


def hand_in_endless(course, into):
    copy_notebooks(course / ASSIGNMENT, into)
    for (number, grade_id), cell_source in ENDLESS.items():
        edit_graded_cell(into / NAMES[number - 1], grade_id, lambda cell, cell_source=cell_source: cell_source)


def hand_in_missing(course, into):
    copy_notebooks(course / ASSIGNMENT, into)
    (into / NAMES[5]).unlink()


def hand_in_unreadable(course, into):
    copy_notebooks(course / ASSIGNMENT, into)
    (into / NAMES[3]).write_text("", encoding="utf-8")
    text = (into / NAMES[5]).read_text(encoding="utf-8")
    (into / NAMES[5]).write_text(text[:len(text) // 2], encoding="utf-8")  # a copy cut short


def hand_in_slow(course, into):
    """Honest code, slow or untidy: each check still judges only its own piece."""
    copy_notebooks(course / ASSIGNMENT, into)
    for number, grade_id, change in SLOW:
        edit_graded_cell(into / NAMES[number - 1], grade_id, lambda cell, change=change: change(source(cell)))
    # a constant in a cell of the learner's own, used by their answer
    def add_constant(cells):
        [at] = [i for i, cell in enumerate(cells) if grading(cell).get("grade_id") == "share_of_ones"]
        cells.insert(at, {"cell_type": "code", "execution_count": None, "id": "my-constant",
                          "metadata": {}, "outputs": [], "source": "ONE = 1  # the label I count\n"})
        cells[at + 1]["source"] = source(cells[at + 1]).replace("labels == 1", "labels == ONE")
    edit_notebook(into / NAMES[2], add_constant)


SLOW = [  # (notebook, exercise, change of its cell)
    (6, "sigmoid", lambda text: text + "\n\nimport time\nstarted = time.time()\n"
                                       "while time.time() - started < 8:  # timing my sigmoid\n"
                                       "    sigmoid(np.linspace(-5, 5, 1000))\n"),
    (7, "backward", lambda text: text + "\nprint(backward_of_my_test_model)  # a leftover line\n"),
    (12, "standardise", lambda text: text + "\nimport time\ntime.sleep(60)\n"),
    (4, "unroll", lambda text: text + "\nimport os\nos._exit(0)\n"),
]


def hand_in_late(course, into):
    copy_notebooks(course / ASSIGNMENT, into)
    (into / "timestamp.txt").write_text(LATE_TIMESTAMP, encoding="utf-8")


# 2 days and 3 hours after docs/teaching.md's due date: 3 days started, 30 % off (late.py)
LATE_TIMESTAMP, LATE_PENALTY = "2027-01-17 20:00:00 UTC", {"late": 0.3 * 44}


SUBMISSIONS = {"worked": hand_in_worked, "untouched": hand_in_untouched,
               "six_mistakes": hand_in_six_mistakes, "hard_coded": hand_in_hard_coded,
               "renamed": hand_in_renamed, "damaged": hand_in_damaged,
               "tampering": hand_in_tampering, "endless": hand_in_endless,
               "missing": hand_in_missing, "unreadable": hand_in_unreadable, "slow": hand_in_slow,
               "late": hand_in_late}


def delete_cells(path, which):
    def change(cells):
        kept = [cell for cell in cells if not which(cell)]
        assert len(kept) == len(cells) - 1, path.name
        cells[:] = kept
    edit_notebook(path, change)


def duplicate_the_exercise_as_a_stub_below_it(path, grade_id):
    """As a learner does in JupyterLab: the answer written, then a copy of the cell pasted below
    it (keeping its nbgrader id) and emptied back to the stub."""
    def change(cells):
        [at] = [i for i, cell in enumerate(cells) if grading(cell).get("grade_id") == grade_id]
        copy = json.loads(json.dumps(cells[at]))
        copy["id"] = "a-pasted-copy"
        copy["source"] = re.sub(r"### BEGIN SOLUTION\n.*?### END SOLUTION\n?",
                                "# YOUR CODE HERE\nraise NotImplementedError()\n", source(copy), flags=re.S)
        cells.insert(at + 1, copy)
    edit_notebook(path, change)


def duplicate_the_check_below_it(path, grade_id):
    """A check cell copied and pasted below itself (Ctrl+C, Ctrl+V): the copy keeps its id."""
    def change(cells):
        [at] = [i for i, cell in enumerate(cells) if grading(cell).get("grade_id") == grade_id]
        copy = json.loads(json.dumps(cells[at]))
        copy["id"] = "a-pasted-check"
        cells.insert(at + 1, copy)
    edit_notebook(path, change)


def as_nbformat_4_4(path):
    """As an older JupyterLab saved it: nbformat 4.4, no cell ids."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["nbformat_minor"] = 4
    for cell in notebook["cells"]:
        cell.pop("id", None)
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


# --- hard-coded answers ----------------------------------------------------------------------

def recorded_calls(number, piece, static):
    """[(arguments, answer)] of the worked piece, as the visible check calls it."""
    calls = []
    worked = vars(hidden.reference_model())[piece].__func__ if static else hidden.reference(number, piece)

    def recording(*arguments):
        answer = worked(*arguments)
        calls.append((pickle.loads(pickle.dumps(arguments)), pickle.loads(pickle.dumps(answer))))
        return answer
    recording.__signature__ = inspect.signature(worked)
    if static:
        namespace = {"LogisticModel": type("LogisticModel", (hidden.reference_model(),),
                                           {piece: staticmethod(recording)}), "np": np}
    else:
        namespace = {piece: recording, "np": np}
    framework.run(piece, namespace, alone=True)
    assert calls, piece
    return calls


def answers_from_a_table(number, piece, static):
    """A cell that gives the visible check's expected answers from a table, and something
    plausible but wrong for any other input."""
    calls = recorded_calls(number, piece, static)
    parameters = ", ".join(inspect.signature(hidden.reference(number, piece) if not static
                                             else vars(hidden.reference_model())[piece].__func__).parameters)
    table = base64.b64encode(pickle.dumps(calls)).decode()
    cell = f'''import base64, copy, pickle
import numpy as np

_TABLE = pickle.loads(base64.b64decode("{table}"))


def {piece}({parameters}):
    arguments = ({parameters},)
    for known, answer in _TABLE:
        if len(known) == len(arguments) and all(
                np.shape(a) == np.shape(b) and np.array_equal(a, b) for a, b in zip(known, arguments)):
            return copy.deepcopy(answer)
    return copy.deepcopy(_TABLE[0][1])
'''
    return cell + (f"\n\nLogisticModel.{piece} = staticmethod({piece})\n" if static else "")


# --- what grading recorded -------------------------------------------------------------------

def scores(course, student):
    """{grade_id: (score, max_score)} of the student's graded checks, from the gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {grade.name: (grade.score, grade.max_score)
                for notebook in submission.notebooks for grade in notebook.grades}


def autograded_failures(course, student):
    """{grade_id: error message} of the graded cells that failed in the student's run (also the
    classroom test's)."""
    failures = {}
    for path in sorted((course / "autograded" / student / ASSIGNMENT).glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            errors = [output for output in cell.get("outputs", []) if output["output_type"] == "error"]
            if grading(cell).get("grade") and errors:
                failures[grading(cell)["grade_id"]] = f"{errors[0]['ename']}: {errors[0]['evalue']}"
    return failures


def text_of(page):
    """A page's visible text, tags gone, one space between words."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).strip()


def summary(course, student):
    """(total line, [what happened], [(notebook, check, points, message)]) of summary.html."""
    page = (course / "feedback" / student / ASSIGNMENT / "summary.html").read_text(encoding="utf-8")
    notes = [text_of(item) for item in
             re.findall(r"<li>(.*?)</li>", page.split("<h2>What happened", 1)[1].split("</ul>")[0])] \
        if "<h2>What happened" in page else []
    rows = [tuple(text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + row))
            for row in re.findall(r"<tr><td>(.*?)</tr>", page, flags=re.S)]
    return text_of(re.search(r"<h1>(.*?)</h1>", page).group(1)), notes, rows


def class_rows(course):
    page = (course / "class_summary.html").read_text(encoding="utf-8")
    return {row[0]: row[1:] for row in
            (tuple(text_of(cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + found))
             for found in re.findall(r"<tr><td>(.*?)</tr>", page, flags=re.S))}


# notebooks 7-12 build the model from the learner's notebooks 5-N: without a readable 6, from the course's
MODEL_FROM_THE_COURSE = (r"Your saved notebooks could not build the model for 07_backward_pass, 08_update_parameters, "
                         r"09_model_performance, 10_training_loop, 11_training_the_model, 12_additional_example "
                         r"\(06_forward_pass\.ipynb[^/]*\): their checks were graded on the course's model instead, "
                         r"so that they judge only their own code\.")
EXPECTED_NOTES = {  # every line of "What happened to your submission", as patterns, in order
    "missing": [r"You did not hand in 06_forward_pass\.ipynb: its checks count 0\.",
                MODEL_FROM_THE_COURSE],
    "unreadable": [
        r"Your 04_mini_batch\.ipynb could not be read as a notebook \(it is empty\): it was not graded, and its checks count 0\. .*",
        r"Your 06_forward_pass\.ipynb could not be read as a notebook \(its JSON breaks off: .*\): it was not graded, and its checks count 0\. .*",
        MODEL_FROM_THE_COURSE],
    "slow": [],
    "late": [r"Handed in 2\.1 days after the due date: 13\.2 of your 44 points were taken off for it \(the course's late-work policy\)\."],
    "worked": [], "untouched": [r"Your copy of the check cell of sigmoid \(06_forward_pass\.ipynb\) had been changed: it was graded as the course wrote it\."],
    "six_mistakes": [], "endless": [],
    "hard_coded": [r"Your code replaced course\.grading\.hidden\.run; grading put the originals back before each check .*"],
    "renamed": [
        r"Your notebook '06_forward_pass \(1\)\.ipynb' was graded as 06_forward_pass\.ipynb: next time, keep the course's file names .*",
        r"Your notebook '07_backward_pass-Copy1\.ipynb' was graded as 07_backward_pass\.ipynb: .*",
        r"Your notebook '08_Update_Parameters\.ipynb' was graded as 08_update_parameters\.ipynb: .*",
        r"You handed in both 09_model_performance\.ipynb and a copy named '09_model_performance-Copy1\.ipynb': 09_model_performance\.ipynb was graded, the copy was not\.",
        r"Your notebook '10 training loop\.ipynb' was graded as 10_training_loop\.ipynb: .*",
        r"Your notebook '11_training_the_model \(2\) \.ipynb' was graded as 11_training_the_model\.ipynb: .*",
        r"Your notebook '12_additional_example\.ipynb\.ipynb' was graded as 12_additional_example\.ipynb: .*",
    ],
    "damaged": [
        r"Your 04_mini_batch\.ipynb has 2 cells for the check check_roll \(a copied cell keeps its id\): the first was graded\. Keep one cell and delete the copies\.",
        r"Your 09_model_performance\.ipynb has 2 cells for the exercise predict \(a copied cell keeps its id\): the last one you wrote in was graded\. Keep one cell and delete the copies\.",
        r"Your copy of the check cell of rates \(12_additional_example\.ipynb\) had been changed: it was graded as the course wrote it\.",
        r"The check cell of sigmoid was missing from your notebook: it was put back and graded as if you had kept it\.",

    ],
    "tampering": [r"Your code replaced (?=.*\bhelpers\.check\b)(?=.*numpy\.allclose)(?=.*numpy\.testing\.assert_allclose)"
                  r"(?=.*course\.checks\.framework\.run).*; grading put the originals back before each check "
                  r"\(a notebook must not change NumPy or the course's checks\)\."],
}


# --- the tests -------------------------------------------------------------------------------

def test_the_release_is_the_exercise_edition(course):
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        released = json.loads((course / "release" / ASSIGNMENT / path.name).read_text(encoding="utf-8"))
        ours = json.loads(path.read_text(encoding="utf-8"))
        assert [source(c) for c in released["cells"]] == [source(c) for c in ours["cells"]], path.name
        assert [grading(c) for c in released["cells"]] == [grading(c) for c in ours["cells"]], path.name


def test_the_worked_edition_gets_full_marks(course):
    graded = scores(course, "worked")
    assert len(graded) == 24 and sum(most for _, most in graded.values()) == 44
    assert {name: score for name, score in graded.items() if score[0] != score[1]} == {}


@pytest.mark.parametrize("student", sorted(LOST))
def test_each_learner_loses_the_points_of_exactly_the_checks_their_code_gets_wrong(course, student):
    graded = scores(course, student)
    assert graded.keys() == scores(course, "worked").keys()
    assert {name for name, (score, most) in graded.items() if score < most} == set(LOST[student])
    assert {name: score for name, (score, most) in graded.items() if score not in (0, most)} == {}


def test_the_untouched_release_gets_zero_and_every_check_says_not_written_yet(course):
    graded = scores(course, "untouched")
    assert {name: score for name, (score, _) in graded.items() if score != 0} == {}
    total, _, rows = summary(course, "untouched")
    assert total == "Your result: 0 of 44 points"
    assert [row[3] for row in rows if "not written yet" not in row[3]] == []


@pytest.mark.parametrize("student", sorted(LOST) + ["untouched"])
def test_each_summary_gives_the_total_every_check_and_what_happened(course, student):
    graded = scores(course, student)
    total, notes, rows = summary(course, student)
    got = sum(score for score, _ in graded.values()) - LATE_PENALTY.get(student, 0)
    assert total == f"Your result: {got:g} of 44 points"
    assert [(row[1], row[2]) for row in rows] == [
        (name.removeprefix("check_"), f"{score:g} / {most:g}") for name, (score, most) in
        sorted(graded.items(), key=lambda item: order_of(item[0]))]
    for notebook, check, points, message in rows:
        assert notebook == NAMES[[c.notebook for c in framework.CHECKS.values() if c.name == check][0] - 1].removesuffix(".ipynb")
        wanted = LOST.get(student, {}).get(f"check_{check}")
        if points.startswith("0 /"):
            assert message.startswith("✗") and (wanted is None or wanted in message), (check, message)
        else:  # the check's own line: a check that did not run has none
            assert message.startswith(f"✓ {PIECES[check]}: "), (check, message)
    assert len(notes) == len(EXPECTED_NOTES[student]), notes
    for note, pattern in zip(notes, EXPECTED_NOTES[student]):
        assert re.fullmatch(pattern, note), note
    assert class_rows(course)[student] == (f"{got:g} / 44", " ".join(notes) or "nothing unusual")


PIECES = {found.name: found.piece for found in framework.CHECKS.values()}


def order_of(grade_id):
    names = [f"check_{c.name}" for c in framework.CHECKS.values() if not c.going_further]
    return names.index(grade_id)


def test_hard_coded_answers_pass_the_visible_check_and_fail_the_hidden_cases(course):
    """The lookup table is right on every input the learner's edition shows."""
    for number, piece, static in HARD_CODED:
        namespace = {"np": np, "LogisticModel": type("LogisticModel", (hidden.reference_model(),), {})}
        exec(answers_from_a_table(number, piece, static), namespace)  # noqa: S102
        framework.run(piece, namespace, alone=True)
    _, _, rows = summary(course, "hard_coded")
    lost = {row[1]: row[3] for row in rows if row[2].startswith("0 /")}
    assert set(lost) == {piece for _, piece, _ in HARD_CODED}
    assert all("right on the check's own cases, wrong on the cases kept for grading" in m for m in lost.values())


def test_a_trick_is_undone_before_each_check_and_a_patch_during_one_fails_it(course):
    _, _, rows = summary(course, "tampering")
    messages = {row[1]: row[3] for row in rows}
    assert "your code changed numpy.allclose" in messages["rates"], messages["rates"]
    for _, piece, _ in TRICKS.values():
        assert messages[piece].startswith(f"✗ {piece}"), messages[piece]


def test_no_page_shows_a_server_path_or_a_traceback_through_the_course(course):
    for page in (course / "feedback").rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert str(course) not in text and str(ROOT) not in text, page
        assert not re.search(r"site-packages|Traceback \(most recent call last\)|File \"[^\"]*course/", text), page
        assert "cdn.jsdelivr" not in text and "cdnjs" not in text, page


def test_every_figure_in_the_feedback_has_alternative_text(course):
    pages = list((course / "feedback" / "worked" / ASSIGNMENT).glob("*.html"))
    images = [image for page in pages for image in re.findall(r"<img\b[^>]*>", page.read_text(encoding="utf-8"))]
    assert images
    assert [image[:120] for image in images if not re.search(r'alt="[^"]{12,}"', image)] == []


def read_csv(path):
    import csv
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_the_grades_go_out_per_check_and_for_canvas_and_moodle(course):
    """docs/teaching.md's export command wrote, from the gradebook, a column per check and one
    total for each learning platform, for every learner."""
    header, *rows = read_csv(course / "grades" / f"{ASSIGNMENT}_checks.csv")
    checks = sorted(scores(course, "worked"), key=order_of)
    assert header == ["learner", "last_name", "first_name", "email", *checks,
                      "raw_score", "late_penalty", "score", "max_score"]
    assert sorted(row[0] for row in rows) == sorted(SUBMISSIONS)
    totals = {}
    for row in rows:
        graded = scores(course, row[0])
        assert [float(points) for points in row[4:4 + len(checks)]] == [graded[c][0] for c in checks]
        raw, penalty = sum(score for score, _ in graded.values()), LATE_PENALTY.get(row[0], 0)
        assert [float(points) for points in row[-4:]] == pytest.approx([raw, penalty, raw - penalty, 44])
        totals[row[0]] = row[-2]
    header, *canvas = read_csv(course / "grades" / f"{ASSIGNMENT}_canvas.csv")
    assert header == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                      f"Logistic regression with NumPy ({ASSIGNMENT})"]
    assert {row[3]: row[5] for row in canvas} == totals
    header, *moodle = read_csv(course / "grades" / f"{ASSIGNMENT}_moodle.csv")
    assert header == ["Username", "Email address", f"Logistic regression with NumPy ({ASSIGNMENT})"]
    assert {row[0]: row[2] for row in moodle} == totals


def test_the_exercise_edition_with_the_solutions_pasted_back_is_the_worked_edition():
    """Each stub gets back the lines between the markers; then every cell, not only the solutions,
    is the worked edition's cell less its marker lines and its hidden tests (the release has
    neither): the same code, whose outputs nbval checks."""
    for path in sorted((ROOT / "exercises").glob("*.ipynb")):
        exercise = json.loads(path.read_text(encoding="utf-8"))
        worked = json.loads((ROOT / "notebooks" / path.name).read_text(encoding="utf-8"))
        for number, (mine, theirs) in enumerate(zip(exercise["cells"], worked["cells"], strict=True), 1):
            pasted = paste_solutions(source(mine), source(theirs)) if grading(mine).get("solution") \
                else source(mine)
            expected = re.sub(r"\n?[ \t]*### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS\n?", "",
                              source(theirs), flags=re.S)
            assert pasted == re.sub(r"[ \t]*### (BEGIN|END) SOLUTION(\n|$)", "", expected), \
                f"{path.name}, cell {number}: {pasted[:200]!r}"


# --- the pages in a browser ------------------------------------------------------------------

# After MathJax's typesetting: what a page shows. Nothing cut off: no message or table cell
# wider than its box (a message that does not wrap hides its likely cause), no page wider than
# the window.
FEEDBACK_STATE = r"""async () => {
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
    await document.fonts.ready;
    const text = (element) => element.textContent.trim().slice(0, 80);
    const markdown = [...document.querySelectorAll(".jp-RenderedMarkdown, .text_cell_render")];
    const prose = markdown.map((element) => {
        const copy = element.cloneNode(true);
        copy.querySelectorAll("pre, code, mjx-container").forEach((part) => part.remove());
        return copy.textContent;
    }).join(" ");
    const boxes = [...document.querySelectorAll(".jp-OutputArea-output pre, .output_area pre, td")];
    return {
        typeset: document.querySelectorAll("mjx-container").length,
        tex_errors: [...document.querySelectorAll("mjx-merror")].map(text),
        raw_tex: prose.match(/\$[^$\s][^$]*\$|\\\(|\\\[/g) || [],
        cut_off: boxes.filter((box) => box.scrollWidth > box.clientWidth + 1).map(text),
        wider_than_the_window: document.documentElement.scrollWidth > window.innerWidth,
        images_without_text: [...document.images].filter((image) => !image.alt.trim())
            .map((image) => (image.getAttribute("src") || "").slice(0, 60)),
    };
}"""


@pytest.fixture(scope="module")
def offline_tab(browser):
    """A tab whose every request for another machine goes to a closed port of this one."""
    from test_browser_site import LOCAL_HOSTS
    with socket_closed_port() as port:
        context = browser.new_context(proxy={"server": f"http://127.0.0.1:{port}",
                                             "bypass": ",".join(LOCAL_HOSTS)},
                                      service_workers="block", viewport={"width": 1024, "height": 720})
        yield context.new_page()
        context.close()


def socket_closed_port():
    import contextlib
    import socket

    @contextlib.contextmanager
    def held():
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))  # held, never listening: connections are refused
            yield closed.getsockname()[1]
    return held()


def open_offline(tab, path):
    """The page's state (FEEDBACK_STATE), the requests that left the machine or failed, the
    script errors, and the serious or critical accessibility problems axe finds."""
    from test_browser_site import AXE_IMPACTS, AXE_SCRIPT, Watched
    with Watched(tab) as watched:
        tab.goto(path.as_uri(), wait_until="load")
        state = tab.evaluate(FEEDBACK_STATE)
        tab.evaluate(AXE_SCRIPT)
        found = tab.evaluate("""async (impacts) => (await axe.run(document, {resultTypes: ["violations"]}))
            .violations.filter((v) => impacts.includes(v.impact))
            .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3)}`)""",
                             list(AXE_IMPACTS))
    return state, watched.blocked + watched.failed + watched.script_errors, found


@pytest.mark.browser
def test_the_summary_page_reads_whole_offline_and_passes_axe(course, offline_tab):
    state, requests, serious = open_offline(
        offline_tab, course / "feedback" / "tampering" / ASSIGNMENT / "summary.html")
    assert state["cut_off"] == [] and not state["wider_than_the_window"], state
    assert (requests, serious) == ([], [])


@pytest.mark.browser
@pytest.mark.parametrize("student, notebook", [("six_mistakes", NAMES[5]), ("untouched", NAMES[6])])
def test_a_feedback_page_typesets_its_formulas_offline_wraps_its_messages_and_passes_axe(
        course, offline_tab, student, notebook):
    page = course / "feedback" / student / ASSIGNMENT / notebook.replace(".ipynb", ".html")
    state, requests, serious = open_offline(offline_tab, page)
    assert state["typeset"] > 5 and state["tex_errors"] == [] and state["raw_tex"] == [], state
    assert state["cut_off"] == [] and not state["wider_than_the_window"], state
    assert state["images_without_text"] == []
    assert (requests, serious) == ([], [])


def test_importing_the_grading_modules_leaves_the_environment_alone():
    """A process that imports the grading (nbgrader's, or a test's) passes its environment on to
    every process it starts later: a MPLBACKEND set there made the suite's notebook kernels draw
    no inline figure, once a test had imported the worker."""
    code = ("import json, os; before = dict(os.environ)\n"
            "import course.grading.steps, course.grading.worker, course.grading.hidden\n"
            "print(json.dumps({k: v for k, v in os.environ.items() if before.get(k) != v}))")
    changed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, env={k: v for k, v in os.environ.items() if k != "MPLBACKEND"})
    assert json.loads(changed.stdout) == {}
