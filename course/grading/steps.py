"""The steps nbgrader_config.py plugs into nbgrader: the preprocessor that grades a notebook in
place of nbgrader's Execute, and the hooks around a submission.

Grading writes, for each submission, `grading_notes.json` beside the autograded notebooks: what
happened to it (submission.py's sentences and the plan's), for the learner's feedback page and
the teacher's summary (feedback.py).
"""
import json
import time
from pathlib import Path

from nbformat import NotebookNode
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells
from traitlets import Float

from course.grading import hidden
from course.grading import plan as plans
from course.grading import submission, worker
from course.grading.written import waits_for_a_grade

NOTES_FILE = "grading_notes.json"
SUBMISSION_SECONDS = 30.0  # a whole submission's graded runs, endless loops included

# What grading found, per submission folder (autograded/<student>/<assignment>), until the
# post-convert hook writes it down: {folder: [sentence, ...]}.
_notes = {}
_replaced = {}  # what the learner's code replaced, in any notebook: said once per submission
_fallbacks = {}  # [(notebook, cause)]: notebooks graded on the course's model, said once
_started = {}


def _needs(name):
    from course.checks.framework import CHECKS
    found = CHECKS.get(name)
    return found.needs if found else ()


class GradeInFreshProcess(NbGraderPreprocessor):
    """nbgrader's Execute, replaced: the notebook's grading plan runs in a fresh process
    (worker.py), and each check cell gets that run's outputs, which nbgrader's SaveAutoGrades
    then reads (an error output: no points)."""

    notebook_seconds = Float(20.0, help="The longest one notebook's graded run may take.").tag(config=True)

    def preprocess(self, nb, resources):
        course = CourseDirectory(config=self.config)
        assignment = resources["nbgrader"]["assignment"]
        name = resources["nbgrader"]["notebook"]
        folder = Path(resources["metadata"]["path"]).resolve()
        reference = Path(course.format_path(course.source_directory, ".", assignment))
        source = json.loads((reference / f"{name}.ipynb").read_text(encoding="utf-8"))
        made = plans.make(source, nb, _needs)
        nb.cells = [NotebookNode(cell) for cell in made.notebook["cells"]]
        started = _started.setdefault(str(folder), time.monotonic())
        budget = max(1.0, min(self.notebook_seconds, SUBMISSION_SECONDS - (time.monotonic() - started)))
        steps = [{"kind": step.kind, "source": step.source, "label": step.label, "grade_id": step.grade_id}
                 for step in made.steps]
        hidden.preload(reference)
        results, replaced, fallbacks = worker.grade(steps, folder, reference, budget, f"{name}.ipynb")
        for step, result in zip(made.steps, results):
            if step.cell is None:
                continue
            cell = nb.cells[step.cell]
            cell.outputs = _outputs(result, step, budget)
        _fail_checks_not_run(nb, {step.cell for step in made.steps})
        _notes.setdefault(str(folder), []).extend(made.notes)
        _replaced.setdefault(str(folder), set()).update(replaced)
        _fallbacks.setdefault(str(folder), []).extend(fallbacks)
        return nb, resources


def _fail_checks_not_run(nb, graded):
    """A graded cell with no error output earns its points in nbgrader: one that no step ran
    (which should not happen) fails, saying so, rather than pass unseen."""
    for index, cell in enumerate(nb.cells):
        grading = (cell.get("metadata") or {}).get("nbgrader") or {}
        if cell.get("cell_type") == "code" and grading.get("grade") and index not in graded:
            message = "✗ not graded: grading found no check of the course's for this cell"
            cell.outputs = [NotebookNode(output_type="error", ename="NotGraded", evalue=message,
                                         traceback=[message])]


def _fallback_sentences(fallbacks):
    """One sentence per cause: the notebooks graded on the course's model because of it."""
    by_cause = {}
    for notebook, cause in fallbacks:
        by_cause.setdefault(cause, []).append(notebook.removesuffix(".ipynb"))
    return [f"Your saved notebooks could not build the model for {', '.join(names)} ({cause}): "
            f"{'their' if len(names) > 1 else 'its'} checks were graded on the course's model "
            f"instead, so that they judge only {'their' if len(names) > 1 else 'its'} own code."
            for cause, names in by_cause.items()]


def _outputs(result, step, budget):
    if result is None:
        message = (f"✗ not graded: grading's time ran out before this cell ({budget:.0f} s were "
                   f"left for this notebook of the {SUBMISSION_SECONDS:.0f} s a submission gets): "
                   f"code of yours that is very slow or never ends, here or in an earlier notebook?")
        return [NotebookNode(output_type="error", ename="TimeLimit", evalue=message,
                             traceback=[message])]
    stdout, stderr, error = result
    outputs = []
    if stdout:
        outputs.append(NotebookNode(output_type="stream", name="stdout", text=stdout))
    if stderr:
        outputs.append(NotebookNode(output_type="stream", name="stderr", text=stderr))
    if error:
        ename, evalue, lines = error
        outputs.append(NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=lines))
    return outputs


def with_grading_step(preprocessors):
    """nbgrader's autograde preprocessors, with GradeInFreshProcess in place of Execute."""
    return [GradeInFreshProcess if step is Execute else step for step in preprocessors]


class OverwriteChecks(OverwriteCells):
    """nbgrader's OverwriteCells (a locked cell back as the teacher wrote it), without its
    warning that a check cell's checksum changed: every check of the release differs from the
    source by its hidden cases, so nbgrader would warn 24 times for every learner. A check a
    learner really changed is said in one sentence instead (submission.changed_checks)."""

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and str(name).startswith("check_"):
            self.log.debug("checksum of %s differs from the source's (its hidden cases)", name)
            return
        super().report_change(name, attr, old, new)


def with_quiet_overwrite(preprocessors):
    """nbgrader's sanitize preprocessors with OverwriteChecks for OverwriteCells."""
    return [OverwriteChecks if step is OverwriteCells else step for step in preprocessors]


def before_autograde(assignment, student, notebooks):
    """nbgrader's pre-convert hook: a renamed notebook is graded under its own name."""
    if notebooks:
        folder = Path(notebooks[0]).parent
        notes = submission.prepare(notebooks)
        # the course's source of the assignment (source_directory "." in nbgrader_config.py)
        notes += submission.changed_checks(notebooks, folder.resolve().parents[2] / assignment)
        _notes[str(_autograded_of(folder))] = list(notes)
        _replaced.pop(str(_autograded_of(folder)), None)
        _fallbacks.pop(str(_autograded_of(folder)), None)
        _started.pop(str(_autograded_of(folder)), None)


def after_autograde(assignment, student, notebooks):
    """nbgrader's post-convert hook: the submission's notes, written beside its notebooks."""
    if notebooks:
        folder = _autograded_of(Path(notebooks[0]).parent)
        notes = _notes.pop(str(folder), [])
        replaced = _replaced.pop(str(folder), set())
        if replaced:
            notes.append(worker.CHANGED_NOTE.format(names=", ".join(sorted(replaced))))
        notes += _fallback_sentences(_fallbacks.pop(str(folder), []))
        _started.pop(str(folder), None)
        if folder.is_dir():
            (folder / NOTES_FILE).write_text(json.dumps(notes, indent=1, ensure_ascii=False) + "\n",
                                             encoding="utf-8")


def _autograded_of(submitted_folder):
    """<course>/submitted/<student>/<assignment> -> <course>/autograded/<student>/<assignment>
    (nbgrader's default folder names, which the course's configuration keeps)."""
    folder = Path(submitted_folder).resolve()
    return folder.parents[2] / "autograded" / folder.parent.name / folder.name


def after_feedback(assignment, student, notebooks):
    """nbgrader's post-convert hook of generate_feedback: the pages finished, the learner's
    summary.html beside them, and the class's summary at the course's root (rewritten after
    each learner, from the gradebook and the notes alone: no learner's notebook is read again)."""
    from course.grading import feedback
    if not notebooks:
        return
    autograded = Path(notebooks[0]).parent.resolve()
    root, student_id, assignment_id = autograded.parents[2], autograded.parent.name, autograded.name
    folder = root / "feedback" / student_id / assignment_id
    if not folder.is_dir():
        return
    feedback.finish_pages(folder, root)
    graded = _graded(root, assignment_id)
    grades, penalty, late = graded.get(student_id, ({}, 0.0, []))
    feedback.write_summary(folder, student_id, assignment_id, feedback.checks_of(autograded, grades),
                           _notes_of(autograded) + late, penalty)
    learners = []
    for other in sorted((root / "autograded").glob(f"*/{assignment_id}")):
        grades, penalty, late = graded.get(other.parent.name, ({}, 0.0, []))
        learners.append((other.parent.name, sum(grade[0] or 0 for grade in grades.values()) - penalty,
                         sum(grade[1] for grade in grades.values()), _notes_of(other) + late,
                         sum(1 for grade in grades.values() if grade[3])))
    feedback.write_class_summary(root, assignment_id, learners)


def _graded(root, assignment):
    """{learner: ({grade id: (score, max score, notebook, waiting for a manual grade)}, points
    off for lateness, [a sentence saying so])} of every submission of the assignment, in one
    reading of the gradebook. A written answer (written.py) waits for its manual grade until
    the teacher gives it one (the Formgrader sets `manual_score`)."""
    from nbgrader.api import Gradebook
    graded = {}
    with Gradebook(f"sqlite:///{Path(root) / 'gradebook.db'}") as gradebook:
        for submission in gradebook.find_assignment(assignment).submissions:
            grades = {grade.name: (grade.score, grade.max_score, notebook.name, waits_for_a_grade(grade))
                      for notebook in submission.notebooks for grade in notebook.grades}
            penalty, seconds = submission.late_submission_penalty or 0.0, submission.total_seconds_late or 0.0
            late = [f"Handed in {seconds / 86400:.1f} days after the due date: {penalty:g} of your "
                    f"{submission.score:g} points were taken off for it (the course's late-work "
                    f"policy)."] if seconds > 0 else []
            graded[submission.student.id] = (grades, penalty if seconds > 0 else 0.0, late)
    return graded


def _notes_of(autograded):
    path = Path(autograded) / NOTES_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else []
