"""The checks of 10_training_loop.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("training_step")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.

Both checks run the learner's loop on a model whose forward, backward and update are stand-ins
that note every call, and replay, with `data.random_batch` and the same seed, the batches the
model's generator should have drawn: what is checked is which calls were made, in which order,
with which values, never the numbers the pieces of Tasks 5-9 compute.
"""
import ast
import inspect
import textwrap

import numpy as np

from course import data
from course.checks.framework import check

# The check's data: 100 examples whose row i starts with the number i, so that the rows of a batch
# say which examples it holds; and the learning rate the loop is given.
EXAMPLES = 100
BATCH_SIZE = 5
LEARNING_RATE = 0.375


def _toy_data():
    X = np.column_stack([np.arange(float(EXAMPLES)), np.arange(float(EXAMPLES)) % 7])
    y = (np.arange(EXAMPLES) % 3 == 0).astype(float)
    X.flags.writeable = y.flags.writeable = False  # a step must not change the data
    return X, y


def _learning_rate_cause(rate, own_argument):
    """Why update got the learning rate `rate` instead of LEARNING_RATE, in words."""
    if np.isclose(rate, LEARNING_RATE / BATCH_SIZE):
        return ("the learning rate divided by the batch size. Backward's gradients already average "
                "over the batch (the 1/m of dw = X_Bᵀ(ŷ − y_B)/m), so pass learning_rate as it is")
    if np.isclose(rate, -LEARNING_RATE):
        return ("the learning rate with a minus sign. update already steps against the gradient "
                "(w ← w − α·dw, b ← b − α·db), so pass learning_rate as it is, positive: with −α "
                "every step would climb the loss")
    if 0.9 * LEARNING_RATE < rate < LEARNING_RATE:
        return (f"a little less than the argument: a learning rate that decays from step to step? "
                f"This course keeps it constant: pass {own_argument}'s own learning_rate argument "
                f"as it is")
    return (f"pass {own_argument}'s own learning_rate argument (not a number of your own, nor "
            f"Task 2's value from settings['learning_rate'])")


def _names_assigned_in_loops(function, names):
    """Which of `names` `function` assigns inside a for or while loop (none if it has no source)."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    except (OSError, TypeError, SyntaxError):
        return set()
    return {node.id for loop in ast.walk(tree) if isinstance(loop, (ast.For, ast.While))
            for node in ast.walk(loop) if isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Store) and node.id in names}


def _batch_cause(rows, drew_nothing, generator, data_names, how_many="exactly one batch"):
    """Why the batch forward got is not the one the model's generator draws, in words."""
    if rows == list(range(len(rows))):
        return (f"those are the first {len(rows)} rows, in order, not a random draw: a batch is "
                f"drawn at random, with Task 4's random_batch and the model's own generator, "
                f"{generator}")
    if drew_nothing:
        return (f"{generator} drew nothing: the batch came from another generator (np.random, or a "
                f"new one), so the model's seed does not fix the training. Draw it with Task 4's "
                f"random_batch from {data_names}, giving it {generator} as its generator (its rng "
                f"argument)")
    return (f"draw {how_many}, with Task 4's random_batch from {data_names} and "
            f"{generator} as its generator, and use that batch")


def _assert_each_piece_got_the_one_before_it(at, step, y_batch, drew_more, rng, labels, caller,
                                             too_many, batch_names=None):
    """One step's calls (forward, backward, update, as the stand-ins noted them) hand each piece
    what the one before it gave: the batch, its labels, forward's output, backward's gradients,
    and the caller's own learning rate. Shared by the checks of training_step and train; the
    batch's names, (X_B, y_B), where the exercise gives them."""
    X_B, y_B = (f" {name}" for name in batch_names) if batch_names else ("", "")
    (_, X_fwd, out_fwd), (_, X_bwd, y_bwd, y_hat_bwd, dw_bwd, db_bwd), (_, dw_upd, db_upd, rate_upd) = step
    assert np.array_equal(X_bwd, X_fwd), (
        f"{at}: backward got other examples than forward ({len(X_bwd)} rows): both take the batch{X_B} "
        f"drawn in step 1")
    assert not (np.array_equal(y_bwd, out_fwd) and np.array_equal(y_hat_bwd, y_batch)), (
        f"{at}: backward got y = forward's output and y_hat = the batch's labels: the two are "
        f"swapped. Task 7's backward takes the batch{X_B}, then its labels{y_B}, then forward's output ŷ")
    assert len(y_bwd) != EXAMPLES, (
        f"{at}: backward got all {EXAMPLES} labels of {labels}, not the {BATCH_SIZE} of the batch: "
        f"pass the labels{y_B} drawn with the batch in step 1")
    assert np.array_equal(y_bwd, y_batch), (
        f"{at}: backward got the labels {y_bwd}, but the batch's labels are {y_batch}: "
        + (f"{rng} drew {too_many}, and the labels come from another draw than the examples. Draw "
           f"once: the batch's examples and labels come together, from one call of random_batch"
           if drew_more else f"pass the labels{y_B} drawn with the batch in step 1"))
    assert np.array_equal(y_hat_bwd, out_fwd), (
        f"{at}: backward got y_hat = {y_hat_bwd}, but forward returned {out_fwd}: pass the "
        f"forward pass's output as it is")
    assert not (np.array_equal(dw_upd, db_bwd) and np.array_equal(db_upd, dw_bwd)), (
        f"{at}: update got dw and db swapped. Task 8's update takes the weights' gradient dw "
        f"(one entry per feature) first, the bias's gradient db (one number) second, then the "
        f"learning rate")
    assert np.array_equal(dw_upd, dw_bwd) and np.array_equal(db_upd, db_bwd), (
        f"{at}: update got dw = {dw_upd}, db = {db_upd}, but backward returned dw = {dw_bwd}, "
        f"db = {db_bwd}: pass backward's gradients as they are")
    assert rate_upd == LEARNING_RATE, (
        f"{at}: update got the learning_rate {rate_upd!r}, not the {LEARNING_RATE} {caller} was "
        f"given: " + _learning_rate_cause(rate_upd, caller))


@check('training_step', "two steps on a stand-in model: each a new batch of batch_size rows drawn with model.rng, then forward on it, backward with its labels and forward's output, update with backward's dw, db and the learning_rate, once each, in that order")
def training_step(LogisticModel, training_step):
    class StandInModel(LogisticModel):
        """A model whose forward, backward and update (and predict, scores, sigmoid, loss, evaluate)
        are stand-ins: each notes its call and returns a value it can recognise. So this check tests
        training_step alone, not your pieces of Tasks 5-8."""

        def __init__(self, seed):
            self.rng, self.calls = np.random.default_rng(seed), []
            # what a model has, for a training_step that looks at them too (a print, say): the
            # stand-ins do not use them
            self.num_features, self.history = 2, {}
            self.w, self.b = np.array([0.25, -0.5]), 0.125

        def forward(self, X):
            y_hat = (np.asarray(X)[:, 0] + 1) / 1000  # row i of the check's X gives (i + 1) / 1000
            y_hat.flags.writeable = False  # what forward returns goes to backward unchanged
            self.calls.append(("forward", np.array(X), y_hat))
            return y_hat

        def backward(self, X, y, y_hat):
            dw, db = np.array([3.0, -4.0]), 0.5  # recognisable gradients
            dw.flags.writeable = False  # and they go to update unchanged
            self.calls.append(("backward", np.array(X), np.array(y), np.array(y_hat), dw, db))
            return dw, db

        def update(self, dw, db, learning_rate):
            self.calls.append(("update", np.array(dw), np.array(db), learning_rate))

        def predict(self, X):
            self.calls.append(("predict",))
            return np.zeros(len(X), dtype=int)

        def loss(self, X, y):  # a look at the loss (a print, say) is allowed: a recognisable number
            self.calls.append(("loss",))
            return 0.25

        def evaluate(self, X, y):  # so is one at the accuracy and loss
            self.calls.append(("evaluate",))
            return 0.5, 0.25

        def scores(self, X):
            z = np.asarray(X, dtype=float)[:, 0] + 1  # row i gives the score i + 1
            self.calls.append(("scores", np.array(X), z))
            return z

        def sigmoid(self, z):  # the stand-in σ, applied to the stand-in scores, is a forward pass
            y_hat = np.asarray(z, dtype=float) / 1000
            y_hat.flags.writeable = False
            last = self.calls[-1] if self.calls else ("",)
            if last[0] == "scores" and np.array_equal(z, last[2]):
                self.calls[-1] = ("forward", last[1], y_hat)  # counted as forward: it is the same
            else:
                self.calls.append(("sigmoid",))
            return y_hat


    X_toy, y_toy = _toy_data()
    given = (f"training_step(model, X of {EXAMPLES} rows, y, batch_size={BATCH_SIZE}, "
             f"learning_rate={LEARNING_RATE})")

    spy = StandInModel(seed=7)
    training_step(spy, X_toy, y_toy, BATCH_SIZE, LEARNING_RATE)
    replay = np.random.default_rng(7)  # the same seed: the batch model.rng draws
    X_batch, y_batch = data.random_batch(X_toy, y_toy, BATCH_SIZE, replay)
    drew_nothing = spy.rng.bit_generator.state == np.random.default_rng(7).bit_generator.state
    drew_more = spy.rng.bit_generator.state != replay.bit_generator.state

    called = [call[0] for call in spy.calls]
    assert "forward" in called or "predict" not in called, (
        f"{given} called model.predict, not model.forward: predict answers 0 or 1, but backward "
        f"needs the forward pass's probabilities ŷ = σ(z), z = X_B·w + b. Step 2 is the forward "
        f"pass of the batch, Task 6's forward")
    assert "forward" in called or "scores" not in called, (
        f"{given} called model.scores, not model.forward: the scores z = X_B·w + b are not "
        f"probabilities. Step 2 is the forward pass of the batch, ŷ = σ(z), Task 6's forward")
    assert "update" in called, (
        f"{given} never called model.update: without step 4, the update w ← w − α·dw, "
        f"b ← b − α·db (Task 8's update, given backward's gradients and the learning rate), the "
        f"model never changes")
    times = {0: "never", 1: "once", 2: "twice"}
    steps = [name for name in called if name in ("forward", "backward", "update")]
    assert steps == ["forward", "backward", "update"], (
        f"{given} called " + ", ".join(f"{name} {times.get(steps.count(name), f'{steps.count(name)} times')}"
                                       for name in ("forward", "backward", "update"))
        + f" (in this order: {', '.join(steps)}); expected each once, in the order forward, "
          f"backward (with forward's output), update (with backward's gradients): one step moves "
          f"the model once")

    spy_step = [call for call in spy.calls if call[0] in ("forward", "backward", "update")]
    (_, X_fwd, out_fwd), _, _ = spy_step
    assert X_fwd.ndim == 2 and X_fwd.shape[1] == 2, (
        f"{given}: forward got an array of shape {X_fwd.shape}, not rows of the X given (2 columns): "
        f"draw the batch from training_step's own X and y, not from a notebook variable such as X_all")
    rows, expected_rows = X_fwd[:, 0].astype(int).tolist(), X_batch[:, 0].astype(int).tolist()
    assert len(X_fwd) != EXAMPLES, (
        f"{given}: forward got all {EXAMPLES} rows of X, not a batch of batch_size = {BATCH_SIZE}: "
        f"step 2 is the forward pass of the batch X_B drawn in step 1")
    assert len(X_fwd) == BATCH_SIZE, (
        f"{given}: forward got a batch of {len(X_fwd)} rows; expected batch_size = {BATCH_SIZE}: "
        f"draw the batch with training_step's own batch_size argument (not a number of your own, "
        f"nor settings['batch_size'])")
    assert np.array_equal(X_fwd, X_batch), (
        f"{given}: the batch was rows {rows}, but model.rng would have drawn rows {expected_rows}: "
        + _batch_cause(rows, drew_nothing, "model.rng", "X and y"))

    _assert_each_piece_got_the_one_before_it(
        given, spy_step, y_batch, drew_more, rng="model.rng", labels="y", caller="training_step",
        too_many="more than one batch", batch_names=("X_B", "y_B"))
    assert not drew_more, (
        f"{given}: model.rng drew more random numbers than one batch needs: draw exactly one batch, "
        f"and nothing else, with model.rng")

    # A second step on the same model must draw a new batch: the next one of model.rng's sequence.
    first_rows, spy.calls = rows, []
    before_second = spy.rng.bit_generator.state
    training_step(spy, X_toy, y_toy, BATCH_SIZE, LEARNING_RATE)
    X_batch, y_batch = data.random_batch(X_toy, y_toy, BATCH_SIZE, replay)  # the next batch
    again = f"called a second time on the same model, {given}"
    steps = [call[0] for call in spy.calls if call[0] in ("forward", "backward", "update")]
    assert steps == ["forward", "backward", "update"], (
        f"{again} called {', '.join(steps) or 'none of forward, backward and update'}; expected "
        f"forward, backward and update once each, in that order, at every call")
    (_, X_fwd, _), (_, _, y_bwd, _, _, _), _ = [call for call in spy.calls if call[0] in steps]
    rows, expected_rows = X_fwd[:, 0].astype(int).tolist(), X_batch[:, 0].astype(int).tolist()
    if not np.array_equal(X_fwd, X_batch):
        drew_nothing = spy.rng.bit_generator.state == before_second
        raise AssertionError(
            f"{again}: the batch was rows {rows}, but model.rng would have drawn rows {expected_rows}, "
            f"the next batch of its sequence (the first call's was {first_rows}). "
            + ("That is the first call's batch again, and model.rng drew nothing this time: the "
               "batch is kept from the first call (stored on the model, or outside the function?) "
               "instead of drawn anew. Every step draws a new batch, with Task 4's random_batch and "
               "model.rng, so that the steps together see the whole training set"
               if rows == first_rows and drew_nothing else
               "Draw a new batch at every call, with Task 4's random_batch from X and y and model.rng "
               "as its generator"))
    assert np.array_equal(y_bwd, y_batch), (
        f"{again}: backward got the labels {y_bwd}, but the second batch's labels are {y_batch}: "
        f"pass the labels drawn with this call's batch")
    assert spy.rng.bit_generator.state == replay.bit_generator.state, (
        f"{again}: model.rng drew more random numbers than one batch needs: draw exactly one batch "
        f"per call, and nothing else, with model.rng")


@check('train', "4 iterations with stand-ins: each draws a new batch of batch_size rows with self.rng, then calls forward on it, backward with its labels and forward's output, update with backward's dw, db and train's learning_rate, in that order")
def train(LogisticModel):
    class SpyModel(LogisticModel):
        """A LogisticModel whose forward, backward and update (and predict, scores, sigmoid) are
        stand-ins: each notes its call and returns a value it can recognise. So this check tests
        train's loop alone, not Tasks 6-9."""

        def forward(self, X):
            y_hat = np.full(len(X), (len(self.calls) + 1) / 1000)  # another output at every call
            self.calls.append(("forward", np.array(X, dtype=float), y_hat))
            return y_hat

        def predict(self, X):
            self.calls.append(("predict",))
            return np.zeros(len(X), dtype=np.int64)

        def scores(self, X):
            z = np.full(len(X), len(self.calls) + 1.0)
            self.calls.append(("scores", np.array(X, dtype=float), z))
            return z

        def sigmoid(self, z):  # the stand-in σ, applied to the stand-in scores, is a forward pass
            y_hat = np.asarray(z, dtype=float) / 1000
            last = self.calls[-1] if self.calls else ("",)
            if last[0] == "scores" and np.array_equal(z, last[2]):
                self.calls[-1] = ("forward", last[1], y_hat)  # counted as forward: it is the same
            else:
                self.calls.append(("sigmoid",))
            return y_hat

        def backward(self, X, y, y_hat):
            dw, db = np.full(2, len(self.calls) + 1.0), -(len(self.calls) + 1.0)  # recognisable
            self.calls.append(("backward", np.array(X, dtype=float), np.array(y, dtype=float),
                               np.array(y_hat, dtype=float), dw, db))
            return dw, db

        def update(self, dw, db, learning_rate):
            self.calls.append(("update", np.array(dw, dtype=float), np.array(db, dtype=float),
                               learning_rate))

        def record(self, iteration, *data):  # bookkeeping only: this check is about the loop
            self.history.setdefault("iteration", []).append(iteration)


    X_toy, y_toy = _toy_data()
    given = (f"train(X_train of {EXAMPLES} rows, y_train, learning_rate={LEARNING_RATE}, "
             f"batch_size={BATCH_SIZE}, iterations=4)")

    names_used = getattr(getattr(LogisticModel.train, "__code__", None), "co_names", ())
    assert "training_step" not in names_used, (
        "train calls training_step, the notebook's function of Exercise 10.1: write the four steps "
        "in train itself, where the model is self and the data are X_train and y_train. "
        "training_step is written in a cell not tagged `model`, and a name from an untagged cell is "
        "not there when later notebooks build the model from the cells tagged `model` (JupyterLab "
        "shows a cell's tags in its property inspector, the gear icon at the top right).")
    spy = SpyModel(num_features=2)
    spy.calls, spy.rng = [], np.random.default_rng(7)
    spy.train(X_toy, y_toy, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE, iterations=4,
              verbose=False)
    replay = np.random.default_rng(7)  # the same seed: the batches self.rng draws
    batches = [data.random_batch(X_toy, y_toy, BATCH_SIZE, replay) for _ in range(4)]
    drew_nothing = spy.rng.bit_generator.state == np.random.default_rng(7).bit_generator.state
    drew_more = spy.rng.bit_generator.state != replay.bit_generator.state

    steps = [call[0] for call in spy.calls]
    assert "forward" in steps or "predict" not in steps, (
        f"{given} called self.predict, not self.forward: predict answers 0 or 1, but backward "
        f"needs the forward pass's probabilities ŷ = σ(z), z = X·w + b. Step 2 of each iteration "
        f"is the forward pass of the batch, Task 6's forward")
    assert "forward" in steps or "scores" not in steps, (
        f"{given} called self.scores, not self.forward: the scores z = X·w + b are not "
        f"probabilities. Step 2 of each iteration is the forward pass of the batch, ŷ = σ(z), "
        f"Task 6's forward")
    counts = {name: steps.count(name) for name in ("forward", "backward", "update")}
    assert counts["update"] > 0, (
        f"{given} never called update: step 4 of each iteration is the update w ← w − α·dw, "
        f"b ← b − α·db, Task 8's update, given the gradients of step 3 and train's learning_rate")
    assert set(counts.values()) == {4}, (
        f"{given} called forward {counts['forward']}, backward {counts['backward']} and update "
        f"{counts['update']} times; expected 4 of each, one per iteration")
    assert [name for name in steps if name in counts] == ["forward", "backward", "update"] * 4, (
        f"{given} called, in this order: {', '.join(steps[:6])}, ...; each iteration calls forward, "
        f"then backward (with forward's output), then update (with backward's gradients)")

    calls = [call for call in spy.calls if call[0] in counts]
    previous_rows = []
    # the names of the training data given new values inside train's loop (the batch under the
    # name X_train, say), which tells a batch drawn from the previous batch from one not drawn again
    overwritten = _names_assigned_in_loops(LogisticModel.train, ("X_train", "y_train"))
    for i, (X_batch, y_batch) in enumerate(batches):
        (_, X_fwd, _), _, _ = calls[3 * i:3 * i + 3]
        at = f"iteration {i + 1} of {given}"
        rows, expected_rows = X_fwd[:, 0].astype(int).tolist(), X_batch[:, 0].astype(int).tolist()
        assert len(X_fwd) != EXAMPLES, (
            f"{at}: forward got all {EXAMPLES} rows of X_train, not a batch of batch_size = "
            f"{BATCH_SIZE}: step 2 is the forward pass of the batch drawn in step 1")
        assert len(X_fwd) == BATCH_SIZE, (
            f"{at}: forward got a batch of {len(X_fwd)} rows; expected batch_size = {BATCH_SIZE}: "
            f"draw the batch with train's own batch_size argument")
        assert not (i > 0 and rows == previous_rows and not overwritten), (
            f"{at}: the batch was rows {rows}, the same rows in the same order as at iteration {i}: "
            f"no new batch was drawn at this iteration (a batch drawn once, before the loop or only "
            f"at its first iteration?). Every iteration draws a new batch, with Task 4's "
            f"random_batch and self.rng, inside the loop, so that the steps see the whole training "
            f"set")
        assert not (i > 0 and set(rows) <= set(previous_rows)), (
            f"{at}: the batch was rows {rows}, all from the batch of iteration {i} "
            f"({previous_rows}): the batches after the first were drawn from the first batch, not "
            f"from the training data. Assigning the batch to the names X_train and y_train "
            f"overwrites the training data, so the next iteration draws from the batch: give the "
            f"batch names of its own")
        assert np.array_equal(X_fwd, X_batch), (
            f"{at}: the batch was rows {rows}, but self.rng would have drawn rows {expected_rows}: "
            + _batch_cause(rows, drew_nothing, "self.rng", "X_train and y_train",
                           how_many="exactly one batch per iteration"))
        _assert_each_piece_got_the_one_before_it(
            at, calls[3 * i:3 * i + 3], y_batch, drew_more, rng="self.rng", labels="y_train",
            caller="train", too_many="more batches than iterations")
        previous_rows = rows
    assert not drew_more, (
        f"{given}: self.rng drew more random numbers than the 4 batches need: draw exactly one "
        f"batch per iteration, and nothing else, with self.rng")
