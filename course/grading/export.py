"""Grades out of nbgrader's gradebook, as an nbgrader export plugin: one command, three files.

    nbgrader export --exporter course.grading.export.GradesOut --to grades

writes, in the folder `grades/` (created if needed), for every assignment of the gradebook:

- `<assignment>_checks.csv`: one row per learner, one column per check (its points), then the raw
  score, the late penalty, the score and the maximum; a learner with no submission has empty
  check columns and a score of 0;
- `<assignment>_canvas.csv`: Canvas's gradebook import (Grades ▸ Import): Student, ID, SIS User
  ID, SIS Login ID, Section, and one column for the assignment, its score after the late penalty;
  the learner is matched by SIS Login ID, here nbgrader's learner id (the hub's user name);
- `<assignment>_moodle.csv`: Moodle's grade import (Grades ▸ Import ▸ CSV file): Username, Email
  address, and the assignment's score; map "Username" to the user, the score to the grade item.

With written answers graded by hand (written.py, `c.WrittenAnswers.graded`), each is a column of
`<assignment>_checks.csv` too (empty while it waits for the teacher's grade), followed at the end
by `written_to_grade`, the learner's answers still waiting; a learner with answers waiting gets an
empty score in the Canvas and Moodle files, not a total that is not final.
"""
import csv
from pathlib import Path

from nbgrader.api import MissingEntry
from nbgrader.plugins import ExportPlugin

from course.grading.written import waits_for_a_grade
from course.notebooks import COURSE_NOTEBOOKS

TITLE = "Logistic regression with NumPy"


class GradesOut(ExportPlugin):
    """nbgrader's export, as the course's three files (module docstring)."""

    def export(self, gradebook):
        folder = Path(self.to or "grades")
        folder.mkdir(parents=True, exist_ok=True)
        for assignment in gradebook.assignments:
            rows = [_row(gradebook, assignment, student) for student in gradebook.students]
            checks = _checks_in_order(assignment)
            by_hand = any(cell.cell_type == "markdown" for notebook in assignment.notebooks
                          for cell in notebook.grade_cells)  # written answers (written.py)
            _write(folder / f"{assignment.name}_checks.csv",
                   ["learner", "last_name", "first_name", "email", *checks,
                    "raw_score", "late_penalty", "score", "max_score",
                    *(["written_to_grade"] if by_hand else [])],
                   [[row["id"], row["last_name"], row["first_name"], row["email"],
                     *[_points(row["checks"].get(check)) for check in checks],
                     _points(row["raw"]), _points(row["penalty"]), _points(row["score"]),
                     _points(assignment.max_score), *([row["waiting"]] if by_hand else [])]
                    for row in rows])
            column = f"{TITLE} ({assignment.name})"
            final = {row["id"]: "" if row["waiting"] else _points(row["score"]) for row in rows}
            _write(folder / f"{assignment.name}_canvas.csv",
                   ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column],
                   [[row["name"], row["lms_user_id"], "", row["id"], "", final[row["id"]]]
                    for row in rows])
            _write(folder / f"{assignment.name}_moodle.csv", ["Username", "Email address", column],
                   [[row["id"], row["email"], final[row["id"]]] for row in rows])
            self.log.info("Wrote %s's grades of %d learners to %s", assignment.name, len(rows), folder)
            waiting = sum(1 for row in rows if row["waiting"])
            if waiting:
                self.log.warning("%d learners have written answers still to grade by hand (the "
                                 "Formgrader's Manual Grading): their Canvas and Moodle scores are "
                                 "left empty until then", waiting)


def _row(gradebook, assignment, student):
    row = {"id": student.id, "first_name": student.first_name or "", "last_name": student.last_name or "",
           "email": student.email or "", "lms_user_id": getattr(student, "lms_user_id", None) or "",
           "checks": {}, "raw": 0.0, "penalty": 0.0, "score": 0.0, "waiting": 0}
    names = [part for part in (student.last_name, student.first_name) if part]
    row["name"] = ", ".join(names) or student.id
    try:
        submission = gradebook.find_submission(assignment.name, student.id)
    except MissingEntry:
        return row
    grades = [grade for notebook in submission.notebooks for grade in notebook.grades]
    row["checks"] = {grade.name: None if waits_for_a_grade(grade) else grade.score for grade in grades}
    row["waiting"] = sum(1 for grade in grades if waits_for_a_grade(grade))
    row["raw"], row["penalty"] = submission.score, submission.late_submission_penalty or 0.0
    row["score"] = max(0.0, submission.score - row["penalty"])
    return row


def _checks_in_order(assignment):
    """The assignment's graded cells, in the course's order (its notebooks', then its checks'
    within each), then any others."""
    from course.checks.framework import CHECKS
    notebooks = {name.removesuffix(".ipynb"): number for number, name in enumerate(COURSE_NOTEBOOKS)}
    checks = {f"check_{name}": number for number, name in enumerate(CHECKS)}
    cells = [(notebook.name, cell.name) for notebook in assignment.notebooks for cell in notebook.grade_cells]
    return [name for _, name in sorted(cells, key=lambda pair: (
        notebooks.get(pair[0], len(notebooks)), checks.get(pair[1], len(checks)), pair[1]))]


def _points(value):
    return "" if value is None else f"{value:g}"


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
