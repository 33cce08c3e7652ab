"""Helpers for the course "Logistic Regression with Python and NumPy": what a notebook imports.

Thin on purpose, a façade over the package `course/`, where each room does one job:

- data (course/data.py): `load_mnist`, `load_breast_cancer`, `stratified_split`, `random_batch`;
- figures (course/figures.py): `plot_example`, `plot_examples`, `plot_history`, `plot_weights`,
  `plot_confusion_matrix`, and the two colours that carry meaning, `BLUE` and `VERMILLION`;
- what earlier notebooks built (course/notebooks.py): `hyperparameters()`, read from notebook 2,
  and `model_from_notebooks(through=N)`, the LogisticModel that notebooks 5..N's saved cells build;
- checks of the learner's work (course/checks/): `check("sigmoid")`, the one line of a check cell,
  `check_earlier_exercises(LogisticModel)`, the first cell's guard, and `progress()`, the last
  cell's view of every exercise of the course.

The model itself is written in the notebooks, never here.

    import helpers
    train_images, train_labels, test_images, test_labels = helpers.load_mnist()

Importing this module is fast and imports neither matplotlib nor TensorFlow: each is imported
by the first function that needs it.
"""
import sys

from course import checks
from course.checks import CheckFailed, NotWrittenYet
from course.data import (BREAST_CANCER_FILE, CHECKSUM_FILE, DATA_DIR, IMAGE_SHAPE, MNIST_FILE, ROOT,
                         TFDS_INSTALL, load_breast_cancer, load_mnist, random_batch,
                         stratified_split, verify_checksum)
from course.figures import (BLUE, FIGURE_WIDTH, RIGHT_MARK, VERMILLION, WRONG_MARK, plot_confusion_matrix,
                            plot_example, plot_examples, plot_history, plot_weights)
from course.notebooks import (COURSE_NOTEBOOKS, MODEL_NOTEBOOKS, NOTEBOOKS_DIR, NotebookProblem,
                              hyperparameters, model_from_notebooks, model_source, notebooks_folder)

__all__ = [
    # data
    "load_mnist", "load_breast_cancer", "stratified_split", "random_batch", "verify_checksum",
    "ROOT", "DATA_DIR", "MNIST_FILE", "BREAST_CANCER_FILE", "CHECKSUM_FILE", "IMAGE_SHAPE",
    "TFDS_INSTALL",
    # figures
    "plot_example", "plot_examples", "plot_history", "plot_weights", "plot_confusion_matrix",
    "BLUE", "VERMILLION", "FIGURE_WIDTH", "RIGHT_MARK", "WRONG_MARK",
    # what earlier notebooks built
    "hyperparameters", "model_from_notebooks", "model_source", "notebooks_folder",
    "COURSE_NOTEBOOKS", "MODEL_NOTEBOOKS", "NOTEBOOKS_DIR", "NotebookProblem",
    # checks of the learner's work
    "check", "check_hidden", "check_earlier_exercises", "progress", "checks", "CheckFailed", "NotWrittenYet",
]


def check(name):
    """Run the check `name` on what this notebook's kernel holds, and print one line:
    `✓ sigmoid: what was verified`, or stop with `✗ sigmoid: what is wrong and the likely cause`.

        import helpers; helpers.check("sigmoid")

    The check takes what it needs (LogisticModel, a function of yours, ...) from the notebook by
    name. To read what it tests, open its notebook's module, course/checks/nbNN.py, or type
    `helpers.checks.nb06.sigmoid??` in a cell.
    """
    checks.run(name, sys._getframe(1).f_globals)  # the caller's globals: the kernel's names


def check_hidden(name, seed):
    """Grading only: the cases of the check `name` that the learner's edition does not contain
    (course/grading/hidden.py). It sits in nbgrader's hidden region of a check cell, which the
    release leaves out and autograde puts back; silent when they pass."""
    from course.grading import hidden
    hidden.run(name, seed, sys._getframe(1).f_globals)


def check_earlier_exercises(model_class):
    """Stop, with one message, unless the exercises of the notebooks `model_class` was built from
    are finished: every piece written and its checks passing. Call it in a notebook's first cell,
    right after `model_from_notebooks`."""
    checks.check_earlier_exercises(model_class)


def progress():
    """Print every exercise of the course, judged from the saved notebooks: ✓ done, ✗ failing
    (with the first line of its check's message) or · not written yet, and the totals; then a
    reminder to save and shut the kernel down. Trains nothing; takes well under a second."""
    checks.progress.show(kernel=sys._getframe(1).f_globals)  # the caller's: unsaved edits are said
