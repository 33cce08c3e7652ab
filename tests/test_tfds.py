"""helpers.load_mnist(source="tfds"), tested offline.

The loading tests run under `tfds.testing.mock_data`, which replaces MNIST by deterministic
random examples (labels 0 to 9) and makes downloading a no-op: nothing is fetched. They need
tensorflow-datasets and TensorFlow (`python -m pip install -r requirements-tfds.txt`) and are
skipped without them. The test of the error message always runs.
"""
import sys

import numpy as np
import pytest

import helpers

NUM_EXAMPLES = 200   # mock examples per split; about a fifth of them are zeros and ones
SPLITS = ("train", "test")
INSTALL_COMMAND = "python -m pip install -r requirements-tfds.txt"


@pytest.fixture(scope="module")
def tfds():
    return pytest.importorskip(
        "tensorflow_datasets",
        reason="tensorflow-datasets is not installed; the load_mnist(source='tfds') tests need "
               f"it and TensorFlow: {INSTALL_COMMAND}")


@pytest.fixture(scope="module")
def mocked(tfds):
    """What load_mnist(source="tfds") returns under the mock, and the mock's unfiltered splits."""
    with tfds.testing.mock_data(num_examples=NUM_EXAMPLES):
        loaded = helpers.load_mnist(source="tfds")
        unfiltered = {}
        for split in SPLITS:
            dataset = tfds.load("mnist", split=split, as_supervised=True)
            examples = list(tfds.as_numpy(dataset))
            unfiltered[split] = (np.stack([image for image, _ in examples]),
                                 np.array([label for _, label in examples]))
    train_images, train_labels, test_images, test_labels = loaded
    return {"train": (train_images, train_labels), "test": (test_images, test_labels)}, unfiltered


@pytest.mark.parametrize("split", SPLITS)
def test_the_mock_holds_every_digit(mocked, split):
    # Guards the other tests: the filter is only exercised if there is something to drop.
    _, unfiltered = mocked
    images, labels = unfiltered[split]
    assert images.shape == (NUM_EXAMPLES, 28, 28, 1) and images.dtype == np.uint8
    assert len(labels) == NUM_EXAMPLES
    assert set(np.unique(labels)) == set(range(10))


@pytest.mark.parametrize("split", SPLITS)
def test_only_zeros_and_ones_come_back(mocked, split):
    loaded, _ = mocked
    _, labels = loaded[split]
    assert len(labels) > 0, f"no {split} examples came back"
    assert set(np.unique(labels)) == {0, 1}


@pytest.mark.parametrize("split", SPLITS)
def test_exactly_the_zeros_and_ones_of_the_mock(mocked, split):
    loaded, unfiltered = mocked
    images, labels = loaded[split]
    raw_images, raw_labels = unfiltered[split]
    keep = raw_labels <= 1
    assert len(labels) == np.count_nonzero(keep) == np.count_nonzero(raw_labels == 0) \
        + np.count_nonzero(raw_labels == 1)
    np.testing.assert_array_equal(labels, raw_labels[keep])
    np.testing.assert_array_equal(images, raw_images[keep][..., 0] / 255.0)


@pytest.mark.parametrize("split", SPLITS)
def test_types_shapes_and_range(mocked, split):
    loaded, _ = mocked
    images, labels = loaded[split]
    n = len(labels)
    assert images.dtype == np.float64 and images.shape == (n, 28, 28)
    assert labels.dtype == np.int64 and labels.shape == (n,)
    assert images.min() >= 0.0 and images.max() <= 1.0
    assert images.max() > 0.5, "images look empty: were the pixels scaled twice?"


def test_without_tensorflow_datasets_the_error_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)   # import now fails
    with pytest.raises(ImportError) as error:
        helpers.load_mnist(source="tfds")
    assert INSTALL_COMMAND in str(error.value)



def test_every_digit_on_either_side_of_a_pair_labelled_0_and_1(tfds):
    # Each digit twice as the pair's 0 and twice as its 1, and pairs in both orders ((0, 5) and
    # (5, 0)): the 90 pairs took 20 s and exercise nothing more.
    pairs = [(a, (a + step) % 10) for a in range(10) for step in (1, 5)]
    with tfds.testing.mock_data(num_examples=NUM_EXAMPLES):
        loaded = {digits: helpers.load_mnist(source="tfds", digits=digits) for digits in pairs}
        raw = {}
        for split in SPLITS:
            examples = list(tfds.as_numpy(tfds.load("mnist", split=split, as_supervised=True)))
            raw[split] = (np.stack([image for image, _ in examples]),
                          np.array([label for _, label in examples]))
    for digits in pairs:
        arrays = loaded[digits]
        for split, (images, labels) in zip(SPLITS, (arrays[:2], arrays[2:])):
            raw_images, raw_labels = raw[split]
            keep = np.isin(raw_labels, digits)
            assert keep.any(), f"the mock holds no {digits} in its {split} split"
            np.testing.assert_array_equal(labels, (raw_labels[keep] == digits[1]).astype(np.int64))
            np.testing.assert_array_equal(images, raw_images[keep][..., 0] / 255.0)


def test_bad_digits_are_refused_before_anything_is_loaded():
    with pytest.raises(ValueError, match="two different digits from 0 to 9"):
        helpers.load_mnist(source="tfds", digits=(4, 12))
