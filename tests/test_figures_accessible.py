"""The helpers' figures stay readable without full colour vision, and their text is large enough.

Each pair of colours that carries meaning (right and wrong answers, training and validation curves,
the two ends of the weights' colour scale) must stay clearly apart when simulated for red-, green-
and blue-weak vision at full severity, and must ALSO differ by something other than colour (a mark,
a line style, a word), for readers who see no difference at all. Every text is at least 9 pt at
the size shown: the notebooks show figures at 100 dpi, so points are what a reader gets as long as
the figure fits the page unshrunk. The narrowest page is the website's column in a 1280-pixel-wide
window, 688 pixels (test_browser_site.py checks that no figure there is shrunk); so every figure,
the helpers' and those the notebooks draw themselves, is at most that wide.
"""
import base64
import contextlib
import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE
from matplotlib.colors import to_rgb
from matplotlib.text import Text

import course.figures
import helpers
from test_exercises import cells, source

CVD_TYPES = ("deuteranomaly", "protanomaly", "tritanomaly")
MIN_DELTA_E = 20  # CAM02-UCS; about 5 is "just noticeable side by side", 20 is "at a glance"
MIN_POINTS = 9
MAX_WIDTH_PIXELS = 688  # the website's column in a 1280-pixel window (test_browser_site.py)
INLINE_DPI, INLINE_PAD_INCHES = 100, 0.1  # how the notebooks save a figure (bbox_inches="tight")

LABELS = np.array([0, 1, 1, 0])
PREDICTIONS = np.array([0, 1, 0, 1])  # right, right, wrong, wrong
RIGHT = PREDICTIONS == LABELS
HISTORY = {"iteration": [0, 10, 20, 30], "train_loss": [0.7, 0.4, 0.3, 0.2],
           "val_loss": [0.7, 0.45, 0.35, 0.3], "train_accuracy": [0.5, 0.8, 0.9, 0.95],
           "val_accuracy": [0.5, 0.75, 0.85, 0.9]}


def images(count):
    return np.random.default_rng(0).random((count, 784))


def as_seen(colour, cvd_type):
    """`colour` as seen with `cvd_type` at full severity, clipped to what a screen can show."""
    space = {"name": "sRGB1+CVD", "cvd_type": cvd_type, "severity": 100}
    return np.clip(cspace_convert(np.array(to_rgb(colour)), space, "sRGB1"), 0, 1)


def separations(first, second):
    """ΔE (CAM02-UCS) between two colours, for normal vision and each colour-vision deficiency."""
    seen = {"normal": (to_rgb(first), to_rgb(second))}
    seen.update({cvd: (as_seen(first, cvd), as_seen(second, cvd)) for cvd in CVD_TYPES})
    return {who: float(deltaE(a, b, input_space="sRGB1")) for who, (a, b) in seen.items()}


def assert_distinct(first, second, meaning):
    found = separations(first, second)
    too_close = {who: round(value, 1) for who, value in found.items() if value < MIN_DELTA_E}
    assert not too_close, (f"{meaning}: {first} and {second} are only ΔE {too_close} apart "
                           f"(need {MIN_DELTA_E}); choose a colour-blind-safe pair (Okabe–Ito)")


# --- what carries meaning in each figure ----------------------------------------------------------

def example_titles():
    """(colour, text) of the titles of right and of wrong predictions, from plot_examples."""
    fig = helpers.plot_examples(images(4), LABELS, PREDICTIONS, probabilities=[0.2, 0.9, 0.4, 0.6])
    titles = [(ax.title.get_color(), ax.get_title()) for ax in fig.axes]
    return ([t for t, right in zip(titles, RIGHT) if right],
            [t for t, right in zip(titles, RIGHT) if not right])


def history_lines():
    """The training and validation lines of plot_history's loss panel, by their legend label."""
    fig = helpers.plot_history(HISTORY)
    lines = {line.get_label(): line for line in fig.axes[0].lines}
    return lines["training loss"], lines["validation loss"]


def words(title):
    """The words of a title that name no number: what is left when the digits are ignored."""
    return {word for word in title.split() if not any(char.isdigit() for char in word)}


def check_examples_colours():
    right, wrong = example_titles()
    assert len({c for c, _ in right}) == 1 and len({c for c, _ in wrong}) == 1, "one colour each"
    assert_distinct(right[0][0], wrong[0][0], "titles of right and wrong predictions")


def check_examples_marks():
    """Right and wrong titles differ by a word or mark that every one of them carries."""
    right, wrong = example_titles()
    right_words, wrong_words = [words(t) for _, t in right], [words(t) for _, t in wrong]
    right_only = set.intersection(*right_words) - set.union(*wrong_words)
    wrong_only = set.intersection(*wrong_words) - set.union(*right_words)
    assert right_only and wrong_only, (
        f"right titles {[t for _, t in right]} and wrong ones {[t for _, t in wrong]} differ only "
        f"by their digits and colour: mark them (✓, ✗)")


# --- colours that carry meaning, under colour-vision deficiencies ---------------------------------

def test_right_and_wrong_titles_stay_apart_in_colour():
    check_examples_colours()


def test_training_and_validation_curves_stay_apart_in_colour():
    train, validation = history_lines()
    assert_distinct(train.get_color(), validation.get_color(), "training and validation curves")


def test_weights_colour_scale_ends_stay_apart():
    fig = helpers.plot_weights(np.linspace(-1, 1, 784))
    colormap = fig.axes[0].images[0].get_cmap()
    assert_distinct(colormap(0.0), colormap(1.0), "negative and positive weights")


def test_confusion_matrix_counts_stand_out_from_their_cells():
    fig = helpers.plot_confusion_matrix([0, 0, 0, 1, 1, 1, 1, 1], [0, 0, 1, 1, 1, 1, 1, 0])
    ax = fig.axes[0]
    shown = ax.images[0]
    cells = shown.to_rgba(shown.get_array())
    for text in ax.texts:
        column, row = (round(value) for value in text.get_position())
        assert_distinct(text.get_color(), cells[row, column],
                        f"count {text.get_text()} on its cell")


# --- and never by colour alone --------------------------------------------------------------------

def test_right_and_wrong_titles_differ_by_a_mark():
    check_examples_marks()


def test_training_and_validation_curves_differ_by_line_style_and_marker():
    for axes_index, quantity in [(0, "loss"), (1, "accuracy")]:
        ax = helpers.plot_history(HISTORY).axes[axes_index]
        lines = {line.get_label(): line for line in ax.lines}
        train, validation = lines[f"training {quantity}"], lines[f"validation {quantity}"]
        assert train.get_linestyle() != validation.get_linestyle()
        assert train.get_marker() != validation.get_marker()
        assert ax.get_legend() is not None, "a legend names the curves"


def test_weights_colour_bar_says_what_the_sign_means():
    fig = helpers.plot_weights(np.linspace(-1, 1, 784))
    label = fig.axes[1].get_ylabel()
    assert "for 0" in label and "for 1" in label and "−" in label and "+" in label, label


# --- text large enough to read --------------------------------------------------------------------

FIGURES = {
    "plot_example": lambda: helpers.plot_example(images(1)[0], 1),
    "plot_examples": lambda: helpers.plot_examples(images(4), LABELS, PREDICTIONS,
                                                   probabilities=[0.2, 0.9, 0.4, 0.6]),
    "plot_history": lambda: helpers.plot_history(HISTORY),
    "plot_weights": lambda: helpers.plot_weights(np.linspace(-1, 1, 784)),
    "plot_confusion_matrix": lambda: helpers.plot_confusion_matrix([0, 1, 1], [0, 1, 0],
                                                                   ("benign", "malignant")),
}


def test_every_helper_figure_is_listed_here():
    plotters = {name for name in dir(helpers) if name.startswith("plot_")}
    assert plotters == set(FIGURES), "add it to FIGURES, and test its meaningful colours above"


def unreadable(fig):
    """What keeps a reader from reading `fig` as the notebooks show it: texts below 9 pt, and a
    width the page must shrink (which shrinks its texts with it)."""
    fig.canvas.draw()  # tick labels exist only once the figure is drawn
    texts = [text for text in fig.findobj(Text) if text.get_visible() and text.get_text().strip()]
    assert texts, "the figure has text"
    problems = [f"{text.get_text()!r} is {text.get_fontsize():g} pt" for text in texts
                if text.get_fontsize() < MIN_POINTS]
    inches = fig.get_tightbbox(fig.canvas.get_renderer()).width + 2 * INLINE_PAD_INCHES
    if inches * INLINE_DPI > MAX_WIDTH_PIXELS:
        problems.append(f"it is {inches * INLINE_DPI:.0f} pixels wide, more than the "
                        f"{MAX_WIDTH_PIXELS} a page shows unshrunk: make its figsize narrower")
    return problems


@pytest.mark.parametrize("name", FIGURES)
def test_every_text_is_at_least_9_points(name):
    assert unreadable(FIGURES[name]()) == [], f"{name}: not readable at the size shown"


def test_the_largest_grid_plot_examples_draws_is_readable():
    """plot_examples refuses more than MAX_EXAMPLES images; that many, with predictions and
    probabilities (the longest titles), still keep every text at 9 pt within the page's width."""
    count = course.figures.MAX_EXAMPLES
    labels = np.arange(count) % 2
    fig = helpers.plot_examples(images(count), labels, labels[::-1], probabilities=np.full(count, 0.5))
    assert len(fig.axes) == count
    assert unreadable(fig) == []


NOTEBOOKS = helpers.NOTEBOOKS_DIR
DRAWING = [path.name for path in sorted(NOTEBOOKS.glob("*.ipynb"))
           if any("image/png" in output.get("data", {})
                  for cell in cells(path) for output in cell.get("outputs", []))]


@pytest.mark.parametrize("name", DRAWING)
def test_every_figure_a_notebook_shows_is_readable_at_the_size_shown(name, monkeypatch):
    """Each notebook run in-process, cell by cell: every figure a cell leaves is checked as it
    would be shown, whoever drew it (a helper, or the cell's own matplotlib code); and each figure
    the saved notebook shows fits the page."""
    monkeypatch.chdir(NOTEBOOKS)  # as a kernel started by JupyterLab: the notebook's folder
    namespace, problems, drawn = {"__name__": "__main__"}, [], 0
    for cell in cells(NOTEBOOKS / name):
        if cell["cell_type"] != "code":
            continue
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source(cell), f"<{name}>", "exec"), namespace)
        first_line = source(cell).lstrip().splitlines()[0]
        for number in plt.get_fignums():
            drawn += 1
            problems += [f"the cell with `{first_line}`: {problem}"
                         for problem in unreadable(plt.figure(number))]
        plt.close("all")
        for output in cell.get("outputs", []):
            if "image/png" in output.get("data", {}):
                width = png_width(output["data"]["image/png"])
                if width > MAX_WIDTH_PIXELS:
                    problems.append(f"the cell with `{first_line}`: its saved figure is {width} "
                                    f"pixels wide, more than {MAX_WIDTH_PIXELS}")
    assert drawn, f"{name} shows figures, but running it drew none"
    assert problems == [], f"{name}:\n  " + "\n  ".join(problems)


def png_width(encoded):
    """The width in pixels of a base64-encoded PNG (from its header)."""
    return int.from_bytes(base64.b64decode(encoded[:32])[16:20], "big")


# --- the checks above catch what they are for -----------------------------------------------------

def test_a_green_and_red_encoding_fails_the_colour_check(monkeypatch):
    monkeypatch.setattr(course.figures, "BLUE", "tab:green")
    monkeypatch.setattr(course.figures, "VERMILLION", "tab:red")
    with pytest.raises(AssertionError, match="deuteranomaly"):
        check_examples_colours()


def test_titles_told_apart_by_colour_alone_fail_the_mark_check(monkeypatch):
    monkeypatch.setattr(course.figures, "RIGHT_MARK", "")
    monkeypatch.setattr(course.figures, "WRONG_MARK", "")
    with pytest.raises(AssertionError, match="differ only by their digits and colour"):
        check_examples_marks()


def test_small_text_fails_the_size_check(monkeypatch):
    monkeypatch.setitem(FIGURES, "small",
                        lambda: plt.figure().text(0.5, 0.5, "tiny", fontsize=7).figure)
    with pytest.raises(AssertionError, match="'tiny' is 7 pt"):
        test_every_text_is_at_least_9_points("small")


def test_a_figure_too_wide_for_the_page_fails_the_size_check(monkeypatch):
    """The old plot_history, 10 inches wide: the website showed it at 69 %, its 10 pt text at 7."""
    monkeypatch.setitem(FIGURES, "wide", wide_figure)
    with pytest.raises(AssertionError, match=f"pixels wide, more than the {MAX_WIDTH_PIXELS}"):
        test_every_text_is_at_least_9_points("wide")


def wide_figure():
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    axes[0].set_title("Loss")
    return fig
