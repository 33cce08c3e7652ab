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
