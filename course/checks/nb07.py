"""The checks of 07_backward_pass.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("backward")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import numpy as np

from course.checks.framework import check


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
                "multiplied entry by entry (*) but not summed over the examples. Xᵀ(ŷ − y) is a "
                "matrix product (@), which does the sum.")
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
                f"product do not fit: dL/dw is Xᵀ(ŷ − y) / m, the transpose Xᵀ, of shape (2, 4), "
                f"times the vector of 4 errors, giving one entry per feature; X(ŷ − y), without "
                f"the transpose, is a (4, 2) matrix times a vector of 4, which does not fit.") from None
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
            "axis (Xᵀ(ŷ − y) sums over the examples)." if shape == (4,) else
            "It is a single number: the sum went over the features too. Each weight w_j has its "
            "own gradient Σᵢ xᵢⱼ(ŷᵢ − yᵢ) / m, a sum over the examples only." if shape == () else
            "A column (n, 1): keep ŷ − y a vector of shape (m,), not (m, 1)." if shape == (2, 1) else
            _table_cause(dw) if shape == (2, 4) else
            "It holds every product xᵢⱼ(ŷᵢ − yᵢ), one per feature and per example: they were "
            "multiplied entry by entry (*) but not summed over the examples. Xᵀ(ŷ − y) is a "
            "matrix product (@), which does the sum." if shape == (4, 2) else
            "A matrix: a (4,) vector and a (4, 1) column broadcast into a table; keep every "
            "vector of shape (m,)." if len(shape) == 2 else
            "Compare with dw = Xᵀ(ŷ − y) / m."))
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
                     "Compare each step with dw = Xᵀ(ŷ − y) / m.")
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
    # measured on the loss itself, written out here from its definition (Task 6).
    rng = np.random.default_rng(7)
    X5, y5 = rng.normal(size=(5, 3)), np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    w5, b5 = rng.normal(size=3), 0.3
    X5.flags.writeable = y5.flags.writeable = False

    def probabilities_for(w, b):  # ŷ = σ(z) with z = Xw + b, for these moderate scores
        return 1.0 / (1.0 + np.exp(-(np.dot(X5, w) + b)))

    def mean_loss(w, b):  # L = −mean(y log ŷ + (1 − y) log(1 − ŷ))
        p = probabilities_for(w, b)
        return -np.mean(y5 * np.log(p) + (1.0 - y5) * np.log(1.0 - p))

    eps, steps = 1e-6, np.eye(3) * 1e-6
    numeric_dw = np.array([(mean_loss(w5 + s, b5) - mean_loss(w5 - s, b5)) / (2 * eps) for s in steps])
    numeric_db = (mean_loss(w5, b5 + eps) - mean_loss(w5, b5 - eps)) / (2 * eps)
    probabilities = probabilities_for(w5, b5)
    probabilities.flags.writeable = False
    dw5, db5 = LogisticModel(num_features=3).backward(X5, y5, probabilities)
    agree = (np.allclose(dw5, numeric_dw, rtol=1e-5, atol=1e-8)
             and np.isclose(db5, numeric_db, rtol=1e-5, atol=1e-8))
    assert agree, (
        f"on a random batch of 5 examples with 3 features, backward gives dL/dw = "
        f"{np.round(np.asarray(dw5, dtype=float), 5).tolist()}, dL/db = {float(db5):.5f}, but "
        f"finite differences of the loss give {np.round(numeric_dw, 5).tolist()} and "
        f"{numeric_db:.5f}. Compare each step with dw = Xᵀ(ŷ − y) / m and db = Σ(ŷ − y) / m, "
        f"for any m and n.")
