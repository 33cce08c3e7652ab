"""Unit tests of helpers.py: data loading, the batch sampler, notebook cells, figures."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

import course.data
import helpers
from notebook_edits import set_hyperparameters

ROOT = Path(helpers.__file__).resolve().parent


@pytest.fixture(scope="module")
def mnist():
    return helpers.load_mnist()


# --- data --------------------------------------------------------------------------------------

def test_load_mnist_shapes_types_and_values(mnist):
    train_images, train_labels, test_images, test_labels = mnist
    assert train_images.shape == (800, 28, 28) and test_images.shape == (200, 28, 28)
    assert train_labels.shape == (800,) and test_labels.shape == (200,)
    assert train_images.dtype == np.float64 and test_images.dtype == np.float64
    assert train_labels.dtype == np.int64 and test_labels.dtype == np.int64
    for images in (train_images, test_images):
        assert images.min() == 0.0 and images.max() == 1.0
    # Scaled from uint8: every value is a multiple of 1/255.
    assert np.allclose(train_images * 255, np.round(train_images * 255))


def test_split_is_stratified_and_disjoint(mnist):
    train_images, train_labels, test_images, test_labels = mnist
    assert np.bincount(train_labels).tolist() == [400, 400]
    assert np.bincount(test_labels).tolist() == [100, 100]
    with np.load(helpers.MNIST_FILE, allow_pickle=False) as data:
        train_rows, test_rows = data["train_source_rows"], data["test_source_rows"]
        assert np.bincount(data["train_labels"]).tolist() == [400] * 10
        assert np.bincount(data["test_labels"]).tolist() == [100] * 10
    assert len(set(train_rows) | set(test_rows)) == 5000
    train_set = {image.tobytes() for image in train_images}
    assert not any(image.tobytes() in train_set for image in test_images)


ALL_PAIRS = [(a, b) for a in range(10) for b in range(10) if a != b]


@pytest.mark.parametrize("digits", ALL_PAIRS, ids=lambda d: f"{d[0]}v{d[1]}")
def test_every_pair_of_digits_loads_labelled_0_and_1(digits):
    train_images, train_labels, test_images, test_labels = helpers.load_mnist(digits=digits)
    assert train_images.shape == (800, 28, 28) and test_images.shape == (200, 28, 28)
    assert np.bincount(train_labels).tolist() == [400, 400]
    assert np.bincount(test_labels).tolist() == [100, 100]
    with np.load(helpers.MNIST_FILE, allow_pickle=False) as data:
        shipped = {image.tobytes(): digit for image, digit in zip(data["train_images"], data["train_labels"])}
    for image, label in zip(train_images[:50], train_labels[:50]):
        assert shipped[np.round(image * 255).astype(np.uint8).tobytes()] == digits[label]


def test_zeros_and_ones_are_the_default_and_keep_their_split(mnist):
    assert all(np.array_equal(a, b) for a, b in zip(mnist, helpers.load_mnist(digits=(0, 1))))
    # The first data file held only these two digits; the same 800 and 200 images still come.
    with np.load(helpers.MNIST_FILE, allow_pickle=False) as data:
        rows = data["test_source_rows"][np.isin(data["test_labels"], [0, 1])]
    assert int(rows.astype(np.int64).sum()) == 99_368  # the sum of the 200 test rows of mnist_01.npz


@pytest.mark.parametrize("digits, message", [
    ((3, 3), r"two \*different\* digits"),
    ((3, 10), r"10 in \(3, 10\) is not one"),
    ((-1, 3), r"-1 in \(-1, 3\) is not one"),
    ((3.0, 5), r"3.0 in \(3.0, 5\) is not one"),
    ((True, 5), r"True in \(True, 5\) is not one"),
    ("35", r"a pair of two different digits.*got '35'"),
    ((3,), r"a pair of two different digits.*got \(3,\)"),
    (3, r"a pair of two different digits.*got 3"),
])
def test_bad_digits_are_refused(digits, message):
    with pytest.raises(ValueError, match=message):
        helpers.load_mnist(digits=digits)


@pytest.mark.parametrize("digits", [{0, 1}, {4, 9}, frozenset({3, 5})], ids=repr)
def test_a_set_of_digits_is_refused_for_its_missing_order(digits):
    first, second = sorted(digits)
    with pytest.raises(ValueError, match=rf"digits must be an ordered pair, a tuple or a list .*got "
                                         rf"the {type(digits).__name__} .*which has no order: which "
                                         rf"digit gets the label 0 would be undefined. Write the "
                                         rf"pair in the order you want: \({first}, {second}\) or "
                                         rf"\({second}, {first}\)"):
        helpers.load_mnist(digits=digits)


def test_stratified_split_rounds_each_class_share():
    """0.3 of 9 rows is 2.7: 3 rows split off (rounded), not 2 (cut off); 0.3 of 19 is 5.7: 6."""
    labels = np.array([0] * 9 + [1] * 19 + [2] * 9)
    kept, aside = helpers.stratified_split(labels, 0.3, np.random.default_rng(0))
    assert np.bincount(labels[aside]).tolist() == [3, 6, 3]
    assert np.bincount(labels[kept]).tolist() == [6, 13, 6]


@pytest.mark.parametrize("labels, rows", [
    ([0.0, 1.0, np.nan, 1.0, 0.0, np.nan], r"got 2 NaN of 6, at rows \[2, 5\]\."),
    (np.r_[np.zeros(10), np.full(7, np.nan)],
     r"got 7 NaN of 17, at rows \[10, 11, 12, 13, 14\] and 2 more\."),
])
def test_stratified_split_refuses_nan_labels(labels, rows):
    with pytest.raises(ValueError, match=rf"stratified_split: labels must not hold NaN \(each NaN would "
                                         rf"be a class of its own\), {rows} Drop those examples first"):
        helpers.stratified_split(labels, 0.5, np.random.default_rng(0))


@pytest.mark.parametrize("labels, fraction, message, fixed", [
    ([0, 1] * 5, 0.99, r"fraction=0.99 splits off every row \(2 classes of 5, 5 rows; 0.99 of "
                       r"each class rounds to all of it\), so kept would be empty. Use a smaller "
                       r"fraction, at most 0.8\.", 0.8),
    ([0, 1] * 5, 0.05, r"fraction=0.05 splits off no row at all \(2 classes of 5, 5 rows; 0.05 of "
                       r"each class rounds to 0\), so split_off would be empty. Use a larger "
                       r"fraction, at least 0.2\.", 0.2),
    ([0] * 3 + [1] * 7, 0.93, r"kept would be empty. Use a smaller fraction, at most 0.857\.", 0.857),
    ([0] * 3 + [1] * 7, 0.07, r"split_off would be empty. Use a larger fraction, at least 0.143\.",
     0.143),
    ([0] * 2000, 0.9999, r"at most 0.999\.", 0.999),
    ([0] * 2001, 0.0002, r"at least 0.001\.", 0.001),
])
def test_stratified_split_refuses_to_leave_a_side_empty(labels, fraction, message, fixed):
    with pytest.raises(ValueError, match=rf"stratified_split: (fraction=.*)?{message}"):
        helpers.stratified_split(labels, fraction, np.random.default_rng(0))
    kept, aside = helpers.stratified_split(labels, fixed, np.random.default_rng(0))  # as advised
    assert len(kept) and len(aside)


def test_stratified_split_of_single_rows_says_a_class_needs_two():
    with pytest.raises(ValueError, match=r"stratified_split: every class has a single row \(3 classes "
                                         r"of 1, 1, 1 rows\), so one side of the split is empty "
                                         r"whatever the fraction"):
        helpers.stratified_split([0, 1, 2], 0.5, np.random.default_rng(0))


def test_stratified_split_keeps_each_class_share():
    labels = np.array([0] * 60 + [1] * 40)
    kept, aside = helpers.stratified_split(labels, 0.25, np.random.default_rng(0))
    assert sorted(np.concatenate([kept, aside]).tolist()) == list(range(100))
    assert np.bincount(labels[aside]).tolist() == [15, 10]
    again = helpers.stratified_split(labels, 0.25, np.random.default_rng(0))
    assert np.array_equal(again[0], kept) and np.array_equal(again[1], aside)
    assert not np.array_equal(helpers.stratified_split(labels, 0.25, np.random.default_rng(1))[1], aside)


@pytest.mark.parametrize("labels, fraction, rng, error, message", [
    (np.zeros((3, 2)), 0.5, np.random.default_rng(0), ValueError, r"shape \(m,\).*got shape \(3, 2\)"),
    ([], 0.5, np.random.default_rng(0), ValueError, r"got shape \(0,\)"),
    ([0, 1], 1.0, np.random.default_rng(0), ValueError, r"fraction must be a number between 0 and 1"),
    ([0, 1], "0.2", np.random.default_rng(0), ValueError, r"fraction must be .*got '0.2'"),
    ([0, 1], 0.5, 3, TypeError, r"rng must be a numpy.random.Generator"),
])
def test_stratified_split_refuses_bad_input(labels, fraction, rng, error, message):
    with pytest.raises(error, match=message):
        helpers.stratified_split(labels, fraction, rng)


def test_both_classes_are_mixed_from_the_start(mnist):
    # Plots of the first examples (Task 3) must show both digits.
    assert set(mnist[1][:8].tolist()) == {0, 1}


def test_data_file_is_pickle_free_uint8():
    with np.load(helpers.MNIST_FILE, allow_pickle=False) as data:
        assert data["train_images"].dtype == np.uint8
        assert all(data[name].dtype != object for name in data.files)


@pytest.mark.parametrize("position", [0, 1000, -1])
def test_one_flipped_byte_is_reported_with_file_and_checksum(tmp_path, monkeypatch, position):
    damaged = tmp_path / helpers.MNIST_FILE.name
    content = bytearray(helpers.MNIST_FILE.read_bytes())
    content[position] ^= 0x01
    damaged.write_bytes(bytes(content))
    monkeypatch.setattr(course.data, "MNIST_FILE", damaged)  # read by load_mnist there
    with pytest.raises(ValueError) as error:
        helpers.load_mnist()
    message = str(error.value)
    assert str(damaged) in message
    assert "checksum does not match" in message


def test_checksums_file_matches_shipped_data():
    helpers.verify_checksum(helpers.MNIST_FILE)  # raises if not


def test_unknown_source_is_a_clear_error():
    with pytest.raises(ValueError, match="source must be 'local'.*got 'mnist'"):
        helpers.load_mnist(source="mnist")


def test_import_is_light():
    code = ("import sys, helpers; "
            "print(sorted(m for m in ('tensorflow', 'tensorflow_datasets', 'matplotlib') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- random batches ----------------------------------------------------------------------------

def test_random_batch_shapes_and_pairs(mnist):
    images, labels = mnist[0], mnist[1]
    batch_images, batch_labels = helpers.random_batch(images, labels, 64, np.random.default_rng(0))
    assert batch_images.shape == (64, 28, 28) and batch_labels.shape == (64,)
    # Every image comes with its own label.
    index = {image.tobytes(): label for image, label in zip(images, labels)}
    assert [index[image.tobytes()] for image in batch_images] == batch_labels.tolist()


def test_random_batch_is_deterministic_per_seed():
    X, y = np.arange(1000).reshape(500, 2), np.arange(500)
    first = helpers.random_batch(X, y, 50, np.random.default_rng(7))
    second = helpers.random_batch(X, y, 50, np.random.default_rng(7))
    other = helpers.random_batch(X, y, 50, np.random.default_rng(8))
    assert np.array_equal(first[1], second[1]) and np.array_equal(first[0], second[0])
    assert not np.array_equal(first[1], other[1])


@pytest.mark.parametrize("batch_size", [1, 10, 100])
def test_random_batch_never_repeats_an_example(batch_size):
    y = np.arange(100)
    rng = np.random.default_rng(1)
    for _ in range(50):
        _, labels = helpers.random_batch(y[:, None], y, batch_size, rng)
        assert len(np.unique(labels)) == batch_size


@pytest.mark.parametrize("batch_size", [0, -3, 101])
def test_random_batch_rejects_batch_size_out_of_range(batch_size):
    y = np.zeros(100)
    with pytest.raises(ValueError, match=rf"batch_size must be from 1 to .*\(100\), got {batch_size}"):
        helpers.random_batch(y[:, None], y, batch_size, np.random.default_rng(0))


@pytest.mark.parametrize("batch_size", [2.5, "64", True, None])
def test_random_batch_rejects_batch_size_not_whole(batch_size):
    y = np.zeros(100)
    with pytest.raises(TypeError, match=r"batch_size must be a whole number, got "):
        helpers.random_batch(y[:, None], y, batch_size, np.random.default_rng(0))


def test_a_batch_of_everything_is_the_data_itself():
    X, y = np.arange(20).reshape(10, 2), np.arange(10)
    batch_X, batch_y = helpers.random_batch(X, y, 10, np.random.default_rng(0))
    assert batch_X is X and batch_y is y


def test_random_batch_needs_a_generator_and_matching_lengths():
    y = np.zeros(10)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        helpers.random_batch(y[:, None], y, 2, 42)
    with pytest.raises(ValueError, match="same number of examples, got 10 and 9"):
        helpers.random_batch(y[:, None], y[:9], 2, np.random.default_rng(0))


# --- notebook cells ----------------------------------------------------------------------------

def test_hyperparameters_come_from_notebook_2():
    values = helpers.hyperparameters()
    assert set(values) == {"learning_rate", "batch_size", "iterations"}
    assert values["learning_rate"] > 0 and isinstance(values["batch_size"], int)


def notebooks_with_hyperparameters(tmp_path, source):
    """A copy of the notebooks whose tagged hyperparameters cell holds `source`."""
    copy = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", copy)
    set_hyperparameters(copy, source)
    return copy


def test_an_edit_to_notebook_2_carries_forward(tmp_path):
    copy = notebooks_with_hyperparameters(tmp_path, "learning_rate = 0.01\nbatch_size = 8\niterations = 5\n")
    assert helpers.hyperparameters(copy) == {"learning_rate": 0.01, "batch_size": 8, "iterations": 5}


def test_error_in_a_tagged_cell_points_at_the_notebook(tmp_path):
    copy = notebooks_with_hyperparameters(tmp_path, "learning_rate = 1 / 0\n")
    with pytest.raises(helpers.NotebookProblem) as error:
        helpers.hyperparameters(copy)
    message = str(error.value)
    assert f"{copy / '02_hyperparameters.ipynb'}, the cell with `learning_rate = 1 / 0`" in message
    assert "raised ZeroDivisionError: division by zero, at line 1 of the cell" in message


# --- figures -----------------------------------------------------------------------------------

def test_plot_example_accepts_image_or_vector(mnist):
    for example in (mnist[0][0], mnist[0][0].reshape(-1)):
        fig = helpers.plot_example(example, 1)
        assert isinstance(fig, Figure) and fig.axes[0].get_title() == "label: 1"
    with pytest.raises(ValueError, match=r"plot_example: image must be one image, shape \(28, 28\) "
                                         r"or \(784,\), got an array of shape \(10,\)"):
        helpers.plot_example(np.zeros(10))
    with pytest.raises(ValueError, match=r"got an array of shape \(3, 784\) and dtype float64\. "
                                         r"For several images, use plot_examples"):
        helpers.plot_example(np.zeros((3, 784)))


@pytest.mark.parametrize("image, what", [
    ("a digit", r"a single str, 'a digit'"),
    (np.full((28, 28), "0"), r"an array of shape \(28, 28\) and dtype <U1"),
    (np.zeros(784, dtype=complex), r"an array of shape \(784,\) and dtype complex128"),
    (np.zeros((28, 28)) + 0.5j, r"an array of shape \(28, 28\) and dtype complex128"),
    ([[None] * 28] * 28, r"an array of shape \(28, 28\) and dtype object"),
])
def test_plot_example_refuses_what_is_not_pixel_values(image, what):
    with pytest.raises(TypeError, match=rf"plot_example: image must hold real numbers, pixel values "
                                        rf"from 0 \(white\) to 1 \(black\), got {what}$"):
        helpers.plot_example(image)


def test_plot_example_draws_true_and_false_as_black_and_white():
    image = np.zeros((28, 28), dtype=bool)
    image[10:18, 12:16] = True
    shown = helpers.plot_example(image).axes[0].images[0]
    assert shown.get_array().sum() == 32 and shown.get_clim() == (0.0, 1.0)


def test_plot_examples_grid_with_labels(mnist):
    fig = helpers.plot_examples(mnist[0][:10], mnist[1][:10], columns=4)
    assert isinstance(fig, Figure) and len(fig.axes) == 12  # 3 rows of 4, two left blank
    assert fig.axes[0].get_title() == f"label {mnist[1][0]}"


def test_plot_examples_colours_predictions(mnist):
    labels = np.array([0, 1, 1, 0])
    predictions = np.array([0, 1, 0, 1])
    fig = helpers.plot_examples(mnist[0][:4], labels, predictions)
    colours = [ax.title.get_color() for ax in fig.axes]
    right, wrong = to_rgba(helpers.BLUE), to_rgba(helpers.VERMILLION)
    assert [to_rgba(c) for c in colours] == [right] * 2 + [wrong] * 2
    assert fig.axes[2].get_title() == "✗ 0 (true 1)"


@pytest.mark.parametrize("images, what", [
    (3.0, r"got a single float, 3.0\.$"),
    (np.zeros(10), r"got an array of shape \(10,\) and dtype float64\.$"),
    (np.zeros((4, 28, 27)), r"got an array of shape \(4, 28, 27\) and dtype float64\.$"),
    (np.zeros((28, 28)), r"got an array of shape \(28, 28\) and dtype float64\. For one image, "
                         r"use plot_example\(image\), or pass images\[:1\]\.$"),
])
def test_plot_examples_refuses_what_is_not_a_stack_of_images(images, what):
    with pytest.raises(ValueError, match=rf"plot_examples: images must be a stack of images, shape "
                                         rf"\(n, 28, 28\) or \(n, 784\), {what}"):
        helpers.plot_examples(images, [0])


def test_plot_examples_refuses_images_that_are_not_numbers():
    with pytest.raises(TypeError, match=r"plot_examples: images must hold real numbers, pixel "
                                        r"values from 0 \(white\) to 1 \(black\), got an array "
                                        r"of shape \(2, 784\) and dtype <U1"):
        helpers.plot_examples(np.full((2, 784), "1"), [0, 1])


@pytest.mark.parametrize("titles, what", [
    ((f"average {digit}" for digit in (0, 1)), r"got a generator, which has no length: pass a "
                                                 r"list, such as list\(titles\)"),
    ({"average 0", "average 1"}, r"got a set, which has no order: pass a list, in the order of "
                                 r"the images$"),
    (7, r"got 7 \(int\)"),
    ("average", r"got one string, 'average'"),
    ({0: "average 0", 1: "average 1"}, r"got a dict: pass a list, in the order of the images$"),
])
def test_plot_examples_needs_a_list_of_titles(mnist, titles, what):
    with pytest.raises(ValueError, match=rf"plot_examples: titles must be a list of strings, one per "
                                         rf"image \(2\), {what}"):
        helpers.plot_examples(mnist[0][:2], [0, 1], titles=titles)
    with pytest.raises(ValueError, match=r"titles must be a list of strings, one per image \(2\), "
                                         r"got 3 titles: \['a', 'b', 'c'\]"):
        helpers.plot_examples(mnist[0][:2], [0, 1], titles=["a", "b", "c"])
    fig = helpers.plot_examples(mnist[0][:2], [0, 1], titles=np.array(["a", "b"]))  # any sequence
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]


def test_plot_examples_of_a_whole_data_set_says_to_pass_a_slice(mnist):
    """800 images took 25 s and drew a figure 150 inches tall: refused at once, with the fix."""
    with pytest.raises(ValueError, match=r"plot_examples: draws at most 64 images .*got 800\. "
                                         r"Pass the ones to look at, such as the first 16: "
                                         r"plot_examples\(images\[:16\], labels\[:16\]\)"):
        helpers.plot_examples(mnist[0], mnist[1])
    with pytest.raises(ValueError, match="at most 64 images .*got 65"):
        helpers.plot_examples(mnist[0][:65], mnist[1][:65])
    fig = helpers.plot_examples(mnist[0][:64], mnist[1][:64], mnist[1][:64])
    assert len(fig.axes) == 64 and fig.get_size_inches()[1] <= 10


def test_plot_examples_rejects_mismatched_lengths(mnist):
    with pytest.raises(ValueError, match="3 images and 2 labels"):
        helpers.plot_examples(mnist[0][:3], mnist[1][:2])
    with pytest.raises(ValueError, match="2 predictions for 3 images"):
        helpers.plot_examples(mnist[0][:3], mnist[1][:3], np.zeros(2))


@pytest.mark.parametrize("columns", [0, -2, 2.5, "8", True])
def test_plot_examples_refuses_a_number_of_columns_it_cannot_draw(mnist, columns):
    with pytest.raises(ValueError, match=rf"plot_examples: columns must be a whole number, at "
                                         rf"least 1, got {re.escape(repr(columns))}"):
        helpers.plot_examples(mnist[0][:3], mnist[1][:3], columns=columns)


def test_plot_examples_takes_numpys_whole_numbers_as_columns(mnist):
    fig = helpers.plot_examples(mnist[0][:4], mnist[1][:4], columns=np.int64(2))
    assert len(fig.axes) == 4


def test_plot_history_draws_loss_and_accuracy():
    history = {"iteration": [0, 10, 20], "train_loss": [0.7, 0.3, 0.1],
               "val_loss": [0.7, 0.35, 0.15], "val_accuracy": [0.5, 0.9, 0.99]}
    fig = helpers.plot_history(history)
    loss_ax, accuracy_ax = fig.axes
    assert len(loss_ax.lines) == 2 and len(accuracy_ax.lines) == 1
    assert list(accuracy_ax.lines[0].get_ydata()) == [0.5, 0.9, 0.99]
    with pytest.raises(ValueError, match="has 2 values for 3 iterations"):
        helpers.plot_history({**history, "val_loss": [1, 2]})


@pytest.mark.parametrize("history, error, message", [
    (None, TypeError, r"plot_history: history must be a dict of lists, such as model.history or "
                      r"what model.train returns .*got None \(NoneType\)"),
    ([0.7, 0.3], TypeError, r"history must be a dict of lists.*got \[0.7, 0.3\] \(list\)"),
    ({"iteration": 5.0, "train_loss": 0.3}, TypeError,
     r"plot_history: history\['iteration'\] must be a list of numbers, one per record .*got 5.0 "
     r"\(float\)"),
    ({"iteration": [5], "train_loss": 0.3}, TypeError,
     r"history\['train_loss'\] must be a list of numbers.*got 0.3 \(float\)"),
    ({"iteration": [5], "train_loss": "0.3"}, TypeError,
     r"history\['train_loss'\] must be a list of numbers.*got '0.3' \(str\)"),
    ({"iteration": [5, 10], "train_loss": ["0.7", "0.3"]}, TypeError,
     r"history\['train_loss'\] must be a list of numbers.*dtype <U3: \['0.7', '0.3'\]"),
    ({"iteration": [5, 10], "train_loss": [[0.7], [0.3]]}, TypeError,
     r"history\['train_loss'\] must be a list of numbers.*shape \(2, 1\)"),
    ({"train_loss": [0.7]}, ValueError,
     r"plot_history: history must have an 'iteration' entry, got keys \['train_loss'\]"),
])
def test_plot_history_refuses_what_is_not_a_history(history, error, message):
    with pytest.raises(error, match=message):
        helpers.plot_history(history)


# --- the breast cancer data (Task 12) ----------------------------------------------------------

def test_load_breast_cancer():
    features, labels, names = helpers.load_breast_cancer()
    assert features.shape == (569, 30) and features.dtype == np.float64
    assert labels.shape == (569,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [357, 212]  # benign, malignant
    assert len(names) == 30 and names[0] == "mean radius" and names[-1] == "worst fractal dimension"
    assert np.isfinite(features).all() and features.min() >= 0


def test_breast_cancer_matches_scikit_learns_copy():
    from sklearn.datasets import load_breast_cancer
    reference = load_breast_cancer()
    features, labels, names = helpers.load_breast_cancer()
    np.testing.assert_array_equal(features, reference.data)
    np.testing.assert_array_equal(labels, 1 - reference.target)  # theirs: 0 = malignant
    assert names == list(reference.feature_names)


def test_altered_breast_cancer_file_is_reported(tmp_path, monkeypatch):
    altered = tmp_path / helpers.BREAST_CANCER_FILE.name
    altered.write_bytes(helpers.BREAST_CANCER_FILE.read_bytes().replace(b"17.99", b"17.98", 1))
    monkeypatch.setattr(course.data, "BREAST_CANCER_FILE", altered)
    with pytest.raises(ValueError, match=r"breast_cancer.csv: the SHA-256 checksum does not match"):
        helpers.load_breast_cancer()


def test_plot_confusion_matrix_counts():
    # 3 true 0s predicted 0, 1 false positive, 2 false negatives, 4 true 1s predicted 1: every
    # count differs, so a transposed or mirrored table puts a wrong number in some cell.
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    predictions = np.array([0, 0, 0, 1, 0, 0, 1, 1, 1, 1])
    fig = helpers.plot_confusion_matrix(labels, predictions, ("benign", "malignant"))
    ax = fig.axes[0]
    # Rows are the true classes (y), columns the predictions (x), as the tick labels say.
    assert [t.get_text() for t in ax.get_yticklabels()] == ["true benign", "true malignant"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["predicted\nbenign", "predicted\nmalignant"]
    shown = {(round(y), round(x)): text.get_text()
             for text in ax.texts for x, y in [text.get_position()]}
    assert shown == {(0, 0): "3", (0, 1): "1",   # true benign: 3 right, 1 false positive
                     (1, 0): "2", (1, 1): "4"}   # true malignant: 2 false negatives, 4 right
    assert ax.images[0].get_array().tolist() == [[3, 1], [2, 4]]  # the cells' shades, too
    with pytest.raises(ValueError, match="9 predictions for 10 labels"):
        helpers.plot_confusion_matrix(labels, predictions[:9])


def test_plot_weights():
    fig = helpers.plot_weights(np.linspace(-1, 1, 784))
    assert isinstance(fig, Figure) and fig.axes[0].images[0].get_array().shape == (28, 28)


@pytest.mark.parametrize("weights, limit", [
    (np.linspace(-3, 2, 784), 3.0),          # the largest |w| is negative: the scale is still ±3
    (np.linspace(-0.5, 2, 784), 2.0),
    (np.r_[np.full(783, 0.01), -0.25], 0.25),
    (np.zeros(784), 1.0),                     # an untrained model: white, on a scale of ±1
    (np.linspace(-2, 2, 784).reshape(28, 28), 2.0),
])
def test_plot_weights_colour_scale_is_symmetric_about_zero(weights, limit):
    """White is a weight of 0; full blue and full vermillion are -max|w| and +max|w|."""
    image = helpers.plot_weights(weights).axes[0].images[0]
    assert image.get_clim() == (-limit, limit)
    np.testing.assert_array_equal(image.get_array(), np.reshape(weights, (28, 28)))


@pytest.mark.parametrize("bad, shown", [
    (np.nan, r"got 1 of 784 NaN or infinite: nan at index 89 \(row 3, column 5\)"),
    (np.inf, r"got 1 of 784 NaN or infinite: inf at index 89 \(row 3, column 5\)"),
    (-np.inf, r"got 1 of 784 NaN or infinite: -inf at index 89 \(row 3, column 5\)"),
])
def test_plot_weights_refuses_weights_that_are_not_finite(bad, shown):
    weights = np.linspace(-0.1, 0.1, 784)
    weights[89] = bad
    with pytest.raises(ValueError, match=rf"plot_weights: weights must be finite numbers, {shown}\. "
                                         rf"Weights become NaN or infinite when training diverges"):
        helpers.plot_weights(weights)
    weights[[100, 200, 300, 400]] = np.nan
    with pytest.raises(ValueError, match=r"got 5 of 784 NaN or infinite: .*; and 2 more\."):
        helpers.plot_weights(weights)


@pytest.mark.parametrize("weights, what", [
    (np.zeros(784, dtype=bool), r"an array of shape \(784,\) and dtype bool"),
    (np.full(784, "0.1"), r"an array of shape \(784,\) and dtype <U3"),
    (np.zeros(784, dtype=complex), r"an array of shape \(784,\) and dtype complex128"),
    ("weights", r"a single str, 'weights'"),
])
def test_plot_weights_refuses_what_is_not_real_numbers(weights, what):
    with pytest.raises(TypeError, match=rf"plot_weights: weights must hold real numbers \(the "
                                        rf"model's weights, model.w\), got {what}"):
        helpers.plot_weights(weights)


def test_plot_weights_in_a_column_is_told_how_to_pass_them():
    with pytest.raises(ValueError, match=r"plot_weights: weights must be one image, shape \(28, 28\) "
                                         r"or \(784,\), got an array of shape \(784, 1\).*"
                                         r"Its 784 values can be passed as weights.reshape\(-1\)"):
        helpers.plot_weights(np.zeros((784, 1)))


# --- figures refuse what they cannot draw truthfully ------------------------------------------

NOT_ZERO_ONE = {
    "probabilities": ([0.9, 0.2, 0.5], ValueError,
                      r"must hold only 0 and 1, got also \[0.2, 0.5, 0.9\]\. These look like probabilities"),
    "labels 1 and 2": ([1, 2, 1], ValueError, r"must hold only 0 and 1, got also \[2\]"),
    "text": (["0", "1", "1"], TypeError, r"must hold the numbers 0 and 1, got an array of dtype <U1"),
    "NaN": ([0, float("nan"), 1], ValueError, r"must hold only 0 and 1, got also \[nan\]"),
    "a table": ([[0, 1, 1]] * 3, ValueError, r"must be one 0 or 1 per example, shape \(m,\), got shape \(3, 3\)"),
}


@pytest.mark.parametrize("case", NOT_ZERO_ONE)
def test_plot_examples_refuses_what_is_not_0_or_1(mnist, case):
    values, error_type, message = NOT_ZERO_ONE[case]
    with pytest.raises(error_type, match=rf"plot_examples: predictions {message}"):
        helpers.plot_examples(mnist[0][:3], [0, 1, 1], values)
    with pytest.raises(error_type, match=rf"plot_examples: labels {message}"):
        helpers.plot_examples(mnist[0][:3], values)


@pytest.mark.parametrize("case", NOT_ZERO_ONE)
def test_plot_confusion_matrix_refuses_what_is_not_0_or_1(case):
    values, error_type, message = NOT_ZERO_ONE[case]
    with pytest.raises(error_type, match=rf"plot_confusion_matrix: predictions {message}"):
        helpers.plot_confusion_matrix([0, 1, 1], values)
    with pytest.raises(error_type, match=rf"plot_confusion_matrix: labels {message}"):
        helpers.plot_confusion_matrix(values, [0, 1, 1])


def test_figures_accept_labels_of_any_numeric_type(mnist):
    fig = helpers.plot_examples(mnist[0][:3], np.array([0.0, 1.0, 1.0]), [True, True, False])
    assert [ax.get_title() for ax in fig.axes] == ["✗ 1 (true 0)", "✓ 1 (true 1)", "✗ 0 (true 1)"]
    fig = helpers.plot_confusion_matrix(np.array([[0], [1], [1]]), np.array([0.0, 1.0, 0.0]))
    assert [text.get_text() for text in fig.axes[0].texts] == ["1", "0", "1", "1"]


@pytest.mark.parametrize("class_names, shown", [
    ("ab", "'ab'"), (None, "None"), (("benign",), r"\('benign',\)"), (3, "3"),
    ((name for name in ("benign", "malignant")), "<generator object"),
])
def test_plot_confusion_matrix_needs_two_class_names(class_names, shown):
    with pytest.raises(ValueError, match=rf"plot_confusion_matrix: class_names must name the two "
                                         rf"classes, 0 and 1, e.g. \('benign', 'malignant'\) "
                                         rf"\(the default is \('0', '1'\)\), got {shown}"):
        helpers.plot_confusion_matrix([0, 1], [0, 1], class_names=class_names)


# --- random batches of lists -------------------------------------------------------------------

def test_random_batch_takes_lists():
    X, y = [[0, 0], [1, 1], [2, 2], [3, 3]], [0, 1, 0, 1]
    batch_X, batch_y = helpers.random_batch(X, y, 2, np.random.default_rng(0))
    assert batch_X.shape == (2, 2) and batch_y.shape == (2,)
    assert all(y[row[0]] == label for row, label in zip(batch_X.tolist(), batch_y.tolist()))
    with pytest.raises(ValueError, match="X must be rectangular"):
        helpers.random_batch([[0, 0], [1]], [0, 1], 1, np.random.default_rng(0))


# --- line endings ------------------------------------------------------------------------------

def test_a_checkout_with_windows_line_endings_loads_the_data(tmp_path):
    """Git for Windows checks out with core.autocrlf=true; .gitattributes keeps data/ exact."""
    if not (ROOT / ".git").exists():
        pytest.fail("this test clones the repository: run it in a git checkout of the course")
    clone = tmp_path / "clone"
    subprocess.run(["git", "-c", "core.autocrlf=true", "clone", "--quiet", str(ROOT), str(clone)],
                   check=True)
    assert b"\r\n" in (clone / "README.md").read_bytes(), "the clone did convert text files"
    code = ("import helpers; helpers.load_breast_cancer(); helpers.load_mnist(); "
            "print(helpers.ROOT)")
    result = subprocess.run([sys.executable, "-c", code], cwd=clone, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == str(clone)


def test_a_csv_with_windows_line_endings_is_explained(tmp_path, monkeypatch):
    converted = tmp_path / helpers.BREAST_CANCER_FILE.name
    converted.write_bytes(helpers.BREAST_CANCER_FILE.read_bytes().replace(b"\n", b"\r\n"))
    monkeypatch.setattr(course.data, "BREAST_CANCER_FILE", converted)
    with pytest.raises(ValueError, match=r"line endings were changed to Windows' CRLF.*"
                                         r"git checkout -- data/breast_cancer.csv"):
        helpers.load_breast_cancer()


def test_plot_examples_with_titles_and_probabilities(mnist):
    fig = helpers.plot_examples(mnist[0][:2], [0, 1], titles=["average 0", "average 1"])
    assert [ax.get_title() for ax in fig.axes] == ["average 0", "average 1"]
    fig = helpers.plot_examples(mnist[0][:2], [0, 1], [1, 1], probabilities=[0.612, 0.97])
    assert [ax.get_title() for ax in fig.axes] == ["✗ 1 (true 0)\np = 0.61", "✓ 1 (true 1)\np = 0.97"]
    with pytest.raises(ValueError, match="probabilities must be one number from 0 to 1 per image"):
        helpers.plot_examples(mnist[0][:2], [0, 1], probabilities=[0.5, 1.5])
    with pytest.raises(ValueError, match="titles must be a list of strings, one per image"):
        helpers.plot_examples(mnist[0][:2], [0, 1], titles="average")


def test_plot_history_counts_iterations_in_whole_numbers():
    fig = helpers.plot_history({"iteration": [0, 1, 2], "train_loss": [0.7, 0.5, 0.4]})
    ticks = fig.axes[0].get_xticks()
    assert np.allclose(ticks, np.round(ticks))
    assert "log scale" in fig.axes[0].get_ylabel()
