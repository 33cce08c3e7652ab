"""Concept questions as written answers graded by hand (course/grading/written.py): one setting,
c.WrittenAnswers.graded in nbgrader_config.py, off by default.

Off, the release is exercises/ (test_grading.py checks it) and has no written answer cell. On (a
copy of the course folder with the setting switched on), nbgrader itself releases each concept
question without its model answer and with a manually graded answer cell right after it; a
learner answers and hands in; autograde gives the 44 automatic points and leaves the written
answers waiting; the teacher grades them as the Formgrader does (the gradebook's manual_score);
the summary pages and the exports count them, and say "so far" while any wait; the rubric lists
every model answer.
"""
import json
import re
import shutil
import subprocess
import sys

import pytest

import helpers
from course.grading import written
from drivers.grading import ASSIGNMENT, grading, paste_solutions, source
from test_grading import class_rows, nbgrader, read_csv, scores, summary

pytestmark = pytest.mark.slow

ROOT = helpers.ROOT
SETTING = "c.WrittenAnswers.graded = False"
ANSWERED, LEFT_BLANK = "answered", "left_blank"  # two learners: all answered; none answered
# The teacher's grades of the answered learner's written answers: 1 each, but these.
PARTIAL = {"written_06_2": 0.5, "written_10_4": 0}


def model_questions():
    """[(notebook stem, question)] of the worked edition, in order (written.questions)."""
    found = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        found += [(path.stem, question) for question in written.questions(cells, path.stem)]
    return found


QUESTIONS = model_questions()
COUNT = len(QUESTIONS)  # 29 concept questions


def distinctive(answer):
    """The model answer's longest line: a sentence no other text of the course holds."""
    return max((line.strip() for line in answer.splitlines()), key=len)


def hand_in(course, student, answer):
    """The release with the worked solutions pasted in, and each written answer cell filled by
    `answer(grade id)` (None: left as released)."""
    into = course / "submitted" / student / ASSIGNMENT
    into.mkdir(parents=True)
    for path in sorted((course / "release" / ASSIGNMENT).glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        worked = {grading(cell)["grade_id"]: source(cell) for cell in json.loads(
            (course / ASSIGNMENT / path.name).read_text(encoding="utf-8"))["cells"] if grading(cell).get("solution")}
        for cell in notebook["cells"]:
            grade_id = grading(cell).get("grade_id")
            if grading(cell).get("solution") and cell["cell_type"] == "code":
                cell["source"] = paste_solutions(source(cell), worked[grade_id])
            elif grading(cell).get("solution") and answer(grade_id) is not None:
                cell["source"] = answer(grade_id)
        (into / path.name).write_text(json.dumps(notebook, indent=1), encoding="utf-8")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with written answers on: released, two learners handed in, autograded,
    feedback and grades out (kept as *_before), then graded by hand, feedback and grades again."""
    course = tmp_path_factory.mktemp("written")
    config = (ROOT / "nbgrader_config.py").read_text(encoding="utf-8")
    assert config.count(SETTING) == 1
    (course / "nbgrader_config.py").write_text(config.replace(SETTING, "c.WrittenAnswers.graded = True"),
                                               encoding="utf-8")
    shutil.copytree(ROOT / "notebooks", course / ASSIGNMENT, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    hand_in(course, ANSWERED, lambda grade_id: f"My own answer to {grade_id}: because of the mean.")
    hand_in(course, LEFT_BLANK, lambda grade_id: None)
    nbgrader(course, "autograde", ASSIGNMENT)
    course.joinpath("gradebook_before.json").write_text(json.dumps(
        {student: gradebook_state(course, student) for student in (ANSWERED, LEFT_BLANK)}), encoding="utf-8")
    nbgrader(course, "generate_feedback", ASSIGNMENT)
    nbgrader(course, "export", "--exporter", "course.grading.export.GradesOut", "--to", "grades_before")
    shutil.copyfile(course / "class_summary.html", course / "class_summary_before.html")
    shutil.copytree(course / "feedback", course / "feedback_before")
    grade_by_hand(course, ANSWERED)
    nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    nbgrader(course, "export", "--exporter", "course.grading.export.GradesOut", "--to", "grades")
    subprocess.run([sys.executable, "-m", "course.grading.written"], cwd=course, check=True,
                   capture_output=True, text=True)
    return course


def gradebook_state(course, student):
    """{grade id: [auto score, manual score, needs a manual grade]} of the learner's grades."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {grade.name: [grade.auto_score, grade.manual_score, grade.needs_manual_grade]
                for notebook in submission.notebooks for grade in notebook.grades}


def grade_by_hand(course, student):
    """As the Formgrader sets a manual grade: find_grade, manual_score, commit."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for notebook, question in QUESTIONS:
            grade = gradebook.find_grade(question["grade_id"], notebook, ASSIGNMENT, student)
            grade.manual_score = PARTIAL.get(question["grade_id"], 1)
        gradebook.db.commit()


GRADED_BY_HAND = sum(PARTIAL.get(question["grade_id"], 1) for _, question in QUESTIONS)


def released(course):
    return {path.name: json.loads(path.read_text(encoding="utf-8"))["cells"]
            for path in sorted((course / "release" / ASSIGNMENT).glob("*.ipynb"))}


# --- the setting, off ------------------------------------------------------------------------

def test_the_setting_is_off_and_then_every_question_keeps_its_answer_and_no_cell_is_written():
    assert written.settings(ROOT).graded is False and written.settings(ROOT).points == 1
    cells = [cell for path in sorted((ROOT / "exercises").glob("*.ipynb"))
             for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]]
    text = "\n".join(source(cell) for cell in cells)
    assert [grading(cell)["grade_id"] for cell in cells if cell["cell_type"] == "markdown" and grading(cell)] == []
    assert written.STUB not in text
    assert [question["grade_id"] for _, question in QUESTIONS if distinctive(question["answer"]) not in text] == []


def test_the_step_runs_before_nbgrader_saves_the_cells_to_the_gradebook():
    """SaveCells must see the answer cells (or the gradebook does not know them), and
    ClearSolutions, LockCells and the checksums must treat them as every answer cell."""
    from nbgrader.converters import GenerateAssignment
    from nbgrader.preprocessors import ClearSolutions, ComputeChecksums, LockCells, SaveCells
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    steps = GenerateAssignment(config=config).preprocessors
    at = steps.index(written.WrittenAnswers)
    assert at < min(steps.index(step) for step in (SaveCells, ClearSolutions, ComputeChecksums, LockCells)), steps


# --- the setting, on: the release --------------------------------------------------------------

def test_each_question_is_followed_by_a_manually_graded_answer_cell(course):
    cells = released(course)
    found = []
    for name, notebook in cells.items():
        for index, cell in enumerate(notebook):
            if str(grading(cell).get("grade_id", "")).startswith("written_"):
                found.append((name.removesuffix(".ipynb"), grading(cell)["grade_id"]))
                assert cell["cell_type"] == "markdown" and source(cell) == "YOUR ANSWER HERE", cell
                assert {key: grading(cell)[key] for key in ("grade", "solution", "locked", "points", "schema_version")} == \
                    {"grade": True, "solution": True, "locked": False, "points": 1, "schema_version": 3}
                question = [q for n, q in QUESTIONS if q["grade_id"] == grading(cell)["grade_id"]][0]
                before = source(notebook[index - 1])
                assert notebook[index - 1]["cell_type"] == "markdown" and question["question"] in before, before
    assert found == [(notebook, question["grade_id"]) for notebook, question in QUESTIONS]
    assert len(found) == COUNT == 29
    assert len({grade_id for _, grade_id in found}) == COUNT


def test_no_model_answer_is_anywhere_in_the_release(course):
    text = "\n".join(source(cell) for notebook in released(course).values() for cell in notebook)
    files = "\n".join(path.read_text(encoding="utf-8") for path in (course / "release").rglob("*") if path.is_file())
    assert not re.search(r"<details>\s*<summary>\s*Answer", text.replace(
        "<details><summary>Answer</summary>\n\n`predicted_change", ""))  # a "Your turn" cell's answer, not a question's
    assert [question["grade_id"] for _, question in QUESTIONS
            if distinctive(question["answer"]) in text or distinctive(question["answer"]) in files] == []


def test_the_release_keeps_every_other_cell_of_the_exercise_edition(course):
    """Besides the written cells, the release has exercises/' text (a question's cell cut in
    parts around its answers: the parts, in order, are the cell less its answers)."""
    for name, notebook in released(course).items():
        ours = "".join(source(cell) for cell in json.loads((ROOT / "exercises" / name).read_text(encoding="utf-8"))["cells"])
        theirs = "".join(source(cell) for cell in notebook if not str(grading(cell).get("grade_id", "")).startswith("written_"))
        squeeze = lambda text: re.sub(r"\s+", "", text)
        for _, question in QUESTIONS:
            ours = ours.replace(question["answer"], "")
        theirs = re.sub(r"\*Write your answer in the cell below: your teacher grades it \(1 point\)\.\*", "", theirs)
        ours = re.sub(r"<details>\s*<summary>\s*Answer[^<]*</summary>\s*</details>", "", ours)
        assert squeeze(theirs) == squeeze(ours), name


# --- grading ---------------------------------------------------------------------------------

def test_autograde_gives_the_44_automatic_points_and_leaves_the_written_answers_waiting(course):
    before = json.loads((course / "gradebook_before.json").read_text(encoding="utf-8"))
    for student in (ANSWERED, LEFT_BLANK):
        checks = {name: grade for name, grade in before[student].items() if name.startswith("check_")}
        assert len(checks) == 24 and sum(grade[0] for grade in checks.values()) == 44
    answered = {name: grade for name, grade in before[ANSWERED].items() if name.startswith("written_")}
    assert len(answered) == COUNT and all(grade == [None, None, True] for grade in answered.values()), answered
    blank = {name: grade for name, grade in before[LEFT_BLANK].items() if name.startswith("written_")}
    assert all(grade == [0, None, False] for grade in blank.values()), blank  # nothing written: 0


def test_before_the_teacher_grades_the_pages_say_so_far_and_the_exports_leave_the_score_open(course):
    total, _, rows = summary_of(course / "feedback_before", ANSWERED)
    assert total == f"Your result so far: 44 of {44 + COUNT} points ({COUNT} written answers not graded yet)"
    written_rows = [row for row in rows if row[1].startswith("written_")]
    assert len(written_rows) == COUNT
    assert all(row[2] == "– / 1" and "not graded yet" in row[3] for row in written_rows), written_rows
    page = (course / "feedback_before" / ANSWERED / ASSIGNMENT / "summary.html").read_text(encoding="utf-8")
    assert f"Not your final result: your teacher has yet to grade {COUNT} written answers by hand" in page
    assert summary_of(course / "feedback_before", LEFT_BLANK)[0] == f"Your result: 44 of {44 + COUNT} points"
    rows_before = class_rows_of(course / "class_summary_before.html")
    assert rows_before[ANSWERED][0] == f"44 / {44 + COUNT} so far ({COUNT} written answers to grade)"
    assert rows_before[LEFT_BLANK][0] == f"44 / {44 + COUNT}"
    header, *rows = read_csv(course / "grades_before" / f"{ASSIGNMENT}_checks.csv")
    by_learner = {row[0]: dict(zip(header, row)) for row in rows}
    assert header[-1] == "written_to_grade" and by_learner[ANSWERED]["written_to_grade"] == str(COUNT)
    assert by_learner[ANSWERED]["written_01_1"] == "" and by_learner[LEFT_BLANK]["written_01_1"] == "0"
    assert by_learner[ANSWERED]["score"] == "44" and by_learner[ANSWERED]["max_score"] == str(44 + COUNT)
    for platform, column in (("canvas", 5), ("moodle", 2)):
        _, *rows = read_csv(course / "grades_before" / f"{ASSIGNMENT}_{platform}.csv")
        assert {row[0 if platform == "moodle" else 3]: row[column] for row in rows} == {ANSWERED: "", LEFT_BLANK: "44"}


def test_the_teachers_grades_count_in_the_total_the_pages_and_the_exports(course):
    graded = scores(course, ANSWERED)
    assert sum(score for score, _ in graded.values()) == 44 + GRADED_BY_HAND
    total, _, rows = summary(course, ANSWERED)
    assert total == f"Your result: {44 + GRADED_BY_HAND:g} of {44 + COUNT} points"
    points = {row[1]: row[2] for row in rows if row[1].startswith("written_")}
    assert points == {question["grade_id"]: f"{PARTIAL.get(question['grade_id'], 1):g} / 1" for _, question in QUESTIONS}
    assert class_rows(course)[ANSWERED][0] == f"{44 + GRADED_BY_HAND:g} / {44 + COUNT}"
    header, *rows = read_csv(course / "grades" / f"{ASSIGNMENT}_checks.csv")
    row = {row[0]: dict(zip(header, row)) for row in rows}[ANSWERED]
    assert [row[question["grade_id"]] for _, question in QUESTIONS] == \
        [f"{PARTIAL.get(question['grade_id'], 1):g}" for _, question in QUESTIONS]
    assert (row["score"], row["written_to_grade"]) == (f"{44 + GRADED_BY_HAND:g}", "0")
    _, *canvas = read_csv(course / "grades" / f"{ASSIGNMENT}_canvas.csv")
    _, *moodle = read_csv(course / "grades" / f"{ASSIGNMENT}_moodle.csv")
    assert {r[3]: r[5] for r in canvas}[ANSWERED] == {r[0]: r[2] for r in moodle}[ANSWERED] == f"{44 + GRADED_BY_HAND:g}"


def test_the_rubric_lists_every_written_answer_with_its_model_answer(course):
    rubric = (course / "rubric.md").read_text(encoding="utf-8")
    entries = re.split(r"\n(?=## )", rubric)[1:]
    assert len(entries) == COUNT
    for entry, (notebook, question) in zip(entries, QUESTIONS):
        assert entry.startswith(f"## {question['grade_id']} · {notebook} · 1 point\n"), entry[:80]
        assert question["question"] in entry and question["answer"] in entry
        assert distinctive(question["answer"]) in entry


def summary_of(feedback, student):
    """summary() of test_grading, from another feedback folder."""
    return summary(feedback.parent, student) if feedback.name == "feedback" else _summary_in(feedback, student)


def _summary_in(feedback, student):
    scratch = feedback.parent / f"view_{feedback.name}"
    if not scratch.exists():
        (scratch / "feedback").parent.mkdir(exist_ok=True)
        shutil.copytree(feedback, scratch / "feedback")
    return summary(scratch, student)


def class_rows_of(page):
    scratch = page.parent / f"view_{page.stem}"
    scratch.mkdir(exist_ok=True)
    shutil.copyfile(page, scratch / "class_summary.html")
    return class_rows(scratch)
