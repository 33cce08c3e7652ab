# nbgrader's configuration for a classroom: the course's repository is the course folder, and
# notebooks/ (the worked edition, with its solution markers and graded checks) is the source of
# the assignment "notebooks". Commands, run at the repository's root (docs/teaching.md, "Grading
# with nbgrader"):
#     nbgrader generate_assignment notebooks --force   # release/notebooks/: the exercise edition
#     nbgrader autograde notebooks                      # submitted/<student>/notebooks/ -> autograded/
#     nbgrader generate_feedback notebooks              # feedback/<student>/notebooks/*.html
from pathlib import Path

c = get_config()  # noqa: F821 (defined by nbgrader when it reads this file)

c.CourseDirectory.root = str(Path(__file__).resolve().parent)  # this clone
# The gradebook, named outright: the Formgrader, started in the teacher's home, otherwise looks
# for it there (its default follows the folder nbgrader starts in, not the root above).
c.CourseDirectory.db_url = f"sqlite:///{Path(__file__).resolve().parent / 'gradebook.db'}"
c.CourseDirectory.source_directory = "."
# `nbgrader validate` still runs a Jupyter kernel (grading does not, below): a cell may take 120 s.
c.Execute.timeout = 120

# The course's one step besides nbgrader's own (course/editions.py): an optional task's cells do
# not stop "Run All" in the release, which is then exactly exercises/.
import sys

from nbgrader.converters import GenerateAssignment

sys.path.insert(0, str(Path(__file__).resolve().parent))  # this clone's course package
from course.editions import only_these_assignments, with_optional_cells_step
from course.grading.written import with_written_answers_step

# The repository's other folders are not assignments: the Formgrader lists `notebooks` alone.
only_these_assignments("notebooks")

c.GenerateAssignment.preprocessors = with_written_answers_step(with_optional_cells_step(
    GenerateAssignment.class_traits()["preprocessors"].default()))

# Concept questions (course/grading/written.py; docs/teaching.md, "Written answers"): False, they
# are ungraded, each with its model answer collapsed under it (the release is then exactly
# exercises/); True, each is released without its answer, followed by a cell for the learner's
# written answer that you grade by hand (the Formgrader's Manual Grading), `points` each;
# `python -m course.grading.written` writes the model answers as your rubric, rubric.md.
c.WrittenAnswers.graded = False
c.WrittenAnswers.points = 1

# Grading (course/grading/): each notebook runs its grading plan in a fresh process, forked from
# one that has NumPy and the checks loaded, instead of nbgrader's Jupyter kernel (Execute): the
# checks run guarded, with hidden cases, a learner's setup cells cannot be lost, and a class
# grades in seconds per submission. A renamed notebook is graded under the course's name.
# The learner's own outputs are kept (ClearOutput left out) for the cells grading does not run:
# their figures show in the feedback; every graded cell gets the graded run's outputs.
from nbgrader.converters import Autograde, GenerateFeedback
from nbgrader.preprocessors import ClearOutput

from course.grading import feedback, steps

c.Autograde.sanitize_preprocessors = steps.with_quiet_overwrite([
    step for step in Autograde.class_traits()["sanitize_preprocessors"].default() if step is not ClearOutput])
c.Autograde.autograde_preprocessors = steps.with_grading_step(
    Autograde.class_traits()["autograde_preprocessors"].default())
c.Autograde.pre_convert_hook = steps.before_autograde
c.Autograde.post_convert_hook = steps.after_autograde
# Feedback: figures with their alt text; then (feedback.py) offline formulas, wrapped messages,
# no server paths, and a summary page per learner and one for the class.
c.GenerateFeedback.preprocessors = [
    *GenerateFeedback.class_traits()["preprocessors"].default(), feedback.FiguresWithAltText]
c.GenerateFeedback.post_convert_hook = steps.after_feedback

# Late work (course/grading/late.py): 10 % of the points off per day or part of a day after the
# assignment's due date, at most 50 %. Set a due date with
#     nbgrader db assignment add notebooks --duedate="2027-01-15 17:00:00 UTC"
# (no due date: nothing is late); change the rates here, or set penalty_method "none" with
# nbgrader's own plugin (c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin").
from course.grading.late import PercentPerDay

c.AssignLatePenalties.plugin_class = PercentPerDay
c.PercentPerDay.percent_per_day = 10
c.PercentPerDay.most_percent = 50
