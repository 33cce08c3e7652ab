"""The checks of 02_hyperparameters.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("epochs")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import math

import numpy as np

from course.checks.framework import check

# (iterations, batch_size, num_examples, epochs), the epochs worked out by hand.
CASES = [
    (10, 12, 80, 1.5),       # the notebook's Expected line: half an epoch left over
    (300, 64, 800, 24.0),    # the notebook's own run
    (3, 5, 2, 7.5),          # a batch larger than the training set
    (300, 800, 800, 300.0),  # every step a whole epoch
    (7, 3, 9, 7 / 3),        # 2.333...: shows any rounding to decimals
]


def _slips(steps, size, examples, expected):
    """What the usual slips give on one case, each with its likely cause, worked out from the
    expected value (images seen = expected × examples) rather than from a formula of our own."""
    seen = steps * size  # the number of images the steps look at
    return [
        (1 / expected, "The fraction is upside down: the images seen go on top, the size of the "
                       "training set below."),
        (math.floor(expected), "The fraction is cut off (`//` or int()): divide with `/`, which "
                               "keeps it."),
        (expected / size, "The batch size is missing: each step looks at batch_size images, "
                          "not one."),
        (expected * examples / 800, "It divides by 800, the notebook's training set, instead of "
                                    "num_examples: use the function's arguments, not the "
                                    "notebook's values."),
        (examples / size, "That is the number of steps one epoch takes (num_examples / batch_size), "
                          "not the number of epochs."),
        (seen, "That is the number of images seen: how many training sets of num_examples images "
               "do they make?"),
        (round(expected), "It is rounded to a whole number: a run can stop partway through an "
                          "epoch, so keep the fraction."),
        (math.ceil(expected), "It is rounded up to a whole number: a run can stop partway through "
                              "an epoch, so keep the fraction."),
        (expected * (steps - 1) / steps, "It counts one step too few (iterations − 1): every one of "
                                         "the iterations steps, the first too, looks at batch_size "
                                         "images."),
        (expected * (steps + 1) / steps, "It counts one step too many (iterations + 1): there are "
                                         "exactly iterations steps."),
        (expected * examples / (examples - 1), "It divides by num_examples − 1: one epoch is the "
                                               "whole training set, num_examples images."),
        (expected * examples / (examples + 1), "It divides by num_examples + 1: one epoch is the "
                                               "whole training set, num_examples images."),
        (100 * expected, "That is a percentage of the training set: return the number of epochs "
                         "itself (1.5 means one and a half passes)."),
        (expected - math.floor(expected), "That is only the unfinished part of the last epoch (`%` "
                                          "keeps the remainder): the whole epochs count too."),
        (expected * 64 / size, "It uses Task 2's batch size, 64 (settings['batch_size']), instead "
                               "of its argument batch_size: use the function's arguments."),
    ] + [(round(expected, decimals), f"That is the number of epochs rounded to {decimals} decimal"
          f"{'s' * (decimals > 1)}: return it exactly (no round()); the notebook rounds only when it "
          f"prints.") for decimals in (1, 2, 3, 4)]  # the same slips, in the same order, for every case


@check('epochs', '5 cases by hand, from 1.5 to 300 epochs, fractions kept exactly (2.333... too)')
def epochs(epochs):
    answers, dtypes = [], []
    for steps, size, examples, _ in CASES:
        call = f"epochs(iterations={steps}, batch_size={size}, num_examples={examples})"
        try:
            got = epochs(steps, size, examples)
        except (TypeError, AttributeError) as error:
            if "of type 'int' has no len()" not in str(error) \
                    and "'int' object has no attribute" not in str(error):
                raise
            raise AssertionError(  # an argument taken for an array: len(num_examples), .shape
                f"{call} stopped with {type(error).__name__}: {error}. The three arguments are "
                f"plain numbers, not arrays: num_examples is the size of the training set "
                f"({examples} here), not the images themselves, so it has no len() and no .shape. "
                f"Use each number as it is.") from None
        assert got is not None, f"{call} returned None: did you forget `return`?"
        assert np.ndim(got) == 0 and np.asarray(got).dtype.kind in "iuf", (
            f"{call} returned {got!r}, a {type(got).__name__}: "
            + ("exact, but the exercise asks for a float: divide with `/`, which gives one"
               if type(got).__name__ == "Fraction" else
               "return the number itself (the notebook formats it when it prints)") + ".")
        answers.append(float(got))
        dtypes.append(np.asarray(got).dtype)
    wrong = [(case, got) for case, got in zip(CASES, answers) if abs(got - case[3]) > 1e-12 * case[3]]
    if not wrong:
        return
    (steps, size, examples, expected), got = wrong[0]
    # The likely cause: the slip that gives every answer that came back (round(1.5) and
    # ceil(1.5) are both 2, 7/3 tells them apart), else one that gives this answer.
    slips = [_slips(*case) for case in CASES]
    same = lambda value, slip: np.isclose(value, slip, rtol=1e-12, atol=0)
    everywhere = [why for k, (_, why) in enumerate(slips[0])
                  if all(same(answer, case_slips[k][0]) for answer, case_slips in zip(answers, slips))]
    here = [why for value, why in _slips(steps, size, examples, expected) if same(got, value)]
    cause = next(iter(everywhere + here),
                 "One epoch is as many images seen as the training set holds: count the images "
                 "the steps look at, then how many training sets of that size they make.")
    dtype = dtypes[CASES.index((steps, size, examples, expected))]
    if dtype.itemsize < 8 and np.isclose(got, expected, rtol=1e-3, atol=0):
        cause = (f"It is a number of dtype {dtype}, which keeps fewer digits than float64: return "
                 f"the quotient as Python computes it (a float64).")
    raise AssertionError(
        f"epochs(iterations={steps}, batch_size={size}, num_examples={examples}) returned "
        f"{got:.10g}; expected {expected:.10g}. {cause}")
