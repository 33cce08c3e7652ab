"""The checks of 10_training_loop.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("training_step")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import numpy as np

from course import data
from course.checks.framework import check


@check('training_step', "one step on a stand-in model: a batch of batch_size rows drawn with model.rng, then forward on it, backward with its labels and forward's output, update with backward's dw, db and the learning_rate, once each, in that order")
def training_step(LogisticModel, training_step):
    class StandInModel(LogisticModel):
        """A model whose forward, backward and update (and predict, scores, sigmoid) are stand-ins: each
        notes its call and returns a value it can recognise. So this check tests training_step alone,
        not your pieces of Tasks 5-8."""

        def __init__(self, seed):  # no weights: the stand-ins do not need them
            self.rng, self.calls = np.random.default_rng(seed), []

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

        def scores(self, X):
            z = np.asarray(X, dtype=float)[:, 0] + 1  # row i gives the score i + 1
            self.calls.append(("scores", np.array(X), z))
            return z

        def sigmoid(self, z):  # the stand-in σ: model.sigmoid(model.scores(X_B)) is the forward pass
            y_hat = np.asarray(z, dtype=float) / 1000
            y_hat.flags.writeable = False
            last = self.calls[-1] if self.calls else ("",)
            if last[0] == "scores" and np.array_equal(z, last[2]):
                self.calls[-1] = ("forward", last[1], y_hat)  # counted as forward: it is the same
            else:
                self.calls.append(("sigmoid",))
            return y_hat


    X_toy = np.column_stack([np.arange(100.0), np.arange(100.0) % 7])  # row i starts with the number i
    y_toy = (np.arange(100) % 3 == 0).astype(float)
    X_toy.flags.writeable = y_toy.flags.writeable = False  # a step must not change the data
    given = "training_step(model, X of 100 rows, y, batch_size=5, learning_rate=0.375)"

    spy = StandInModel(seed=7)
    training_step(spy, X_toy, y_toy, 5, 0.375)
    replay = np.random.default_rng(7)  # the same seed: the batch model.rng draws
    X_batch, y_batch = data.random_batch(X_toy, y_toy, 5, replay)
    drew_nothing = spy.rng.bit_generator.state == np.random.default_rng(7).bit_generator.state

    called = [call[0] for call in spy.calls]
    assert "forward" in called or "predict" not in called, (
        f"{given} called model.predict, not model.forward: predict answers 0 or 1, but backward "
        f"needs the forward pass's probabilities ŷ = σ(z). Step 2 is y_hat = model.forward(X_B)")
    assert "forward" in called or "scores" not in called, (
        f"{given} called model.scores, not model.forward: the scores z are not probabilities. "
        f"Step 2 is y_hat = model.forward(X_B), the sigmoid of the scores")
    assert "update" in called, (
        f"{given} never called model.update: without step 4, model.update(dw, db, learning_rate), "
        f"the model never changes")
    times = {0: "never", 1: "once", 2: "twice"}
    steps = [name for name in called if name in ("forward", "backward", "update")]
    assert steps == ["forward", "backward", "update"], (
        f"{given} called " + ", ".join(f"{name} {times.get(steps.count(name), f'{steps.count(name)} times')}"
                                       for name in ("forward", "backward", "update"))
        + f" (in this order: {', '.join(steps)}); expected each once, in the order forward, "
          f"backward (with forward's output), update (with backward's gradients): one step moves "
          f"the model once")

    (_, X_fwd, out_fwd), (_, X_bwd, y_bwd, y_hat_bwd, dw_bwd, db_bwd), (_, dw_upd, db_upd, rate_upd) = \
        [call for call in spy.calls if call[0] in ("forward", "backward", "update")]
    assert X_fwd.ndim == 2 and X_fwd.shape[1] == 2, (
        f"{given}: forward got an array of shape {X_fwd.shape}, not rows of the X given (2 columns): "
        f"draw the batch from training_step's own X and y, not from a notebook variable such as X_all")
    rows, expected_rows = X_fwd[:, 0].astype(int).tolist(), X_batch[:, 0].astype(int).tolist()
    assert len(X_fwd) != 100, (
        f"{given}: forward got all 100 rows of X, not a batch of batch_size = 5: step 2 is the "
        f"forward pass of the batch X_B drawn in step 1")
    assert len(X_fwd) == 5, (
        f"{given}: forward got a batch of {len(X_fwd)} rows; expected batch_size = 5: draw the batch "
        f"with training_step's own batch_size argument (not a number of your own, nor "
        f"settings['batch_size'])")
    assert np.array_equal(X_fwd, X_batch), (
        f"{given}: the batch was rows {rows}, but model.rng would have drawn rows {expected_rows}. "
        + ("model.rng drew nothing: the batch came from another generator (np.random, or a new one), "
           "so the model's seed does not fix the training. Draw it with "
           "data.random_batch(X, y, batch_size, model.rng)" if drew_nothing else
           "Draw exactly one batch, with data.random_batch(X, y, batch_size, model.rng)"))

    assert np.array_equal(X_bwd, X_fwd), (
        f"{given}: backward got other examples than forward ({len(X_bwd)} rows): both take the batch "
        f"X_B of step 1")
    assert not (np.array_equal(y_bwd, out_fwd) and np.array_equal(y_hat_bwd, y_batch)), (
        f"{given}: backward got y = forward's output and y_hat = the batch's labels: the two are "
        f"swapped; the order is model.backward(X_B, y_B, y_hat)")
    assert len(y_bwd) != 100, (
        f"{given}: backward got all 100 labels of y, not the 5 of the batch: pass y_B, the labels "
        f"drawn with the batch in step 1")
    assert np.array_equal(y_bwd, y_batch), (
        f"{given}: backward got the labels {y_bwd}, but the batch's labels are {y_batch}: pass y_B, "
        f"the labels drawn with the batch in step 1")
    assert np.array_equal(y_hat_bwd, out_fwd), (
        f"{given}: backward got y_hat = {y_hat_bwd}, but forward returned {out_fwd}: pass the "
        f"forward pass's output as it is")

    assert not (np.array_equal(dw_upd, db_bwd) and np.array_equal(db_upd, dw_bwd)), (
        f"{given}: update got dw and db swapped; the order is model.update(dw, db, learning_rate)")
    assert np.array_equal(dw_upd, dw_bwd) and np.array_equal(db_upd, db_bwd), (
        f"{given}: update got dw = {dw_upd}, db = {db_upd}, but backward returned dw = {dw_bwd}, "
        f"db = {db_bwd}: pass backward's gradients as they are")
    assert rate_upd == 0.375, f"{given}: update got the learning_rate {rate_upd!r}, not 0.375: " + (
        "the learning rate divided by the batch size. Backward's gradients already average over the "
        "batch (the 1/m), so pass learning_rate as it is" if np.isclose(rate_upd, 0.375 / 5) else
        "pass training_step's own learning_rate argument (not a number of your own, nor "
        "settings['learning_rate'])")
    assert spy.rng.bit_generator.state == replay.bit_generator.state, (
        f"{given}: model.rng drew more random numbers than one batch needs: draw exactly one batch, "
        f"and nothing else, with model.rng")


@check('train', "4 iterations with stand-ins: each draws a new batch of batch_size rows with self.rng, then calls forward on it, backward with its labels and forward's output, update with backward's dw, db and train's learning_rate, in that order")
def train(LogisticModel):
    class SpyModel(LogisticModel):
        """A LogisticModel whose forward, backward and update are stand-ins: each notes its call and
        returns a value it can recognise. So this check tests train's loop alone, not Tasks 6-9."""

        def forward(self, X):
            y_hat = np.full(len(X), (len(self.calls) + 1) / 1000)  # another output at every call
            self.calls.append(("forward", np.array(X, dtype=float), y_hat))
            return y_hat

        def scores(self, X):
            z = np.full(len(X), len(self.calls) + 1.0)
            self.calls.append(("scores", np.array(X, dtype=float), z))
            return z

        def sigmoid(self, z):  # the stand-in σ: self.sigmoid(self.scores(X)) is the forward pass
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


    X_toy = np.column_stack([np.arange(100.0), np.arange(100.0) % 7])  # row i starts with the number i
    y_toy = (np.arange(100) % 3 == 0).astype(float)
    given = "train(X_train of 100 rows, y_train, learning_rate=0.375, batch_size=5, iterations=4)"

    names_used = getattr(getattr(LogisticModel.train, "__code__", None), "co_names", ())
    assert "training_step" not in names_used, (
        "train calls training_step, the notebook's function of Exercise 10.1: copy its four lines "
        "into train instead (self for model, X_train and y_train for X and y). training_step is "
        "written in a cell not tagged `model`, and a name from an untagged cell is not there when "
        "later notebooks build the model from the cells tagged `model`.")
    spy = SpyModel(num_features=2)
    spy.calls, spy.rng = [], np.random.default_rng(7)
    spy.train(X_toy, y_toy, learning_rate=0.375, batch_size=5, iterations=4, verbose=False)
    replay = np.random.default_rng(7)  # the same seed: the batches self.rng draws
    batches = [data.random_batch(X_toy, y_toy, 5, replay) for _ in range(4)]
    drew_nothing = spy.rng.bit_generator.state == np.random.default_rng(7).bit_generator.state

    steps = [call[0] for call in spy.calls]
    counts = {name: steps.count(name) for name in ("forward", "backward", "update")}
    assert counts["update"] > 0, (
        f"{given} never called update: step 4 of each iteration is self.update(dw, db, "
        f"learning_rate), with the gradients of step 3")
    assert set(counts.values()) == {4}, (
        f"{given} called forward {counts['forward']}, backward {counts['backward']} and update "
        f"{counts['update']} times; expected 4 of each, one per iteration")
    assert steps == ["forward", "backward", "update"] * 4, (
        f"{given} called, in this order: {', '.join(steps[:6])}, ...; each iteration calls forward, "
        f"then backward (with forward's output), then update (with backward's gradients)")

    previous_rows = []
    for i, (X_batch, y_batch) in enumerate(batches):
        (_, X_fwd, out_fwd), (_, X_bwd, y_bwd, y_hat_bwd, dw_bwd, db_bwd), (_, dw_upd, db_upd, rate_upd) = \
            spy.calls[3 * i:3 * i + 3]
        at = f"iteration {i + 1} of {given}"
        rows, expected_rows = X_fwd[:, 0].astype(int).tolist(), X_batch[:, 0].astype(int).tolist()
        assert len(X_fwd) != 100, (
            f"{at}: forward got all 100 rows of X_train, not a batch of batch_size = 5: step 2 is "
            f"the forward pass of the batch drawn in step 1")
        assert len(X_fwd) == 5, (
            f"{at}: forward got a batch of {len(X_fwd)} rows; expected batch_size = 5: draw the "
            f"batch with train's own batch_size argument")
        assert not (i > 0 and set(rows) <= set(previous_rows)), (
            f"{at}: the batch was rows {rows}, all from the batch of iteration {i} "
            f"({previous_rows}): the batches after the first were drawn from the first batch, not "
            f"from the training data. Assigning the batch to X_train, y_train (X_train, y_train = "
            f"data.random_batch(...)) overwrites the training data: give the batch names of its "
            f"own, X, y = data.random_batch(X_train, y_train, batch_size, self.rng)")
        assert np.array_equal(X_fwd, X_batch), (
            f"{at}: the batch was rows {rows}, but self.rng would have drawn rows {expected_rows}. "
            + ("self.rng drew nothing: the batches came from another generator (np.random, or a new "
               "one), so the model's seed does not fix the training. Draw them with "
               "data.random_batch(X_train, y_train, batch_size, self.rng)" if drew_nothing else
               "Draw exactly one batch per iteration, with "
               "data.random_batch(X_train, y_train, batch_size, self.rng)"))
        assert np.array_equal(X_bwd, X_fwd), (
            f"{at}: backward got other examples than forward: both take the batch X of step 1")
        assert not (np.array_equal(y_bwd, out_fwd) and np.array_equal(y_hat_bwd, y_batch)), (
            f"{at}: backward got y = forward's output and y_hat = the batch's labels: the two are "
            f"swapped; the order is self.backward(X, y, y_hat)")
        assert len(y_bwd) != 100, (
            f"{at}: backward got all 100 labels of y_train, not the 5 of the batch: pass the y "
            f"drawn with the batch in step 1")
        assert np.array_equal(y_bwd, y_batch), (
            f"{at}: backward got the labels {y_bwd}, but the batch's labels are {y_batch}: pass the "
            f"y drawn with the batch in step 1")
        assert np.array_equal(y_hat_bwd, out_fwd), (
            f"{at}: backward got y_hat = {y_hat_bwd}, but forward returned {out_fwd}: pass the "
            f"forward pass's output")
        assert not (np.array_equal(dw_upd, db_bwd) and np.array_equal(db_upd, dw_bwd)), (
            f"{at}: update got dw and db swapped; the order is self.update(dw, db, learning_rate)")
        assert np.array_equal(dw_upd, dw_bwd) and np.array_equal(db_upd, db_bwd), (
            f"{at}: update got dw = {dw_upd}, db = {db_upd}, but backward returned dw = {dw_bwd}, "
            f"db = {db_bwd}: pass backward's gradients")
        assert rate_upd == 0.375, (
            f"{at}: update got the learning_rate {rate_upd!r}, but train was given learning_rate=0.375: "
            + ("the learning rate divided by batch_size. Backward's gradients already average over "
               "the batch (the 1/m), so pass learning_rate as it is" if np.isclose(rate_upd, 0.375 / 5)
               else "pass train's own learning_rate argument (not a number of your own, nor Task 2's "
                    "value)"))
        previous_rows = rows
    assert spy.rng.bit_generator.state == replay.bit_generator.state, (
        f"{given}: self.rng drew more random numbers than the 4 batches need: draw exactly one "
        f"batch per iteration, and nothing else, with self.rng")
