"""The checks of 04_mini_batch.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("unroll")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import difflib
import re

import numpy as np

from course.checks.framework import check


def _numbered_images():
    """3 images, shape (3, 28, 28), every pixel numbered by where it belongs once unrolled: pixel
    (r, c) of image i holds 784·i + 28·r + c + 0.5 (the 0.5 shows a cast to int). Read-only: the
    pieces must leave what they are given as it was."""
    image, r, c = np.indices((3, 28, 28))
    numbered = 784 * image + 28 * r + c + 0.5
    numbered.flags.writeable = False
    return numbered


def _numbered_rows():
    """The same 3 images as the design matrix, shape (3, 784): row i holds 784·i + 0.5, 784·i + 1.5,
    ..., 784·i + 783.5, in order. Read-only."""
    image, position = np.indices((3, 784))
    numbered = 784 * image + position + 0.5
    numbered.flags.writeable = False
    return numbered


def _works_on_64_only(piece, batch_of_64):
    """Whether `piece`, which stopped with a ValueError on 3 images, works on a batch of 64: then
    it has our batch size written in."""
    try:
        piece(batch_of_64)
    except Exception:  # noqa: BLE001 - any failure: not that cause
        return False
    return True


def _no_such_method(call, error, array_name):
    """The message for an AttributeError on the array the piece was given: a misspelt method."""
    told = f"{call} stopped with AttributeError: {error}."
    name = getattr(error, "name", None) or ""
    close = difflib.get_close_matches(name, [n for n in dir(np.ndarray) if not n.startswith("_")],
                                      n=1, cutoff=0.8)
    return (f"{told} {array_name} is a NumPy array, and arrays have no .{name}: a misspelt name?"
            + (f" Did you mean .{close[0]}?" if close else "")
            + f" print(dir({array_name})) lists what an array has.")


def _shape_called(call, error, array_name, shape):
    """The message for `images.shape(0)`: a tuple called like a function."""
    return (f"{call} stopped with TypeError: {error}. {array_name}.shape is a tuple of numbers, "
            f"{shape} here, not a function: a tuple's entries are read with square brackets. "
            f"(len({array_name}) gives the size of its first axis too.)")


@check('unroll', '3 numbered images and 1: shape (m, 784), one image per row, read row by row, pixels kept as they are (fractions too), the images left unchanged')
def unroll(unroll):
    numbered = _numbered_images()
    setup = "for 3 images whose pixel (r, c) of image i holds the number 784·i + 28·r + c + 0.5,"
    try:
        got = unroll(numbered)
    except TypeError as error:
        if "'tuple' object is not callable" not in str(error):
            raise
        raise AssertionError(_shape_called(f"{setup} unroll", error, "images", (3, 28, 28))) from None
    except AttributeError as error:
        if "'numpy.ndarray' object has no attribute" not in str(error):
            raise
        raise AssertionError(_no_such_method(f"{setup} unroll", error, "images")) from None
    except ValueError as error:
        if "read-only" in str(error):
            raise
        if _works_on_64_only(unroll, np.zeros((64, 28, 28))):
            cause = ("It works on 64 images only: it uses our batch size (64) instead of the number "
                     "of images it is given, len(images).")
        else:
            asked = re.search(r"into shape \((\d+), ?(\d+)\)", str(error))
            cause = ("Each row must hold a whole image, 28 × 28 = 784 pixels, not "
                     + (f"{asked.group(2)} numbers" if asked else "fewer or more")
                     + (" (28 is one row of an image)" if asked and asked.group(2) == "28" else "")
                     + ": ask reshape for one row per image, shape (number of images, 784). A -1 "
                       "in a shape lets NumPy work out that size itself.")
        raise AssertionError(f"{setup} unroll stopped with ValueError: {error}. {cause}") from None
    assert numbered.shape == (3, 28, 28), (
        f"{setup} unroll changed the shape of the images it was given, in place, from (3, 28, 28) to "
        f"{numbered.shape}: `images.shape = ...` and images.resize(...) reshape the caller's array "
        f"itself (the notebook's images would be gone). Return a new array instead: an array's "
        f"reshape method returns one and leaves the array it is called on as it was.")
    assert got is not None, "unroll(images) returned None: did you forget `return`?"
    assert isinstance(got, np.ndarray), (
        f"{setup} unroll returned a {type(got).__name__}, not a NumPy array: the cells after it and "
        f"the model use X.shape and matrix products, which a {type(got).__name__} does not have. Return the "
        f"design matrix as one array: reshape the batch as a whole instead of building a "
        f"{type(got).__name__} image by image.")
    shape = got.shape
    shape_causes = {
        (784, 3): "One column per image instead of one row: the number of images goes first in the "
                  "shape, then the 784 pixels. With 784 first, reshape also mixes the pixels of "
                  "different images, since it keeps the reading order.",
        (3 * 784,): "One long vector of all 3 images: a shape of one number (reshape(-1), ravel, "
                    "flatten) puts everything in one vector. Keep one row per image, shape "
                    "(number of images, 784).",
        (3, 28, 28): "The images came back unchanged: reshape them to (number of images, 784).",
        (84, 28): "The rows of all the images stacked one under the other (np.vstack or "
                  "np.concatenate), 3 × 28 rows of 28 pixels: each image must become one row of "
                  "784 pixels.",
        (3, 783): "One pixel of each image is missing (a slice such as [:, 1:] or [:, :-1]?): "
                  "every image keeps all its 784 pixels.",
    }
    if shape not in shape_causes and len(shape) == 2 and shape[0] != 3 and shape[0] * shape[1] == 3 * 784:
        shape_causes[shape] = (f"{shape[0]} rows for 3 images: the number of rows is the number of "
                               f"images, taken from the images themselves (len(images)), not "
                               f"written in or changed.")
    assert shape == (3, 784), (f"{setup} unroll returned shape {shape}; expected (3, 784), one row "
                               f"per image. " + shape_causes.get(shape, "Ask reshape for shape "
                                                                        "(number of images, 784)."))
    assert got.dtype.kind == "f", (
        f"{setup} unroll returned whole numbers, dtype {got.dtype}, e.g. X[0, 0] = {got[0, 0]} "
        f"instead of 0.5: a cast to int (astype(int), or np.int_) cuts off the fractions. The pixels "
        f"are fractions (from 0 to 1 in our data): keep their float dtype.")
    expected = _numbered_rows()  # X[i, p] is pixel (p // 28, p % 28) of image i: 784·i + p + 0.5
    if not np.array_equal(got, expected):
        slips = [  # what the usual slips give on the same images, and their likely cause
            (numbered.reshape(784, -1).T, "A shape with 784 first, then .T, has the right shape but "
             "scrambles the pixels: reshape fills 784 rows of 3 numbers in reading order, which "
             "mixes the images, and .T cannot unmix them. Ask for the number of images first."),
            (numbered.T.reshape(3, -1), "images.T reverses all three axes, so the images get mixed: "
             "reshape the images themselves."),
            (numbered.transpose(0, 2, 1).reshape(3, -1), "It reads each image column by column (a "
             "transpose, or order='F'): X[i, 1] must be pixel (0, 1), the next one along row 0. "
             "reshape reads row by row by itself."),
            (expected / 255, "The pixels are divided by 255: unroll only reshapes; every pixel "
             "keeps its value (ours are already from 0 to 1)."),
            (expected * 255, "The pixels are multiplied by 255: unroll only reshapes; every pixel "
             "keeps its value."),
            (numbered[:, ::-1, :].reshape(3, -1), "The rows of each image come in reverse order, "
             "bottom row first (the image flipped upside down, [::-1]?): read each image from its "
             "top row down."),
            (numbered[:, :, ::-1].reshape(3, -1), "Each row of each image is read right to left "
             "(the image mirrored, [::-1]?): read each row from its left end."),
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
    numbered = _numbered_rows()
    setup = "for X of shape (3, 784) whose row i holds the numbers 784·i + 0.5 to 784·i + 783.5,"
    try:
        got = roll(numbered)
    except TypeError as error:
        if "'tuple' object is not callable" not in str(error):
            raise
        raise AssertionError(_shape_called(f"{setup} roll", error, "X", (3, 784))) from None
    except AttributeError as error:
        if "'numpy.ndarray' object has no attribute" not in str(error):
            raise
        raise AssertionError(_no_such_method(f"{setup} roll", error, "X")) from None
    except ValueError as error:
        if "read-only" in str(error):
            raise
        asked = re.search(r"into shape \((\d+), ?28, ?28\)", str(error))
        if _works_on_64_only(roll, np.zeros((64, 784))):
            cause = ("It works on 64 rows only: it uses our batch size (64) instead of the number of "
                     "images X holds, one per row.")
        elif asked and asked.group(1) != "3":
            cause = (f"It asks for {asked.group(1)} images, but X holds 3 rows, one image each: take "
                     f"the number of images from X itself (its number of rows), or let NumPy work it "
                     f"out with -1, rather than writing it in or changing it.")
        else:
            cause = ("Does it leave the batch axis out? A shape (28, 28) holds one image only. Ask "
                     "for shape (number of images, 28, 28), the number of images taken from X (or "
                     "worked out by NumPy), not written in.")
        raise AssertionError(f"{setup} roll stopped with ValueError: {error}. {cause}") from None
    assert numbered.shape == (3, 784), (
        f"{setup} roll changed the shape of the X it was given, in place, from (3, 784) to "
        f"{numbered.shape}: `X.shape = ...` and X.resize(...) reshape the caller's array itself. "
        f"Return a new array instead: an array's reshape method returns one and leaves the array "
        f"it is called on as it was.")
    assert got is not None, "roll(X) returned None: did you forget `return`?"
    assert isinstance(got, np.ndarray), (
        f"{setup} roll returned a {type(got).__name__}, not a NumPy array: the cells after it "
        f"compare it with the batch and plot it as one array. Reshape X as a whole instead of "
        f"building a {type(got).__name__} row by row.")
    shape = got.shape
    shape_causes = {
        (28, 28, 3): "The batch axis must come first, then the 28 rows and the 28 columns of each "
                     "image. With the number of images last, reshape also fills each image with "
                     "pixels of different images, since it keeps the reading order.",
        (3, 784): "X came back unchanged: reshape it to (number of images, 28, 28).",
        (3 * 784,): "One long vector: keep the number of images first, then 28 rows of 28 pixels.",
        (28, 3, 28): "The batch axis must come first, then the 28 rows and the 28 columns of each "
                     "image: with the number of images in the middle, reshape fills each image "
                     "with pieces of different images.",
        (28, 28): "One image only, though X holds 3: keep the batch axis, (number of images, 28, "
                  "28), and every image (no [0], no squeeze).",
    }
    assert shape == (3, 28, 28), (f"{setup} roll returned shape {shape}; expected (3, 28, 28). "
                                  + shape_causes.get(shape, "Ask reshape for shape (number of "
                                                            "images, 28, 28)."))
    assert got.dtype.kind == "f", (
        f"{setup} roll returned whole numbers, dtype {got.dtype}, e.g. pixel (0, 0) of image 0 = "
        f"{got[0, 0, 0]} instead of 0.5: a cast to int (astype(int), or np.int_) cuts off the "
        f"fractions. The pixels are fractions (from 0 to 1 in our data): keep their float dtype.")
    expected = _numbered_images()  # pixel (r, c) of image i is X[i, 28·r + c]: 784·i + 28·r + c + 0.5
    if not np.array_equal(got, expected):
        slips = [  # what the usual slips give on the same X, and their likely cause
            (expected.transpose(0, 2, 1), "Each image comes out transposed, its rows and columns "
             "swapped (a transpose, or order='F'): X holds each image row by row, and reshape "
             "fills the rows of each image in the same order by itself."),
            (numbered.T.reshape(3, 28, 28), "X.T mixes the images: reshape X itself."),
            (expected * 255, "The pixels are multiplied by 255: roll only reshapes; every pixel "
             "keeps its value (ours are from 0 to 1)."),
            (expected / 255, "The pixels are divided by 255: roll only reshapes; every pixel keeps "
             "its value."),
            (expected[:, :, ::-1], "Each image comes out mirrored, each row right to left ([::-1]?): "
             "X holds each row of an image from its left end."),
            (expected[:, ::-1, :], "Each image comes out upside down, its rows in reverse order "
             "([::-1]?): X holds the rows of an image from the top one down."),
        ]
        cause = next((why for wrong, why in slips if np.array_equal(got, wrong)),
                     "Image i must be row i of X, cut into 28 rows of 28 pixels.")
        image, r, c = np.argwhere(got != expected)[0]
        raise AssertionError(f"{setup} pixel ({r}, {c}) of image {image} is {got[image, r, c]:g}; "
                             f"expected {expected[image, r, c]:g}, X[{image}, {28 * r + c}]. {cause}")
    one = roll(numbered[:1])
    assert np.shape(one) == (1, 28, 28), (f"for X of shape (1, 784), one image, roll returned shape "
                                          f"{np.shape(one)}; expected (1, 28, 28): keep the batch axis.")


# The pixels asked for, corners included, and their positions worked out by hand: the rows above
# pixel (r, c) fill 28 positions each, then c more along its own row.
PIXELS = [(0, 0), (0, 27), (1, 0), (14, 9), (27, 27)]
POSITIONS = [0, 27, 28, 401, 783]  # 0; 27; 28 + 0; 14 × 28 + 9 = 392 + 9; 27 × 28 + 27 = 756 + 27
# What the usual slips give on the same pixels, worked out by hand, and their likely cause.
POSITION_SLIPS = [
    ([0, 756, 1, 266, 783],  # 28 × column + row: (0, 27) -> 756, (14, 9) -> 252 + 14
     "Row and column are swapped: the whole rows above come first, 28 positions each, so it is "
     "the row that counts 28 at a time, and the column that counts 1 at a time."),
    ([1, 28, 29, 402, 784],  # one more than each position
     "Every position is one too far: positions count from 0, so pixel (0, 0) is at position 0."),
    ([0, 27, 27, 387, 756],  # rows of 27: (14, 9) -> 378 + 9, (27, 27) -> 729 + 27
     "A row holds 28 pixels (columns 0 to 27), so each row above moves the position on by 28, "
     "not 27."),
    ([-28, -1, 0, 373, 755],  # one row too few: (0, 0) -> −28, (14, 9) -> 13 × 28 + 9
     "It counts one row too few, as if rows counted from 1: row 0 has no rows above it, so pixel "
     "(0, 0) is at position 0, and row r has r whole rows above it."),
    ([0, 0, 0, 126, 729],  # row × column: (14, 9) -> 126, (27, 27) -> 729
     "row × column is not a position: pixel (0, 27) would land at 0, on pixel (0, 0). Each row "
     "above moves the position on by a whole row of pixels, then the column moves it along its "
     "own row."),
    ([0, 27, 1, 23, 54],  # row + column: (1, 0) -> 1, (14, 9) -> 23
     "row + column forgets that each row above holds 28 pixels: pixel (1, 0), the first of row 1, "
     "comes after the 28 pixels of row 0."),
    ([-1, 26, 27, 400, 782],  # one less than each position
     "Every position is one too few: positions count from 0, and pixel (0, 0) is at position 0, "
     "not −1: nothing is subtracted."),
    ([28, 55, 56, 429, 811],  # one row too many: (0, 0) -> 28, (14, 9) -> 15 × 28 + 9
     "It counts one row too many (row + 1): row 0 has no rows above it, so pixel (0, 0) is at "
     "position 0, and row r has r whole rows above it."),
    ([0, 27, 29, 415, 810],  # rows of 29: (14, 9) -> 406 + 9, (27, 27) -> 783 + 27
     "A row holds 28 pixels (columns 0 to 27), so each row above moves the position on by 28, "
     "not 29."),
]


@check('pixel_position', '5 pixels by hand, corners included: whole numbers from 0 to 783')
def pixel_position(pixel_position):
    got = [pixel_position(r, c) for r, c in PIXELS]
    assert got[0] is not None, "pixel_position(0, 0) returned None: did you forget `return`?"
    assert np.ndim(got[3]) == 0, (
        f"pixel_position(14, 9) returned {got[3]!r}, a {type(got[3]).__name__}"
        + ("; expected one number, the position: this is the pair (row, column) itself. The "
           "position counts the pixels before (r, c) in the unrolled vector of 784"
           if np.shape(got[3]) == (2,) and list(np.ravel(got[3])) == [14, 9] else
           ": return the position itself, one whole number, not inside a list or an array"))
    cause = next((why for wrong, why in POSITION_SLIPS if got == wrong),
                 "Count the positions before pixel (r, c): the r whole rows above it, 28 pixels "
                 "each, then the c pixels to its left in its own row.")
    table = lambda values: ", ".join(f"{pixel} -> {value!r}" for pixel, value in zip(PIXELS, values))
    assert got == POSITIONS, f"it gave {table(got)}; expected {table(POSITIONS)}. {cause}"
    assert all(isinstance(value, (int, np.integer)) for value in got), (
        f"pixel_position(14, 9) returned {got[3]!r}, a {type(got[3]).__name__}: a position indexes "
        f"an array, so it must be a whole number (an int). Did you divide with / somewhere?")
