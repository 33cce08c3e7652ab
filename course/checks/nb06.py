"""The checks of 06_forward_pass.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("scores")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import inspect
import math

import numpy as np

from course.checks.framework import check, notebook_globals_read


def _models_of_the_notebook(method, LogisticModel):
    """The notebook's models (`model`, or any LogisticModel of the notebook) a method reads
    instead of self."""
    return notebook_globals_read(method, lambda name, value: name == "model"
                                 or isinstance(value, LogisticModel))


@check('scores', 'hand values of a tiny model, with the bias, an array of shape (m,) for 2 and 3 examples, X and w unchanged')
def scores(LogisticModel):
    borrowed = _models_of_the_notebook(LogisticModel.scores, LogisticModel)
    assert not borrowed, (
        f"it uses the notebook's model `{borrowed[0]}` (model.w, model.b), not self: "
        f"a method works on the model it is called on, self: write self.w, self.b")
    _model = LogisticModel(num_features=2)
    _model.w, _model.b = np.array([1.0, -2.0]), 0.5
    X = np.array([[1.0, 1.0], [2.0, 0.0]])  # two examples (rows), two features (columns)
    X.flags.writeable = _model.w.flags.writeable = False  # read-only: scores must not change them
    got = _model.scores(X)
    assert got is not None, "it returned None: is the `return` missing?"
    shape = np.shape(got)
    assert shape == (2,), (
        f"for X of shape (2, 2) it returned shape {shape}; expected (2,), one score per example. "
        + ("Shape (2, 1): w was used as a column (n, 1); with w of shape (n,) the product has shape (m,)."
           if shape == (2, 1) else
           "Shape (2, 2): * multiplies entry by entry; the matrix product is @." if shape == (2, 2) else
           "One number: every score was added into one; each row of X needs its own." if shape == () else ""))
    assert isinstance(got, np.ndarray), (
        f"it returned a {type(got).__name__}, {got}; expected a NumPy array. The matrix product of an array "
        f"with a vector, plus a number, is one already: return it as it is (no .tolist() or list(...)), "
        f"since the code that uses the scores "
        f"computes with whole arrays (z >= 0, 1 - y_hat), which a Python list does not support")
    wrong = {"the bias is missing": [-1.0, 2.0],
             "the bias is subtracted instead of added": [-1.5, 1.5],
             "X is transposed (X.T, or w before X): each score must come from one ROW of X": [-2.5, 1.5],
             "X is transposed and the bias is missing": [-3.0, 1.0],
             # X times w entry by entry is [[1, -2], [2, 0]]: its column sums 3 and -2, plus 0.5
             "the products of X and w are summed along axis 0, over the examples: each score sums "
             "the products of one row, along axis 1": [3.5, -1.5],
             # Xw = [-1, 2], plus b × m = 0.5 × 2
             "the bias is added m = 2 times (b × m): every score gets b once": [0.0, 3.0],
             "the scores are rounded to whole numbers: a score is any real number, keep it as it "
             "is": [0.0, 2.0],
             "the scores are divided by n = 2, the number of features: a score is the sum Xw + b, "
             "not an average": [-0.25, 1.25]}
    cause = next((f"These are the numbers you get when {what}." for what, values in wrong.items()
                  if np.allclose(got, values)), "Compare with z = Xw + b, one row of X at a time.")
    assert np.allclose(got, [-0.5, 2.5]), (
        f"for w = [1, -2], b = 0.5 and X = [[1, 1], [2, 0]] it returned {np.round(got, 4)}; "
        f"expected [-0.5, 2.5] (1 - 2 + 0.5 and 2 + 0.5). {cause}")
    X3 = np.array([[1.0, 0.0], [0.0, 1.0], [3.0, 1.0]])  # three examples, two features
    X3.flags.writeable = False
    try:
        got3 = _model.scores(X3)
    except ValueError as error:
        if "read-only" in str(error):
            raise  # helpers.check says where it writes into its input
        raise AssertionError(
            f"for X of shape (3, 2) (3 examples, 2 features) and w of shape (2,) it raised ValueError: "
            f"{error}. The product must pair each row of X with w: X.T, or w before X, does not fit.") from None
    assert np.shape(got3) == (3,) and np.allclose(got3, [1.5, -1.5, 1.5]), (
        f"for X = [[1, 0], [0, 1], [3, 1]] it returned {np.round(got3, 4)} (shape {np.shape(got3)}); "
        f"expected [1.5, -1.5, 1.5], shape (3,)")


# σ(z) where it is tiny, or 1 to the last digit of float64: the probabilities of confident scores,
# which a clip or a subtraction from 1 gets wrong by orders of magnitude. The tiny ones are
# e^z / (1 + e^z), worked out once to 50 digits (Python's decimal module) and rounded to float64.
_SIGMOID_TAILS = {
    -40.0: 4.2483542552915890e-18,    # e^-40 / (1 + e^-40)
    -100.0: 3.7200759760208360e-44,   # e^-100 / (1 + e^-100)
    -700.0: 9.8596765437597709e-305,  # e^-700 / (1 + e^-700): still a normal float64 (> 2.2e-308)
    -1000.0: 0.0,                     # e^-1000 ≈ 5.1e-435, below the smallest float64 (4.9e-324)
    40.0: 1.0,                        # 1 − 4.2e-18 rounds to 1 in float64 (its spacing below 1 is 1.1e-16)
    1000.0: 1.0,
}
_SMALLEST_FLOAT = 5e-324  # the smallest positive float64: what σ(−1000) may round to at worst


def _sigmoid_tail_wrong(got, expected):
    """Whether σ(z) = got is wrong where the exact value, rounded to float64, is `expected`."""
    if expected == 0.0:
        return not 0.0 <= got <= _SMALLEST_FLOAT
    if expected == 1.0:
        return not 1.0 - 1.2e-16 <= got <= 1.0  # 1, or the float64 just below it
    return not np.isclose(got, expected, rtol=1e-6, atol=0.0)


def _clipped_at(probability):
    """The whole number L with σ(L) = probability, if there is one (a score clipped at L), else None."""
    if not 0.0 < probability < 1.0:
        return None
    whole = int(np.round(np.log(probability) - np.log1p(-probability)))  # σ⁻¹(p) = log(p / (1 − p))
    if whole == 0 or abs(whole) > 745:
        return None
    if whole < 0:  # σ(L) = e^L / (1 + e^L): tiny, known to every digit
        exact = math.exp(whole) / (1.0 + math.exp(whole))
        return whole if np.isclose(probability, exact, rtol=1e-9, atol=0.0) else None
    # σ(L) = 1 / (1 + e^(−L)): near 1, where float64 keeps only its distance to 1, to 1.1e-16
    return whole if abs(probability - 1.0 / (1.0 + math.exp(-whole))) <= 2.3e-16 else None


def _decimals_rounded_to(sigmoid):
    """The number of decimals (1 to 12) that sigmoid rounds its results to, or None: σ at scores
    whose true probabilities have many more digits (2.06e-9, 0.0356, 0.668, 0.948)."""
    probe = np.array([-20.0, -3.3, 0.7, 2.9])
    probe.flags.writeable = False
    try:
        values = np.asarray(sigmoid(probe), dtype=float)
    except Exception:  # noqa: BLE001 - only a hint for the message
        return None
    return next((decimals for decimals in range(1, 13)
                 if np.array_equal(values, np.round(values, decimals))), None)


def _assert_sigmoid_tails_exact(got, rounded_to=None):
    """σ at the scores of _SIGMOID_TAILS, to the precision of float64, with the likely cause of a
    miss; `rounded_to`: the decimals the sigmoid rounds to, if it does."""
    assert isinstance(got, np.ndarray) and got.shape == (len(_SIGMOID_TAILS),), (
        f"for z of shape ({len(_SIGMOID_TAILS)},) it returned {type(got).__name__} of shape "
        f"{np.shape(got)}; expected the shape of z")
    assert got.dtype == np.float64, (
        f"for z of dtype float64 it returned an array of dtype {got.dtype}; expected float64. "
        + ("A larger float (longdouble) is not what the rest of the model computes with, and not "
           "needed: a form that computes only e^(−|z|) is exact in float64. Keep NumPy's float64"
           if got.dtype.itemsize > 8 else
           "A smaller float keeps fewer digits and no number as small as σ(−700) ≈ 9.9e-305 "
           "(float32 stops near 1e-45), so the probabilities of confident scores become 0: keep "
           "NumPy's float64"))
    for (z, expected), value in zip(_SIGMOID_TAILS.items(), got):
        if not _sigmoid_tail_wrong(value, expected):
            continue
        shown = f"1 − {1.0 - value:.3g}" if z > 0 and 0.5 < value < 1.0 else f"{value:.7g}"
        said = f"at z = {z:g} it returned {shown}; expected " + (
            f"σ({z:g}) = e^({z:g}) / (1 + e^({z:g})) ≈ {expected:.7g}" if 0 < expected < 1 else
            f"exactly 0 (e^({z:g}) ≈ 5.1e-435 is below the smallest float64)" if expected == 0 else
            f"1 (σ({z:g}) = 1 − e^(−{z:g}) / (1 + e^(−{z:g})) rounds to exactly 1 in float64)")
        edge = _clipped_at(value)
        if rounded_to is not None:
            cause = (f"It rounds its results to {rounded_to} decimal{'s' * (rounded_to > 1)}, which "
                     f"turns every probability below {0.5 * 10.0 ** -rounded_to:.0e} into 0 (and "
                     f"those near 1 into 1): return σ(z) as it is computed, unrounded")
        elif value == 0.0:
            cause = (f"The probability rounded to 0: it was computed as 1 minus a number close to 1 "
                     f"(1 − σ(−z), or a form with tanh), and in float64 σ({-z:g}) = 1 − {expected:.2g} is "
                     f"exactly 1, so every digit of the small probability is lost. For z < 0 compute "
                     f"σ(z) = e^(−|z|) / (1 + e^(−|z|)) itself: its small numerator keeps every digit")
        elif edge is not None and abs(edge) < abs(z):
            cause = (f"{shown} is σ({edge}) exactly: the score seems clipped at {edge} (np.clip, "
                     f"np.maximum or np.minimum) before the formula, so every score beyond {edge} gets "
                     f"the probability of {edge}"
                     + (f", off by a factor of {value / max(expected, _SMALLEST_FLOAT):.2g}" if z < 0 else "")
                     + ". No clip is needed: a form that computes only e^(−|z|) never overflows")
        elif z < 0 and value > expected:
            cause = (f"Something keeps small probabilities from going below {value:.3g}: is the result "
                     f"clipped to [ε, 1 − ε] (np.clip) with ε = {value:.3g}, or ε added? σ(z) is a "
                     f"probability in [0, 1] that can be tiny, and the loss and the predictions of "
                     f"confident scores need its true value")
        elif z > 0 and value < 1.0:
            cause = (f"Something keeps large probabilities from going above 1 − {1.0 - value:.3g}: is "
                     f"the result clipped to [ε, 1 − ε] (np.clip)? σ(z) reaches exactly 1 in float64")
        else:
            cause = ("Compare with σ(z) = e^(−|z|) / (1 + e^(−|z|)) for z < 0 and 1 / (1 + e^(−|z|)) "
                     "for z ≥ 0")
        raise AssertionError(f"{said}. {cause}.")


@check('sigmoid', 'values at 0 and ±ln 3, shape, symmetry, range; at z = −40, −100, −700 the tiny true probabilities (no clip, no subtraction from 1), 0 and 1 at ±1000; no overflow, no silenced warning, its input unchanged')
def sigmoid(LogisticModel):
    z = np.array([0.0, np.log(3.0), -np.log(3.0)])
    z.flags.writeable = False  # read-only, here and below: the sigmoid must not change its input
    try:
        got = LogisticModel.sigmoid(z)
    except TypeError as error:
        raise AssertionError(
            f"for the array z = [0, ln 3, -ln 3] it raised TypeError: {error}. math.exp and float() "
            f"take one number; np.exp works on every entry of an array.") from None
    except ValueError as error:
        if "truth value" not in str(error):
            raise  # helpers.check says what went wrong (e.g. where it writes into z)
        raise AssertionError(
            f"for the array z = [0, ln 3, -ln 3] it raised ValueError: {error}. An `if z >= 0:` asks one "
            f"question of a whole array; np.where(z >= 0, a, b) chooses entry by entry.") from None
    assert got is not None, "it returned None: is the `return` missing?"
    assert isinstance(got, np.ndarray) and got.shape == (3,), (
        "for z of shape (3,) it returned "
        + (f"one number (a {type(got).__name__})" if np.ndim(got) == 0 else
           f"a {type(got).__name__} of shape {np.shape(got)}")
        + "; expected an array of shape (3,), one probability per score")
    assert np.allclose(got, [0.5, 0.75, 0.25]), (
        f"for z = [0, ln 3, -ln 3] it returned {np.round(got, 4)}; expected [0.5, 0.75, 0.25]. "
        + ("Values below 0.5 for positive z usually mean the sign is flipped: "
           "σ(z) = 1 / (1 + e^(−z)) is above 0.5 for z > 0." if got[1] < 0.5 else
           "Compare with σ(z) = 1 / (1 + e^(−z)), 1/(1 + 1/3) = 0.75 at z = ln 3."))
    grid = np.linspace(-30.0, 30.0, 13).reshape(13, 1) * np.ones((1, 2))  # shape (13, 2)
    grid.flags.writeable = False
    values = LogisticModel.sigmoid(grid)
    assert np.shape(values) == (13, 2), (
        f"for z of shape (13, 2) it returned shape {np.shape(values)}; expected (13, 2), the shape of z")
    lowest, highest = values.min(), values.max()
    assert np.all((values >= 0) & (values <= 1)), (
        f"for z from -30 to 30 it returned values from {lowest:.3g} to "
        + (f"1 + {highest - 1:.3g}" if highest > 1 else f"{highest:.3g}")
        + "; probabilities lie between 0 and 1"
        + (": is a small ε added to the result? σ(z) itself never leaves [0, 1]"
           if highest > 1 and lowest > 0 else ""))
    assert np.allclose(values + LogisticModel.sigmoid(-grid), 1.0), (
        "σ(z) + σ(−z) must be 1 for every z (from -30 to 30 here); it is not")
    overflows, error = [], None  # the scores among -1000 and 1000 where it overflows
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        for score in (-1000.0, 1000.0):
            one = np.array([score])
            one.flags.writeable = False
            try:
                LogisticModel.sigmoid(one)
            except FloatingPointError as raised:
                overflows.append(score)
                error = raised
        where = ("at z = -1000 and at z = 1000: e^(−z) overflows at z = -1000 and e^z at z = 1000, and "
                 "np.where computes both of its choices for every entry" if len(overflows) == 2 else
                 "at z = -1000: the textbook formula 1 / (1 + e^(−z)) computes e^(−z) = e^1000 there"
                 if overflows == [-1000.0] else
                 "at z = 1000: the form e^z / (1 + e^z) computes e^z = e^1000 there (it is safe only for z < 0)")
        assert not overflows, (
            f"with NumPy told to raise on overflow, it fails {where}, more than the largest float64 "
            f"({error}). Compute only e^(−|z|), which never overflows, and choose the numerator entry by entry "
            f"from the sign of z (np.where does the choosing).")
        tails = np.array(list(_SIGMOID_TAILS))
        tails.flags.writeable = False
        got = LogisticModel.sigmoid(tails)
    _assert_sigmoid_tails_exact(got, _decimals_rounded_to(LogisticModel.sigmoid))
    try:
        code = inspect.getsource(LogisticModel.sigmoid)
    except (OSError, TypeError):  # no source to read: skip this last part
        code = ""
    silenced = [line.strip() for line in code.splitlines() if "ignore" in line.split("#")[0]
                and any(word in line for word in ("errstate", "seterr", "warnings"))]
    assert not silenced, (
        f"it silences NumPy's warnings (`{silenced[0]}`): the overflow still happens "
        f"(e^1000 becomes inf), only the warning is hidden, and the course's rule is no silenced "
        f"warnings. Compute only e^(−|z|), which never overflows.")


@check('forward', 'self.sigmoid of self.scores(X), each applied once, no overflow at scores ±1000 (with stand-ins for both)')
def forward(LogisticModel):
    borrowed = _models_of_the_notebook(LogisticModel.forward, LogisticModel)
    assert not borrowed, (
        f"it uses the notebook's model `{borrowed[0]}` (model.scores, model.sigmoid), not self: "
        f"a method works on the model it is called on, self: write self.scores, self.sigmoid")
    calls = []  # what the stand-in sigmoid receives

    def stand_in_sigmoid(z):  # not the real sigmoid: easy to recognise, and σ(z) + σ(−z) ≠ 1 here
        return (np.asarray(z, dtype=float) + 3.0) / 8.0

    class StandIns(LogisticModel):
        """scores and sigmoid replaced by stand-ins with known answers: this checks forward alone."""
        given = np.array([-2.0, 1.0, 2.0])  # the stand-in scores

        def scores(self, X):
            z = self.given.copy()
            z.flags.writeable = False  # read-only: forward must not change the scores
            return z

        @staticmethod
        def sigmoid(z):
            assert not callable(z), (
                "it hands sigmoid the method self.scores itself, not the scores: call it, self.scores(X)")
            calls.append(z)
            return stand_in_sigmoid(z)

    _model = StandIns(num_features=2)
    # w = 0 and b = 1: scores computed from w and b would all be 1 (0 without b), not the stand-ins;
    # and a bias added once more to the stand-in scores shows (b = 0 would hide it)
    _model.w, _model.b = np.zeros(2), 1.0
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    X.flags.writeable = False
    try:
        got = _model.forward(X)
    except TypeError as error:
        if "scores() missing 1 required positional argument: 'X'" in str(error):
            raise AssertionError(
                f"it raised TypeError: {error}. A function of the notebook was called on its own, "
                f"without a model: scores and sigmoid are the model's methods, reached through "
                f"self, the model forward is called on") from None
        if "method" not in str(error):
            raise  # helpers.check says where
        raise AssertionError(
            f"it raised TypeError: {error}. It hands sigmoid the method self.scores itself, not the "
            f"scores: call it, self.scores(X)") from None
    assert got is not None, "it returned None: is the `return` missing?"
    assert np.shape(got) == (3,), (
        f"for 3 examples it returned shape {np.shape(got)}; expected (3,), one probability per example"
        + (". (3, 2) is the shape of X itself: the sigmoid was applied to X, not to the scores"
           if np.shape(got) == X.shape else ""))
    assert np.asarray(got).dtype != bool, (
        f"it returned True/False, {np.asarray(got).tolist()}: a comparison (with 0.5?) turned the "
        f"probabilities into answers. forward returns the probabilities themselves, numbers from 0 "
        f"to 1; Task 9's predict turns them into answers")
    got = np.asarray(got, dtype=float)
    setting = ("with the stand-in scores [-2, 1, 2] (b = 1) and the stand-in sigmoid (z + 3)/8 it "
               f"returned {np.round(got, 4).tolist()}")
    if not np.allclose(got, [0.125, 0.5, 0.625]):  # (z + 3)/8 at z = -2, 1, 2
        try:  # a forward that calls the sigmoid directly, not through self, is right too
            own = LogisticModel.sigmoid(np.array([-2.0, 1.0, 2.0]))
        except NotImplementedError:
            own = None
        if own is None or not np.allclose(got, own):
            sigmoids = [stand_in_sigmoid]  # what forward may have applied: the stand-in, or your own
            if own is not None:
                sigmoids.append(LogisticModel.sigmoid)
            wrong = [  # (the scores that forward handed on, the likely cause)
                (np.array([-1.0, 2.0, 3.0]),
                 "the sigmoid of the stand-in scores plus b once more: self.scores(X) already adds "
                 "the bias (z = Xw + b), so hand its scores to the sigmoid as they are"),
                (np.array([2.0, -1.0, -2.0]), "the sigmoid of −z: the sign of the scores is flipped"),
                (np.array([-2.0, 1.0, 2.0]) / 3,
                 "the sigmoid of the scores divided by m = 3: each score goes to the sigmoid as it is"),
            ]
            causes = [(values, f"It returned {what}.") for values, what in [
                (np.array([-2.0, 1.0, 2.0]), "the scores themselves: the sigmoid is not applied"),
                (np.array([0.390625, 0.4375, 0.453125]), "the sigmoid applied twice"),  # (σ + 3)/8
                (np.array([0.375, 0.75, 0.875]),  # 1 − (3 − z)/8 = (5 + z)/8
                 "1 − σ(−z), the sigmoid of the flipped scores subtracted from 1. That is σ(z) only "
                 "for the true sigmoid, and it loses every digit of a tiny probability (1 minus a "
                 "number close to 1): apply self.sigmoid to the scores themselves"),
                (np.array([0.0, 0.0, 1.0]), "the probabilities rounded to 0 or 1: forward returns the "
                                            "probabilities themselves; predict (Task 9) gives answers"),
                (np.array([0.0, 1.0, 1.0]), "the probabilities rounded to 0 or 1: forward returns the "
                                            "probabilities themselves; predict (Task 9) gives answers"),
            ]] + [(sigmoid(scores), f"It returned {what}.") for scores, what in wrong for sigmoid in sigmoids]
            cause = next((text for values, text in causes if np.allclose(got, values)), None)
            if cause is None and np.ptp(got) < 1e-12:
                cause = ("It returned the same probability for every example, though the stand-in "
                         "scores differ: the scores were not taken from self.scores(X) but computed "
                         "again from w and b (here w = 0 and b = 1, so every such score is the same). "
                         "Hand the scores of self.scores(X) to self.sigmoid")
            raise AssertionError(
                f"{setting}; expected [0.125, 0.5, 0.625], (z + 3)/8 of each score. "
                + (cause or "Expected the stand-in sigmoid of each stand-in score, as it is."))
    used_sigmoid = bool(calls)
    _model.given, calls[:] = np.array([-1000.0, 0.0, 1000.0]), []  # extreme stand-in scores
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        try:
            _model.forward(X)
        except FloatingPointError as error:
            raise AssertionError(
                f"with the stand-in scores [-1000, 0, 1000] and NumPy told to raise on overflow, it fails "
                f"({error})"
                + (": it does not call self.sigmoid, and computes σ with a formula that overflows "
                   "(1 / (1 + e^(−z)) at z = -1000). Hand the scores to the model's own sigmoid, "
                   "self.sigmoid: your sigmoid of Exercise 6.2 never overflows." if not calls else
                   ". forward needs nothing but the model's sigmoid, self.sigmoid, applied to the scores "
                   "that self.scores gives.")) from None
    code = getattr(LogisticModel.forward, "__code__", None)
    names = code.co_names if code else ("sigmoid",)  # the names forward's code uses: self.sigmoid, ...
    assert used_sigmoid or "sigmoid" in names, (
        "it computes the sigmoid itself instead of calling self.sigmoid: hand the scores of self.scores "
        "to self.sigmoid, so that forward uses your sigmoid of Exercise 6.2, and a correction of it "
        "reaches forward too")


@check('binary_cross_entropy', 'hand values for both labels, the mean (not the sum), one number, 1000 and 0 at z = ±1000 without log 0, z and y unchanged')
def binary_cross_entropy(LogisticModel):
    z, y = np.array([np.log(4.0), -np.log(3.0), 0.0]), np.array([1.0, 0.0, 1.0])
    z.flags.writeable = y.flags.writeable = False  # read-only, here and below: the loss must not change them
    got = LogisticModel.binary_cross_entropy(z, y)
    assert got is not None, "it returned None: is the `return` missing?"
    assert np.ndim(got) == 0, (
        f"for 3 examples it returned shape {np.shape(got)}; expected one number, the mean loss"
        + (": these are the 3 losses of the examples; average them" if np.shape(got) == (3,) else ""))
    expected = -np.log(0.3) / 3  # -log(0.8 * 0.75 * 0.5) / m, m = 3
    # every sign s_i = (1, -1, 1) with every score z_j = (ln 4, -ln 3, 0): log(1 + e^(-s z)) is
    # log 1.25, log 4, log 2 for s = 1 (twice), log 5, log 4/3, log 2 for s = -1; their mean is
    # (2 log(1.25 · 4 · 2) + log(5 · 4/3 · 2)) / 9 = log(100 · 40/3) / 9
    table = np.log(4000.0 / 3.0) / 9  # 0.799493
    wrong = {"3 times too large: the losses are summed; the loss is their mean (divide by m)": 3 * expected,
             "the loss of inverted labels: s = 2y − 1 is +1 for a label 1, so that a large positive "
             "score costs little": (np.log(5.0) + np.log(4.0) + np.log(2.0)) / 3,
             "the loss of inverted labels, summed instead of averaged": np.log(5.0) + np.log(4.0) + np.log(2.0),
             "negative: the loss is minus the log of a probability, so it is never below 0": -expected,
             "what s = y instead of s = 2y − 1 gives": (np.log(1.25) + 2 * np.log(2.0)) / 3,
             "the mean of an (m, m) table: s (or z) is a column of shape (m, 1), and a column times a row "
             "pairs every label with every score; keep both of shape (m,)": table,
             "3 = m times too small: the mean divided by m once more (np.mean divides already)": expected / 3,
             "the loss in bits, with log base 2: the loss uses the natural log": expected / np.log(2.0),
             # the 3 losses are log 1.25, log 4/3 and log 2: the mean of 1.25, 4/3, 2 is 55/36
             "the log of the mean of 1 + e^(−s z), not the mean of their logs: take the log of each "
             "example's term, then average": np.log(55.0 / 36.0),
             "the median of the 3 losses (log 4/3), not their mean": np.log(4.0 / 3.0)}
    cause = next((f"That is {what}." for what, value in wrong.items() if np.isclose(got, value)),
                 "Compare with the mean of log(1 + e^(−s z)), s = 2y − 1.")
    assert np.isclose(got, expected), (
        f"for z = [ln 4, -ln 3, 0] and y = [1, 0, 1] it returned {float(got):.6f}; expected "
        f"-log(0.8 · 0.75 · 0.5) / 3 = {expected:.6f}. {cause}")
    extreme, mistaken, right = np.array([1000.0, -1000.0]), np.array([0.0, 1.0]), np.array([1.0, 0.0])
    extreme.flags.writeable = mistaken.flags.writeable = right.flags.writeable = False
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        try:
            mistakes = LogisticModel.binary_cross_entropy(extreme, mistaken)
            rights = LogisticModel.binary_cross_entropy(extreme, right)
        except FloatingPointError as error:
            raise AssertionError(
                f"at the scores z = [1000, -1000], with NumPy told to raise, it fails: {error}. "
                + ("That is log(0): from ŷ = σ(z), 1 − ŷ is exactly 0 at z = 1000 (and ŷ at z = −1000). "
                   if "overflow" not in str(error) else "e^1000 is more than the largest float64. ")
                + "Compute the loss from the score, as log(1 + e^t) with t = −s z, by a route that never "
                  "forms e^t itself for a large t. (The tool for that, once you have tried: np.logaddexp, "
                  "log(e^a + e^b) for any a and b, with 1 = e^0.)") from None
    clipped_at = float(np.round(mistakes))  # a mistake at a score clipped at L costs about L
    assert np.isclose(mistakes, 1000.0), (
        f"two confident mistakes (z = [1000, -1000], y = [0, 1]) cost {float(mistakes):.6g}; expected 1000 "
        f"each, mean 1000"
        + (f". {float(mistakes):g} is the cost of a mistake at the score ±{clipped_at:g}: is the score "
           f"clipped, as np.clip(z, -{clipped_at:g}, {clipped_at:g}) does (or −s z capped at {clipped_at:g} "
           f"with np.minimum)? Clipping the score caps the cost of a confident mistake. log(1 + e^t) "
           f"needs no clipping when computed without forming e^t (np.logaddexp does that)."
           if 10 <= mistakes < 1000 and np.isclose(mistakes, clipped_at, rtol=0, atol=1e-6) else
           f". {float(mistakes):.4g} is −log ε for ε = {np.exp(-mistakes):.0e}: clipping ŷ to [ε, 1 − ε] "
           f"(np.clip) or adding ε inside the log caps the cost of a confident mistake. Compute the loss "
           f"from the score, as log(1 + e^(−s z)), which needs neither (np.logaddexp computes it safely)."
           if 0 < mistakes < 1000 else ""))
    assert np.isclose(rights, 0.0, atol=1e-12), (
        f"two confident right answers (z = [1000, -1000], y = [1, 0]) cost {rights}; expected 0")


@check('loss', 'binary_cross_entropy of self.scores(X) and y, its answer returned (with stand-ins)')
def loss(LogisticModel):
    borrowed = _models_of_the_notebook(LogisticModel.loss, LogisticModel)
    assert not borrowed, (
        f"it uses the notebook's model `{borrowed[0]}` (model.scores, model.binary_cross_entropy), not self: "
        f"a method works on the model it is called on, self: write self.scores, self.binary_cross_entropy")
    received = []

    class StandIns(LogisticModel):
        """scores and binary_cross_entropy replaced by stand-ins: this checks loss alone."""
        given = np.array([-2.0, 1.0, 2.0])  # the stand-in scores

        def scores(self, X):
            z = self.given.copy()
            z.flags.writeable = False  # read-only: loss must not change the scores
            return z

        @staticmethod
        def binary_cross_entropy(z, y):
            received.append((np.asarray(z, dtype=float), np.asarray(y, dtype=float)))
            return np.float64(0.125)  # one NumPy number, as np.mean returns

    _model = StandIns(num_features=2)
    # w = 0 and b = 1: scores computed from w and b would all be 1 (0 without b), not the stand-ins;
    # and a bias added once more to the stand-in scores shows (b = 0 would hide it)
    _model.w, _model.b = np.zeros(2), 1.0
    X, y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.array([0.0, 1.0, 1.0])
    X.flags.writeable = y.flags.writeable = False
    got = _model.loss(X, y)
    bias_twice = ("the stand-in scores plus b once more: self.scores(X) already adds the bias "
                  "(z = Xw + b), so hand its scores on as they are")
    computed_again = ("scores computed again from w = 0 and b (all equal), not taken from "
                      "self.scores(X): the exercise asks for self.scores(X), not z = Xw + b written "
                      "out again, so that scores is written in one place and a correction of it (or "
                      "this check's stand-in) reaches loss too")
    if not received:  # calling the function directly, not through self, is right too
        try:
            own = LogisticModel.binary_cross_entropy(np.array([-2.0, 1.0, 2.0]), y)
        except NotImplementedError:
            own = None
        if own is not None and got is not None and np.ndim(got) == 0 and not np.isclose(got, own):
            for scores, what in ((np.array([-1.0, 2.0, 3.0]), bias_twice),
                                 (np.ones(3), computed_again), (np.zeros(3), computed_again)):
                assert not np.isclose(got, LogisticModel.binary_cross_entropy(scores, y.copy())), (
                    f"it returned {got}, the loss of {what}")
        assert own is not None and got is not None and np.isclose(got, own), (
            f"it returned {got} without calling self.binary_cross_entropy: hand it the scores "
            f"self.scores(X) and the labels y")
        _model.given = np.array([1000.0, -1000.0, 0.0])  # extreme stand-in scores: two confident mistakes
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            try:
                got = _model.loss(X, y)
            except FloatingPointError as error:
                raise AssertionError(
                    f"it does not hand the scores to self.binary_cross_entropy, and at the stand-in scores "
                    f"[1000, -1000, 0], with NumPy told to raise, it fails: {error}. From the probabilities "
                    f"ŷ = σ(z), log(1 − ŷ) at z = 1000 and log ŷ at z = -1000 are log(0): hand the "
                    f"scores of self.scores, and the labels, to self.binary_cross_entropy, which computes "
                    f"the loss from the scores.") from None
        expected = (2000.0 + np.log(2.0)) / 3  # log(1 + e^1000) twice and log 2, averaged
        assert np.isclose(got, expected), (
            f"at the stand-in scores [1000, -1000, 0] with y = [0, 1, 1] it returned {got}; expected "
            f"{expected:.4f}. Return what self.binary_cross_entropy gives for the scores of self.scores "
            f"and the labels: it computes the loss from the scores")
    else:
        z_got, y_got = received[-1]
        assert not (np.shape(z_got) == (3,) and np.allclose(z_got, y) and np.shape(y_got) == (3,)
                    and np.allclose(y_got, [-2.0, 1.0, 2.0])), (
            "it hands binary_cross_entropy the labels first and the scores second: the order is "
            "binary_cross_entropy(z, y)")
        scores_given = np.shape(z_got) == (3,) and np.allclose(z_got, [-2.0, 1.0, 2.0])
        assert scores_given, (
            f"it hands binary_cross_entropy z = {np.round(z_got, 4)}, not the scores [-2, 1, 2] of the "
            f"stand-in self.scores(X). "
            + (f"These are {bias_twice}." if np.shape(z_got) == (3,) and np.allclose(z_got, [-1.0, 2.0, 3.0])
               else "These look like probabilities (all between 0 and 1): binary_cross_entropy takes "
               "the scores, not forward's probabilities." if np.all((z_got > 0) & (z_got < 1)) else
               f"All equal, as {computed_again}." if np.size(z_got) > 1 and np.ptp(z_got) == 0 else
               "Take them from self.scores(X)."))
        assert np.shape(y_got) == (3,) and np.allclose(y_got, y), (
            f"it hands binary_cross_entropy the labels {y_got}; expected y = [0, 1, 1] as given")
        assert got is not None, "it returned None: is the `return` missing?"
        assert np.isclose(got, 0.125), (
            f"it returned {got}, not binary_cross_entropy's answer (0.125 from the stand-in): return it "
            f"as it is"
            + (": it divides by m = 3 once more, but binary_cross_entropy returns the mean already"
               if np.isclose(got, 0.125 / 3) else
               ": it multiplies by m = 3, a sum; the loss is the mean, what binary_cross_entropy "
               "returns" if np.isclose(got, 0.375) else ""))
