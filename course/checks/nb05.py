"""The checks of 05_create_model.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("init")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import dis

import numpy as np

from course.checks.framework import check


@check('__init__', 'w: shape (n,), floats, mean 0, std 0.01, drawn from self.rng; b = 0.0, a float; same seed, same weights; another seed, other weights')
def init(LogisticModel):
    new_model = LogisticModel(num_features=2000, seed=5)
    for name in ("w", "b"):
        assert hasattr(new_model, name), (
            f"a new model has no attribute {name}: set it in __init__ with self.{name} = ...; "
            f"a plain {name} = ... is a variable of __init__ alone, gone when it returns")
    w, b = new_model.w, new_model.b
    assert isinstance(w, np.ndarray), (
        f"self.w is a {type(w).__name__}; expected a NumPy array of shape (2000,) for num_features = 2000"
        + (": normal draws one number unless its argument size says how many (one per feature)"
           if isinstance(w, (float, np.floating)) else ""))
    shape_causes = {
        (2000, 1): "A column of shape (n, 1) would make the scores of Task 6 a column too: "
                   "draw size=num_features",
        (1, 2000): "A row of shape (1, n) is a matrix of one row: the scores of Task 6 would not "
                   "be one per example. Draw size=num_features, a plain number",
        (784,): "784 is the number of pixels of an MNIST image, written in by hand: the model must "
                "fit any number of features, so draw self.num_features weights",
        (): "One number: normal draws one number unless its argument size says how many",
    }
    assert w.shape == (2000,), (
        f"for num_features = 2000, self.w has shape {w.shape}; expected (2000,), one weight per feature"
        + (f". {shape_causes[w.shape]}" if w.shape in shape_causes else ""))
    assert w.dtype.kind == "f", (
        f"self.w holds numbers of dtype {w.dtype}; expected floats"
        + (": made whole numbers (a cast to int?), weights as small as 0.01 all become 0"
           if w.dtype.kind in "iu" else ""))
    assert not isinstance(b, np.ndarray), (
        f"self.b is an array of shape {b.shape}; the bias is one number for all examples: 0.0")
    is_number = isinstance(b, (float, int, np.floating, np.integer)) and not isinstance(b, (bool, np.bool_))
    assert is_number, f"self.b is {b!r}, of type {type(b).__name__}; expected one number, 0.0"
    assert isinstance(b, (float, np.floating)), (
        f"self.b is {b!r}, a whole number ({type(b).__name__}); expected the float 0.0, like every "
        f"other parameter: written 0, the bias prints as 0 and stays a whole number until training "
        f"first changes it")
    assert b == 0.0, f"self.b is {b}; the bias starts at 0.0"
    spread, centre = w.std(), w.mean()
    # (nearly) all equal: a std of 1e-18 is what rounding leaves of 2000 copies of one number
    all_equal = np.ptp(w) <= 1e-12 * max(1.0, float(np.max(np.abs(w))))
    assert not all_equal, (
        f"all 2000 weights are equal (to {w[0]:g}): draw them at random with self.rng, "
        f"standard deviation 0.01"
        + (". Are normal's mean and standard deviation swapped? Its first argument, loc, is the "
           "mean (0.0); the second, scale, the standard deviation (0.01): with scale 0 every draw "
           "is the mean" if np.isclose(w[0], 0.01) else
           ". One number was drawn once and repeated for every weight (added to zeros, or filled "
           "in): normal draws one number unless its argument size says how many, one per feature"
           if w[0] != 0.0 else ""))
    assert abs(centre) < 0.1 * spread, (
        f"the 2000 weights have mean {centre:.4f} and standard deviation {spread:.4f}; expected a mean "
        f"of about 0: draw from a normal distribution centred on 0 (rng.random and rng.uniform(0, ...) "
        f"give only positive numbers)")
    likely = ("100 times too large: normal's scale, its standard deviation, must be 0.01 "
              "(normal(0, 1), standard_normal and np.random.randn draw a standard deviation of 1)"
              if 0.9 < spread < 1.1 else
              "0.0001 = 0.01²: normal's scale is the standard deviation itself, not the variance"
              if 0.00009 < spread < 0.00011 else
              "0.1 = √0.01: normal's scale is the standard deviation itself, 0.01"
              if 0.09 < spread < 0.11 else
              "draw from a normal distribution with standard deviation 0.01")
    assert 0.009 < spread < 0.011, (
        f"for 2000 weights the standard deviation is {spread:.3g}; expected 0.01 (within 10%): {likely}")
    again, other = LogisticModel(num_features=2000, seed=5), LogisticModel(num_features=2000, seed=6)
    if not np.array_equal(again.w, w):
        unseeded = again.rng.bit_generator.state != new_model.rng.bit_generator.state  # self.rng itself differs
        raise AssertionError(
            "two models made with the same seed (5) have different weights"
            + (", and different generators self.rng: self.rng must stay the generator "
               "np.random.default_rng(seed) made on the line above; np.random.default_rng() without the "
               "seed starts from a new random state in every model" if unseeded else
               ": draw them with the model's generator self.rng, which __init__ seeds with seed, not with "
               "np.random's global functions or a generator of your own"))
    assert not np.array_equal(other.w, w), (
        "models made with seed 5 and with seed 6 have the same weights: draw them with self.rng, "
        "which __init__ seeds with seed")
    untouched = np.random.default_rng(5).bit_generator.state
    if again.rng.bit_generator.state == untouched:
        code = getattr(LogisticModel.__init__, "__code__", None)  # how often __init__ sets self.rng
        made = [step for step in (dis.get_instructions(code) if code else [])
                if step.opname == "STORE_ATTR" and step.argval == "rng"]
        raise AssertionError(
            "self.rng has drawn nothing during __init__"
            + (f": self.rng is re-created (a second `self.rng = ...`, {len(made)} in all) after the weights "
               f"were drawn, so that it starts again from the seed. Make it once, on the line the course "
               f"gives, and draw the weights with it" if len(made) > 1 else
               ": the weights come from another generator (np.random, or a second default_rng). "
               "Draw them with self.rng")
            + ", so that the mini-batches of Task 10 continue its sequence of random numbers instead "
              "of repeating it")


@check('untrained_scores', 'z_train = X_train w + b for the 800 images, shape (800,); p_train = 1 / (1 + e^(−z)) of each score')
def untrained_scores(z_train, p_train, X_train, model):
    expected_z = np.einsum("ij,j->i", X_train, model.w) + model.b  # one score per row
    m = len(X_train)
    z = np.asarray(z_train)
    shape_causes = {
        X_train.shape: "one number per pixel: * multiplies entry by entry; the matrix product, @, "
                       "sums each image's 784 products into one score",
        (): "one number for all the images: each image needs its own score, the sum over ITS pixels",
        (1, m): "a row: keep one dimension, one score per image",
        (m, 1): "a column: keep one dimension, one score per image",
    }
    assert z.shape == (m,), (
        f"z_train has shape {z.shape}; expected ({m},), one score per training image"
        + (f": {shape_causes[z.shape]}" if z.shape in shape_causes else
           f": {z.shape[0]} scores, not {m}. Use all of X_train" if z.ndim == 1 else ""))
    if not np.allclose(z, expected_z, rtol=1e-9, atol=1e-12):
        cause = ("they are the scores with the opposite sign: z = Xw + b, added, not subtracted"
                 if np.allclose(z, -expected_z, rtol=1e-9, atol=1e-12) else
                 "compare with z = X_train w + b, one row of X_train (one image) per score, with "
                 "the weights and bias of `model`")
        raise AssertionError(f"z_train does not hold the scores of `model` on X_train: {cause}")
    p = np.asarray(p_train)
    assert p.shape == (m,), (
        f"p_train has shape {p.shape}; expected ({m},), one probability per score"
        + (": the sigmoid applies to each score separately, not to their sum or mean" if p.ndim == 0 else ""))
    expected_p = 0.5 + 0.5 * np.tanh(expected_z / 2)  # σ(z), written another way
    if not np.allclose(p, expected_p, rtol=1e-9, atol=1e-12):
        cause = ("they are σ(−z), 1 − σ(z): the exponent's sign is flipped. σ(z) = 1 / (1 + e^(−z)) "
                 "is above 0.5 for a positive score"
                 if np.allclose(p, 1.0 - expected_p, rtol=1e-9, atol=1e-12) else
                 "they are the scores themselves: apply σ to each of them"
                 if np.allclose(p, expected_z) else
                 "some are above 1, and no probability is: is the 1 + in the denominator missing?"
                 if p.max() > 1 else
                 "compare with σ(z) = 1 / (1 + e^(−z)) of each score")
        raise AssertionError(f"p_train does not hold the probabilities σ(z) of z_train: {cause}")
