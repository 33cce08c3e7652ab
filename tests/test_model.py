"""The finished LogisticModel, exactly as notebooks 5-10 build it (helpers.model_from_notebooks)."""
import pickle
import shutil

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

import helpers
from notebook_edits import replace_in_cell


@pytest.fixture(scope="module")
def LogisticModel():
    return helpers.model_from_notebooks()


# Small settings for tests that train on a few rows; the course's own come from notebook 2.
QUICK = dict(learning_rate=0.1, batch_size=2, iterations=3, verbose=False)


@pytest.fixture(scope="module")
def mnist():
    train_images, train_labels, test_images, test_labels = helpers.load_mnist()
    return (train_images.reshape(len(train_images), -1), train_labels,
            test_images.reshape(len(test_images), -1), test_labels)


@pytest.fixture(scope="module")
def trained(LogisticModel, mnist):
    X_train, y_train, X_test, y_test = mnist
    model = LogisticModel(X_train.shape[1], seed=0)
    model.train(X_train, y_train, X_test, y_test, verbose=False, **helpers.hyperparameters())
    return model


def random_problem(seed, m=40, n=12):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(m, n)), (rng.random(m) < 0.5).astype(float), rng.normal(size=n), rng.normal()


# --- the mathematics ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradient_matches_finite_differences(LogisticModel, seed):
    X, y, w, b = random_problem(seed)
    model = LogisticModel(X.shape[1])
    model.w, model.b = w.copy(), b
    dw, db = model.backward(X, y, model.forward(X))

    def loss_at(parameters):
        probe = LogisticModel(X.shape[1])
        probe.w, probe.b = parameters[:-1], parameters[-1]
        return probe.loss(X, y)

    theta, epsilon = np.append(w, b), 1e-6
    numeric = np.array([(loss_at(theta + e) - loss_at(theta - e)) / (2 * epsilon)
                        for e in np.eye(len(theta)) * epsilon])
    analytic = np.append(dw, db)
    assert np.linalg.norm(analytic - numeric) / np.linalg.norm(analytic + numeric) < 1e-7


def test_loss_is_binary_cross_entropy(LogisticModel):
    X, y, w, b = random_problem(3)
    model = LogisticModel(X.shape[1])
    model.w, model.b = w, b
    p = 1 / (1 + np.exp(-(X @ w + b)))
    expected = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))
    assert np.isclose(model.loss(X, y), expected, rtol=1e-12)


@pytest.mark.filterwarnings("error")
def test_huge_inputs_give_no_warning_and_a_finite_loss(LogisticModel, mnist):
    X_train, y_train, X_test, y_test = mnist
    model = LogisticModel(X_train.shape[1], seed=0)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        history = model.train(X_train * 1e4, y_train, X_test * 1e4, y_test, verbose=False,
                              **helpers.hyperparameters())
        accuracy, loss = model.evaluate(X_test * 1e4, y_test)
        probabilities = model.forward(X_test * 1e4)
    assert np.isfinite(loss) and all(np.isfinite(history["val_loss"]))
    assert np.all((probabilities >= 0) & (probabilities <= 1))
    assert accuracy > 0.9


def test_extreme_scores(LogisticModel):
    z = np.array([-1e308, -1000.0, 0.0, 1000.0, 1e308])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        assert LogisticModel.sigmoid(z).tolist() == [0.0, 0.0, 0.5, 1.0, 1.0]
        assert LogisticModel.binary_cross_entropy(np.array([1000.0]), np.array([0.0])) == 1000.0
        assert LogisticModel.binary_cross_entropy(np.array([-1000.0]), np.array([0.0])) == 0.0


# --- training and the public API ---------------------------------------------------------------

def test_accuracy_on_the_shipped_test_split(trained, mnist):
    accuracy, loss = trained.evaluate(mnist[2], mnist[3])
    assert accuracy >= 0.995 and loss < 0.05


def test_same_seed_gives_bit_identical_weights(LogisticModel, mnist):
    def weights(seed):
        model = LogisticModel(784, seed=seed)
        model.train(mnist[0], mnist[1], verbose=False, **{**helpers.hyperparameters(), "iterations": 60})
        return model.w, model.b

    (w1, b1), (w2, b2), (w3, _) = weights(5), weights(5), weights(6)
    assert np.array_equal(w1, w2) and b1 == b2
    assert not np.array_equal(w1, w3)


def test_agrees_with_scikit_learn(trained, mnist):
    X_train, y_train, X_test, y_test = mnist
    with threadpool_limits(1):
        reference = LogisticRegression(C=1e4, max_iter=2000).fit(X_train, y_train)
    ours, theirs = trained.predict(X_test), reference.predict(X_test)
    assert np.mean(ours == theirs) >= 0.99
    assert abs(np.mean(ours == y_test) - reference.score(X_test, y_test)) <= 0.01
    # Both learn the same picture: weights point the same way.
    cosine = trained.w @ reference.coef_[0] / np.linalg.norm(trained.w) / np.linalg.norm(reference.coef_[0])
    assert cosine > 0.5


def test_predict_and_evaluate_types(trained, mnist):
    predictions = trained.predict(mnist[2])
    assert predictions.dtype == np.int64 and predictions.shape == (200,)
    assert set(np.unique(predictions)) <= {0, 1}
    accuracy, loss = trained.evaluate(mnist[2], mnist[3])
    assert type(accuracy) is float and type(loss) is float
    assert trained.evaluate(mnist[2], mnist[3].reshape(-1, 1)) == (accuracy, loss)
    assert accuracy == np.mean(predictions == mnist[3])


def test_history_and_progress(LogisticModel, mnist, capsys):
    model = LogisticModel(784, seed=0)
    history = model.train(mnist[0], mnist[1], mnist[2], mnist[3],
                          **{**helpers.hyperparameters(), "iterations": 300})
    assert history is model.history
    assert set(history) == {"iteration", "train_loss", "train_accuracy", "val_loss", "val_accuracy"}
    assert history["iteration"][:3] == [0, 12, 24] and history["iteration"][-1] == 300
    assert all(len(values) == 26 for values in history.values())  # at most 25 records after 0
    assert history["val_loss"][-1] < history["val_loss"][0]
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 5 and lines[0].startswith("iteration  60/300: train loss")
    model.train(mnist[0], mnist[1], **{**QUICK, "iterations": 5})
    assert capsys.readouterr().out == ""
    assert set(model.history) == {"iteration", "train_loss", "train_accuracy"}


def test_full_batch_training(LogisticModel, mnist):
    model = LogisticModel(784, seed=0)
    model.train(mnist[0], mnist[1], learning_rate=0.5, batch_size=len(mnist[0]), iterations=30,
                verbose=False)
    assert model.evaluate(mnist[2], mnist[3])[0] >= 0.99


# --- bad input ---------------------------------------------------------------------------------

X_OK = np.zeros((4, 3))
Y_OK = np.array([0, 1, 0, 1])

BAD_INPUTS = {
    # name: (call on a model with 3 features, error type, words the message must contain)
    "X 1-D": (lambda m: m.train(np.zeros(3), [0], **QUICK),
              ValueError, r"X_train must be 2-D.*got shape \(3,\)"),
    "X 3-D": (lambda m: m.predict(np.zeros((2, 3, 1))),
              ValueError, r"X must be 2-D.*got shape \(2, 3, 1\)"),
    "X wrong width": (lambda m: m.train(np.zeros((4, 5)), Y_OK, **QUICK),
                      ValueError, r"X_train must have 3 columns.*got 5"),
    "X empty": (lambda m: m.evaluate(np.zeros((0, 3)), []),
                ValueError, r"X must hold at least one example, got 0"),
    "X text": (lambda m: m.train([["a", "b", "c"]], [0], **QUICK),
               TypeError, r"X_train must hold real numbers.*dtype <U1"),
    "X objects": (lambda m: m.predict(np.array([[None, 1, 2]])),
                  TypeError, r"X must hold real numbers.*object"),
    "X complex": (lambda m: m.predict(np.ones((1, 3)) * 1j),
                  TypeError, r"X must hold real numbers.*complex"),
    "X NaN": (lambda m: m.train(np.array([[0, np.nan, 0]] * 4), Y_OK, **QUICK),
              ValueError, r"X_train must be finite, got nan at row 0, column 1"),
    "X infinity": (lambda m: m.predict(np.array([[0, 0, 1], [0, 0, np.inf]])),
                   ValueError, r"X must be finite, got inf at row 1, column 2"),
    "X_val wrong width": (lambda m: m.train(X_OK, Y_OK, np.zeros((2, 2)), [0, 1], **QUICK),
                          ValueError, r"X_val must have 3 columns.*got 2"),
    "y not 0/1": (lambda m: m.train(X_OK, [0, 1, 2, -1], **QUICK),
                  ValueError, r"y_train must hold only 0 and 1, got also \[-1.0, 2.0\]"),
    "y NaN": (lambda m: m.evaluate(X_OK, [0, 1, np.nan, 1]),
              ValueError, r"y must hold only 0 and 1, got also \[nan\]"),
    "y text": (lambda m: m.train(X_OK, ["0", "1", "0", "1"], **QUICK),
               TypeError, r"y_train must hold the numbers 0 and 1.*<U1"),
    "y too short": (lambda m: m.train(X_OK, [0, 1, 0], **QUICK),
                    ValueError, r"y_train must hold one label per example: 4 examples, got 3"),
    "y too long": (lambda m: m.evaluate(X_OK, [0, 1, 0, 1, 1]),
                   ValueError, r"y must hold one label per example: 4 examples, got 5"),
    "y 2 columns": (lambda m: m.train(X_OK, np.zeros((4, 2)), **QUICK),
                    ValueError, r"y_train must have shape \(4,\) or \(4, 1\), got shape \(4, 2\)"),
    "y_val wrong length": (lambda m: m.train(X_OK, Y_OK, X_OK, [0, 1], **QUICK),
                           ValueError, r"y_val must hold one label per example: 4 examples, got 2"),
    "X_val alone": (lambda m: m.train(X_OK, Y_OK, X_OK, **QUICK),
                    ValueError, r"both X_val and y_val"),
    "learning rate 0": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "learning_rate": 0}),
                        ValueError, r"learning_rate must be a finite number > 0, got 0"),
    "learning rate negative": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "learning_rate": -0.1}),
                               ValueError, r"learning_rate .* > 0, got -0.1"),
    "learning rate NaN": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "learning_rate": float("nan")}),
                          ValueError, r"learning_rate .* got nan"),
    "learning rate text": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "learning_rate": "0.1"}),
                           TypeError, r"learning_rate must be a number, got '0.1' \(str\)"),
    "batch size 0": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "batch_size": 0}),
                     ValueError, r"batch_size must be at least 1 and at most 4, got 0"),
    "batch size too big": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "batch_size": 5}),
                           ValueError, r"batch_size must be at least 1 and at most 4, got 5"),
    "batch size float": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "batch_size": 2.0}),
                         TypeError, r"batch_size must be a whole number, got 2.0 \(float\)"),
    "batch size bool": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "batch_size": True}),
                        TypeError, r"batch_size must be a whole number, got True"),
    "iterations 0": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "batch_size": 4, "iterations": 0}),
                     ValueError, r"iterations must be at least 1, got 0"),
    "iterations float": (lambda m: m.train(X_OK, Y_OK, **{**QUICK, "batch_size": 4, "iterations": 1e3}),
                         TypeError, r"iterations must be a whole number, got 1000.0"),
    "learning rate too large for a float": (
        lambda m: m.train(X_OK, Y_OK, **{**QUICK, "learning_rate": 10**400}),
        ValueError, r"learning_rate must be a finite number > 0, got 1000000"),
    "predict wrong width": (lambda m: m.predict(np.zeros((2, 784))),
                            ValueError, r"X must have 3 columns \(one per feature\), got 784"),
}


@pytest.mark.parametrize("name", BAD_INPUTS)
def test_bad_input_gets_a_clear_error(LogisticModel, name):
    call, error_type, message = BAD_INPUTS[name]
    model = LogisticModel(3)
    before = model.w.copy()
    with pytest.raises(error_type, match=message):
        call(model)
    assert np.array_equal(model.w, before), "a refused call must not change the model"


@pytest.mark.parametrize("num_features, error_type, message", [
    (0, ValueError, r"num_features must be at least 1, got 0"),
    (-5, ValueError, r"num_features must be at least 1, got -5"),
    (3.0, TypeError, r"num_features must be a whole number, got 3.0 \(float\)"),
    ("784", TypeError, r"num_features must be a whole number, got '784' \(str\)"),
    (None, TypeError, r"num_features must be a whole number, got None"),
])
def test_bad_num_features(LogisticModel, num_features, error_type, message):
    with pytest.raises(error_type, match=message):
        LogisticModel(num_features)


def test_good_inputs_of_other_types_are_accepted(LogisticModel):
    model = LogisticModel(np.int64(3))
    model.train([[0, 1, 0], [1, 0, 1]], np.array([[True], [False]]), batch_size=np.int32(2),
                iterations=np.int64(3), learning_rate=np.float32(0.1), verbose=False)
    assert model.predict(np.array([[0, 1, 0]], dtype=np.uint8)).shape == (1,)


# --- one source of truth -----------------------------------------------------------------------

def test_each_notebook_adds_its_piece():
    built = {n: helpers.model_from_notebooks(through=n) for n in range(5, 11)}
    assert not hasattr(built[5], "forward") and hasattr(built[5], "check_features")
    assert hasattr(built[6], "forward") and not hasattr(built[6], "backward")
    assert hasattr(built[7], "backward") and not hasattr(built[7], "update")
    assert hasattr(built[8], "update") and not hasattr(built[8], "predict")
    assert hasattr(built[9], "evaluate") and not hasattr(built[9], "train")
    assert hasattr(built[10], "train")
    assert len({id(cls) for cls in built.values()}) == 6, "each notebook's class is its own"


@pytest.mark.parametrize("through", [4, 13, "6", 6.0, True])
def test_model_from_notebooks_rejects_bad_through(through):
    with pytest.raises(ValueError, match=r"through must be a notebook number from 5 to 12"):
        helpers.model_from_notebooks(through=through)


def edit_model_cell(folder, notebook, old, new):
    replace_in_cell(folder / notebook, old, new, tag="model")


def test_an_edit_to_notebook_6_changes_the_finished_model(tmp_path):
    copy = tmp_path / "notebooks"
    shutil.copytree(helpers.NOTEBOOKS_DIR, copy)
    edit_model_cell(copy, "06_forward_pass.ipynb", "return X @ self.w + self.b",
                    "return X @ self.w + self.b - 100.0")
    original, edited = helpers.model_from_notebooks(), helpers.model_from_notebooks(notebooks_dir=copy)
    X = np.zeros((2, 784))
    assert original(784).scores(X).tolist() == [0.0, 0.0]
    assert edited(784).scores(X).tolist() == [-100.0, -100.0]
    # The edit reaches notebook 9's predict and notebook 10's train, which use scores.
    assert original(784).predict(X).tolist() == [1, 1] and edited(784).predict(X).tolist() == [0, 0]


def test_an_error_in_a_model_cell_names_the_notebook(tmp_path):
    copy = tmp_path / "notebooks"
    shutil.copytree(helpers.NOTEBOOKS_DIR, copy)
    edit_model_cell(copy, "07_backward_pass.ipynb", "def backward(self, X, y, y_hat):",
                    "def backward(self, X, y, y_hat):\n    undefined_name")
    Model = helpers.model_from_notebooks(notebooks_dir=copy)
    model = Model(3)
    with pytest.raises(NameError) as error:
        model.backward(X_OK, Y_OK, Y_OK)
    assert "07_backward_pass.ipynb, the cell with `def backward(self, X, y, y_hat):`" in \
        error.traceback[-1].frame.code.raw.co_filename


def test_no_model_code_outside_the_model_notebooks():
    source = (helpers.ROOT / "helpers.py").read_text()
    for piece in ("def sigmoid", "def backward", "logaddexp", "X.T @"):
        assert piece not in source


# --- settings come from notebook 2 only; models behave like ordinary Python objects --------------

def test_train_has_no_hidden_defaults(LogisticModel):
    with pytest.raises(TypeError, match="learning_rate.*batch_size.*iterations"):
        LogisticModel(3).train(X_OK, Y_OK)


def test_a_learning_rate_given_as_a_python_int_is_a_number(LogisticModel):
    model = LogisticModel(3)
    model.train(X_OK, Y_OK, **{**QUICK, "learning_rate": 10**20})  # large, but a float holds it
    assert np.isfinite(model.w).all()


def test_update_never_writes_into_an_array_the_caller_holds(LogisticModel):
    model = LogisticModel(3)
    my_weights = np.array([1.0, 2.0, 3.0])
    model.w = my_weights
    model.update(np.ones(3), 1.0, 0.5)
    assert my_weights.tolist() == [1.0, 2.0, 3.0]
    assert model.w.tolist() == [0.5, 1.5, 2.5] and model.b == -0.5


def test_history_measures_the_same_examples_at_every_record(LogisticModel, mnist):
    X_train, y_train, X_val, y_val = mnist[0], mnist[1], mnist[2][:150], mnist[3][:150]
    every_fourth = slice(0, None, 4)  # 200 of the 800 training images, spread evenly
    model = LogisticModel(784, seed=0)
    untrained = model.evaluate(X_train[every_fourth], y_train[every_fourth])
    untrained_val = model.evaluate(X_val, y_val)
    history = model.train(X_train, y_train, X_val, y_val, learning_rate=0.5, batch_size=16,
                          iterations=7, verbose=False)
    assert history["iteration"] == list(range(8))
    assert (history["train_accuracy"][0], history["train_loss"][0]) == untrained
    assert (history["val_accuracy"][0], history["val_loss"][0]) == untrained_val  # <= 200: all
    # The last record is the trained model, measured on the same 200 images, not on its last batch.
    assert (history["train_accuracy"][-1], history["train_loss"][-1]) == \
        model.evaluate(X_train[every_fourth], y_train[every_fourth])
    assert (history["val_accuracy"][-1], history["val_loss"][-1]) == model.evaluate(X_val, y_val)


def test_a_trained_model_pickles(trained, mnist, LogisticModel):
    copy = pickle.loads(pickle.dumps(trained))
    assert isinstance(copy, LogisticModel)
    assert np.array_equal(copy.predict(mnist[2]), trained.predict(mnist[2]))
    assert np.array_equal(copy.w, trained.w) and copy.b == trained.b


def test_the_same_notebooks_give_the_same_class(LogisticModel):
    again = helpers.model_from_notebooks()
    assert again is LogisticModel
    assert isinstance(again(3), LogisticModel)
    assert LogisticModel.notebooks_dir == helpers.notebooks_folder()


def test_a_class_changed_in_a_kernel_is_built_afresh():
    # Notebook 6 adds methods to the class of notebook 5: the next call must not see them.
    first = helpers.model_from_notebooks(through=5)
    first.scores = lambda self, X: None
    second = helpers.model_from_notebooks(through=5)
    assert second is not first and not hasattr(second, "scores")
    assert pickle.loads(pickle.dumps(second(3))).__class__ is second


def test_a_later_notebook_cannot_break_an_earlier_method(tmp_path):
    copy = tmp_path / "notebooks"
    shutil.copytree(helpers.NOTEBOOKS_DIR, copy)
    edit_model_cell(copy, "10_training_loop.ipynb", "LogisticModel.record = record",
                    "LogisticModel.record = record\nnp = None  # rebinds np in notebook 10 only")
    model = helpers.model_from_notebooks(notebooks_dir=copy)(3)
    assert model.forward(np.zeros((2, 3))).tolist() == [0.5, 0.5]  # notebook 6's sigmoid uses np


def test_tracebacks_show_the_line_of_the_copy_that_ran(tmp_path):
    models = {}
    for name in ("first", "second"):
        copy = tmp_path / name / "notebooks"
        shutil.copytree(helpers.NOTEBOOKS_DIR, copy)
        edit_model_cell(copy, "07_backward_pass.ipynb", "def backward(self, X, y, y_hat):",
                        f"def backward(self, X, y, y_hat):\n    undefined_in_{name}")
        models[name] = helpers.model_from_notebooks(notebooks_dir=copy)
    for name, model_class in models.items():
        with pytest.raises(NameError) as error:
            model_class(3).backward(X_OK, Y_OK, Y_OK)
        frame = error.traceback[-1]
        assert str(tmp_path / name / "notebooks" / "07_backward_pass.ipynb") in frame.path
        assert f"undefined_in_{name}" in str(frame.statement)
