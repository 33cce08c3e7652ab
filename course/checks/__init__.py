"""The checks of the learner's work: one module per notebook (nb02.py ... nb12.py), one function
per check cell, and framework.py, which runs them (see its docstring).

A notebook's check cell is one line, `import helpers; helpers.check("sigmoid")`; to read what a
check tests, open its notebook's module here, or type `helpers.checks.nb06.sigmoid??` in a cell.
progress.py judges every exercise at once from the saved notebooks: helpers.progress().
The mistakes each module must catch are planted by tests/mistakes/nbNN.py, its twin.
"""
from course.checks import (nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10,  # noqa: F401
                           nb11, nb12)  # importing them registers their checks, in notebook order
from course.checks import progress
from course.checks.framework import (CHECKS, CheckFailed, NotWrittenYet, check_earlier_exercises,
                                     model_checks, run)

__all__ = ["CHECKS", "CheckFailed", "NotWrittenYet", "check_earlier_exercises", "model_checks", "run",
           "progress"]
