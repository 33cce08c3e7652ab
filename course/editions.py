"""The one step the course adds to nbgrader's own when it makes the learner's edition from the
worked one. tools/build_exercises.py (exercises/) and nbgrader_config.py (`nbgrader
generate_assignment`, a classroom's release) both use it, so the two editions stay identical.
Imported by those alone: it needs nbgrader, which a learner's install does not have.
"""
import re

from nbgrader.preprocessors.base import NbGraderPreprocessor

GOING_FURTHER = "going-further"  # the tag of an optional task's cells


class OptionalCellsDoNotStop(NbGraderPreprocessor):  # nbgrader's base: enabled in its exporters
    """An optional task's cell that ClearSolutions left as a bare `raise NotImplementedError()`
    (a demonstration the learner writes, not a function) becomes a comment alone: a learner who
    finished the core and skips the optional task still runs the notebook ("Run All") down to its
    last cell, helpers.progress(). A function's stub keeps its raise, so that its check can say
    "not written yet" (which, for an optional task, does not stop "Run All" either)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code" and GOING_FURTHER in cell.metadata.get("tags", []):
            cell.source = re.sub(r"^raise NotImplementedError\(\)$", "# (optional)", cell.source, flags=re.M)
        return cell, resources


def with_optional_cells_step(preprocessors):
    """nbgrader's list of preprocessors with OptionalCellsDoNotStop right after ClearSolutions."""
    from nbgrader.preprocessors import ClearSolutions
    steps = list(preprocessors)
    steps.insert(steps.index(ClearSolutions) + 1, OptionalCellsDoNotStop)
    return steps


def only_these_assignments(*names):
    """The course folder is the repository (nbgrader_config.py: its source folder is "."), whose
    other folders (course/, docs/, tests/...) are not assignments; nbgrader lists every folder
    of the source folder as one, and the Formgrader would offer each to generate and release.
    After this, nbgrader's API lists `names` alone. (Configuration files are read again and
    again, the Formgrader's on every request: the original listing is wrapped once.)"""
    from nbgrader.apps.api import NbGraderAPI
    every_folder = getattr(NbGraderAPI.get_source_assignments, "every_folder",
                           NbGraderAPI.get_source_assignments)

    def get_source_assignments(self):
        return every_folder(self) & set(names)

    get_source_assignments.every_folder = every_folder
    NbGraderAPI.get_source_assignments = get_source_assignments
