"""The checks of 11_training_the_model.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("mistakes")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import ast
import dis
import inspect

import numpy as np

from course.checks.framework import check, notebook_arrays_read


@check('mistakes', 'the rows of 7 examples whose known answers differ from their labels, as increasing whole numbers, a probability of exactly 0.5 (score 0) answered 1; none when every answer is right; the labels left unchanged')
def mistakes(mistakes):
    class KnownAnswers:
        """A stand-in model that answers 1, 0, 0, 1, 1, 0, 1 for any seven examples (its probabilities
        of a 1 and scores agree; the last example sits on the boundary, probability 0.5 and score 0,
        where the answer is 1), so this check does not depend on your model's pieces."""

        def forward(self, X):
            return np.array([0.88, 0.27, 0.05, 0.62, 0.98, 0.12, 0.5])

        def scores(self, X):
            return np.log(self.forward(X) / (1 - self.forward(X)))  # log(0.5 / 0.5) = 0 exactly

        def predict(self, X):
            return (self.forward(X) >= 0.5).astype(np.int64)


    notebook_arrays = notebook_arrays_read(mistakes)
    assert not notebook_arrays, (
        f"it reads the notebook's {', '.join(notebook_arrays)}: use its arguments, the examples X "
        f"and their labels y, so that it finds the mistakes of any set it is given (the training "
        f"and validation images below, the test images at the end)")
    seven_labels = np.array([1, 1, 0, 0, 1, 1, 1])
    seven_examples = np.zeros((7, 784))
    seven_labels.flags.writeable = seven_examples.flags.writeable = False  # to be left as they are
    got = mistakes(KnownAnswers(), seven_examples, seven_labels)
    shown = (f"for answers [1, 0, 0, 1, 1, 0, 1] and labels [1, 1, 0, 0, 1, 1, 1] it returned "
             f"{got!r}")
    assert got is not None, f"{shown}: return the array of indices (is `return` missing?)"
    assert not isinstance(got, tuple), (
        f"{shown}; expected the array of indices [1, 3, 5], not a tuple"
        + (": np.where with one argument, like np.nonzero, returns a tuple of arrays, one per "
           "axis. Take the tuple's first entry, [0], or use np.flatnonzero, which gives the array "
           "itself"
           if len(got) == 1 and np.ndim(got[0]) == 1 else ""))
    assert np.ndim(got) == 1, (
        f"{shown}; expected the indices [1, 3, 5]"
        + (f", one dimension, not a column of shape {np.shape(got)}: np.argwhere gives one row per "
           f"index (a column for a 1-D mask); use np.flatnonzero(...), or flatten the column with "
           f".ravel()" if np.ndim(got) == 2 and np.shape(got)[1] == 1 else "")
        + (": that is how many mistakes there are, not which" if np.ndim(got) == 0 and got == 3 else ""))
    got = np.asarray(got)
    assert got.dtype != bool, (
        f"{shown}: one True/False per example (a mask); return the indices where it is True, "
        f"[1, 3, 5] (np.flatnonzero)")
    causes = {  # what common slips return here, and their likely cause
        (0, 2, 4, 6): "those are the rows it gets right; the mistakes are where the answer differs "
                      "from the label (!=, not ==)",
        tuple(range(7)): "every row counts as a mistake, so it compares something that never "
                         "equals a label with the labels. Compare the model's answers, from its "
                         "predict method (Task 9), which are 0 or 1; its forward method gives "
                         "probabilities of a 1 (0.88, 0.27, ...), and its scores method scores",
        (1, 3, 5, 6): "row 6 is no mistake: its probability is exactly 0.5 (its score exactly 0), "
                      "where the model answers 1 (ŷ ≥ 0.5, z ≥ 0), and its label is 1. Rounding the "
                      "probability gives 0 there (np.round rounds a half to the even number), and "
                      "ŷ > 0.5 or z > 0 is false there: compare the model's own answers, "
                      "model.predict(X), with the labels",
        (2, 4, 6): "those are the mistakes' positions counted from 1; indices count from 0",
        (5, 3, 1): "the right rows in decreasing order: return them increasing (np.flatnonzero "
                   "gives them so)",
        (1, 3): "row 5 is missing, the last mistake: is the last index dropped ([:-1])?",
        (3, 5): "row 1 is missing, the first mistake: is the first index dropped ([1:])?",
    }
    values = tuple(got.tolist()) if got.dtype.kind in "iuf" else ()
    assert values == (1, 3, 5), (
        f"{shown}; expected [1, 3, 5]" + (f": {causes[values]}" if values in causes else ""))
    assert got.dtype.kind in "iu", f"{shown}: indices are whole numbers, got dtype {got.dtype}"

    # No mistake at all: the labels are the answers themselves.
    no_mistakes = np.array([1, 0, 0, 1, 1, 0, 1])
    no_mistakes.flags.writeable = False
    got = mistakes(KnownAnswers(), seven_examples, no_mistakes)
    shown = f"for answers [1, 0, 0, 1, 1, 0, 1] and the same labels (no mistake) it returned {got!r}"
    assert got is not None and np.ndim(got) == 1 and len(got) == 0, (
        f"{shown}; expected an empty array of indices: no row is a mistake")
    assert not isinstance(got, np.ndarray) or got.dtype.kind in "iu", (
        f"{shown}; expected an empty array of whole numbers (an integer dtype, like the indices "
        f"[1, 3, 5] above): np.array of an empty list holds floats (float64), and an array of floats "
        f"cannot index the images (images[mistakes(...)] raises IndexError). np.flatnonzero gives "
        f"integer indices even when there are none (or give np.array its dtype, int)")


def _same_list(now, before):
    """Whether a value of the history is still the list it was: same type, same entries."""
    return type(now) is list and now == before


@check('best_iteration', 'the iteration of the lowest validation loss in five histories: 6 records 5 iterations apart, 7 records of irregular spacing with a tie (the first wins), 7 with a bump before the lowest, one whose lowest is its last record, one whose lowest is its first; the histories left unchanged')
def best_iteration(best_iteration):
    histories = [  # (history, the right answer)
        ({"iteration": [0, 5, 10, 15, 20, 25],
          "train_loss": [0.69, 0.35, 0.22, 0.16, 0.12, 0.13],
          "val_loss": [0.69, 0.40, 0.28, 0.25, 0.31, 0.45],
          "val_accuracy": [0.50, 0.85, 0.94, 0.91, 0.93, 0.92]}, 15),
        ({"iteration": [0, 4, 14, 21, 28, 35, 40],
          "train_loss": [0.69, 0.35, 0.22, 0.16, 0.10, 0.12, 0.11],
          "val_loss": [0.69, 0.41, 0.30, 0.27, 0.33, 0.27, 0.38],
          "val_accuracy": [0.50, 0.85, 0.93, 0.91, 0.90, 0.92, 0.89]}, 21),
        ({"iteration": [0, 10, 20, 30, 40, 50, 60],
          "train_loss": [0.69, 0.40, 0.30, 0.22, 0.18, 0.15, 0.16],
          "val_loss": [0.69, 0.45, 0.47, 0.33, 0.30, 0.36, 0.74],
          "val_accuracy": [0.50, 0.84, 0.93, 0.90, 0.91, 0.89, 0.80]}, 40),
        # still improving when training stopped: the lowest is the last record
        ({"iteration": [0, 8, 16, 24, 32],
          "train_loss": [0.69, 0.44, 0.33, 0.27, 0.23],
          "val_loss": [0.69, 0.48, 0.37, 0.33, 0.31],
          "val_accuracy": [0.50, 0.80, 0.88, 0.90, 0.91]}, 32),
        # a learning rate too large: every step made the validation loss worse than at the start
        ({"iteration": [0, 3, 6, 9],
          "train_loss": [0.69, 0.95, 0.64, 1.10],
          "val_loss": [0.69, 0.97, 0.85, 1.12],
          "val_accuracy": [0.50, 0.62, 0.58, 0.55]}, 0),
    ]
    gots = []
    for records, expected in histories:
        kept = {key: list(values) for key, values in records.items()}
        try:
            gots.append(best_iteration(records))
        except IndexError as error:
            losses = kept["val_loss"]
            at_end = losses.index(min(losses)) == len(losses) - 1
            raise AssertionError(
                f"for iterations {kept['iteration']} and validation losses {losses} it raised "
                f"IndexError ({error}): it reads a position the lists do not have"
                + (f". The lowest loss here is in the last record, position {len(losses) - 1}: is "
                   f"one added to the position of the lowest loss? That position itself is where "
                   f"history['iteration'] holds the answer" if at_end else "")) from None
        changed = [key for key in kept if not _same_list(records.get(key), kept[key])]
        now = records.get(changed[0]) if changed else None
        assert not changed and records.keys() == kept.keys(), (
            "it changed the history it was given: "
            + ((f"history['{changed[0]}'] was a list and is now a {type(now).__module__}."
                f"{type(now).__name__}: it put an array made from the list back into the history "
                f"(history[...] = np.array(...)). Keep such an array under a name of your own"
                if isinstance(now, np.ndarray) else
                f"history['{changed[0]}'] was {kept[changed[0]]} and is now {now}"
                + (" (sorted in place? list.sort() reorders the list itself; sorted(...) makes a "
                   "sorted copy)" if now == sorted(kept[changed[0]]) else ""))
               if changed else f"its keys were {sorted(kept)} and are now {sorted(records)}")
            + ". Leave the history as it is: train's caller still needs it, in its order")

    def first_rise(h):  # stops where the validation loss first goes up: a local minimum
        losses = h["val_loss"]
        rises = [i for i in range(1, len(losses)) if losses[i] > losses[i - 1]]
        return h["iteration"][rises[0] - 1] if rises else h["iteration"][-1]

    try:  # a `return` inside a loop of best_iteration?
        returns_in_loop = any(isinstance(node, (ast.For, ast.While))
                              and any(isinstance(inner, ast.Return) for inner in ast.walk(node))
                              for node in ast.walk(ast.parse(inspect.getsource(best_iteration).strip())))
    except (OSError, TypeError, SyntaxError):  # no source: a return before the loop's jump back
        steps = list(dis.get_instructions(best_iteration))
        returns_in_loop = any(step.opname.startswith("RETURN") and step.offset < max(
            (jump.offset for jump in steps if jump.opname.startswith("JUMP_BACKWARD")), default=-1)
            for step in steps)
    slips = [  # what each usual slip returns on every history, and its likely cause
        (lambda h: int(np.argmin(h["val_loss"])),
         "that is its position in the lists; the iteration is the entry of history['iteration'] at "
         "that position"),
        (lambda h: h["iteration"][0],
         "it is the first record, whatever the losses: `return` inside the loop stops at the first "
         "loss that beats the starting best; return after the loop, once every record was compared"
         if returns_in_loop else
         "it is the first record, whatever the losses: the initial best loss is so low (0?) that no "
         "loss beats it, so the best never moves; start from float('inf') or the first loss"),
        (lambda h: h["iteration"][int(np.argmax(h["val_loss"]))],
         "that is the iteration of the highest validation loss: argmax instead of argmin?"),
        (lambda h: h["iteration"][-1],
         "that is the last record: return the iteration where the validation loss is lowest, not "
         "the last one"),
        (lambda h: h["iteration"][int(np.argmin(h["train_loss"]))],
         "that is the iteration of the lowest *training* loss: use history['val_loss']"),
        (lambda h: h["iteration"][int(np.argmax(h["val_accuracy"]))],
         "that is the iteration of the highest validation accuracy: use the validation loss"),
        (lambda h: min(h["val_loss"]), "that is the lowest validation loss itself, not when it happened"),
        (lambda h: h["iteration"][len(h["val_loss"]) - 1 - int(np.argmin(h["val_loss"][::-1]))],
         "of tied lowest losses it keeps the last, and the first one counts: keep the first of tied "
         "values (np.argmin does; in a loop, replace the best only with a strictly lower loss, <, "
         "not <=)"),
        (lambda h: int(np.argmin(h["val_loss"])) * (h["iteration"][1] - h["iteration"][0]),
         "that is its position × the spacing of the first two records: the records are not always "
         "equally spaced (here 4, then 10, 7...); the iteration is the entry of "
         "history['iteration'] at that position"),
        (lambda h: 5 * int(np.argmin(h["val_loss"])),
         "that is 5 × its position: the records are not always 5 iterations apart; the iteration "
         "is the entry of history['iteration'] at that position"),
        (first_rise,
         "it stops at the first rise of the validation loss, a local minimum; the lowest comes "
         "later (the loss can go up and down again): compare every record"),
        (lambda h: h["iteration"][int(np.argmin(h["val_loss"][1:]))],
         "that is one record before the lowest: the position found in val_loss[1:] is off by one "
         "in the full list (add 1 to it, or search the whole list)"),
        (lambda h: h["iteration"][int(np.argmin(h["val_loss"])) - 1],
         "that is one record before the lowest (and where the lowest is the first record, "
         "position 0, index −1 is the last one): is 1 subtracted from the position of the "
         "lowest loss? That position itself is where history['iteration'] holds the answer"),
        (lambda h: h["iteration"][int(np.argmin(h["val_loss"][:-1]))],
         "it never looks at the last record, and here the lowest loss is the last one (a run "
         "still improving when it stops): compare every record, the last too (a range that stops "
         "one early, or [:-1]?)"),
        (lambda h: h["iteration"][1 + int(np.argmin(h["val_loss"][1:]))],
         "it never looks at the first record, iteration 0, and here the lowest loss is that one "
         "(every step made the model worse): compare every record, the first too"),
    ]
    likely = next((cause for slip, cause in slips
                   if all(np.ndim(got) == 0 and got == slip(records) for got, (records, _) in zip(gots, histories))),
                  "the iteration is the entry of history['iteration'] at the position of the "
                  "lowest entry of history['val_loss'] (the first of tied ones)")
    for got, (records, expected) in zip(gots, histories):
        shown = (f"for iterations {records['iteration']} and validation losses {records['val_loss']} "
                 f"it returned {got!r}; expected {expected}, the iteration of the lowest validation "
                 f"loss ({min(records['val_loss'])}"
                 + (", the first of the two" if records["val_loss"].count(min(records["val_loss"])) > 1 else "")
                 + ")")
        assert got is not None, f"{shown}: return the iteration (is `return` missing?)"
        assert np.ndim(got) == 0 and got == expected, f"{shown}: {likely}"
        assert isinstance(got, (int, np.integer)), f"{shown}: an iteration is a whole number"


# ---- Going further (optional, not graded) ----------------------------------------------------

def _gradients_returned(got, shown):
    """(dw, db) as arrays from what l2_gradients returned, or a message in words."""
    assert got is not None, f"{shown}: return the pair (dw, db) (is `return` missing?)"
    assert isinstance(got, (tuple, list)) and len(got) == 2, (
        f"{shown}: expected a pair (dw, db), the gradient for the weights and for the bias, as "
        f"Task 7's backward returns it")
    dw, db = np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)
    assert dw.shape == (2,), f"{shown}: dw must have one entry per weight, shape (2,), got {dw.shape}"
    assert db.ndim == 0, f"{shown}: db must be a single number, got shape {db.shape}"
    return dw, float(db)


@check('l2_gradients', "the gradients of L + (λ/2)‖w‖² on a hand-worked case (λ = 0.1 and λ = 0), the bias not penalised, and against finite differences of the penalised loss on a random case; the model and the data left unchanged", going_further=True)
def l2_gradients(l2_gradients, LogisticModel):
    notebook_arrays = notebook_arrays_read(l2_gradients)
    assert not notebook_arrays, (
        f"it reads the notebook's {', '.join(notebook_arrays)}: use its arguments, the model, X, "
        f"y and lam, so that it works on any data and any λ")

    def model_at(w, b):
        model = LogisticModel(num_features=len(w), seed=0)
        model.w, model.b = np.array(w, dtype=float), float(b)
        model.w.flags.writeable = False  # a gradient is computed, the model is not changed
        return model

    # The hand-worked case: every score is z = x · w + b = 0 + ln 3 (each row of X is
    # perpendicular to w), so ŷ = 0.75 for both rows and the plain gradients are
    # dw = Xᵀ(ŷ − y)/2 = (1.0, 2.0) and db = 0.25.
    X = np.array([[1.0, 2.0], [3.0, 6.0]])
    y = np.array([1.0, 0.0])
    X.flags.writeable = y.flags.writeable = False
    w, b = (2.0, -1.0), float(np.log(3.0))
    expected = {0.1: ((1.2, 1.9), 0.25), 0.0: ((1.0, 2.0), 0.25)}
    for lam, (expected_dw, expected_db) in expected.items():
        model = model_at(w, b)
        shown = (f"for w = [2, -1], b = ln 3, X = [[1, 2], [3, 6]], y = [1, 0] and lam = {lam}, "
                 f"it returned {{}}")
        got = l2_gradients(model, X, y, lam)
        shown = shown.format(repr(got))
        dw, db = _gradients_returned(got, shown)
        assert np.array_equal(model.w, w) and model.b == b, (
            f"{shown}, and it changed the model (w = {model.w}, b = {model.b}): compute the "
            f"gradients only; the training loop's update takes the step")
        if lam == 0.1:
            causes = {  # the dw of common slips on this case, and their likely cause
                (1.0, 2.0): "that is the plain gradient, without the penalty's part λw = (0.2, -0.1): "
                            "is lam used?",
                (1.4, 1.8): "the penalty's part is twice λw: the gradient of (λ/2)‖w‖² is λw (the 1/2 "
                            "cancels the 2 of the square)",
                (1.1, 1.95): "the penalty's part is half of λw: the gradient of (λ/2)‖w‖² is λw, not "
                             "(λ/2)w (or was it divided by m, here 2? The penalty is added once, not "
                             "averaged over the examples)",
                (0.8, 2.1): "the penalty's part has the wrong sign: (λ/2)‖w‖² grows with the weights, "
                            "so its gradient, +λw, points away from 0 and the step, against it, "
                            "shrinks them",
                (1.1, 2.1): "λ was added to every entry: the penalty's gradient is λ times each "
                            "weight, λw",
            }
            key = tuple(np.round(dw, 4))
            assert np.allclose(dw, expected_dw), (
                f"{shown}; expected dw = [1.2, 1.9] (the plain [1.0, 2.0] plus λw = [0.2, -0.1])"
                + (f": {causes[key]}" if key in causes else ""))
            assert np.isclose(db, expected_db), (
                f"{shown}; expected db = 0.25, the plain gradient for the bias"
                + (": the bias is penalised too (λb = 0.1 ln 3 = 0.110 added). Leave the bias out of "
                   "the penalty: it only moves the cut, the weights' length is what grows"
                   if np.isclose(db, 0.25 + 0.1 * np.log(3.0)) else ""))
        else:
            assert np.allclose(dw, expected_dw) and np.isclose(db, expected_db), (
                f"{shown}; expected the plain gradients, dw = [1.0, 2.0] and db = 0.25: with λ = 0 "
                f"there is no penalty")

    # A random case: m = 5 examples, n = 3 features, λ = 0.5, against central finite differences
    # of the penalised loss L(w, b) + (λ/2)‖w‖², computed with the model's own loss (Task 6).
    rng = np.random.default_rng(11)
    X, y = rng.normal(size=(5, 3)), np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    X.flags.writeable = y.flags.writeable = False
    w, b, lam, h = rng.normal(size=3), 0.3, 0.5, 1e-6

    def penalised(w, b):
        probe = LogisticModel(num_features=3, seed=0)
        probe.w, probe.b = np.asarray(w, dtype=float), float(b)
        return float(probe.loss(X, y)) + lam / 2 * float(np.sum(probe.w ** 2))

    numeric_dw = np.array([(penalised(w + h * e, b) - penalised(w - h * e, b)) / (2 * h) for e in np.eye(3)])
    numeric_db = (penalised(w, b + h) - penalised(w, b - h)) / (2 * h)
    model = model_at(w, b)
    got = l2_gradients(model, X, y, lam)
    shown = f"on a random case of 5 examples and 3 features with lam = 0.5 it returned {got!r}"
    assert got is not None and isinstance(got, (tuple, list)) and len(got) == 2, (
        f"{shown}: return the pair (dw, db)")
    dw, db = np.asarray(got[0], dtype=float), float(np.asarray(got[1], dtype=float))
    assert dw.shape == (3,) and np.allclose(dw, numeric_dw, atol=1e-5) and np.isclose(db, numeric_db, atol=1e-5), (
        f"{shown}; finite differences of L + (λ/2)‖w‖² give dw ≈ {np.round(numeric_dw, 4)} and "
        f"db ≈ {numeric_db:.4f}"
        + (": its dw is off by λ/m times w, m = 5: the penalty is added once, not divided by m"
           if dw.shape == (3,) and np.allclose(dw, numeric_dw - lam * w + lam * w / 5, atol=1e-5) else ""))


def _scripted_model(LogisticModel, losses, every, steps):
    """A stand-in model of 3 features whose validation loss, after s steps of training, is
    losses[s // every], however it is trained (its `train`, or its forward, backward and update)
    and measured (its loss, evaluate, or train's history with validation data): its update takes
    no real step, it counts steps in the bias b (and adds 1 to every weight), and its scores give
    the validation images (first feature 1, all labelled 1) the score whose loss is the scripted one.
    `steps` is a list whose length counts the updates made."""

    class Scripted(LogisticModel):
        def update(self, dw, db, learning_rate):
            steps.append(1)
            self.w = self.w + 1.0
            self.b = self.b + 1.0

        def scores(self, X):
            X = np.asarray(X, dtype=float)
            loss = losses[min(round(float(self.b)) // every, len(losses) - 1)]
            return np.where(X[:, 0] == 1.0, -np.log(np.expm1(loss)), 0.0)  # log(1 + e^-z) = loss

    return Scripted(3, seed=0)


@check('train_with_early_stopping', "with a stand-in model whose validation losses are known: the iteration of the lowest loss returned (the first of tied ones, iteration 0 included), training stopped after patience measurements without a new lowest (not at the first rise), or at max_iterations, the weights and bias of the lowest restored", going_further=True)
def train_with_early_stopping(train_with_early_stopping, LogisticModel):
    notebook_arrays = notebook_arrays_read(train_with_early_stopping)
    assert not notebook_arrays, (
        f"it reads the notebook's {', '.join(notebook_arrays)}: use its arguments, so that it "
        f"trains any model on any data")
    X_train = np.column_stack([np.zeros(8), np.arange(16.0).reshape(8, 2) / 16])
    y_train = np.array([0, 1, 0, 1, 1, 0, 1, 0])
    X_val, y_val = np.array([[1.0, 0.5, 0.5], [1.0, 0.2, 0.9]]), np.array([1, 1])
    for array in (X_train, y_train, X_val, y_val):
        array.flags.writeable = False
    never = ("it did not stop after {patience} measurements in a row without a new lowest. After "
             "each measurement, count how many in a row have not beaten the lowest so far (a loss "
             "lower than the previous measurement but not than the lowest does not reset the "
             "count), and stop when that count reaches patience")
    cases = [  # (what the case is, losses at iterations 0, every, 2 every, ..., every, patience,
        #         max_iterations, the best iteration, the iteration it stops at,
        #         {the iterations trained by common slips: their likely cause})
        ("a rise before the lowest, then a dip that is not a new lowest",
         [0.69, 0.50, 0.40, 0.36, 0.45, 0.34, 0.39, 0.37, 0.40, 0.30, 0.29, 0.28], 2, 3, 22, 10, 16,
         {22: never,
          8: "it stopped at the first rise of the loss (iteration 8); patience allows that many "
             "measurements without a new lowest before stopping, and the loss can fall again",
          6: "it stopped after 3 measurements although the loss was still falling: no loss counted "
             "as a new lowest. Is the lowest so far initialised to 0? Start from the loss at "
             "iteration 0 (or from infinity)",
          14: "one measurement early: stop at the measurement that makes {patience} in a row without "
              "a new lowest (or the count was not set back to 0 at the new lowest, iteration 10)"}),
        ("a tie with the lowest, which is no improvement",
         [0.69, 0.40, 0.45, 0.40, 0.47, 0.48, 0.35, 0.34, 0.33], 3, 3, 24, 3, 12,
         {24: "the tie at iteration 9 (0.40 again) counted as a new lowest: a measurement improves "
              "only when it is strictly lower than the lowest so far (<, not <=)"}),
        ("still improving at max_iterations", [0.69, 0.60, 0.50, 0.45, 0.42, 0.41], 2, 2, 10, 10, 10,
         {8: "it stopped before max_iterations: train and measure up to and including iteration "
             "max_iterations (a range that ends one step early?)"}),
        ("every step makes it worse: the lowest is at iteration 0",
         [0.69, 0.90, 0.80, 1.00, 0.70, 0.60, 0.50], 5, 3, 30, 0, 15,
         {30: "the loss at iteration 0, before any step, is the lowest here: measure it too, before "
              "the first step"}),
    ]
    for what, losses, every, patience, max_iterations, best, stop, slips in cases:
        steps = []
        model = _scripted_model(LogisticModel, losses, every, steps)
        start = model.w.copy()
        shown = (f"with validation losses {losses} measured every {every} iterations (iteration 0 "
                 f"first), patience {patience} and max_iterations {max_iterations} ({what})")
        got = train_with_early_stopping(model, X_train, y_train, X_val, y_val, learning_rate=0.5,
                                        batch_size=4, patience=patience, every=every,
                                        max_iterations=max_iterations)
        trained = len(steps)
        positions = {every * k: loss for k, loss in enumerate(losses)}
        assert trained != 0, (
            f"{shown}: it trained no step at all. Train the model with its own steps (its train "
            f"method, or forward, backward and update), {every} iterations between measurements")
        assert trained == stop, (
            f"{shown}: it trained {trained} iterations; expected {stop} (the lowest, "
            f"{positions[best]} at iteration {best}, then {patience} measurements without a "
            f"lower one)"
            + (f": {slips[trained].format(patience=patience)}" if trained in slips else
               ": more than max_iterations" if trained > max_iterations else ""))
        assert got is not None, f"{shown}: return the iteration of the lowest validation loss (is `return` missing?)"
        if not (np.ndim(got) == 0 and got == best):
            tied_later = [i for i, loss in positions.items() if loss == positions[best] and i > best]
            cause = ("that is where it stopped, not where the loss was lowest" if got == stop else
                     f"that is the position of the measurement, not the iteration ({every} iterations apart)"
                     if got == best // every else
                     "that is the later of two tied losses: a tie is no new lowest (<, not <=)"
                     if got in tied_later else
                     "iteration 0 counts too: measure the loss before the first step"
                     if best == 0 else "the iteration of the lowest validation loss")
            raise AssertionError(f"{shown}: it returned {got!r}; expected {best}: {cause}")
        restored_b, restored_w = model.b == best, np.allclose(model.w, start + best)
        assert restored_b and restored_w, (
            f"{shown}: the model was not left with the weights and bias it had at iteration {best}, "
            f"the lowest"
            + (": it kept those of the last step. Keep a copy of w and b whenever the loss is a new "
               "lowest (w.copy(): w itself is the array that training replaces), and put them back "
               "at the end" if not restored_b and not restored_w else
               ": the weights were put back, but not the bias b" if restored_w else
               ": the bias was put back, but not the weights w"))
