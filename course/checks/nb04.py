"""The checks of 04_mini_batch.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("unroll")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import re

import numpy as np

from course.checks.framework import check


@check('unroll', '3 numbered images and 1: shape (m, 784), one image per row, read row by row, pixels kept as they are (fractions too), the images left unchanged')
def unroll(unroll):
    numbered = np.arange(3 * 784.0).reshape(3, 28, 28) + 0.5  # pixel (r, c) of image i: 784 i + 28 r + c + 0.5
    numbered.flags.writeable = False  # unroll must leave the images as they are
    setup = "for 3 images whose pixel (r, c) of image i holds the number 784·i + 28·r + c + 0.5,"
    try:
        got = unroll(numbered)
    except ValueError as error:
        if "read-only" in str(error):
            raise
        try:  # does it work on a batch of exactly 64 images?
            unroll(np.zeros((64, 28, 28)))
            cause = ("It works on 64 images only: it uses our batch size (64) instead of the number "
                     "of images it is given, len(images).")
        except ValueError:
            asked = re.search(r"into shape \((\d+), ?(\d+)\)", str(error))
            cause = ("Each row must hold a whole image, 28 × 28 = 784 pixels, not "
                     + (f"{asked.group(2)} numbers" if asked else "fewer or more")
                     + (" (28 is one row of an image)" if asked and asked.group(2) == "28" else "")
                     + ": reshape(len(images), 784), or reshape(len(images), -1) to let NumPy work "
                       "it out.")
        raise AssertionError(f"{setup} unroll stopped with ValueError: {error}. {cause}") from None
    assert numbered.shape == (3, 28, 28), (
        f"{setup} unroll changed the shape of the images it was given, in place, from (3, 28, 28) to "
        f"{numbered.shape}: `images.shape = ...` and images.resize(...) reshape the caller's array "
        f"itself (the notebook's images would be gone). Return a reshaped copy instead: "
        f"images.reshape(len(images), -1).")
    assert got is not None, "unroll(images) returned None: did you forget `return`?"
    shape = np.shape(got)
    shape_causes = {
        (784, 3): "One column per image instead of one row: the number of images goes first, "
                  "reshape(len(images), -1); reshape(784, -1) also mixes the pixels of different images.",
        (3 * 784,): "One long vector of all 3 images: reshape(-1) flattens everything into one "
                    "vector. Keep one row per image: reshape(len(images), -1).",
        (3, 28, 28): "The images came back unchanged: reshape them to (len(images), 784).",
    }
    assert shape == (3, 784), (f"{setup} unroll returned shape {shape}; expected (3, 784), one row "
                               f"per image. " + shape_causes.get(shape, "Use reshape(len(images), -1)."))
    expected = np.arange(3 * 784.0).reshape(3, 784) + 0.5
    assert np.asarray(got).dtype.kind == "f", (
        f"{setup} unroll returned whole numbers, dtype {np.asarray(got).dtype}, e.g. X[0, 0] = "
        f"{np.asarray(got)[0, 0]} instead of 0.5: a cast to int (astype(int), or np.int_) cuts off the "
        f"fractions. The pixels are fractions (from 0 to 1 in our data): keep their float dtype.")
    if not np.array_equal(got, expected):
        slips = [  # what the usual slips give on the same images, and their likely cause
            (numbered.reshape(784, -1).T, "reshape(784, -1) then .T has the right shape but scrambles "
             "the pixels: it fills 784 rows of 3 numbers in reading order, mixing the images. Use "
             "reshape(len(images), -1)."),
            (numbered.T.reshape(3, -1), "images.T reverses all three axes, so the images get mixed: "
             "reshape the images themselves."),
            (numbered.transpose(0, 2, 1).reshape(3, -1), "It reads each image column by column (a "
             "transpose, or order='F'): X[i, 1] must be pixel (0, 1), the next one along row 0. "
             "reshape reads row by row by itself."),
        ]
        cause = next((why for wrong, why in slips if np.array_equal(got, wrong)),
                     "Row i must be image i, read row by row.")
        row, column = np.argwhere(got != expected)[0]
        raise AssertionError(f"{setup} X[{row}, {column}] is {got[row, column]:g}; expected "
                             f"{expected[row, column]:g}, pixel ({column // 28}, {column % 28}) of image "
                             f"{row}. {cause}")
    one = unroll(numbered[:1])
    assert np.shape(one) == (1, 784), (f"for a batch of 1 image, shape (1, 28, 28), unroll returned "
                                       f"shape {np.shape(one)}; expected (1, 784): keep one row per image.")


@check('roll', '3 numbered rows and 1: shape (m, 28, 28), row i of X is image i, filled row by row, pixels kept as they are (fractions too), X left unchanged')
def roll(roll):
    numbered = np.arange(3 * 784.0).reshape(3, 784) + 0.5  # row i: 784 i + 0.5, ..., 784 i + 783.5
    numbered.flags.writeable = False  # roll must leave X as it is
    setup = "for X of shape (3, 784) whose row i holds the numbers 784·i + 0.5 to 784·i + 783.5,"
    try:
        got = roll(numbered)
    except ValueError as error:
        if "read-only" in str(error):
            raise
        raise AssertionError(f"{setup} roll stopped with ValueError: {error}. Does it fix the number "
                             f"of images (64, say), or leave the batch axis out? Use "
                             f"reshape(-1, 28, 28).") from None
    assert numbered.shape == (3, 784), (
        f"{setup} roll changed the shape of the X it was given, in place, from (3, 784) to "
        f"{numbered.shape}: `X.shape = ...` and X.resize(...) reshape the caller's array itself. "
        f"Return a reshaped copy instead: X.reshape(-1, 28, 28).")
    assert got is not None, "roll(X) returned None: did you forget `return`?"
    shape = np.shape(got)
    shape_causes = {
        (28, 28, 3): "The batch axis must come first: reshape(-1, 28, 28). reshape(28, 28, -1) "
                     "also mixes the pixels of different images.",
        (3, 784): "X came back unchanged: reshape it to (number of images, 28, 28).",
        (3 * 784,): "One long vector: keep the number of images first, then 28 rows of 28 pixels.",
    }
    assert shape == (3, 28, 28), (f"{setup} roll returned shape {shape}; expected (3, 28, 28). "
                                  + shape_causes.get(shape, "Use reshape(-1, 28, 28)."))
    expected = np.arange(3 * 784.0).reshape(3, 28, 28) + 0.5
    assert np.asarray(got).dtype.kind == "f", (
        f"{setup} roll returned whole numbers, dtype {np.asarray(got).dtype}, e.g. pixel (0, 0) of "
        f"image 0 = {np.asarray(got)[0, 0, 0]} instead of 0.5: a cast to int (astype(int), or np.int_) "
        f"cuts off the fractions. The pixels are fractions (from 0 to 1 in our data): keep their "
        f"float dtype.")
    if not np.array_equal(got, expected):
        slips = [  # what the usual slips give on the same X, and their likely cause
            (expected.transpose(0, 2, 1), "Each image comes out transposed, its rows and columns "
             "swapped (a transpose, or order='F'): X holds each image row by row, and reshape "
             "fills the rows of each image in the same order by itself."),
            (numbered.T.reshape(3, 28, 28), "X.T mixes the images: reshape X itself."),
        ]
        cause = next((why for wrong, why in slips if np.array_equal(got, wrong)),
                     "Image i must be row i of X, cut into 28 rows of 28 pixels.")
        image, r, c = np.argwhere(got != expected)[0]
        raise AssertionError(f"{setup} pixel ({r}, {c}) of image {image} is {got[image, r, c]:g}; "
                             f"expected {expected[image, r, c]:g}, X[{image}, {28 * r + c}]. {cause}")
    one = roll(numbered[:1])
    assert np.shape(one) == (1, 28, 28), (f"for X of shape (1, 784), one image, roll returned shape "
                                          f"{np.shape(one)}; expected (1, 28, 28): keep the batch axis.")


@check('pixel_position', '5 pixels by hand, corners included: whole numbers from 0 to 783')
def pixel_position(pixel_position):
    pixels = [(0, 0), (0, 27), (1, 0), (14, 9), (27, 27)]
    expected = [0, 27, 28, 401, 783]
    got = [pixel_position(r, c) for r, c in pixels]
    assert got[0] is not None, "pixel_position(0, 0) returned None: did you forget `return`?"
    slips = [  # what the usual slips give on the same pixels, and their likely cause
        ([28 * c + r for r, c in pixels], "Row and column are swapped: the whole rows above come "
         "first, 28 positions each, so it is the row that is multiplied by 28."),
        ([28 * r + c + 1 for r, c in pixels], "Every position is one too far: positions count from "
         "0, so pixel (0, 0) is at position 0."),
        ([27 * r + c for r, c in pixels], "A row holds 28 pixels (columns 0 to 27), so each row "
         "moves the position on by 28, not 27."),
        ([r * c for r, c in pixels], "row × column is not a position: each row above moves it on "
         "by 28, so 28 × row + column."),
        ([r + c for r, c in pixels], "row + column forgets that each row above holds 28 pixels: "
         "28 × row + column."),
    ]
    cause = next((why for wrong, why in slips if got == wrong), "Pixel (r, c) lands at 28r + c.")
    table = lambda values: ", ".join(f"{pixel} -> {value!r}" for pixel, value in zip(pixels, values))
    assert got == expected, f"it gave {table(got)}; expected {table(expected)}. {cause}"
    assert all(isinstance(value, (int, np.integer)) for value in got), (
        f"pixel_position(14, 9) returned {got[3]!r}, a {type(got[3]).__name__}: a position indexes "
        f"an array, so it must be a whole number (an int). Did you divide with / somewhere?")
