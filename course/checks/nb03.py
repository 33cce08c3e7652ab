"""The checks of 03_dataset.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("share_of_ones")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import difflib
import re

import numpy as np

from course.checks.framework import check, notebook_arrays_read


def _no_such_attribute(call, error, array_name):
    """The message for an AttributeError on one of the arrays the function was given: a list's
    .count used on an array, a NumPy function used as a method, or a misspelt name."""
    attribute = getattr(error, "name", None) or (re.findall(r"attribute '(\w+)'", str(error)) or ["?"])[0]
    told = f"{call} stopped with AttributeError: {error}."
    if attribute == "count":
        return (f"{told} {array_name} is a NumPy array, not a list: it has no .count. Compare "
                f"the whole array at once instead, which gives one True or False per entry, and let "
                f"NumPy add or average those (it counts a True as 1).")
    if hasattr(np, attribute):
        return (f"{told} np.{attribute} is a function of NumPy, not a method of arrays: call it as "
                f"np.{attribute}(array, ...), or use a method that arrays do have (print(dir({array_name})) "
                f"lists them).")
    close = difflib.get_close_matches(attribute, [n for n in dir(np.ndarray) if not n.startswith("_")],
                                      n=1, cutoff=0.8)
    return (f"{told} A misspelt name?" + (f" Did you mean .{close[0]}?" if close else "")
            + f" print(dir({array_name})) lists what an array has.")


# (labels, number of ones, share of ones), counted by hand.
LABEL_EXAMPLES = [
    ([1, 0, 1, 1, 0, 1, 1, 1], 6, 0.75),           # 6 ones of 8 labels: 6 / 8
    ([0, 0, 1, 0, 0, 0, 0, 0, 0, 1], 2, 0.2),      # 2 ones of 10 labels: 2 / 10
    ([1, 0, 0, 1, 0, 1, 0], 3, 3 / 7),             # 3 ones of 7: 0.428571..., shows any rounding
]


@check('share_of_ones', '3 label arrays by hand (0.75, 0.2 and 3/7): the exact fraction of the labels it is given, not a count, a percentage or rounded')
def share_of_ones(share_of_ones):
    answers, dtypes = [], []
    for labels, _, _ in LABEL_EXAMPLES:
        example = np.array(labels)
        example.flags.writeable = False  # share_of_ones must leave the labels as they are
        call = f"share_of_ones(np.array({labels}))"
        try:
            got = share_of_ones(example)
        except AttributeError as error:
            if "'numpy.ndarray' object has no attribute" not in str(error):
                raise
            raise AssertionError(_no_such_attribute(call, error, "labels")) from None
        except ValueError as error:  # np.exceptions.AxisError is a ValueError (and an IndexError)
            if type(error).__name__ != "AxisError":
                raise
            raise AssertionError(
                f"{call} stopped with AxisError: {error}. labels is one-dimensional, one label "
                f"after the other: it has only axis 0, and a share of all labels needs no axis "
                f"argument at all.") from None
        assert got is not None, f"{call} returned None: did you forget `return`?"
        assert np.ndim(got) == 0 and np.asarray(got).dtype.kind in "iuf", (
            f"{call} returned {got!r}, a {type(got).__name__}: return the number itself "
            f"(the notebook formats it as a percentage when it prints).")
        answers.append(float(got))
        dtypes.append(np.asarray(got).dtype)
    notebook_arrays = notebook_arrays_read(share_of_ones)
    for (labels, ones, expected), got, dtype in zip(LABEL_EXAMPLES, answers, dtypes):
        call = f"share_of_ones(np.array({labels}))"
        count = len(labels)
        slips = [  # what the usual slips give on the same labels, and their likely cause
            (1 - expected, "That is the share of zeros: count the labels equal to 1."),
            (ones, "That is the number of ones: divide it by the number of labels."),
            (100 * expected, "That is a percentage: return the fraction, from 0 to 1 (the notebook "
                             "prints it as a percentage)."),
            (1.0, "len(labels == 1) is the length of the whole mask, one entry per label, not the "
                  "number of ones: a mask's True entries are what count (NumPy counts a True as 1 "
                  "when it adds or averages)."),
            (1 / count, "That is 1 / the number of labels: len(np.where(...)) is the length of the "
                        "tuple np.where returns (one array per axis, so 1), not the number of ones."),
            (ones / (count - 1), "It divides by one less than the number of labels (len − 1?): "
                                 "divide by the number of all labels."),
            (ones / (count + 1), "It divides by one more than the number of labels (len + 1?): "
                                 "divide by the number of all labels."),
            (ones // count, "The fraction is cut off (`//` or int()): divide with `/`, which keeps it."),
            (ones / (count - ones), "That is ones per zero: divide by the number of all labels."),
        ] + [(round(expected, decimals), f"That is the fraction rounded to {decimals} decimal"
              f"{'s' * (decimals > 1)}: return it exactly (no round()); the notebook rounds only "
              f"when it prints.") for decimals in (1, 2, 3, 4) if round(expected, decimals) != expected]
        cause = next((why for value, why in slips if np.isclose(got, value)),
                     "The share of ones is the number of labels equal to 1 divided by the number of "
                     "all labels.")
        if answers == [1.0, 1.0, 1.0]:  # the same for every label array: two slips give it
            cause = ("It returned 1 for every label array: either len(labels == 1), the length of the "
                     "whole mask (one entry per label), divided by the number of labels, or the mean "
                     "of the ones alone (labels[labels == 1] keeps only the ones, whose mean is 1). "
                     "Count the labels equal to 1, then divide by the number of ALL labels.")
        elif answers == [1.0, 0.0, 0.0]:  # the middle values of the three label arrays
            cause = ("That is the median of the labels, their middle value (0 or 1), not the "
                     "share of ones: average the mask of the ones (NumPy counts a True as 1), or "
                     "divide the number of ones by the number of labels.")
        if notebook_arrays:
            cause = (f"It reads the notebook's {', '.join(notebook_arrays)} instead of its argument "
                     f"labels: count the ones of the labels it is given.")
        elif len(set(answers)) == 1 and answers[0] != 1.0:
            cause = (f"It returned {got:g} for every label array, though 75 % of the first and 20 % "
                     f"of the second are ones: use its argument labels, not an array or a number "
                     f"of your own.")
        if dtype.itemsize < 8 and np.isclose(got, expected, rtol=1e-3, atol=0):
            cause = (f"It is a number of dtype {dtype}, which keeps fewer digits than float64: keep "
                     f"NumPy's float64 (its default), which the notebook's later arithmetic expects.")
        assert abs(got - expected) < 1e-12, (
            f"{call} returned {got:.10g}; expected {expected:.10g} ({ones} ones among {count} "
            f"labels). {cause}")


# Six images of one grey level each: every pixel of image i is GREY_LEVELS[i].
GREY_LEVELS = [0.1, 0.2, 0.3, 0.8, 0.9, 0.7]
GREY_LABELS = [1, 0, 0, 1, 1, 0]
# (digit, its average, the other digit's average, the median, the sum, image number `digit`,
# the first image labelled digit, the largest level), worked out by hand from the levels of the
# images labelled digit.
GREY_CASES = [
    (1, 0.6, 0.4, 0.8, 1.8, 0.2, 0.1, 0.9),  # images 0, 3, 4: 0.1, 0.8, 0.9; sum 1.8, mean 1.8 / 3 = 0.6
    (0, 0.4, 0.6, 0.3, 1.2, 0.1, 0.2, 0.7),  # images 1, 2, 5: 0.2, 0.3, 0.7; sum 1.2, mean 1.2 / 3 = 0.4
]


@check('average_image', '6 images of one grey level each, both digits: shape (28, 28), the images of that digit only, their mean; then images whose pixels all differ: each pixel averaged in its place')
def average_image(average_image):
    example_images = np.array(GREY_LEVELS)[:, None, None] * np.ones((6, 28, 28))
    example_labels = np.array(GREY_LABELS)
    example_images.flags.writeable = example_labels.flags.writeable = False  # to be left as they are
    notebook_arrays = notebook_arrays_read(average_image)
    setup = ("for 6 images of one grey level each, 0.1, 0.2, 0.3, 0.8, 0.9 and 0.7, labelled "
             "[1, 0, 0, 1, 1, 0],")
    for digit, expected, other, median, total, single, first, largest in GREY_CASES:
        call = f"average_image(images, labels, digit={digit})"
        try:
            got = average_image(example_images, example_labels, digit)
        except AttributeError as error:
            if "'numpy.ndarray' object has no attribute" not in str(error):
                raise
            raise AssertionError(_no_such_attribute(call, error, "images")) from None
        except (IndexError, ValueError) as error:
            if not notebook_arrays or "read-only" in str(error):
                raise
            raise AssertionError(
                f"{setup} {call} stopped with {type(error).__name__}: {error}. It reads the "
                f"notebook's {', '.join(notebook_arrays)} instead of its own arguments, images and "
                f"labels, which do not fit them: use the arguments it is given.") from None
        assert got is not None, f"{call} returned None: did you forget `return`?"
        shape = np.shape(got)
        shape_causes = {
            (): "A single number: .mean() without an axis averages every pixel of every image. "
                "Average over the images only, axis 0.",
            (3,): "One number per image: that averages the pixels within each image. Average over "
                  "the images instead, axis 0.",
            (3, 28, 28): "These are the 3 images of that digit themselves: average them, axis 0.",
            (784,): "The average is unrolled: return it as an image, shape (28, 28).",
            (1, 28, 28): "The average kept the averaged axis as an axis of length 1 (keepdims=True): "
                         "return the image itself, shape (28, 28), without keepdims.",
        }
        assert shape == (28, 28), (
            f"{setup} {call} returned shape {shape}; expected (28, 28), one average per pixel. "
            + shape_causes.get(shape, "The images are counted along axis 0: average along that "
                                      "axis only, which leaves one value per pixel."))
        slips = [  # what the usual slips give on the same images, and their likely cause
            (0.5, "That is the average of all 6 images (3.0 / 6), whatever their label: keep only "
                  "the images whose label equals digit (the mask labels == digit is True for "
                  "them)."),
            (other, "That is the average of the other digit's images: the mask must be True where "
                    "the label equals digit, not where it differs."),
            (total, "That is the sum of the 3 images, not their average: divide by their number, "
                    "or take their mean."),
            (0.15, "images[labels] picks images by the values of the labels (images 1, 0, 0, 1, 1, "
                   "0 here, their mean 0.15), not the images labelled digit: index the images with "
                   "a mask, True where the label equals digit."),
            (single, f"images[digit] is the single image number {digit}, not the images labelled "
                     f"{digit}: index the images with a mask, True where the label equals digit."),
            (total / 6, "It divides by the number of all 6 images, not by the 3 labelled digit: "
                        "average only the images you kept."),
            (median, "That is the median of the 3 images (their middle value), not their mean: "
                     "average them."),
            (first, f"That is the first image labelled {digit} alone: average all 3 images "
                    f"labelled {digit}, along axis 0."),
            (largest, "That is the largest value of the 3 images (a max), not their mean: average "
                      "them."),
            (255 * expected, "That is the average times 255, on the scale 0-255: the images hold "
                             "values from 0 to 1; keep their scale."),
        ]
        assert np.ptp(got) <= 1e-9, (
            f"{setup} {call} returned an image whose pixels differ (from {np.min(got):.3g} to "
            f"{np.max(got):.3g}), though every image it was given has all its pixels alike: "
            + (f"it reads the notebook's {', '.join(notebook_arrays)} instead of its own arguments."
               if notebook_arrays else
               "does it use the notebook's train_images or train_labels instead of its own arguments?"))
        value = np.ravel(got)[0]
        cause = next((why for wrong, why in slips if np.allclose(got, wrong)),
                     "Average the images labelled digit, pixel by pixel.")
        if np.asarray(got).dtype.kind in "biu":
            cause = (f"It holds whole numbers (dtype {np.asarray(got).dtype}): the average of pixels "
                     f"from 0 to 1 is a fraction, which a cast to int (or rounding) turns into 0 or "
                     f"1. Keep the floats the mean gives.")
        elif notebook_arrays:
            cause = (f"It reads the notebook's {', '.join(notebook_arrays)} instead of its own "
                     f"arguments: use the images and labels it is given.")
        assert np.allclose(got, expected), (
            f"{setup} {call} returned pixels such as {value:.3g}; expected {expected} everywhere, the "
            f"average of the images labelled {digit}. {cause}")

    # Images whose pixels all differ: pixel (r, c) of the average must come from pixel (r, c).
    ramp = np.arange(784.0).reshape(28, 28) / 783  # pixel (r, c) holds (28·r + c) / 783: 0 to 1
    ramp_images = np.stack([ramp, np.ones((28, 28)), ramp / 2])
    ramp_labels = np.array([0, 1, 0])
    ramp_images.flags.writeable = ramp_labels.flags.writeable = False
    got = np.asarray(average_image(ramp_images, ramp_labels, 0))
    expected = 0.75 * ramp  # images 0 and 2 are labelled 0: (ramp + ramp / 2) / 2
    if not np.allclose(got, expected):
        row, column = np.argwhere(~np.isclose(got, expected))[0]
        raise AssertionError(
            f"for 3 images labelled [0, 1, 0], image 0 with pixel (r, c) = (28·r + c) / 783, image 1 "
            f"all ones and image 2 half of image 0, average_image(images, labels, digit=0) has pixel "
            f"({row}, {column}) = {got[row, column]:.4g}; expected {expected[row, column]:.4g}, the "
            f"average of pixel ({row}, {column}) over images 0 and 2. "
            + ("Its rows and columns are swapped: the average is transposed (a .T, or the wrong "
               "axes). Average along axis 0 only, the axis that counts the images, without "
               "transposing." if np.allclose(got, expected.T) else
               "Average each pixel in its place: pixel (r, c) of the average comes from pixel "
               "(r, c) of each image kept, and from nowhere else."))
