"""The checks of 02_hyperparameters.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("epochs")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import numpy as np

from course.checks.framework import check


@check('epochs', '4 cases by hand, from 1.5 to 300 epochs, fractions kept')
def epochs(epochs):
    for steps, size, examples, expected in [(10, 12, 80, 1.5), (300, 64, 800, 24.0),
                                            (3, 5, 2, 7.5), (300, 800, 800, 300.0)]:
        call = f"epochs(iterations={steps}, batch_size={size}, num_examples={examples})"
        got = epochs(steps, size, examples)
        assert got is not None, f"{call} returned None: did you forget `return`?"
        assert np.ndim(got) == 0 and np.asarray(got).dtype.kind in "iuf", (
            f"{call} returned {got!r}, a {type(got).__name__}: return the number itself "
            f"(the notebook formats it when it prints).")
        slips = [  # what the usual slips give on the same input, and their likely cause
            (examples / (steps * size), "The fraction is upside down: the images seen go on top, "
                                        "the size of the training set below."),
            (steps * size // examples, "The fraction is cut off (`//` or int()): keep it, divide with `/`."),
            (steps / examples, "The batch size is missing: each step looks at batch_size images, "
                               "so the steps look at iterations × batch_size of them."),
            (steps * size / 800, "It divides by 800, the notebook's training set, instead of "
                                 "num_examples: use the function's arguments, not the notebook's values."),
            (examples / size, "That is the number of steps one epoch takes (num_examples / batch_size), "
                              "not the number of epochs."),
            (steps * size, "That is the number of images seen: divide it by the size of the training set."),
            (round(steps * size / examples), "It is rounded: a run can stop partway through an epoch, "
                                             "so keep the fraction."),
            ((steps - 1) * size / examples, "It counts one step too few (iterations − 1): every one "
                                            "of the iterations steps, the first too, looks at "
                                            "batch_size images."),
            ((steps + 1) * size / examples, "It counts one step too many (iterations + 1): there are "
                                            "exactly iterations steps."),
        ]
        cause = next((why for value, why in slips if np.isclose(got, value)),
                     "Epochs = iterations × batch_size / num_examples.")
        assert np.isclose(got, expected), (
            f"{call} returned {float(got):g}; expected {expected:g} ({steps} steps × {size} images = "
            f"{steps * size} images seen, on a training set of {examples}). {cause}")
