"""The checks of 08_update_parameters.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("update")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import numpy as np

from course.checks.framework import check


@check('update', 'w and b each move by −learning_rate × their gradient, into new arrays')
def update(LogisticModel):
    checked_update = LogisticModel(num_features=2)
    given_w = np.array([1.0, -2.0])  # an array the caller keeps
    checked_update.w, checked_update.b = given_w, 0.5
    dw, db = np.array([0.5, -1.0]), 0.25
    given_w.flags.writeable = dw.flags.writeable = False  # update must make new arrays
    try:
        returned = checked_update.update(dw, db, 0.1)
    except ValueError as error:
        assert "read-only" not in str(error), (
            "update tried to change in place an array it was given (the weights the caller gave "
            "the model, or dw). `self.w -= ...` overwrites the caller's array: assign to self.w "
            "the new array that w − α·dw makes when written with a plain minus. And scale dw "
            "into a new array (a product written out makes one) rather than in place (`dw *= ...`).")
        raise
    w, b = checked_update.w, checked_update.b
    step = "a step from w = (1, -2), b = 0.5 with dw = (0.5, -1), db = 0.25 and learning rate 0.1"
    assert not (np.array_equal(np.asarray(w), [1.0, -2.0]) and np.all(np.asarray(b) == 0.5)), (
        f"neither w nor b changed in {step}. " + (
            "update returned the new values instead of assigning them: assign to self.w and "
            "self.b (update changes the model and returns nothing)." if returned is not None else
            "Assign the new values to self.w and self.b (not to local names w and b)."))
    assert np.shape(w) == (2,), f"{step} gave w of shape {np.shape(w)}; expected (2,), like dw"
    w = np.asarray(w, dtype=float)
    # By hand: w − 0.1 × dw = (1 − 0.1 × 0.5, −2 − 0.1 × (−1)) = (0.95, −1.9)
    if not np.allclose(w, [0.95, -1.9]):
        causes = [  # where common mistakes put w after this step
            ([1.05, -2.1], "It moved WITH the gradient, uphill: w − α·dw, not w + α·dw."),
            ([0.5, -1.0], "It moved by the whole gradient: is dw multiplied by learning_rate?"),
            ([1.5, -3.0], "It moved uphill by the whole gradient: w − α·dw, with α = learning_rate."),
            ([0.75, -1.5], "It moved as if the learning rate were 0.5: use the argument "
                           "learning_rate (here 0.1), not a value of your own or of Task 2."),
            ([0.975, -2.025], "Both weights moved by −0.025 = −0.1 × db: w moves by its own "
                              "gradient dw."),
            ([1.0, -2.0], "w did not change: is self.w assigned (not a local name w)?"),
            ([0.9, -2.1], "Every weight moved by −0.1, the learning rate itself: the step is the "
                          "learning rate TIMES the gradient dw."),
            # w − 0.1 × dw / 2
            ([0.975, -1.95], "It moved half the step: divided by n = 2, the number of weights? The "
                             "step is learning_rate × dw, nothing more."),
            # w − 0.1² × dw
            ([0.995, -1.99], "It moved by learning_rate² × dw: the learning rate is applied once."),
            # w − 0.1 × (1, −1), the signs of dw
            ([0.9, -1.9], "It moved by the learning rate times the SIGN of dw: the step is "
                          "learning_rate times dw itself."),
            # w − 2 × 0.1 × dw
            ([0.9, -1.8], "It moved twice as far: w moved twice in one call? One update is one step."),
        ]
        cause = next((text for values, text in causes if np.allclose(w, values)),
                     "Compare with w ← w − learning_rate × dw.")
        raise AssertionError(f"{step} gave w = ({w[0]:.6g}, {w[1]:.6g}); expected (0.95, -1.9). {cause}")
    assert np.ndim(b) == 0, (
        f"{step} gave b of shape {np.shape(b)}; expected a single number. "
        + ("It is w − learning_rate × db: the new bias starts from self.w (a copy-paste slip "
           "from the weights' line?); it starts from the bias itself, self.b: b ← b − α·db."
           if np.shape(b) == (2,) and any(np.allclose(b, start - 0.1 * 0.25)
                                          for start in (w, np.array([1.0, -2.0]))) else
           "Was b moved by dw instead of db? The bias moves by its own gradient, the number db: "
           "b ← b − α·db."
           if np.shape(b) == (2,) else "Keep b a number."))
    if not np.isclose(b, 0.475):  # by hand: b − 0.1 × db = 0.5 − 0.1 × 0.25 = 0.475
        causes = [
            (0.5, "b did not change: is the bias updated, and assigned to self.b?"),
            (0.4, "It moved by −0.1, the learning rate itself: the step is the learning rate "
                  "TIMES the gradient db."),
            (0.525, "It moved WITH its gradient, uphill: b − α·db, not b + α·db."),
            (0.25, "It moved by the whole gradient: is db multiplied by learning_rate?"),
            (0.375, "It moved as if the learning rate were 0.5: use the argument learning_rate."),
            # 0.5 − 0.1 × (0.5 + (−1)): the sum of dw
            (0.55, "It moved by the sum of dw: the bias moves by its own gradient, the number db."),
            (0.45, "It moved twice as far: b moved twice in one call? One update is one step."),
        ]
        cause = next((text for value, text in causes if np.isclose(b, value)),
                     "Compare with b ← b − learning_rate × db.")
        raise AssertionError(f"{step} gave b = {float(b):.6g}; expected 0.475. {cause}")
