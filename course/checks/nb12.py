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


# ---- Going further: a threshold for screening -------------------------------------------------
# "Predict malignant when p ≥ t." At a threshold t the sensitivity is the share of the malignant
# tumours (label 1) with p ≥ t, the specificity the share of the benign ones (label 0) with p < t.
# The right threshold is the HIGHEST t whose sensitivity reaches the target: it is the probability
# of a malignant tumour (the k-th highest of them, k the fewest that reach the target), and any
# threshold above the next lower probability, up to it, flags the same tumours: those are
# accepted too. Each case: (probabilities, labels, target, the highest threshold, the next lower
# probability, the specificity there), worked out by hand in the comments.
THRESHOLD_CASES = [
    # malignant 0.9, 0.8, 0.55, 0.35; benign 0.7, 0.45, 0.3, 0.2, 0.1. A target of 0.6 of 4
    # tumours is 2.4: 3 must be found, and 3/4 = 0.75 >= 0.6, so t = 0.55. It flags the benign
    # 0.7: specificity 4/5 = 0.8. The next lower probability is 0.45 (benign).
    ([0.35, 0.7, 0.9, 0.1, 0.55, 0.3, 0.8, 0.2, 0.45], [1, 0, 1, 0, 1, 0, 1, 0, 0], 0.6, 0.55, 0.45, 0.8),
    # Ties. Malignant 0.9, 0.6, 0.6, 0.25; benign 0.8, 0.6, 0.25, 0.15, 0.05. A target of 0.75
    # of 4 is 3: t = 0.6, which finds both tumours at 0.6 (3/4). It flags the benign 0.8 and the
    # benign 0.6 (p ≥ t includes p = t): specificity 3/5 = 0.6. Next lower probability: 0.25.
    ([0.6, 0.9, 0.25, 0.6, 0.05, 0.25, 0.8, 0.6, 0.15], [0, 1, 0, 1, 0, 1, 0, 1, 0], 0.75, 0.6, 0.25, 0.6),
    # A target of 1.0: every malignant tumour found, so t is the lowest malignant probability,
    # 0.2, with a benign tumour tied at 0.2. Malignant 0.95, 0.9, 0.85, 0.8, 0.2; benign 0.7, 0.3,
    # 0.2, 0.15, 0.1, 0.05: t = 0.2 flags the benign 0.7, 0.3 and 0.2, specificity 3/6 = 0.5.
    # (The best accuracy is at 0.8, which misses the malignant 0.2.) Next lower: 0.15.
    ([0.2, 0.9, 0.05, 0.8, 0.7, 0.2, 0.3, 0.95, 0.15, 0.85, 0.1], [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0],
     1.0, 0.2, 0.15, 0.5),
]


def _screening_case():
    """60 tumours of a made-up screening, probabilities rounded to 2 decimals (so, ties), unsorted,
    and a target of 0.9. Its 22 malignant tumours must be found at least 0.9 × 22 = 19.8 times,
    so 20 of them: the 20th highest malignant probability is 0.43, the next lower probability
    0.42 (benign), and 33 of its 38 benign tumours lie below 0.43."""
    rng = np.random.default_rng(12)
    labels = (rng.random(60) < 0.4).astype(int)
    scores = rng.normal(loc=np.where(labels == 1, 1.5, -1.5), scale=1.5)
    return np.round(1 / (1 + np.exp(-scores)), 2), labels, 0.9, 0.43, 0.42, 33 / 38


def _rounded(values):
    return [round(float(value), 3) for value in values]


def _sensitivity(p, y, t):
    return np.mean(p[y == 1] >= t)


def _specificity(p, y, t):
    return np.mean(p[y == 0] < t)


def _next_below(values, t):
    lower = values[values < t]
    return lower.max() if len(lower) else -np.inf


def _next_above(values, t):
    higher = values[values > t]
    return higher.min() if len(higher) else np.inf


# The likely causes of a wrong threshold, each with its signature on one case: (p, y, target,
# the threshold returned, the highest threshold, the next lower probability) -> whether the
# threshold returned is what that slip gives there. A cause is named when it explains every case
# that failed, so that one case's coincidence does not name the wrong slip.
THRESHOLD_CAUSES = {
    "interpolated": (
        lambda p, y, target, t, best, below: not np.any(np.isclose(p, t)) and not below < t <= best,
        ("it is none of the probabilities: np.quantile interpolates between them by default, and "
         "a threshold between two probabilities flags the tumours of the higher one; find the "
         "probability itself")),
    "every tumour": (
        lambda p, y, target, t, best, below: t <= p.min(),
        ("it flags every tumour: searching from the lowest threshold up, the first one that "
         "reaches the target is the lowest; search from the highest down")),
    "one short": (
        lambda p, y, target, t, best, below: np.isclose(t, _next_above(p[y == 1], best)),
        ("it finds one malignant tumour too few: target × (number of malignant tumours) is rounded "
         "UP to the number that must be found (0.6 × 4 = 2.4: 3). Rounded down (int), or one place "
         "too high in the sorted probabilities?")),
    "one too far": (
        lambda p, y, target, t, best, below: (np.isclose(t, below)
                                              or np.isclose(t, _next_below(p[y == 1], best))),
        ("the tumours with p > t alone already reach the target: did you compare with > where the "
         "rule is p ≥ t (a tumour at p = t counts as malignant), or take one place too far down the "
         "sorted probabilities?")),
    "inverted": (
        lambda p, y, target, t, best, below: (np.mean(p[y == 0] >= t) >= target
                                              and np.mean(p[y == 0] >= _next_above(p, t)) < target),
        ("it is the highest threshold at which the BENIGN tumours reach the target: the labels are "
         "taken the wrong way round (malignant is label 1)")),
    "swapped": (
        lambda p, y, target, t, best, below: (_specificity(p, y, t) >= target and (
            t >= p.max() or _specificity(p, y, _next_below(p, t)) < target)),
        ("its SPECIFICITY just reaches the target: sensitivity and specificity swapped? The target "
         "is for the share of the malignant tumours (label 1) found")),
    "accuracy": (
        lambda p, y, target, t, best, below: np.isclose(
            np.mean((p >= t) == (y == 1)), max(np.mean((p >= u) == (y == 1)) for u in np.unique(p))),
        ("it is the threshold with the best accuracy: the task asks for the highest threshold that "
         "reaches the target sensitivity, whatever the accuracy")),
}


def _threshold_problem(p, y, target, got, worked):
    """(what is wrong with `got`, the (threshold, specificity) returned for this case, or None;
    the keys of THRESHOLD_CAUSES whose signature it has)."""
    best, below, right = worked
    shown = (f"for the probabilities {_rounded(p)}, labels {y.tolist()} and target {target}"
             if len(p) < 20 else f"for {len(p)} made-up tumours (probabilities to 2 decimals, so "
                                 f"some tied) and target {target}")
    expected = (f"Expected the threshold {best:g} (or any threshold above {below:g} up to {best:g}: "
                f"they flag the same tumours) and the specificity {right:.4g} there.")
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return (f"{shown} it returned {got!r}; expected a pair (threshold, specificity)"
                + (": a loop over thresholds that ended without a `return`? With p ≥ t, the lowest "
                   "malignant probability reaches any target up to 1.0" if got is None else ""), [])
    try:
        threshold, specificity = (float(value) for value in got)
    except (TypeError, ValueError):
        return f"{shown} it returned {got!r}; expected two numbers, (threshold, specificity)", []
    malignant, benign = p[y == 1], p[y == 0]
    said = f"{shown} it returned the threshold {threshold:.4g}"
    if below < threshold <= best + 1e-12:  # the right tumours flagged: now the specificity
        if np.isclose(specificity, right):
            return None, []
        called_benign = max(np.sum(p < threshold), 1)
        wrong = {
            np.mean(benign <= threshold):
                "the benign tumours with p equal to the threshold were counted as called benign: "
                "with p ≥ t they are flagged, so count the benign tumours with p < t",
            _sensitivity(p, y, threshold): "that is the sensitivity there: the specificity is the "
                                           "share of the BENIGN tumours (label 0) called benign",
            1 - right: "that is the share of the benign tumours flagged (the false positive rate, "
                       "1 − specificity): count those called benign, p < t",
            100 * right: "that is a percentage: return a share, between 0 and 1",
            np.mean((p >= threshold) == (y == 1)): "that is the accuracy over all the tumours: the "
                                                   "specificity counts the benign tumours alone",
            np.sum(benign < threshold) / called_benign:
                "that is the share of the tumours called benign that are benign: the specificity "
                "divides by all the benign tumours, TN + FP",
            np.mean(malignant < threshold): "that counts the malignant tumours: the benign ones are "
                                            "label 0",
            _specificity(p, y, 0.5): "that is the specificity at 0.5: give it at the threshold found",
        }
        cause = next((why for value, why in wrong.items() if np.isclose(specificity, value)), None)
        return (f"{said}, which is right, and the specificity {specificity:.4g}; expected "
                f"{right:.4g}, the share of the {len(benign)} benign tumours with p < "
                f"{threshold:.4g}" + (f": {cause}" if cause else ""), [])
    found = int(np.sum(malignant >= threshold))
    signs = [key for key, (has, _) in THRESHOLD_CAUSES.items()
             if has(p, y, target, threshold, best, below)]
    if threshold > best:
        return (f"{said}: calling malignant the tumours with p ≥ {threshold:.4g} finds {found} of "
                f"the {len(malignant)} malignant ones, a sensitivity of "
                f"{found / len(malignant):.3f}, below the target {target}. {expected}"), signs
    return (f"{said}: it reaches the target, but the higher threshold {best:g} does too and flags "
            f"fewer benign tumours (specificity {right:.3f} instead of "
            f"{_specificity(p, y, threshold):.3f}): the task asks for the highest. {expected}"), signs


@check('threshold_for_sensitivity', "4 cases (targets 0.6, 0.75, 0.9, 1.0; ties; unsorted): each threshold reaches the target sensitivity with p ≥ t, no higher one does, and the specificity at it is right",
       going_further=True)
def threshold_for_sensitivity(threshold_for_sensitivity):
    notebook_arrays = notebook_arrays_read(threshold_for_sensitivity)
    assert not notebook_arrays, (
        f"it reads the notebook's {', '.join(notebook_arrays)}: work from its arguments, so that it "
        f"chooses a threshold for any tumours it is given (and the test tumours have no say in it)")
    cases = [(np.array(p), np.array(y), target, worked) for p, y, target, *worked in THRESHOLD_CASES]
    screening = _screening_case()
    cases.append((*screening[:3], screening[3:]))
    failures = []  # (message, signs) of each case that failed
    for p, y, target, worked in cases:
        given_p, given_y = p.copy(), y.copy()
        given_p.flags.writeable = given_y.flags.writeable = False  # to be left as they are
        try:
            got = threshold_for_sensitivity(given_p, given_y, target)
        except Exception:  # after a failed case, that failure tells more than this error
            if failures:
                break
            raise
        message, signs = _threshold_problem(p, y, target, got, worked)
        if message:
            failures.append((message, signs))
    if not failures:
        return
    message, signs = failures[0]
    # the cause that explains every failed case; else each that fits the first
    common = [key for key in signs if all(key in other for _, other in failures)]
    causes = [THRESHOLD_CAUSES[key][1] for key in (common[:1] or signs)]
    told = "; or ".join(causes)
    raise AssertionError(message + (f" Likely cause: {told}" + ("" if told.endswith("?") else ".")
                                    if causes else ""))
