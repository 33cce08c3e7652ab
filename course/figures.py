"""The course's figures. Each function returns its matplotlib Figure; matplotlib is imported by
the first one called, so that importing the course stays fast.
"""
from collections.abc import Mapping, Set as AbstractSet

import numpy as np

from course.data import IMAGE_SHAPE, _as_array

# The two colours that carry meaning in the course's figures, from Okabe and Ito's palette for
# colour-blind readers (https://jfly.uni-koeln.de/color/): they stay far apart under red-, green-
# and blue-weak vision alike, where green and red merge. Colour is never the only cue: every figure
# also tells the pair apart by a mark, a word or a line style (tests/test_figures_accessible.py).
BLUE = "#0072B2"        # right answers, training curves, class 0 and weights that argue for it
VERMILLION = "#D55E00"  # wrong answers, validation curves, class 1 and weights that argue for it
RIGHT_MARK, WRONG_MARK = "✓", "✗"
# The widest figure, in inches: at the notebooks' 100 dpi it fits the narrowest page unshrunk (the
# website's column in a 1280-pixel window, 688 pixels), so 9 pt text reads as 9 pt.
FIGURE_WIDTH = 6.6

# Training and validation curves differ in colour, line style and marker, so that they can be told
# apart in grey, by colour-blind readers, and where they cross. Keys: the start of a history key.
# A marker every tenth of the axes, validation's offset by half of that: they never overlap.
CURVE_STYLES = {
    "train": {"label": "training", "color": BLUE, "ls": "-", "marker": "o",
              "markevery": (0.0, 0.1)},
    "val": {"label": "validation", "color": VERMILLION, "ls": "--", "marker": "s",
            "markevery": (0.05, 0.1)},
}


PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1]
# plot_examples draws one titled image per axes: 8 rows of 8 make a figure 9 inches tall, drawn in
# about a second; 800 took 25 s and 150 inches that no one scrolls through. More is refused, with
# the slice to pass instead.
MAX_EXAMPLES = 64


def _what(values, array):
    """What a learner passed, in words: a single value by its repr, an array by its shape."""
    if array.ndim == 0:
        return f"a single {type(values).__name__}, {values!r:.60}"
    return f"an array of shape {array.shape} and dtype {array.dtype}"


def _as_numbers(values, name, function, kinds, meaning):
    """`values` as an array whose dtype is one of `kinds` (numpy's dtype kinds), or a TypeError
    that names the function, the argument, what it must hold and what came."""
    array = _as_array(values, name)
    if array.dtype.kind not in kinds:
        raise TypeError(f"{function}: {name} must hold {meaning}, got {_what(values, array)}")
    return array


# Pixel values: numbers from 0 (white) to 1 (black); True and False draw as 1 and 0.
PIXEL_KINDS, PIXEL_MEANING = "buif", "real numbers, pixel values from 0 (white) to 1 (black)"


def _as_image(values, name, function, kinds=PIXEL_KINDS, meaning=PIXEL_MEANING):
    """One image of numbers as a (28, 28) array (from (28, 28) or unrolled (784,)), or an error
    that names the function and the argument and says what came."""
    array = _as_numbers(values, name, function, kinds, meaning)
    if array.shape == (PIXELS,):
        return array.reshape(IMAGE_SHAPE)
    if array.shape != IMAGE_SHAPE:
        hint = ""
        if array.size == PIXELS:  # such as a column of weights, shape (784, 1)
            hint = f" Its {PIXELS} values can be passed as {name}.reshape(-1)."
        elif function == "plot_example" and array.ndim in (2, 3) \
                and array.shape[1:] in (IMAGE_SHAPE, (PIXELS,)):
            hint = " For several images, use plot_examples."
        raise ValueError(f"{function}: {name} must be one image, shape (28, 28) or (784,), got "
                         f"{_what(values, array)}.{hint}")
    return array


def _as_images(values, function):
    """A stack of images as an (n, 28, 28) or (n, 784) array, or an error saying what came."""
    array = _as_numbers(values, "images", function, PIXEL_KINDS, PIXEL_MEANING)
    if not (array.ndim == 2 and array.shape[1] == PIXELS
            or array.ndim == 3 and array.shape[1:] == IMAGE_SHAPE):
        hint = (" For one image, use plot_example(image), or pass images[:1]."
                if array.shape in (IMAGE_SHAPE, (PIXELS,)) else "")
        raise ValueError(f"{function}: images must be a stack of images, shape (n, 28, 28) or "
                         f"(n, 784), got {_what(values, array)}.{hint}")
    return array


def _draw_digit(ax, image, title=None, color="black"):
    ax.imshow(image.reshape(IMAGE_SHAPE), cmap="gray_r", vmin=0.0, vmax=1.0)
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title, color=color, fontsize=9)


def plot_example(image, label=None):
    """One image, (28, 28) or unrolled (784,), with its label as the title if given."""
    import matplotlib.pyplot as plt
    image = _as_image(image, "image", "plot_example")
    fig, ax = plt.subplots(figsize=(2.5, 2.5))
    _draw_digit(ax, image, None if label is None else f"label: {label}")
    return fig


def _zeros_and_ones(values, name, function):
    """`values` as an int64 array of 0s and 1s, shape (m,), or an error saying what came."""
    array = _as_array(values, name)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(f"{function}: {name} must be one 0 or 1 per example, shape (m,), "
                         f"got shape {array.shape}")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{function}: {name} must hold the numbers 0 and 1, got an array of "
                        f"dtype {array.dtype}")
    wrong = array[(array != 0) & (array != 1)]
    if wrong.size:
        between = wrong[(wrong > 0) & (wrong < 1)]
        hint = (" These look like probabilities: pass labels (model.predict(X)), not "
                "probabilities (model.forward(X))." if between.size else "")
        raise ValueError(f"{function}: {name} must hold only 0 and 1, got also "
                         f"{np.unique(wrong)[:5].tolist()}.{hint}")
    return array.astype(np.int64)


def plot_examples(images, labels, predictions=None, columns=8, probabilities=None, titles=None):
    """A grid of images titled with their labels (0 or 1).

    With `predictions` (0 or 1 each), each title reads "✓ predicted (true label)" in blue when the
    prediction is right and "✗ predicted (true label)" in vermillion when it is wrong: the mark, not
    only the colour, tells them apart. With `probabilities` (the model's probability of a 1 for each
    image), the title adds it: "p = 0.39". `titles` (one string per image) replaces the label
    titles, for images that are not examples, such as averages.

    At most 64 images (MAX_EXAMPLES), 8 rows of 8: pass a slice, such as images[:16], to see more
    than one screenful of a data set.
    """
    import matplotlib.pyplot as plt
    images = _as_images(images, "plot_examples")
    if len(images) > MAX_EXAMPLES:
        raise ValueError(f"plot_examples: draws at most {MAX_EXAMPLES} images (more make a "
                         f"figure too tall to look through, and slow to draw), got "
                         f"{len(images)}. Pass the ones to look at, such as the first 16: "
                         f"plot_examples(images[:16], labels[:16]), or a random mini-batch "
                         f"(helpers.random_batch).")
    labels = _zeros_and_ones(labels, "labels", "plot_examples")
    if len(images) != len(labels) or len(images) == 0:
        raise ValueError(f"plot_examples: need as many labels as images (at least one), got "
                         f"{len(images)} images and {len(labels)} labels")
    if predictions is not None:
        predictions = _zeros_and_ones(predictions, "predictions", "plot_examples")
        if len(predictions) != len(labels):
            raise ValueError(f"plot_examples: need one prediction per image, got "
                             f"{len(predictions)} predictions for {len(images)} images")
    if probabilities is not None:
        probabilities = _as_array(probabilities, "probabilities").reshape(-1)
        if len(probabilities) != len(images) or probabilities.dtype.kind not in "uif" \
                or not np.all((probabilities >= 0) & (probabilities <= 1)):
            raise ValueError(f"plot_examples: probabilities must be one number from 0 to 1 per "
                             f"image ({len(images)}), got {probabilities[:5].tolist()}")
    if titles is not None:
        _check_a_list_of_titles(titles, len(images))
    if isinstance(columns, bool) or not isinstance(columns, (int, np.integer)) or columns < 1:
        raise ValueError(f"plot_examples: columns must be a whole number, at least 1, got "
                         f"{columns!r}")
    columns = min(columns, len(images))
    rows = -(-len(images) // columns)
    # As large as 1.5 inches an image, but never wider than a page shows unshrunk (FIGURE_WIDTH at
    # the notebooks' 100 dpi), where the titles' 9 pt stay 9 pt; and room for them above each.
    size = min(1.5, FIGURE_WIDTH / columns)
    height = size + (0.5 if probabilities is not None else 0.3)
    fig, axes = plt.subplots(rows, columns, figsize=(size * columns, height * rows), squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index >= len(images):
            ax.axis("off")
            continue
        label, color = labels[index], "black"
        if titles is not None:
            title = str(titles[index])
        elif predictions is None:
            title = f"label {label}"
        else:
            title, color = _verdict(predictions[index], label)
        if probabilities is not None:
            title += f"\np = {probabilities[index]:.2f}"
        _draw_digit(ax, images[index], title, color=color)
    fig.tight_layout()
    return fig


def _check_a_list_of_titles(titles, count):
    """Nothing if `titles` is a sequence of `count` titles, else an error saying what came."""
    kind = type(titles).__name__
    if isinstance(titles, (str, bytes)):
        got = f"one string, {titles!r:.60}"
    elif not hasattr(titles, "__iter__"):
        got = f"{titles!r:.60} ({kind})"
    elif not hasattr(titles, "__len__"):  # a generator, an iterator
        got = f"a {kind}, which has no length: pass a list, such as list(titles)"
    elif isinstance(titles, (AbstractSet, Mapping)) or not hasattr(titles, "__getitem__"):
        got = (f"a {kind}{', which has no order' if isinstance(titles, AbstractSet) else ''}: "
               f"pass a list, in the order of the images")
    elif len(titles) != count:
        got = f"{len(titles)} titles: {titles!r:.80}"
    else:
        return
    raise ValueError(f"plot_examples: titles must be a list of strings, one per image ({count}), "
                     f"got {got}")


def _verdict(prediction, label):
    """The title of a prediction and its colour; its mark, ✓ or ✗, says right or wrong in grey too."""
    if prediction == label:
        return f"{RIGHT_MARK} {prediction} (true {label})", BLUE
    return f"{WRONG_MARK} {prediction} (true {label})", VERMILLION


def _plot_curve(ax, steps, values, key):
    """One recorded quantity against the iteration, styled by whose it is (training, validation)."""
    prefix, _, quantity = key.partition("_")
    style = dict(CURVE_STYLES.get(prefix, {"label": prefix, "markevery": (0.0, 0.1)}))
    label = f"{style.pop('label')} {quantity.replace('_', ' ')}".strip()
    ax.plot(steps, values, label=label, ms=5, lw=1.8, **style)


def _history_values(history, key):
    """history[key] as a 1-D array of numbers, or an error naming the key and what it holds."""
    values = history[key]
    expected = (f"plot_history: history[{key!r}] must be a list of numbers, one per record "
                f"(model.train appends one at each evaluation)")
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"{expected}, got {values!r:.60} ({type(values).__name__})")
    array = _as_array(values, f"history[{key!r}]")
    if array.ndim != 1 or array.dtype.kind not in "iuf":
        raise TypeError(f"{expected}, got {_what(values, array)}: {values!r:.60}")
    return array


def plot_history(history):
    """Training curves: loss (left) and accuracy (right) against the iteration.

    `history` maps "iteration" to a list of iteration numbers and each recorded quantity
    ("train_loss", "val_loss", "val_accuracy", ...) to a list of the same length.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import LogLocator, MaxNLocator, NullFormatter
    if not isinstance(history, Mapping):
        raise TypeError(f"plot_history: history must be a dict of lists, such as model.history "
                        f"or what model.train returns ({{'iteration': [0, 10, ...], "
                        f"'train_loss': [...], ...}}), got {history!r:.60} "
                        f"({type(history).__name__})")
    if "iteration" not in history:
        raise ValueError(f"plot_history: history must have an 'iteration' entry, got keys "
                         f"{sorted(map(str, history))}")
    curves = {key: _history_values(history, key) for key in history}
    steps = curves.pop("iteration")
    for key, values in curves.items():
        if len(values) != len(steps):
            raise ValueError(f"plot_history: history[{key!r}] has {len(values)} values for "
                             f"{len(steps)} iterations")
    fig, (loss_ax, accuracy_ax) = plt.subplots(1, 2, figsize=(FIGURE_WIDTH, 3.3))
    for key, values in curves.items():
        _plot_curve(loss_ax if "loss" in key else accuracy_ax, steps, values, key)
    # A log scale shows the loss still falling long after the first steep drop.
    loss_ax.set(xlabel="iteration", ylabel="binary cross-entropy (log scale)", title="Loss",
                yscale="log")
    accuracy_ax.set(xlabel="iteration", ylabel="accuracy", title="Accuracy")
    # Ticks at 1, 2 and 5 times powers of ten, labelled 0.2 rather than 2 x 10^-1.
    loss_ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    loss_ax.yaxis.set_major_formatter(lambda value, _: f"{value:g}")
    loss_ax.yaxis.set_minor_formatter(NullFormatter())
    accuracy_ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0%}")
    for ax in (loss_ax, accuracy_ax):
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))  # whole iterations
        ax.grid(alpha=0.3)
        if ax.lines:
            ax.legend()
    fig.tight_layout()
    return fig


def _weights_colormap():
    """Blue (negative weights, for 0) through white (0) to vermillion (positive, for 1)."""
    from matplotlib.colors import LinearSegmentedColormap
    return LinearSegmentedColormap.from_list("blue_white_vermillion", [BLUE, "white", VERMILLION])


def plot_weights(weights):
    """A model's 784 weights as a 28 x 28 image: vermillion pushes towards 1, blue towards 0.

    The colour scale runs from -max|w| (full blue) to +max|w| (full vermillion), so white is 0;
    all-zero weights (an untrained model) get the scale -1 to 1.
    """
    import matplotlib.pyplot as plt
    image = _as_image(weights, "weights", "plot_weights", kinds="iuf",
                      meaning="real numbers (the model's weights, model.w)")
    not_finite = ~np.isfinite(image)
    if not_finite.any():
        rows, columns = np.nonzero(not_finite)
        which = "; ".join(f"{image[r, c]} at index {r * IMAGE_SHAPE[1] + c} (row {r}, column {c})"
                          for r, c in zip(rows[:3], columns[:3]))
        more = f"; and {len(rows) - 3} more" if len(rows) > 3 else ""
        raise ValueError(f"plot_weights: weights must be finite numbers, got {len(rows)} of "
                         f"{image.size} NaN or infinite: {which}{more}. Weights become NaN or "
                         f"infinite when training diverges: train again with a smaller "
                         f"learning rate.")
    limit = float(np.abs(image).max()) or 1.0
    fig, ax = plt.subplots(figsize=(4.4, 3.6))
    shown = ax.imshow(image, cmap=_weights_colormap(), vmin=-limit, vmax=limit)
    ax.set(xticks=[], yticks=[], title="Learned weights, one per pixel")
    # The label says in words what the sign means, so the colours are not needed to read it.
    fig.colorbar(shown, ax=ax, label="weight (− argues for 0, + for 1)")
    fig.tight_layout()
    return fig


def plot_confusion_matrix(labels, predictions, class_names=("0", "1")):
    """The 2 x 2 table of true labels (rows) against predictions (columns), with counts.

    labels and predictions hold 0 or 1 each; class_names names class 0 and class 1.
    """
    import matplotlib.pyplot as plt
    labels = _zeros_and_ones(labels, "labels", "plot_confusion_matrix")
    predictions = _zeros_and_ones(predictions, "predictions", "plot_confusion_matrix")
    if isinstance(class_names, (str, bytes)) or not hasattr(class_names, "__len__") \
            or not hasattr(class_names, "__getitem__") or len(class_names) != 2:
        raise ValueError(f"plot_confusion_matrix: class_names must name the two classes, 0 and 1, "
                         f"e.g. ('benign', 'malignant') (the default is ('0', '1')), got "
                         f"{class_names!r:.60}")
    if labels.shape != predictions.shape:
        raise ValueError(f"plot_confusion_matrix: need one prediction per label, got "
                         f"{len(predictions)} predictions for {len(labels)} labels")
    counts = np.array([[np.sum((labels == true) & (predictions == predicted)) for predicted in (0, 1)]
                       for true in (0, 1)])
    fig, ax = plt.subplots(figsize=(4, 3.4))
    ax.imshow(counts, cmap="Blues", vmin=0)
    for (row, column), count in np.ndenumerate(counts):
        ax.text(column, row, str(count), ha="center", va="center", fontsize=14,
                color="white" if count > counts.max() / 2 else "black")
    ax.set(xticks=[0, 1], yticks=[0, 1], xticklabels=[f"predicted\n{n}" for n in class_names],
           yticklabels=[f"true {n}" for n in class_names], title="Confusion matrix")
    fig.tight_layout()
    return fig
