"""The checks of 12_additional_example.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("standardise")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import dis

import numpy as np

from course.checks.framework import check


@check('standardise', "a 3 x 2 training set and a 2 x 2 other set, standardised with the training set's mean and standard deviation per column; the inputs left unchanged")
def standardise(standardise):
    small_train = np.array([[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]])  # column means 3 and 20
    small_other = np.array([[3.0, 40.0], [7.0, 0.0]])
    given_train, given_other = small_train.copy(), small_other.copy()
    given_train.flags.writeable = given_other.flags.writeable = False  # to be left as they are
    shown = f"for the training set {small_train.tolist()} and the other set {small_other.tolist()}"
    notebook_arrays = sorted({step.argval for step in dis.get_instructions(standardise)  # the
                              if step.opname == "LOAD_GLOBAL"                         # notebook's
                              and isinstance(standardise.__globals__.get(step.argval), np.ndarray)})  # arrays it reads
    assert not notebook_arrays, (
        f"it reads the notebook's {', '.join(notebook_arrays)}: use its arguments, X_train and "
        f"X_other, so that it standardises any pair of sets it is given (the twenty splits below)")
    try:
        result = standardise(given_train, given_other)
    except ValueError as error:
        if "read-only" in str(error) or "broadcast" not in str(error):
            raise
        raise AssertionError(
            f"{shown} it stopped with ValueError: {str(error).strip()}. "
            + ("The statistics have one number per row (axis=1), shape (3,), which NumPy cannot line "
               "up with the columns: take one mean and one standard deviation per column, "
               "X_train.mean(axis=0) and X_train.std(axis=0), shape (2,)" if "(3,)" in str(error) or "(3,1)" in str(error)
               else "One mean and one standard deviation per column of X_train (axis=0) can be "
                    "subtracted from, and divide, every row of either set")) from None
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        f"it returned {type(result).__name__} {result!r}; expected a pair: "
        f"(the standardised training set, the standardised other set)")
    assert not (np.shape(result[0]) == small_other.shape and np.shape(result[1]) == small_train.shape), (
        f"{shown} it returned a pair of shapes {np.shape(result[0])} and {np.shape(result[1])}: the "
        f"order is swapped. Return (the standardised training set, the standardised other set), in "
        f"the order of the arguments")
    mean, std = small_train.mean(axis=0), small_train.std(axis=0)
    for name, given, got in (("training", small_train, result[0]), ("other", small_other, result[1])):
        got = np.asarray(got, dtype=float)
        assert got.shape == given.shape, (
            f"for the {name} set of shape {given.shape} it returned shape {got.shape}; expected "
            f"the same shape (one mean and one standard deviation per column, axis=0)")
        wrong = {
            "each set was standardised with its own statistics: the other set must use the "
            "training set's mean and standard deviation":
                (given - given.mean(axis=0)) / given.std(axis=0),
            "it divides by the variance s², not by the standard deviation s (std, not var)":
                (given - mean) / std**2,
            "it is not centred: subtract the mean before dividing by the standard deviation":
                given / std,
            "one mean and one standard deviation for the whole array: take one per column "
            "(axis=0)":
                (given - small_train.mean()) / small_train.std(),
            "statistics of both sets together: the training set's alone decide":
                (given - np.vstack([small_train, small_other]).mean(axis=0))
                / np.vstack([small_train, small_other]).std(axis=0),
            "the sample standard deviation (ddof=1): the course uses np.std's default, ddof=0":
                (given - mean) / small_train.std(axis=0, ddof=1),
        }
        if name == "other":
            wrong["it is unchanged: either it was not standardised, or it was standardised with the "
                  "statistics of the already standardised X_train (mean 0, standard deviation 1). Reusing the name X_train for the result "
                  "loses the training set's own statistics: compute its mean and standard deviation "
                  "once, first, and use them for both sets"] = given
        likely = next((cause for cause, values in wrong.items() if np.allclose(got, values)), None)
        assert np.allclose(got, (given - mean) / std), (
            f"{shown}, the {name} set came out as {np.round(got, 3).tolist()}; "
            f"expected {np.round((given - mean) / std, 3).tolist()} (training means "
            f"{mean.tolist()}, standard deviations {np.round(std, 3).tolist()})"
            + (f": {likely}" if likely else ""))


@check('rates', '(sensitivity, specificity) of two confusion matrices, rows the true labels, columns the predictions')
def rates(rates):
    for counts, expected in (([[40, 10], [5, 45]], (0.9, 0.8)), ([[88, 1], [3, 50]], (50 / 53, 88 / 89))):
        given_matrix = np.array(counts)
        given_matrix.flags.writeable = False  # rates must leave the matrix as it is
        got = rates(given_matrix)
        shown = (f"for the matrix {counts} (rows: true label 0, 1; columns: predicted 0, 1) it "
                 f"returned {np.round(got, 3).tolist() if np.shape(got) == (2,) else got!r}; "
                 f"expected (sensitivity, specificity) = "
                 f"({expected[0]:.3f}, {expected[1]:.3f})")
        assert got is not None and np.shape(got) == (2,), f"{shown}: return the pair of rates"
        (tn, fp), (fn, tp) = counts
        likely = {
            (expected[1], expected[0]): "that is (specificity, sensitivity): sensitivity first",
            (tp / (tp + fp), tn / (tn + fn)):
                "rows and columns swapped: the rows are the true labels, the columns the predictions",
            (fn / (fn + tp), fp / (fp + tn)):
                "those are the shares of mistakes in each row (1 - rate): count the right answers",
        }
        cause = next((why for values, why in likely.items() if np.allclose(got, values)), None)
        assert np.allclose(got, expected), shown + (f": {cause}" if cause else "")
