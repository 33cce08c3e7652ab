"""The checks of 12_additional_example.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("standardise")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""

import numpy as np

from course.checks.framework import check, notebook_arrays_read

# standardise's small case, worked out by hand (population standard deviation: divide by m = 3).
SMALL_TRAIN = [[1.0, 10.0], [3.0, 30.0], [5.0, 20.0]]
SMALL_OTHER = [[3.0, 40.0], [7.0, 0.0]]
#   column 0: 1, 3, 5     mean 3,  deviations −2, 0, 2    variance (4 + 0 + 4)/3 = 8/3,       s ≈ 1.633
#   column 1: 10, 30, 20  mean 20, deviations −10, 10, 0  variance (100 + 100 + 0)/3 = 200/3, s ≈ 8.165
TRAIN_MEANS = np.array([3.0, 20.0])
TRAIN_STDS = np.sqrt([8 / 3, 200 / 3])
# A deviation of 2 in column 0, or 10 in column 1, becomes 2/√(8/3) = 10/√(200/3) = √(3/2) ≈ 1.225;
# one of 4, or 20, becomes 4/√(8/3) = 20/√(200/3) = √6 ≈ 2.449.
_R, _S = np.sqrt(1.5), np.sqrt(6.0)
EXPECTED_TRAIN = np.array([[-_R, -_R],   # (1 − 3)/s₀, (10 − 20)/s₁
                           [0.0, _R],    # (3 − 3)/s₀, (30 − 20)/s₁
                           [_R, 0.0]])   # (5 − 3)/s₀, (20 − 20)/s₁
EXPECTED_OTHER = np.array([[0.0, _S],    # (3 − 3)/s₀, (40 − 20)/s₁
                           [_S, -_S]])   # (7 − 3)/s₀, (0 − 20)/s₁

# rates' two matrices (rows: true label 0, 1; columns: predicted 0, 1) and their
# (sensitivity, specificity) = (TP/(TP + FN), TN/(TN + FP)).
MATRICES = [
    ([[40, 10], [5, 45]], (0.9, 0.8)),          # 45/(45 + 5), 40/(40 + 10)
    ([[88, 1], [3, 50]], (50 / 53, 88 / 89)),   # 50/(50 + 3), 88/(88 + 1)
]


@check('standardise', "a 3 x 2 training set and a 2 x 2 other set, standardised with the training set's mean and standard deviation per column; the inputs left unchanged")
def standardise(standardise):
    small_train, small_other = np.array(SMALL_TRAIN), np.array(SMALL_OTHER)
    given_train, given_other = small_train.copy(), small_other.copy()
    given_train.flags.writeable = given_other.flags.writeable = False  # to be left as they are
    shown = f"for the training set {SMALL_TRAIN} and the other set {SMALL_OTHER}"
    notebook_arrays = notebook_arrays_read(standardise)
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
               "up with the columns: take one mean and one standard deviation per column, NumPy's "
               "mean and std along axis=0, shape (2,)" if "(3,)" in str(error) or "(3,1)" in str(error)
               else "One mean and one standard deviation per column of X_train (axis=0) can be "
                    "subtracted from, and divide, every row of either set")) from None
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        f"it returned {type(result).__name__} {result!r}; expected a pair: "
        f"(the standardised training set, the standardised other set)")
    assert not (np.shape(result[0]) == small_other.shape and np.shape(result[1]) == small_train.shape), (
        f"{shown} it returned a pair of shapes {np.shape(result[0])} and {np.shape(result[1])}: the "
        f"order is swapped. Return (the standardised training set, the standardised other set), in "
        f"the order of the arguments")
    both = np.vstack([small_train, small_other])
    for name, given, got, expected in (("training", small_train, result[0], EXPECTED_TRAIN),
                                       ("other", small_other, result[1], EXPECTED_OTHER)):
        got = np.asarray(got, dtype=float)
        assert got.shape == given.shape, (
            f"for the {name} set of shape {given.shape} it returned shape {got.shape}; expected "
            f"the same shape (one mean and one standard deviation per column, axis=0)")
        wrong = {  # what each usual slip makes of this set, and its likely cause
            "each set was standardised with its own statistics: the other set must use the "
            "training set's mean and standard deviation":
                (given - given.mean(axis=0)) / given.std(axis=0),
            "it divides by the variance s², not by the standard deviation s (std, not var)":
                (given - TRAIN_MEANS) / TRAIN_STDS**2,
            "it is not centred: subtract the mean before dividing by the standard deviation":
                given / TRAIN_STDS,
            "one mean and one standard deviation for the whole array: take one per column "
            "(axis=0)":
                (given - small_train.mean()) / small_train.std(),
            "one mean for the whole array: take one per column (axis=0), as for the standard "
            "deviation":
                (given - small_train.mean()) / TRAIN_STDS,
            "one standard deviation for the whole array: take one per column (axis=0), as for "
            "the mean":
                (given - TRAIN_MEANS) / small_train.std(),
            "statistics of both sets together: the training set's alone decide":
                (given - both.mean(axis=0)) / both.std(axis=0),
            "the sample standard deviation (ddof=1): the course uses np.std's default, ddof=0":
                (given - TRAIN_MEANS) / small_train.std(axis=0, ddof=1),
            "scaled by the minimum and maximum into [0, 1] (min-max scaling): standardising "
            "subtracts the mean and divides by the standard deviation":
                (given - small_train.min(axis=0)) / (small_train.max(axis=0) - small_train.min(axis=0)),
            "only the mean divided by the standard deviation was subtracted: division goes before "
            "subtraction, so (X − mean) / std needs its parentheses":
                given - TRAIN_MEANS / TRAIN_STDS,
            "multiplied by the standard deviation: standardising divides by it":
                (given - TRAIN_MEANS) * TRAIN_STDS,
        }
        if name == "other":
            not_centred = ("it is divided by the training set's standard deviation but not centred: "
                           "nothing was subtracted, or the mean of the already standardised training "
                           "set, 0 (reusing the name X_train for the standardised training set loses "
                           "its own mean). Compute the training set's mean and standard deviation "
                           "once, first, and use them for both sets")
            wrong = {not_centred: given / TRAIN_STDS, **wrong}  # first: it names both causes
            wrong["centred on its own mean: the other set must use the training set's mean too, "
                  "as it uses its standard deviation"] = (given - given.mean(axis=0)) / TRAIN_STDS
            wrong["divided by its own standard deviation: the other set must use the training set's "
                  "standard deviation too, as it uses its mean"] = (given - TRAIN_MEANS) / given.std(axis=0)
            wrong["it is unchanged: either it was not standardised, or it was standardised with the "
                  "statistics of the already standardised X_train (mean 0, standard deviation 1). "
                  "Reusing the name X_train for the result loses the training set's own statistics: "
                  "compute its mean and standard deviation once, first, and use them for both "
                  "sets"] = given
        likely = next((cause for cause, values in wrong.items() if np.allclose(got, values)), None)
        assert np.allclose(got, expected), (
            f"{shown}, the {name} set came out as {np.round(got, 3).tolist()}; "
            f"expected {np.round(expected, 3).tolist()} (training means {TRAIN_MEANS.tolist()}, "
            f"standard deviations {np.round(TRAIN_STDS, 3).tolist()})"
            + (f": {likely}" if likely else ""))


@check('rates', '(sensitivity, specificity) of two confusion matrices, rows the true labels, columns the predictions')
def rates(rates):
    notebook_arrays = notebook_arrays_read(rates)
    assert not notebook_arrays, (
        f"it reads the notebook's {', '.join(notebook_arrays)}: work from its argument, the "
        f"matrix of counts, so that it gives the rates of any confusion matrix")
    for counts, expected in MATRICES:
        given_matrix = np.array(counts)
        given_matrix.flags.writeable = False  # rates must leave the matrix as it is
        layout = f"the matrix {counts} (rows: true label 0, 1; columns: predicted 0, 1)"
        try:
            got = rates(given_matrix)
        except ValueError as error:
            if "unpack" not in str(error):
                raise
            raise AssertionError(
                f"for {layout} it stopped with ValueError: {error}. A 2 × 2 matrix unpacks into "
                f"its 2 rows, not into its 4 counts: take the rows apart one by one (each holds "
                f"two counts), or pick each count by its row and column") from None
        shown = (f"for {layout} it returned "
                 f"{np.round(got, 3).tolist() if np.shape(got) == (2,) else got!r}; "
                 f"expected (sensitivity, specificity) = ({expected[0]:.3f}, {expected[1]:.3f})")
        assert got is not None and np.shape(got) == (2,), f"{shown}: return the pair of rates"
        (tn, fp), (fn, tp) = counts
        sensitivity, specificity = expected
        likely = {
            (specificity, sensitivity): "that is (specificity, sensitivity): sensitivity first",
            (tp / (tp + fp), tn / (tn + fn)):
                "rows and columns swapped: the rows are the true labels, the columns the predictions",
            (fn / (fn + tp), fp / (fp + tn)):
                "those are the shares of mistakes in each row (1 - rate): count the right answers",
            (100 * sensitivity, 100 * specificity):
                "those are percentages: return shares, between 0 and 1",
            (tp // (tp + fn), tn // (tn + fp)):
                "integer division (//) rounds every share below 1 down to 0: divide with /",
            (tp / (tp + fp), specificity):
                f"the sensitivity came out as TP/(TP + FP) = {tp}/{tp + fp}, the share of the "
                f"tumours called malignant that are malignant: the sensitivity divides by all the "
                f"malignant tumours, TP + FN, the bottom row",
            (sensitivity, tn / (tn + fn)):
                f"the specificity came out as TN/(TN + FN) = {tn}/{tn + fn}, the share of the "
                f"tumours called benign that are benign: the specificity divides by all the benign "
                f"tumours, TN + FP, the top row",
            (tp / (tn + fp + fn + tp), tn / (tn + fp + fn + tp)):
                "those are shares of all the tumours: each rate divides by its own row's total",
            (tn / (tn + fn), tp / (fp + tp)):
                "those are the diagonal divided by the column sums, specificity's count first: the "
                "columns are the predictions. Each rate divides by the total of its row (the true "
                "label), and sensitivity, of the bottom row, comes first",
            (sensitivity, fp / (tn + fp)):
                f"the second is the false positive rate FP/(TN + FP) = {fp}/{tn + fp}, 1 − "
                f"specificity: the specificity counts the right answers of the top row, TN/(TN + FP)",
            (tp / (tp + tn), tn / (tn + tp)):
                "each divides by TP + TN, the two counts of right answers: each rate divides by the "
                "total of its own row, TP + FN for the sensitivity, TN + FP for the specificity",
            ((tp + tn) / (tn + fp + fn + tp), specificity):
                "the first is the accuracy, (TP + TN)/(all tumours): the sensitivity is TP/(TP + FN), "
                "the right answers of the bottom row",
        }
        cause = next((why for values, why in likely.items() if np.allclose(got, values)), None)
        assert np.allclose(got, expected), shown + (f": {cause}" if cause else "")
