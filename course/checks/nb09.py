"""The checks of 09_model_performance.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("predict")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import numpy as np

from course.checks.framework import check


@check('predict', 'answers 1 exactly where z ≥ 0, as integers 0/1 of shape (m,)')
def predict(LogisticModel):
    class FixedScores(LogisticModel):
        """A model whose scores are fixed stand-ins, so that this check tests predict alone."""

        def scores(self, X):
            return np.array([-0.5, 0.0, 2.5, -1e-17, 0.25])


    checked_predict = FixedScores(num_features=2)
    checked_predict.w, checked_predict.b = np.zeros(2), -1.0  # X w + b = -1 for every example: not the stand-ins
    got = checked_predict.predict(np.zeros((5, 2)))
    shown = "for the scores z = (-0.5, 0, 2.5, -1e-17, 0.25)"
    assert isinstance(got, np.ndarray) and got.shape == (5,), (
        f"{shown} it returned {got!r:.80}; expected a NumPy array of 5 answers, shape (5,)")
    answers = got.astype(float).tolist()
    causes = {  # the answers that common mistakes give for these scores
        (1, 1, 1, 1, 1): "Every answer is 1: a probability ŷ is never below 0, so ŷ ≥ 0 is always "
                         "true. Compare the score z with 0.",
        (0, 0, 0, 0, 0): "Every answer is 0, as if every score were below 0. Does predict use "
                         "self.scores(X)? (This check replaces the scores with stand-ins; X w + b "
                         "computed inside predict would be -1 for every example here.)",
        (0, 0, 1, 0, 0): "Only z = 2.5 gives a 1: did you compare z with 0.5? The threshold 0.5 is "
                         "for the probability ŷ; for the score z it is 0.",
        (0, 0, 1, 0, 1): "At z = 0 exactly the answer must be 1 (z ≥ 0, that is ŷ ≥ 0.5, means 1): "
                         "z > 0, or rounding ŷ, gives 0 there.",
        (0, 1, 1, 1, 1): "At z = -1e-17 the answer must be 0, since the score is below 0; comparing "
                         "ŷ with 0.5 gives 1 there, because σ(-1e-17) rounds to exactly 0.5. "
                         "Compare the score z with 0.",
        (1, 0, 0, 1, 0): "The labels are inverted: a score z ≥ 0 means 1, not 0.",
        (1, 1, 0, 1, 0): "The labels are inverted: a score z ≥ 0 means 1, not 0.",
        (-1, 0, 1, -1, 1): "These are the signs of the scores (np.sign gives −1, 0 or 1): the "
                           "answer is 1 where z ≥ 0 and 0 where z < 0.",
    }
    assert answers == [0, 1, 1, 0, 1], (
        f"{shown} it answered {[int(a) if a in (0, 1) else a for a in answers]}; expected "
        f"[0, 1, 1, 0, 1]. " + causes.get(tuple(answers), "The answer is 1 where z ≥ 0, else 0."))
    assert got.dtype.kind in "iu", (
        f"{shown} it answered {[int(a) for a in answers]} as {got.dtype}; expected integers 0 "
        f"and 1 (labels, like y). "
        + ("A comparison gives True/False: turn them into the integers 0 and 1 with NumPy's "
           "astype method, asking for a 64-bit integer type." if got.dtype == bool else
           "Turn them into the integers 0 and 1 with NumPy's astype method, asking for a 64-bit "
           "integer type."))


@check('accuracy_and_loss', 'the accuracy of 8 known scores and of a score 0 with label 1, and the loss of your binary_cross_entropy')
def accuracy_and_loss(LogisticModel):
    z = np.array([-2.0, -0.5, -1e-17, 0.0, 0.25, 0.75, 1.5, 3.0])
    y = np.array([0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0])
    z.flags.writeable = y.flags.writeable = False  # accuracy_and_loss must not change them
    shown = "for z = (-2, -0.5, -1e-17, 0, 0.25, 0.75, 1.5, 3) and y = (0, 0, 0, 0, 0, 1, 1, 1)"
    try:  # a binary_cross_entropy that writes into its inputs is Task 6's mistake, checked there:
        LogisticModel.binary_cross_entropy(z, y)  # then this check hands over copies instead
    except ValueError as error:
        if "read-only" not in str(error):
            raise
        z, y = z.copy(), y.copy()
    try:
        result = LogisticModel.accuracy_and_loss(z, y)
    except ValueError as error:
        assert "read-only" not in str(error), (
            "it writes into the scores z (or the labels y) it was given: the caller's scores must "
            "stay as they were, and the loss must be computed from them, not from answers. "
            "For example `answers = z` gives the same array a second name, it does not copy it, "
            "so `answers[...] = 1` changes z itself: a comparison of z with 0 makes a new array "
            "of True/False, the answers, and leaves z as it was.")
        assert "ambiguous" not in str(error), (
            f"{shown} it raised ValueError ({error}). Python needed one True or False and got an "
            f"array: a chained comparison such as z >= 0 == y means (z >= 0) and (0 == y). Put "
            f"the comparison of z with 0 in parentheses of its own, then compare its result with "
            f"the labels (and use & or |, not `and` or `or`, between arrays).")
        raise
    assert isinstance(result, (tuple, list)) and len(result) == 2, (
        f"{shown} it returned {result!r:.80}; expected two numbers, (accuracy, loss)")
    accuracy, loss = result
    assert np.ndim(accuracy) == 0 and np.ndim(loss) == 0, (
        f"{shown} it returned an accuracy of shape {np.shape(accuracy)} and a loss of shape "
        f"{np.shape(loss)}; expected two single numbers (an average over the examples, each)")
    z_zero, y_zero = np.array([0.0, -1.0]), np.array([1.0, 0.0])  # a score 0 with label 1
    z_zero.flags.writeable = y_zero.flags.writeable = z.flags.writeable  # copies, as above
    shown_zero = "for z = (0, -1) and y = (1, 0)"
    try:
        zero_accuracy, zero_error = float(np.asarray(LogisticModel.accuracy_and_loss(z_zero, y_zero)[0])), None
    except Exception as error:  # raised below, once the 8 scores are checked
        zero_accuracy, zero_error = None, error

    variants = [  # (accuracy on the 8 scores, on (0, -1)) of common mistakes, and the cause
        (0.875, 0.5, "At z = 0 exactly the answer is 1 (z ≥ 0): z > 0, or rounding ŷ, counts it as 0."),
        (0.875, 1.0, "(2y − 1)·z ≥ 0 counts every example with z = 0 as right, whatever its label: "
                     "there the answer is 1 (z ≥ 0), right for label 1 but wrong for label 0. "
                     "Turn each score into an answer (1 where z ≥ 0), then compare it with y."),
        (0.75, 0.5, "At z = 0 with label 1 the answer is 1 (z ≥ 0), a right answer; it counted it as "
                    "wrong. np.sign(0) is 0, which matches neither 2y − 1 = 1 nor −1, and "
                    "(2y − 1)·z > 0 is false at z = 0: turn each score into an answer (1 where "
                    "z ≥ 0), then compare the answers with the labels."),
        (0.625, 1.0, "At z = -1e-17 the answer is 0, since the score is below 0; ŷ ≥ 0.5 gives 1 "
                     "there because σ(-1e-17) rounds to 0.5. Compare the score z with 0, as "
                     "predict does."),
        (0.625, 0.0, "It compares the rounded scores np.round(z) with y: a score is not a "
                     "probability (np.round(1.5) is 2, not a label). Turn each score into an "
                     "answer, 1 where z ≥ 0, then compare it with y."),
        (1.0, 0.5, "Did you compare z with 0.5? For the score z the threshold is 0; 0.5 is for ŷ."),
        (0.375, 0.5, "That is the share of labels 1: every answer counted as 1. Is ŷ ≥ 0 (always "
                     "true) the test? Compare the score z with 0."),
        (0.625, 0.5, "It counts an example as right where its answer OR its label is 1 (|): an "
                     "answer is right where it equals its label (==), 0 for a label 0 too."),
        (5 / 7, 1.0, "That is 5 right of 7: the last example is left out (a range or slice that "
                     "stops one early?): count every example, the accuracy is right answers / m."),
        (0.25, 0.0, "The answers are inverted: a score z ≥ 0 means 1."),
        (0.125, 0.0, "Did you compare the scores z with the labels y directly? Turn each score into "
                     "an answer first (1 where z ≥ 0), then compare the answers with y."),
        (6.0, None, "It is the number of right answers, 6; accuracy is their share, 6/8."),
        (75.0, None, "It is a percentage; accuracy here is a fraction from 0 to 1."),
        (0.0, None, "It is 0 although 6 of the 8 answers are right: integer division? 6 // 8 is 0 "
                    "(and int(0.75) is 0): take the mean, np.mean(...), or divide with /."),
    ]

    def cause(on_eight, on_zero, otherwise):
        matching = [text for eight, zero, text in variants if np.isclose(on_eight, eight)
                    and (on_zero is None or zero is None or np.isclose(on_zero, zero))]
        return matching[0] if matching else otherwise

    assert not (np.isclose(loss, 0.75) and not np.isclose(accuracy, 0.75)), (
        f"{shown} it returned ({float(accuracy):.6g}, {float(loss):.6g}): the pair is swapped, its "
        f"second number is the accuracy 0.75. Return accuracy, loss, in that order (evaluate and "
        f"Task 10 unpack them so).")
    if np.isclose(accuracy, 0.375) and zero_accuracy is not None and np.isclose(zero_accuracy, 0.5):
        # the answers combined with the labels by &: the share of examples whose answer AND label
        # are 1. For z = (-1, -1), y = (1, 0), the answers (0, 0): & gives 0 right of 2, where
        # counting every answer as 1 gives 1 of 2
        z_and, y_and = np.array([-1.0, -1.0]), np.array([1.0, 0.0])
        z_and.flags.writeable = y_and.flags.writeable = z.flags.writeable
        try:
            probe = float(np.asarray(LogisticModel.accuracy_and_loss(z_and, y_and)[0]))
        except Exception:  # noqa: BLE001 - only a hint: the message below does without it
            probe = None
        assert probe is None or not np.isclose(probe, 0.0), (
            f"{shown} its accuracy is {float(accuracy):.6g}; expected 0.75. It counts an example "
            f"as right only where its answer AND its label are 1 (&): that is the share of true "
            f"positives, 3/8 here. An answer is right where it equals its label (==), 0 for a "
            f"label 0 too.")
    assert np.isclose(accuracy, 0.75), (
        f"{shown} its accuracy is {float(accuracy):.6g}; expected 0.75 (answers 0, 0, 0, 1, 1, 1, 1, "
        f"1: all right except at z = 0 and z = 0.25). "
        + cause(accuracy, zero_accuracy,
                "The accuracy is the share of answers (1 where z ≥ 0) equal to the label."))
    if zero_error is not None:
        raise zero_error
    assert np.isclose(zero_accuracy, 1.0), (
        f"{shown_zero} its accuracy is {zero_accuracy}; expected 1.0 (answers 1, 0: both right). "
        + cause(0.75, zero_accuracy, "At z = 0 the answer is 1 (z ≥ 0), right for label 1."))
    own = LogisticModel.binary_cross_entropy(z.copy(), y.copy())  # your loss of Task 6
    if not np.isclose(loss, own, rtol=1e-12, atol=0):
        causes = [
            (LogisticModel.binary_cross_entropy(LogisticModel.sigmoid(z), y.copy()),
             "It is binary_cross_entropy of the probabilities σ(z): it takes the scores z themselves."),
            (LogisticModel.binary_cross_entropy(z, np.array([0.0, 0, 0, 1, 1, 1, 1, 1])),
             "It is the loss of the model's own answers: use the labels y."),
            (LogisticModel.binary_cross_entropy(y.copy(), z.copy()),
             "The arguments are swapped: binary_cross_entropy(z, y), scores first."),
            (8 * own, "It is 8 times your loss: a sum over the 8 examples instead of the mean?"),
            (own / 8, "It is your loss divided by 8 = m: binary_cross_entropy returns the mean "
                      "already; divide once."),
            (LogisticModel.binary_cross_entropy(np.array([0.0, 0, 0, 1, 1, 1, 1, 1]), y.copy()),
             "It is the loss of the answers 0 and 1 taken as scores: was z replaced by the "
             "answers before the loss? binary_cross_entropy takes the scores themselves."),
        ]
        cause = next((text for value, text in causes if np.isclose(loss, value, rtol=1e-9, atol=0)),
                     "The loss is what your binary_cross_entropy of Task 6 gives for the scores z "
                     "and the labels y, as it is.")
        raise AssertionError(f"{shown} its loss is {float(loss):.6g}; expected {float(own):.6g}, what "
                             f"your binary_cross_entropy(z, y) of Task 6 gives. {cause}")


@check('evaluate', 'it hands the scores and the checked labels to accuracy_and_loss, once')
def evaluate(LogisticModel):
    handed = []  # what evaluate passes to accuracy_and_loss
    scored = []  # one entry per call of scores


    class StandIns(LogisticModel):
        """Stand-ins for scores and accuracy_and_loss, so that this check tests evaluate alone."""

        def scores(self, X):
            scored.append(len(X))
            return np.array([-1.0, 0.5, 2.0])

        @staticmethod
        def accuracy_and_loss(z, y):
            handed.append((z, y))
            return 0.25, 0.75


    checked_evaluate = StandIns(num_features=2)
    # w = 0 and b = 1: scores computed from w and b would all be 1 (0 without b), not the stand-ins;
    # and a bias added once more to the stand-in scores shows (b = 0 would hide it)
    checked_evaluate.w, checked_evaluate.b = np.zeros(2), 1.0
    result = checked_evaluate.evaluate(np.zeros((3, 2)), [1, 0, 1])
    bias_twice = ("the stand-in scores plus b once more: self.scores(X) already adds the bias "
                  "(z = Xw + b), so hand its scores on as they are")
    setting = ("with stand-ins (scores (-1, 0.5, 2); accuracy_and_loss returns (0.25, 0.75)) and "
               "labels [1, 0, 1]")
    once = ("expected once: compute the scores once (self.scores) and hand them, with the labels, "
            "to self.accuracy_and_loss, which computes both numbers from the same scores.")
    if not handed:  # calling LogisticModel.accuracy_and_loss directly, not through self, is right too
        scores, labels = np.array([-1.0, 0.5, 2.0]), np.array([1.0, 0.0, 1.0])
        try:
            direct = LogisticModel.accuracy_and_loss(scores, labels)
            from_probabilities = LogisticModel.accuracy_and_loss(LogisticModel.sigmoid(scores), labels)
        except NotImplementedError:
            direct = from_probabilities = None

        def returned(pair):
            return (pair is not None and isinstance(result, (tuple, list)) and len(result) == 2
                    and np.allclose(np.asarray(result, dtype=float), np.asarray(pair, dtype=float)))

        assert not (returned(from_probabilities) and not returned(direct)), (
            f"{setting}, it returned {result!r:.60}, what accuracy_and_loss gives for the "
            f"probabilities σ(z): hand it the scores themselves (what self.scores gives).")
        if direct is not None and not returned(direct):
            shifted = LogisticModel.accuracy_and_loss(scores + 1.0, labels)  # b = 1 added again
            assert not returned(shifted), (
                f"{setting}, it returned {result!r:.60}, what accuracy_and_loss gives for {bias_twice}.")
        assert len(scored) == 1 and direct is not None, (
            f"{setting}, it called accuracy_and_loss not at all (and scores {len(scored)} "
            f"time{'' if len(scored) == 1 else 's'}); {once}")
        assert returned(direct), (
            f"{setting}, it did not call self.accuracy_and_loss and returned {result!r:.60}, not "
            f"{tuple(direct)}, what accuracy_and_loss gives for these scores and labels; {once}")
    else:
        assert len(handed) == 1, f"{setting}, it called accuracy_and_loss {len(handed)} times; {once}"
        z, y = handed[0]
        assert np.shape(z) == (3,) and np.allclose(z, [-1.0, 0.5, 2.0]), (
            f"{setting}, it handed accuracy_and_loss "
            f"z = {np.round(np.asarray(z, dtype=float), 4).tolist()}; "
            f"expected the scores [-1.0, 0.5, 2.0]. "
            # σ(-1), σ(0.5), σ(2) of the stand-in scores
            + (f"These are {bias_twice}." if np.shape(z) == (3,) and np.allclose(z, [0.0, 1.5, 3.0])
               else "These are probabilities σ(z): hand over the scores themselves (self.scores)."
               if np.shape(z) == (3,) and np.allclose(z, [0.268941, 0.622459, 0.880797], atol=1e-6)
               else "These are the labels: the scores come first, accuracy_and_loss(z, y)."
               if np.shape(z) == (3,) and np.allclose(z, [1.0, 0.0, 1.0])
               else "These are predict's answers 0 and 1 (1 where z ≥ 0): accuracy_and_loss "
                    "needs the scores themselves, for the loss as well as for the answers."
               if np.shape(z) == (3,) and np.allclose(z, [0.0, 1.0, 1.0])
               else "All equal: these are scores computed again from w = 0 and b, not taken from "
                    "self.scores(X); evaluate uses the model's own scores, self.scores(X), so that a "
                    "correction of scores (or this check's stand-in) reaches it too."
               if np.size(z) > 1 and np.ptp(np.asarray(z, dtype=float)) == 0
               else "Hand over the scores that self.scores gives, as they are."))
        assert np.shape(y) == (3,) and np.array_equal(y, [1.0, 0.0, 1.0]), (
            f"{setting}, it handed accuracy_and_loss y = {y!r:.60}; expected the labels as checked "
            f"by check_labels, shape (3,).")
        assert isinstance(result, (tuple, list)) and tuple(result) == (0.25, 0.75), (
            f"{setting}, it returned {result!r:.60}; expected (0.25, 0.75), what accuracy_and_loss "
            f"returned: return its result unchanged.")
