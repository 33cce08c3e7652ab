# nbgrader's configuration for a classroom: the course's repository is the course folder, and
# notebooks/ (the worked edition, with its solution markers and graded checks) is the source of
# the assignment "notebooks". Commands, run at the repository's root (docs/teaching.md, "Grading
# with nbgrader"):
#     nbgrader generate_assignment notebooks --force   # release/notebooks/: the exercise edition
#     nbgrader autograde notebooks                      # submitted/<student>/notebooks/ -> autograded/
#     nbgrader generate_feedback notebooks              # feedback/<student>/notebooks/*.html
c = get_config()  # noqa: F821 (defined by nbgrader when it reads this file)

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "."
# A check runs well under a second; the longest cell (a training run in notebook 11) a few seconds.
c.Execute.timeout = 120

# The course's one step besides nbgrader's own (course/editions.py): an optional task's cells do
# not stop "Run All" in the release, which is then exactly exercises/.
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

from nbgrader.converters import GenerateAssignment  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # this clone's course package
from course.editions import with_optional_cells_step  # noqa: E402
c.GenerateAssignment.preprocessors = with_optional_cells_step(
    GenerateAssignment.class_traits()["preprocessors"].default())
