"""The notebooks' claims about the mathematics, checked with numbers (the notebooks print the same
measurements; these tests keep the sentences true if the data or the model change)."""
import numpy as np
import pytest

import helpers


@pytest.fixture(scope="module")
def LogisticModel():
    return helpers.model_from_notebooks()


@pytest.fixture(scope="module")
def training_set():
    train_images, train_labels, _, _ = helpers.load_mnist()
    return train_images.reshape(len(train_images), -1), train_labels


def full_batch(LogisticModel, X, y, iterations):
    model = LogisticModel(X.shape[1], seed=0)
    model.train(X, y, learning_rate=helpers.hyperparameters()["learning_rate"], batch_size=len(X),
                iterations=iterations, verbose=False)
    return model


def test_the_training_set_is_separable_so_the_loss_has_no_minimum(LogisticModel, training_set):
    """Notebooks 5 and 11: the loss only approaches 0 while the weights keep growing (notebook 11:
    from 300 to 1,000 full-batch steps, every answer right, the loss about three times smaller)."""
    X, y = training_set
    short, long = (full_batch(LogisticModel, X, y, n) for n in (300, 1000))
    for model in (short, long):
        assert np.array_equal(model.predict(X), y), "a separating set of weights was found"
    short_loss, long_loss = short.evaluate(X, y)[1], long.evaluate(X, y)[1]
    assert 0 < short_loss / 4 < long_loss < short_loss / 2.5, "the loss about threefold smaller"
    assert np.linalg.norm(long.w) > 1.2 * np.linalg.norm(short.w), "the weights keep growing"


def test_steps_are_bounded_but_not_small(LogisticModel, training_set):
    """Notebooks 2 and 8: no weight moves by more than the learning rate, yet the first step is
    several times as long as the initial weights."""
    X, y = training_set
    learning_rate = helpers.hyperparameters()["learning_rate"]
    model = LogisticModel(X.shape[1], seed=0)
    start = model.w
    dw, db = model.backward(X, y.astype(float), model.forward(X))
    assert np.abs(dw).max() <= 1 and abs(db) <= 1
    model.update(dw, db, learning_rate)
    step = model.w - start
    assert np.abs(step).max() <= learning_rate
    assert np.linalg.norm(step) > 3 * np.linalg.norm(start)


def test_where_float64_runs_out(LogisticModel):
    """Notebook 6: 1 - y_hat reaches 0 above z of about 37, y_hat itself only below about -745."""
    sigmoid = LogisticModel.sigmoid
    assert 1 - sigmoid(np.array([36.0]))[0] > 0 and 1 - sigmoid(np.array([37.0]))[0] == 0
    assert sigmoid(np.array([-745.0]))[0] > 0 and sigmoid(np.array([-746.0]))[0] == 0
    assert sigmoid(np.array([-40.0]))[0] > 0  # far from 0 at the scores where 1 - y_hat is 0


@pytest.fixture(scope="module")
def three_or_five():
    """Notebook 11's harder pair, with a fifth of its training images set aside for validation."""
    images, labels, _, _ = helpers.load_mnist(digits=(3, 5))
    X = images.reshape(len(images), -1)
    kept, aside = helpers.stratified_split(labels, 0.2, np.random.default_rng(10))
    return X[kept], labels[kept], X[aside], labels[aside]


def run(LogisticModel, data, **changes):
    model = LogisticModel(784, seed=0)
    return model.train(*data, verbose=False, **{**helpers.hyperparameters(), **changes})


def test_on_3_vs_5_the_learning_rate_matters(LogisticModel, three_or_five):
    """Notebooks 2 and 11: 0.001 crawls, 0.5 learns, 20 overshoots."""
    small, good, large = (run(LogisticModel, three_or_five, learning_rate=rate)
                          for rate in (0.001, 0.5, 20.0))
    assert small["train_loss"][-1] > 0.5 and small["val_accuracy"][-1] < 0.9
    assert good["train_loss"][-1] < 0.1 and good["val_accuracy"][-1] >= 0.94
    assert max(large["train_loss"][10:]) > 1, "the training loss jumps about"
    assert large["val_loss"][-1] > 10 * good["val_loss"][-1]


def test_on_3_vs_5_small_batches_wander_and_long_training_overfits(LogisticModel, three_or_five):
    rises = {size: int(np.sum(np.diff(run(LogisticModel, three_or_five, batch_size=size)["train_loss"]) > 0))
             for size in (8, 64, 640)}
    assert rises[8] > rises[64] > rises[640] == 0
    long = run(LogisticModel, three_or_five, iterations=3000)
    best = int(np.argmin(long["val_loss"]))
    assert long["iteration"][best] < 600, "the validation loss is lowest early"
    assert long["val_loss"][-1] > 1.2 * long["val_loss"][best], "and rises after"
    assert long["train_loss"][-1] < long["val_loss"][-1] / 10, "a wide gap at the end"
