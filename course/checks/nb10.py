"""The checks of 10_training_loop.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("training_step")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.

Both checks run the learner's code on a model whose other pieces are stand-ins that note every
call. training_step's check replays, with `data.random_batch` and the same seed, the batches the
model's generator should have drawn; train's check counts its steps and looks at which iterations
it records and prints. What is checked is which calls were made, in which order, with which
values, never the numbers the pieces of Tasks 5-9 compute.
"""
import contextlib
import io
import math
import re

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


@check('training_step', "two steps on a stand-in model: each a new batch of batch_size rows drawn with self.rng, then forward on it, backward with its labels and forward's output, update with backward's dw, db and the learning_rate, once each, in that order")
def training_step(LogisticModel):
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
    given = (f"model.training_step(X of {EXAMPLES} rows, y, batch_size={BATCH_SIZE}, "
             f"learning_rate={LEARNING_RATE})")

    spy = StandInModel(seed=7)
    spy.training_step(X_toy, y_toy, BATCH_SIZE, LEARNING_RATE)
    replay = np.random.default_rng(7)  # the same seed: the batch self.rng draws
    X_batch, y_batch = data.random_batch(X_toy, y_toy, BATCH_SIZE, replay)
    drew_nothing = spy.rng.bit_generator.state == np.random.default_rng(7).bit_generator.state
    drew_more = spy.rng.bit_generator.state != replay.bit_generator.state

    called = [call[0] for call in spy.calls]
    assert "forward" in called or "predict" not in called, (
        f"{given} called self.predict, not self.forward: predict answers 0 or 1, but backward "
        f"needs the forward pass's probabilities ŷ = σ(z), z = X_B·w + b. Step 2 is the forward "
        f"pass of the batch, Task 6's forward")
    assert "forward" in called or "scores" not in called, (
        f"{given} called self.scores, not self.forward: the scores z = X_B·w + b are not "
        f"probabilities. Step 2 is the forward pass of the batch, ŷ = σ(z), Task 6's forward")
    assert "update" in called, (
        f"{given} never called self.update: without step 4, the update w ← w − α·dw, "
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
    (_, X_fwd, _), _, _ = spy_step
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
        f"{given}: the batch was rows {rows}, but self.rng would have drawn rows {expected_rows}: "
        + _batch_cause(rows, drew_nothing, "self.rng", "X and y"))

    _assert_each_piece_got_the_one_before_it(
        given, spy_step, y_batch, drew_more, rng="self.rng", labels="y", caller="training_step",
        too_many="more than one batch", batch_names=("X_B", "y_B"))
    assert not drew_more, (
        f"{given}: self.rng drew more random numbers than one batch needs: draw exactly one batch, "
        f"and nothing else, with self.rng")

    # A second step on the same model must draw a new batch: the next one of self.rng's sequence.
    first_rows, spy.calls = rows, []
    before_second = spy.rng.bit_generator.state
    spy.training_step(X_toy, y_toy, BATCH_SIZE, LEARNING_RATE)
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
            f"{again}: the batch was rows {rows}, but self.rng would have drawn rows {expected_rows}, "
            f"the next batch of its sequence (the first call's was {first_rows}). "
            + ("That is the first call's batch again, and self.rng drew nothing this time: the "
               "batch is kept from the first call (stored on the model, or outside the method?) "
               "instead of drawn anew. Every step draws a new batch, with Task 4's random_batch and "
               "self.rng, so that the steps together see the whole training set"
               if rows == first_rows and drew_nothing else
               "Draw a new batch at every call, with Task 4's random_batch from X and y and self.rng "
               "as its generator"))
    assert np.array_equal(y_bwd, y_batch), (
        f"{again}: backward got the labels {y_bwd}, but the second batch's labels are {y_batch}: "
        f"pass the labels drawn with this call's batch")
    assert spy.rng.bit_generator.state == replay.bit_generator.state, (
        f"{again}: self.rng drew more random numbers than one batch needs: draw exactly one batch "
        f"per call, and nothing else, with self.rng")


def _iterations_named(iterations):
    """'3, 6, 9, ..., 51, 52' (all of them when few): what a message can show of a list."""
    shown = [str(i) for i in iterations]
    return ", ".join(shown) if len(shown) <= 8 else ", ".join(shown[:3] + ["..."] + shown[-2:])


# The runs of train the check makes: (iterations, verbose), and the sizes of its data. More than
# 200 training examples, so that the evaluation subset is not the whole training set.
TRAIN_RUNS = [(4, True), (60, True), (52, True), (52, False), (1, True)]
TRAIN_EXAMPLES, VAL_EXAMPLES = 300, 40


@check('train', "after each of your steps, a record at every record_every-th iteration and at the last, once each, scoring the evaluation subsets; progress lines of the print_every-th and last records only when verbose (4, 60, 52 and 1 iterations, with stand-ins)")
def train(LogisticModel):
    class SpyModel(LogisticModel):
        """A LogisticModel whose training_step and record are stand-ins that note each call, so
        this check tests what train does after each step, not Tasks 6-10.1."""

        def training_step(self, X, y, batch_size, learning_rate):
            self.calls.append(("step", len(X), batch_size, learning_rate))

        def record(self, iteration, X_train, y_train, X_val=None, y_val=None):
            self.calls.append(("record", iteration, len(X_train), None if X_val is None else len(X_val)))
            entry = {"iteration": iteration, "train_accuracy": 0.5, "train_loss": iteration / 1000,
                     "val_accuracy": 0.75, "val_loss": iteration / 500}
            for key, value in entry.items():
                self.history.setdefault(key, []).append(value)
            return entry

    progress_line = getattr(LogisticModel.train, "__globals__", {}).get("progress_line")
    X_toy = np.column_stack([np.arange(float(TRAIN_EXAMPLES)), np.ones(TRAIN_EXAMPLES)])
    y_toy = (np.arange(TRAIN_EXAMPLES) % 2).astype(float)
    X_val, y_val = X_toy[:VAL_EXAMPLES] + 0.5, y_toy[:VAL_EXAMPLES]
    seen = min(TRAIN_EXAMPLES, 200)  # the evaluation subset's size

    for iterations, verbose in TRAIN_RUNS:
        record_every = math.ceil(iterations / 25)
        print_every = 5 * record_every
        given = (f"train(X_train of {TRAIN_EXAMPLES} rows, ..., iterations={iterations}, "
                 f"verbose={verbose}), where rhythm gives record_every = {record_every} and "
                 f"print_every = {print_every}")
        spy = SpyModel(num_features=2)
        spy.calls = []
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            spy.train(X_toy, y_toy, X_val, y_val, learning_rate=LEARNING_RATE, batch_size=BATCH_SIZE,
                      iterations=iterations, verbose=verbose)
        steps = [call for call in spy.calls if call[0] == "step"]
        assert len(steps) == iterations, (
            f"{given} called training_step {len(steps)} times; expected {iterations}, one per "
            f"iteration: keep the given call of self.training_step at the top of the loop")
        records = [call for call in spy.calls if call[0] == "record"]
        recorded = [call[1] for call in records]
        assert recorded[:1] == [0], (
            f"{given} recorded iterations {_iterations_named(recorded)}: record 0, the untrained "
            f"model, is given before the loop; keep it there, first")
        expected = [i for i in range(1, iterations + 1) if i % record_every == 0 or i == iterations]
        got = recorded[1:]
        twice = sorted({i for i in got if got.count(i) > 1})
        assert not twice, (
            f"{given} recorded iteration{'s' if len(twice) > 1 else ''} "
            f"{_iterations_named(twice)} twice: {twice[-1]} is "
            + ("a multiple of record_every and the last iteration, " if twice[-1] == iterations
               and iterations % record_every == 0 else "")
            + "and each iteration gets one record at most. Join the two conditions with `or` in one "
              "`if`, instead of recording once for each")
        if iterations not in got and got == [i for i in expected if i != iterations]:
            raise AssertionError(
                f"{given} recorded iterations {_iterations_named(got)}, but not the last, "
                f"{iterations}: {iterations} is not a multiple of record_every = {record_every}, yet "
                f"the history must end where training ends, so record the last iteration too, "
                f"whatever its number")
        off_by = {got[k] - expected[k] for k in range(min(len(got), len(expected)))}
        assert not (len(got) == len(expected) and len(off_by) == 1 and off_by != {0}), (
            f"{given} recorded iterations {_iterations_named(got)}; expected "
            f"{_iterations_named(expected)}: each record is numbered {off_by.pop():+} from its "
            f"iteration. After the step of iteration i, the model has taken i steps: record it "
            f"as iteration i, the loop's own number")
        assert got == expected, (
            f"{given} recorded iterations {_iterations_named(got) or 'none'} after record 0; "
            f"expected {_iterations_named(expected)}: the iterations that record_every divides "
            f"exactly (remainder 0 with %), and the last")
        order = [call[0] if call[0] == "step" else call[1] for call in spy.calls]
        for i in expected:
            position = order.index(i)
            assert order[:position].count("step") == i, (
                f"{given} recorded iteration {i} after {order[:position].count('step')} steps; "
                f"expected after {i}: record an iteration after its step, not before its step")
        wrong = [(call[2], call[3]) for call in records if (call[2], call[3]) != (seen, VAL_EXAMPLES)]
        assert not wrong, (
            f"{given}: record got {wrong[0][0]} training and {wrong[0][1]} "
            f"validation examples; expected the evaluation subsets train computes before the loop, "
            f"X_seen, y_seen ({seen} examples) and X_val_seen, y_val_seen ({VAL_EXAMPLES}): the same "
            f"small sets every time, not the whole training data")

        lines = printed.getvalue().splitlines()
        if not verbose:
            assert not lines, (
                f"{given} printed {len(lines)} line{'s' if len(lines) != 1 else ''}, such as "
                f"{lines[0]!r}: with verbose=False, train prints nothing; ask for verbose in the "
                f"condition that prints")
            continue
        entries = {call[1]: {"iteration": call[1], "train_accuracy": 0.5, "train_loss": call[1] / 1000,
                             "val_accuracy": 0.75, "val_loss": call[1] / 500} for call in records}
        to_print = [i for i in expected if i % print_every == 0 or i == iterations]
        wanted = [progress_line(entries[i], iterations) for i in to_print] if progress_line else None
        plural = "s" if len(to_print) > 1 else ""
        assert lines, (
            f"{given} printed nothing; expected the progress line{plural} of iteration{plural} "
            f"{_iterations_named(to_print)} (the records whose iteration print_every divides "
            f"exactly, and the last, whatever its number): with verbose=True, print "
            f"progress_line of those records")
        progress = [re.match(r"iteration\s+(\d+)/\d+:", line) for line in lines]
        odd = [line for line, found in zip(lines, progress) if not found]
        assert not odd, (
            f"{given} printed {odd[0]!r}; expected progress lines"
            + (f" such as {wanted[0]!r}" if wanted else "")
            + ": print progress_line(entry, iterations), the line the given progress_line makes of "
              "the record self.record returned")
        printed_iterations = [int(found.group(1)) for found in progress]
        assert printed_iterations == to_print, (
            f"{given} printed the progress lines of iterations "
            f"{_iterations_named(printed_iterations) or 'none'}; expected "
            f"{_iterations_named(to_print)}: the records whose iteration print_every divides "
            f"exactly, and the last"
            + (" (a line for every record: the condition that prints needs print_every)"
               if printed_iterations == expected else ""))
        assert wanted is None or lines == wanted, (
            f"{given} printed {lines!r}; expected {wanted!r}: print progress_line(entry, "
            f"iterations) of each of those records, as it is")
