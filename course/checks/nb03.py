"""The checks of 03_dataset.ipynb: one function per check cell, named as the cell calls it
(`helpers.check("share_of_ones")`).

Each takes, by the names of its parameters, what it needs from the notebook, and holds the
inputs, the expected values and the likely causes of the mistakes learners make there.
"""
import dis

import numpy as np

from course.checks.framework import check


@check('share_of_ones', '3 label arrays by hand (0.75, 0.2 and 3/7): the exact fraction of the labels it is given, not a count, a percentage or rounded')
def share_of_ones(share_of_ones):
    examples = [(np.array([1, 0, 1, 1, 0, 1, 1, 1]), 0.75),
                (np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 1]), 0.2),
                (np.array([1, 0, 0, 1, 0, 1, 0]), 3 / 7)]  # 0.428571...: shows any rounding
    answers = []
    for example, expected in examples:
        example.flags.writeable = False  # share_of_ones must leave the labels as they are
        call = f"share_of_ones(np.array({example.tolist()}))"
        got = share_of_ones(example)
        assert got is not None, f"{call} returned None: did you forget `return`?"
        assert np.ndim(got) == 0 and np.asarray(got).dtype.kind in "iuf", (
            f"{call} returned {got!r}, a {type(got).__name__}: return the number itself "
            f"(the notebook formats it as a percentage when it prints).")
        answers.append(float(got))
    notebook_arrays = sorted({step.argval for step in dis.get_instructions(share_of_ones)  # the
                              if step.opname == "LOAD_GLOBAL"                           # notebook's
                              and isinstance(share_of_ones.__globals__.get(step.argval), np.ndarray)})  # arrays it reads
    for (example, expected), got in zip(examples, answers):
        call = f"share_of_ones(np.array({example.tolist()}))"
        ones = int(np.sum(example == 1))
        slips = [  # what the usual slips give on the same labels, and their likely cause
            (1 - expected, "That is the share of zeros: count the labels equal to 1."),
            (ones, "That is the number of ones: divide it by the number of labels."),
            (100 * expected, "That is a percentage: return the fraction, from 0 to 1 (the notebook "
                             "prints it as a percentage)."),
            (1.0, "len(labels == 1) is the length of the whole mask, one entry per label, not the "
                  "number of ones: count its True entries with np.sum, or take np.mean."),
            (ones // len(example), "The fraction is cut off (`//` or int()): keep it, divide with `/`."),
            (ones / (len(example) - ones), "That is ones per zero: divide by the number of all labels."),
        ] + [(round(expected, decimals), f"That is the fraction rounded to {decimals} decimal"
              f"{'s' * (decimals > 1)}: return it exactly (no round()); the notebook rounds only "
              f"when it prints.") for decimals in (1, 2, 3, 4) if round(expected, decimals) != expected]
        cause = next((why for value, why in slips if np.isclose(got, value)),
                     "The share of ones is (number of labels equal to 1) / (number of labels).")
        if notebook_arrays:
            cause = (f"It reads the notebook's {', '.join(notebook_arrays)} instead of its argument "
                     f"labels: count the ones of the labels it is given.")
        elif len(set(answers)) == 1 and answers[0] != 1.0:
            cause = (f"It returned {got:g} for every label array, though 75 % of the first and 20 % "
                     f"of the second are ones: use its argument labels, not an array or a number "
                     f"of your own.")
        assert abs(got - expected) < 1e-12, (
            f"{call} returned {got:g}; expected {expected:g} ({ones} ones among {len(example)} labels). "
            f"{cause}")


@check('average_image', '6 images of one grey level each, both digits: shape (28, 28), the images of that digit only, their mean; then images whose pixels all differ: each pixel averaged in its place')
def average_image(average_image):
    levels = np.array([0.1, 0.2, 0.3, 0.8, 0.9, 0.7])  # every pixel of image i is levels[i]
    example_images = levels[:, None, None] * np.ones((6, 28, 28))
    example_labels = np.array([1, 0, 0, 1, 1, 0])
    example_images.flags.writeable = example_labels.flags.writeable = False  # to be left as they are
    notebook_arrays = sorted({step.argval for step in dis.get_instructions(average_image)  # the
                              if step.opname == "LOAD_GLOBAL"                           # notebook's
                              and isinstance(average_image.__globals__.get(step.argval), np.ndarray)})  # arrays it reads
    setup = ("for 6 images of one grey level each, 0.1, 0.2, 0.3, 0.8, 0.9 and 0.7, labelled "
             "[1, 0, 0, 1, 1, 0],")
    for digit, expected, other in [(1, 0.6, 0.4), (0, 0.4, 0.6)]:
        call = f"average_image(images, labels, digit={digit})"
        got = average_image(example_images, example_labels, digit)
        assert got is not None, f"{call} returned None: did you forget `return`?"
        shape = np.shape(got)
        shape_causes = {
            (): "A single number: .mean() without an axis averages every pixel of every image. "
                "Average over the images only, axis 0.",
            (3,): "One number per image: that averages the pixels within each image. Average over "
                  "the images instead, axis 0.",
            (3, 28, 28): "These are the 3 images of that digit themselves: average them, axis 0.",
            (784,): "The average is unrolled: return it as an image, shape (28, 28).",
        }
        assert shape == (28, 28), (
            f"{setup} {call} returned shape {shape}; expected (28, 28), one average per pixel. "
            + shape_causes.get(shape, "The images are counted along axis 0: average along it, "
                                      ".mean(axis=0)."))
        kept = levels[example_labels == digit]
        slips = [  # what the usual slips give on the same images, and their likely cause
            (levels.mean(), "That is the average of all 6 images, whatever their label: keep only "
                            "the images labelled digit, images[labels == digit]."),
            (other, "That is the average of the other digit's images: keep the images where "
                    "labels == digit."),
            (3 * expected, "That is the sum of the 3 images, not their average: use .mean(axis=0), "
                           "or divide the sum by their number."),
            (levels[example_labels].mean(), "images[labels] picks images by the values of the labels "
                                            "(images 1, 0, 0, 1, 1, 0 here), not the images labelled "
                                            "digit: index with the mask labels == digit."),
            (levels[digit], "images[digit] is the single image number digit: keep the images where "
                            "labels == digit."),
            (expected / 2, "It divides by the number of all 6 images, not by the 3 labelled digit: "
                           "use .mean(axis=0) on the images you kept."),
            (np.median(kept), "That is the median of the 3 images (the middle value of "
                              f"{kept.tolist()}), not their mean: use .mean(axis=0)."),
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
        assert np.allclose(got, expected), (
            f"{setup} {call} returned pixels such as {value:.3g}; expected {expected} everywhere, the "
            f"average of the images labelled {digit}. {cause}")

    # Images whose pixels all differ: pixel (r, c) of the average must come from pixel (r, c).
    ramp = np.arange(784.0).reshape(28, 28) / 783  # pixel (r, c) holds (28·r + c) / 783: 0 to 1
    ramp_images = np.stack([ramp, np.ones((28, 28)), ramp / 2])
    ramp_labels = np.array([0, 1, 0])
    ramp_images.flags.writeable = ramp_labels.flags.writeable = False
    got = np.asarray(average_image(ramp_images, ramp_labels, 0))
    expected = 0.75 * ramp
    if not np.allclose(got, expected):
        row, column = np.argwhere(~np.isclose(got, expected))[0]
        raise AssertionError(
            f"for 3 images labelled [0, 1, 0], image 0 with pixel (r, c) = (28·r + c) / 783, image 1 "
            f"all ones and image 2 half of image 0, average_image(images, labels, digit=0) has pixel "
            f"({row}, {column}) = {got[row, column]:.4g}; expected {expected[row, column]:.4g}, the "
            f"average of pixel ({row}, {column}) over images 0 and 2. "
            + ("Its rows and columns are swapped: the average is transposed (a .T, or the wrong "
               "axes). Average the images along axis 0, images[labels == digit].mean(axis=0), "
               "without transposing." if np.allclose(got, expected.T) else
               "Average each pixel in its place: images[labels == digit].mean(axis=0)."))
