"""The checks of 07_backward_pass.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("backward")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import numpy as np

from course.checks.framework import check, notebook_globals_read


# What dL/dw of shape (2, 4) holds on the batch of the prompt, for two mistakes (errors ŷ − y =
# (-0.25, -0.75, 0.5, 0.75), m = 4, the columns of Xᵀ are the rows (1, 0), (0, 1), (1, 1), (2, 1)):
# Xᵀ times the errors entry by entry: column i is row i of X times error i / 4
_ENTRY_BY_ENTRY = np.array([[-0.0625, 0.0, 0.125, 0.375], [0.0, -0.1875, 0.125, 0.1875]])
# y as a column (m, 1): ŷ − y is the (4, 4) table of ŷⱼ − yᵢ, and Xᵀ @ table / 4 has entries
# (Σᵢ xᵢₖ(ŷⱼ − yᵢ)) / 4: (4ŷⱼ − 1) / 4 for feature 0 and (3ŷⱼ − 1) / 4 for feature 1
_Y_COLUMN = np.array([[0.5, 0.0, 0.25, 0.5], [0.3125, -0.0625, 0.125, 0.3125]])
# ŷ as a column: the table of ŷᵢ − yⱼ; Σᵢ xᵢ₀ŷᵢ = 2.75, Σᵢ xᵢ₀ = 4, Σᵢ xᵢ₁ŷᵢ = 1.5, Σᵢ xᵢ₁ = 3, so
# (2.75 − 4yⱼ) / 4 and (1.5 − 3yⱼ) / 4
_Y_HAT_COLUMN = np.array([[-0.3125, -0.3125, 0.6875, 0.6875], [-0.375, -0.375, 0.375, 0.375]])


def _table_cause(dw):
    """Why dL/dw came out of shape (2, 4) on the batch of the prompt, in words."""
    if np.allclose(dw, _Y_COLUMN) or np.allclose(dw, _Y_HAT_COLUMN):
        return ("The errors ŷ − y became a (4, 4) table: y (or ŷ) is a column of shape (m, 1), and a "
                "column minus a vector of shape (m,) pairs every ŷⱼ with every yᵢ. Keep y and ŷ "
                "vectors of shape (m,), so that ŷ − y holds one error per example.")
    if np.allclose(dw, _ENTRY_BY_ENTRY):
        return ("It holds every product xᵢⱼ(ŷᵢ − yᵢ), one per feature and per example: they were "
                "multiplied entry by entry (*) but not summed over the examples. A matrix "
                "product (@) multiplies and sums in one go.")
    return ("One entry per feature and per example: either the products xᵢⱼ(ŷᵢ − yᵢ) were not "
            "summed over the examples (* instead of the matrix product @), or ŷ − y became a "
            "(4, 4) table (y or ŷ a column of shape (m, 1)). Keep ŷ − y a vector of shape (m,), "
            "and use the matrix product Xᵀ(ŷ − y).")


@check('backward', 'shapes, the hand-worked batch of 4, finite differences on a random batch, its inputs left unchanged')
def backward(LogisticModel):
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    y = np.array([1.0, 1.0, 0.0, 0.0])
    y_hat = np.array([0.75, 0.25, 0.5, 0.75])  # σ of the scores (ln 3, -ln 3, 0, ln 3) that w = (ln 3, -ln 3), b = 0 give
    for given in (X, y, y_hat):
        given.flags.writeable = False  # backward must not change the arrays it is given
    updates = []  # calls of update made by backward: there must be none

    class Watched(LogisticModel):
        """The model, with update replaced by a note of each call: backward must not move the model."""

        def update(self, *arguments, **keywords):
            updates.append(arguments)

    checked_backward = Watched(num_features=2)
    checked_backward.w, checked_backward.b = np.zeros(2), 0.0  # not the w above: backward must use the y_hat it is given
    try:
        result = checked_backward.backward(X, y, y_hat)
    except ValueError as error:
        assert "read-only" not in str(error), (
            "it writes into an array it was given (X, y or y_hat), and the caller still needs "
            "them (Task 10 passes the y_hat of its forward pass). `y_hat -= y` changes y_hat "
            "itself, and so does `error = y_hat` then `error -= y` (the same array under a second "
            "name, not a copy): a subtraction such as ŷ − y written with a plain minus makes a new "
            "array; compute the errors that way, then divide the new array by m.")
        # np.matmul and np.dot say so when the inner sizes of a product differ
        if "mismatch in its core dimension" in str(error) or "not aligned" in str(error):
            raise AssertionError(
                f"on X of shape (4, 2) it raised ValueError ({error}). The shapes of a matrix "
                f"product do not fit: a (p, q) matrix takes a vector of q entries. X(ŷ − y), without "
                f"the transpose, is a (4, 2) matrix times a vector of 4 errors; ∂L/∂w_j sums over "
                f"the 4 examples, so the examples axis must meet the errors: the transpose, of "
                f"shape (2, 4), gives one entry per feature.") from None
        if "could not be broadcast" in str(error):
            raise AssertionError(
                f"on X of shape (4, 2) and 4 errors ŷ − y it raised ValueError ({error}). Multiplied "
                f"entry by entry (*), NumPy lines up the last axes: X's 2 features against the 4 "
                f"errors, which do not fit. Each error belongs to a row (an example) of X: the "
                f"matrix product Xᵀ(ŷ − y), of the transpose (2, 4) with the 4 errors, pairs them "
                f"and sums over the examples.") from None
        raise  # another ValueError: the framework names it and the learner's line
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        f"it returned {type(result).__name__} {result!r:.80}; expected two things, "
        f"`return dw, db` (the gradient of the weights, then that of the bias)")
    moved = [f"self.{name} is {np.round(np.asarray(now, dtype=float), 4).tolist()} (it was {before})"
             for name, now, before in (("w", checked_backward.w, [0.0, 0.0]), ("b", checked_backward.b, 0.0))
             if not (np.shape(now) == np.shape(before) and np.array_equal(np.asarray(now), before))]
    assert not updates and not moved, (
        "it changed the model: "
        + (f"it calls self.update ({len(updates)} time{'s' * (len(updates) > 1)}). " if updates else
           f"after the call {' and '.join(moved)}. ")
        + "backward only computes the gradients dw and db and returns them; moving w and b is "
          "update's job (Task 8), which Task 10's loop calls once after backward. A backward that "
          "moves the model too makes every step move it twice.")
    dw, db = result
    assert not (np.ndim(dw) == 0 and np.shape(db) == (2,)), (
        f"the pair is swapped: it returned a single number ({float(dw):.6g}) first and shape "
        f"{np.shape(db)} second; expected dw (shape (2,), one entry per feature) first, then db: "
        f"`return dw, db`, the order in which Task 8 and Task 10 unpack them.")
    shape = np.shape(dw)
    assert shape == (2,), (
        f"dL/dw has shape {shape} for X of shape (4, 2); expected (2,), one entry per feature, "
        f"like w. " + (
            "It has one entry per example (4): the sum over the examples went along the wrong "
            "axis (∂L/∂w_j sums over the examples i)." if shape == (4,) else
            "It is a single number: the sum went over the features too. Each weight w_j has its "
            "own gradient Σᵢ xᵢⱼ(ŷᵢ − yᵢ) / m, a sum over the examples only." if shape == () else
            "A column (n, 1): keep ŷ − y a vector of shape (m,), not (m, 1)." if shape == (2, 1) else
            _table_cause(dw) if shape == (2, 4) else
            "It holds every product xᵢⱼ(ŷᵢ − yᵢ), one per feature and per example: they were "
            "multiplied entry by entry (*) but not summed over the examples. A matrix "
            "product (@) multiplies and sums in one go." if shape == (4, 2) else
            "A matrix: a (4,) vector and a (4, 1) column broadcast into a table; keep every "
            "vector of shape (m,)." if len(shape) == 2 else
            "Each entry is ∂L/∂w_j = Σᵢ (ŷᵢ − yᵢ)·xᵢⱼ / m, one per feature j."))
    assert isinstance(dw, np.ndarray), (
        f"dL/dw is a {type(dw).__name__} ({dw!r:.60}); expected a NumPy array (np.ndarray) of "
        f"shape (2,). Task 8 computes w − α·dw, which fails for a Python list (a list times a "
        f"float is an error): return the array that the matrix product gives, without .tolist() "
        f"or list(...).")
    assert np.ndim(db) == 0, (
        f"dL/db has shape {np.shape(db)}; expected a single number (shape ()), the mean of the "
        f"4 errors ŷ − y. " + (
            "It has one entry per example: sum (or average) them into one number."
            if np.shape(db) == (4,) else
            "An array holding one number: return the number itself (no keepdims, or float(...))."
            if np.size(db) == 1 else "Compare with db = Σ(ŷ − y) / m."))
    dw, db = np.asarray(dw, dtype=float), float(db)
    # By hand (the prompt's table): the errors ŷ − y are (-0.25, -0.75, 0.5, 0.75), and m = 4.
    #   Xᵀ(ŷ − y) = (-0.25 + 0.5 + 2 × 0.75, -0.75 + 0.5 + 0.75) = (1.75, 0.5); / 4 = (0.4375, 0.125)
    #   Σ(ŷ − y) = -0.25 - 0.75 + 0.5 + 0.75 = 0.25; / 4 = 0.0625
    expected_dw, expected_db = np.array([0.4375, 0.125]), 0.0625
    if not np.allclose(dw, expected_dw, rtol=0, atol=1e-12):
        causes = [  # what common mistakes return for dL/dw on this batch
            (-expected_dw, "It points the opposite way: y − ŷ instead of ŷ − y?"),
            (4 * expected_dw, "It is 4 times too large, and m = 4: the gradient of the MEAN loss "
                              "divides by m; did you forget 1/m?"),
            (2 * expected_dw, "It is 2 times too large: did you divide by n = 2 (the number of "
                              "features) instead of m = 4 (the number of examples)?"),
            (expected_dw / 4, "It is 4 times too small, and m = 4: 1/m applied twice? (Dividing "
                              "the errors by m, then their product with Xᵀ by m again, divides "
                              "by m².)"),
            (expected_dw / 2, "It is 2 times too small: did you divide by X.size = m·n = 8 (every "
                              "entry of X) instead of m = 4 (the number of examples, len(y))?"),
            # Xᵀŷ = (0.75 + 0.5 + 2 × 0.75, 0.25 + 0.5 + 0.75) = (2.75, 1.5); / 4
            (np.array([0.6875, 0.375]), "It is Xᵀŷ / m: did you forget to subtract y?"),
            # Xᵀy = (1, 1); / 4
            (np.array([0.25, 0.25]), "It is Xᵀy / m: y stands where ŷ belongs."),
            (np.array([-0.25, -0.25]), "It is −Xᵀy / m: y stands where ŷ belongs."),
            # ŷ(1 − ŷ) = (0.1875, 0.1875, 0.25, 0.1875) times each error, then Xᵀ(...) / 4
            (np.array([0.08984375, 0.03125]), "It has an extra factor ŷ(1 − ŷ): σ'(z) is already "
                                              "inside ŷ − y, which is dℓ/dz."),
            # ŷ = 0.5 everywhere (w = 0, b = 0): errors (-0.5, -0.5, 0.5, 0.5), Xᵀ(...) = (1, 0.5); / 4
            (np.array([0.25, 0.125]), "It is what ŷ = 0.5 everywhere gives, the model's own "
                                      "forward pass: use the y_hat handed to backward."),
            (np.zeros(2), "It is all zeros: is ŷ − y computed from y_hat and y (not y twice)?"),
        ]
        cause = next((text for values, text in causes if np.allclose(dw, values, atol=1e-9)),
                     "Compare each entry with ∂L/∂w_j = Σᵢ (ŷᵢ − yᵢ)·xᵢⱼ / m, the "
                     "errors of the examples weighted by their feature j, summed, divided by m = 4.")
        raise AssertionError(
            f"dL/dw on the batch of the prompt (m = 4 examples, n = 2 features) is "
            f"({dw[0]:.6g}, {dw[1]:.6g}); expected (0.4375, 0.125). {cause}")
    if not np.isclose(db, expected_db, rtol=0, atol=1e-12):
        causes = [
            (-expected_db, "It has the wrong sign: y − ŷ instead of ŷ − y?"),
            (4 * expected_db, "It is 4 = m times too large: the sum of the errors, without "
                              "1/m; db is their mean."),
            (2 * expected_db, "It is 2 times too large: divided by n = 2 instead of m = 4?"),
            (expected_db / 4, "It is 4 = m times too small: 1/m applied twice? The mean of errors "
                              "already divided by m divides by m again: sum them instead."),
            (expected_db / 2, "It is 2 times too small: divided by X.size = m·n = 8 instead of "
                              "m = 4 (len(y))?"),
            (0.0, "It is 0: is the bias's gradient computed (db = Σ(ŷ − y) / m)? The "
                  "bias moves by it in Task 8."),
            # Σŷ = 0.75 + 0.25 + 0.5 + 0.75 = 2.25; / 4
            (0.5625, "It is the mean of ŷ: did you forget to subtract y?"),
        ]
        cause = next((text for value, text in causes if np.isclose(db, value, atol=1e-9)),
                     "Compare with db = Σ(ŷ − y) / m, the mean error.")
        raise AssertionError(f"dL/db on the batch of the prompt is {db:.6g}; expected "
                             f"{expected_db}. {cause}")

    # Finite differences on a random batch (m = 5, n = 3): a property of any right gradient,
    # measured on the loss itself, written out here from its definition (Task 6). Along a random
    # direction v of the 4 parameters, (L(θ + εv) − L(θ − εv)) / 2ε must equal ∇L · v; four
    # independent directions pin all 4 partial derivatives down.
    rng = np.random.default_rng(7)
    X5, y5 = rng.normal(size=(5, 3)), np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    w5, b5 = rng.normal(size=3), 0.3
    X5.flags.writeable = y5.flags.writeable = False

    def probabilities_for(w, b):  # ŷ = σ(z) with z = Xw + b, for these moderate scores
        return 1.0 / (1.0 + np.exp(-(np.dot(X5, w) + b)))

    def mean_loss(w, b):  # L = −mean(y log ŷ + (1 − y) log(1 − ŷ))
        p = probabilities_for(w, b)
        return -np.mean(y5 * np.log(p) + (1.0 - y5) * np.log(1.0 - p))

    probabilities = probabilities_for(w5, b5)
    probabilities.flags.writeable = False
    dw5, db5 = LogisticModel(num_features=3).backward(X5, y5, probabilities)
    gradient = np.append(np.asarray(dw5, dtype=float), float(db5))
    eps, directions = 1e-6, rng.normal(size=(4, 4))
    numeric = np.array([(mean_loss(w5 + eps * v[:3], b5 + eps * v[3])
                         - mean_loss(w5 - eps * v[:3], b5 - eps * v[3])) / (2 * eps) for v in directions])
    analytic = directions @ gradient
    assert np.allclose(analytic, numeric, rtol=1e-5, atol=1e-8), (
        f"on a random batch of 5 examples with 3 features, backward gives dL/dw = "
        f"{np.round(gradient[:3], 5).tolist()}, dL/db = {gradient[3]:.5f}, and along 4 random "
        f"directions v its ∇L · v is {np.round(analytic, 5).tolist()}, but finite differences of "
        f"the loss along them give {np.round(numeric, 5).tolist()}. Compare each step with "
        f"∂L/∂w_j = Σᵢ (ŷᵢ − yᵢ)·xᵢⱼ / m and ∂L/∂b = Σᵢ (ŷᵢ − yᵢ) / m, for any m and n.")


# ---- Going further: a finite-difference gradient, written by the learner -----------------------
#
# The check holds no finite-difference code of its own: it hands the learner's function small
# functions whose gradients are known exactly (worked out below), and notes every point at which
# the learner's code evaluates them. Those points say what the code did (which parameters it
# nudged, by how much, on one side or both), and so name the likely cause of a wrong estimate.

_ACCURACY = 1e-5  # ‖estimate − gradient‖ / ‖gradient‖: central differences with ε from about
# 1e-8 to 1e-3, or one-sided ones with ε from about 1e-8 to 1e-6, are this accurate on the cases

# (what the learner is told, f, θ, the exact gradient ∇f(θ))
_GRADIENT_CASES = (
    # ∂f/∂θ₀ = 2θ₀ + 3θ₁ = 8, ∂f/∂θ₁ = 3θ₀ = 3, ∂f/∂θ₂ = 2: the case of the prompt
    ("f(θ) = θ₀² + 3θ₀θ₁ + 2θ₂ at θ = (1, 2, −1)",
     lambda t: t[0] ** 2 + 3 * t[0] * t[1] + 2 * t[2], (1.0, 2.0, -1.0), (8.0, 3.0, 2.0)),
    # ∂f/∂θ₀ = 4e^(4θ₀) = 4, ∂f/∂θ₁ = 1; steep (f''' = 64 at θ₀ = 0): a large step shows
    ("f(θ) = e^(4θ₀) + θ₁ at θ = (0, 1)",
     lambda t: np.exp(4 * t[0]) + t[1], (0.0, 1.0), (4.0, 1.0)),
    # ∂f/∂θ₀ = 2θ₀ − θ₁ = 3, ∂f/∂θ₁ = −θ₀ = −1; f is about 100, known to about 1e-14: a tiny
    # step, whose difference of two values of f is mostly rounding, shows
    ("f(θ) = 100 + θ₀² − θ₀θ₁ at θ = (1, −1)",
     lambda t: 100 + t[0] ** 2 - t[0] * t[1], (1.0, -1.0), (3.0, -1.0)),
)


def _fmt(values):
    return "(" + ", ".join(f"{value:.6g}" for value in np.ravel(values)) + ")"


def _nudges(points, theta):
    """What the points at which f was evaluated say: the offsets from θ, rounding aside (θ_j + ε
    − ε may differ from θ_j in its last bit), that are not zero, and the sizes of the steps."""
    rounding = 4 * np.finfo(float).eps * np.maximum(1.0, np.abs(theta))
    offsets = [np.where(np.abs(point - theta) > rounding, point - theta, 0.0) for point in points]
    moved = [offset for offset in offsets if np.any(offset != 0)]
    steps = sorted({float(f"{abs(value):.1e}") for offset in moved for value in offset[offset != 0]})
    return moved, steps


def _step_cause(moved, steps, relative_error, size_of_f):
    """Why an estimate near the gradient, or off only because of its step, is off: the step."""
    both_ways = any(offset.max() > 0 for offset in moved) and any(offset.min() < 0 for offset in moved)
    used = f"ε = {steps[0]:.0e}" if len(steps) == 1 else f"ε from {steps[0]:.0e} to {steps[-1]:.0e}"
    if steps[-1] >= 1e-4:
        return (f"Your step {used} is too large: the error of a finite difference grows with the "
                f"step (like ε² for the central difference, like ε for a one-sided one). Take ε "
                f"about 1e-6.")
    if steps[0] <= 1e-9:
        return (f"Your step {used} is too small: f is computed to about 16 significant digits "
                f"(here f is about {size_of_f:.3g}), so the difference of two of its values so "
                f"close together is mostly rounding, and dividing by ε magnifies it. Take ε about "
                f"1e-6.")
    if not both_ways:
        return (f"You nudge θ_j one way only ({used}): a one-sided difference's error shrinks only "
                f"like ε. Nudge both ways, (f(θ + εe_j) − f(θ − εe_j)) / 2ε, whose error shrinks "
                f"like ε², or take a smaller ε.")
    return f"It is off by a relative {relative_error:.1g}: check the step ({used}) and the division."


def _gradient_cause(estimate, gradient, moved, steps, size_of_f):
    """The likely cause of an estimate that is not the gradient, in words."""
    relative_error = np.linalg.norm(estimate - gradient) / np.linalg.norm(gradient)
    cumulative = np.cumsum(gradient)
    if not moved:
        return ("f was only ever evaluated at θ itself, never at a nudged θ: either the step ε is "
                "so small that θ_j + ε rounds to θ_j, or the nudged vectors are θ itself under "
                "another name (`plus = theta` makes a second name for the same array, not a copy: "
                "`theta.copy()` does), and the nudges were undone before f saw them.")
    never = [j for j in range(len(gradient)) if not any(offset[j] != 0 for offset in moved)]
    if never:
        return (f"f was never evaluated with θ_{never[0]} nudged, so entry {never[0]} cannot "
                f"estimate ∂f/∂θ_{never[0]}: does the loop cover every j from 0 to "
                f"{len(gradient) - 1}, one nudge per parameter?")
    together = [offset for offset in moved if np.count_nonzero(offset) > 1]
    if together and np.allclose(estimate, cumulative, rtol=1e-3, atol=1e-6):
        return ("Entry j is the sum of the first j + 1 partial derivatives, and f was evaluated with "
                "several parameters nudged at once: the nudge of θ_0 was still there when θ_1 was "
                "nudged, and so on. Undo each nudge before the next (or start every j from a fresh "
                "copy of θ).")
    if together:
        return (f"f was evaluated with several parameters nudged at once (e.g. at θ + "
                f"{_fmt(together[0])}), so each entry mixes the slopes along all of them"
                + (f": every entry is {estimate[0]:.6g}, the sum of the partial derivatives"
                   if np.allclose(estimate, estimate[0]) else "")
                + ". The partial derivative ∂f/∂θ_j needs θ_j nudged alone: θ + εe_j, where e_j "
                  "is 1 at j and 0 elsewhere.")
    if np.allclose(estimate, -gradient, rtol=1e-3):
        return ("It points the opposite way: the difference is taken backwards, f(θ − εe_j) − "
                "f(θ + εe_j), or divided by a negative step.")
    both_ways = any(offset.max() > 0 for offset in moved) and any(offset.min() < 0 for offset in moved)
    if np.allclose(estimate, 2 * gradient, rtol=1e-3):
        return ("It is twice the gradient: θ + εe_j and θ − εe_j are 2ε apart, so the central "
                "difference divides by 2ε, not by ε.")
    if np.allclose(estimate, gradient / 2, rtol=1e-3):
        return ("It is half the gradient: " + (
            "f was evaluated at θ + εe_j (or θ − εe_j) and at θ, which are ε apart, and the "
            "difference was divided by 2ε. Divide a one-sided difference by ε (or nudge both "
            "ways). If you meant the second point to be θ − εe_j, it may be θ itself under "
            "another name (`minus = theta` is not a copy; `theta.copy()` is)." if not both_ways else "the two points are 2ε apart: divide by 2ε, not 4ε."))
    ratio = estimate @ gradient / (gradient @ gradient)
    if 0 < abs(ratio) < 1e-2 and np.allclose(estimate, ratio * gradient, rtol=1e-3):
        return (f"It is about {ratio:.1g} times the gradient, and your step is ε = {steps[-1]:.0e}: "
                f"the difference f(θ + εe_j) − f(θ − εe_j) was not divided by 2ε (or a one-sided "
                f"one by ε). A difference of values is about the slope times the distance "
                f"between the points.")
    if relative_error < 1e-2 or steps[-1] >= 1e-3 or steps[0] <= 1e-10:
        return _step_cause(moved, steps, relative_error, size_of_f)
    return ("Compare entry j with (f(θ + εe_j) − f(θ − εe_j)) / 2ε, where e_j is 1 at j and 0 "
            "elsewhere and ε is about 1e-6.")


@check("numerical_gradient", "finite differences of three functions with known gradients, "
       "accurate to 1e-5, θ left unchanged", going_further=True)
def numerical_gradient(numerical_gradient):
    estimate_of = numerical_gradient
    model_names = {"model", "LogisticModel", "X", "y", "analytic", "dw", "db"}
    read = notebook_globals_read(estimate_of, lambda name, value: name in model_names)
    for text, function, point, exact in _GRADIENT_CASES:
        theta, gradient = np.array(point), np.array(exact)
        given = theta.copy()  # writable: changing θ in place and restoring it is fine
        points = []

        def f(vector, function=function, points=points, size=len(point)):
            vector = np.array(vector, dtype=float)  # a copy: later changes to the caller's array do not count
            assert vector.shape == (size,), (
                f"it called f with an array of shape {vector.shape}; f takes one parameter vector "
                f"of shape ({size},), like θ, and returns one number: evaluate f once per nudged "
                f"vector.")
            points.append(vector)
            return float(function(vector))

        result = estimate_of(f, given)
        assert np.allclose(given, theta, rtol=0, atol=1e-12), (
            f"for {text}, the θ it was given is {_fmt(given)} afterwards, no longer "
            f"{_fmt(theta)}: it nudges θ in place and does not put it back. The caller still needs "
            f"θ (Task 10 would train from moved weights): nudge a copy (theta.copy()), or restore "
            f"θ_j after evaluating f.")
        assert result is not None, (
            f"for {text} it returned None: return the array of estimates (a `return` is missing?)")
        estimate = np.asarray(result, dtype=float)
        assert estimate.shape == theta.shape, (
            f"for {text} it returned shape {estimate.shape}; expected {theta.shape}, one estimate "
            f"per parameter, like θ. " + (
                f"It reads the notebook's {', '.join(read)}: it must estimate the gradient of the "
                f"f it is given, at the θ it is given, from values of f alone (not backward's "
                f"analytic gradient of the model)." if read else
                "It is one number: each parameter θ_j needs its own estimate of ∂f/∂θ_j."
                if estimate.shape == () else "Make one entry per parameter θ_j."))
        assert points, (
            f"for {text} it returned {_fmt(estimate)} without ever calling f: the estimate must "
            f"come from values of f near θ" + (
                f" (it reads the notebook's {', '.join(read)}: the analytic gradient of the model "
                f"is what this estimate is there to test)." if read else "."))
        relative_error = np.linalg.norm(estimate - gradient) / np.linalg.norm(gradient)
        if not relative_error <= _ACCURACY:
            moved, steps = _nudges(points, theta)
            raise AssertionError(
                f"for {text} it returned {_fmt(estimate)}; the gradient is {_fmt(gradient)}. "
                + _gradient_cause(estimate, gradient, moved, steps, abs(function(theta))))

