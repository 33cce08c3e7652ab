"""Hidden cases: what each graded check runs at grading time only, on inputs the learner's
edition does not contain.

A graded check cell of the worked edition ends with nbgrader's hidden region:

    import helpers; helpers.check("sigmoid")
    ### BEGIN HIDDEN TESTS
    helpers.check_hidden("sigmoid", 6104)
    ### END HIDDEN TESTS

`nbgrader generate_assignment` (and tools/build_exercises.py) removes the region from the release;
autograde puts it back. The number seeds the cases, so the inputs are known to the teacher's
source alone: code that returns only the visible check's expected values, or that assumes the
visible inputs' shapes, fails here. The expected values come from the worked edition itself (the
reference, `COURSE_REFERENCE_NOTEBOOKS`, set by the grading worker to the assignment's source), so
that nothing of the model is written twice. A model's piece is tried alone: the reference model
with only that piece taken from the learner's class, so a mistake in another piece costs nothing
here.

Every answer is first made plain numbers (an ndarray, a NumPy or Python number): an object that
merely compares equal to anything fails, however its `==` answers.
"""
import functools
import io
import json
import os
import types
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

from course import notebooks
from course.checks.framework import CHECKS, CheckFailed

HIDDEN = {}


class Wrong(AssertionError):
    """A hidden case's answer differs from the reference's."""


def hidden(name):
    def register(function):
        HIDDEN[name] = function
        return function
    return register


def run(name, seed, namespace):
    """Run the hidden cases of the check `name` on what `namespace` holds; silent when they pass,
    CheckFailed with the first differing case when not."""
    if name not in HIDDEN:
        raise ValueError(f"no hidden cases for {name!r}")
    rng = np.random.default_rng(seed)
    try:
        HIDDEN[name](rng, namespace)
    except Wrong as difference:
        raise CheckFailed(f"✗ {name}: right on the check's own cases, wrong on the cases kept for "
                          f"grading (other inputs): {difference} Code that answers only the "
                          f"visible cases, or that assumes their shapes, fails here.", name) from None
    except CheckFailed:
        raise
    except Exception as error:  # noqa: BLE001 - the learner's code failed on other inputs
        raise CheckFailed(f"✗ {name}: on the cases kept for grading (other inputs than the "
                          f"check's), your code raised {type(error).__name__}: {error}", name) from None


# ---------------------------------------------------------------------------------------------
# The reference: the worked edition
# ---------------------------------------------------------------------------------------------

def reference_folder():
    return Path(os.environ.get("COURSE_REFERENCE_NOTEBOOKS") or notebooks.NOTEBOOKS_DIR)


@functools.cache
def reference_model(folder=None):
    return notebooks.model_from_notebooks(notebooks_dir=folder or reference_folder())


@functools.cache
def _reference_functions(number, folder):
    """The functions and imports of the worked notebook `number`, run in a namespace of their own."""
    from course.grading.plan import definitions
    path = Path(folder) / notebooks.COURSE_NOTEBOOKS[number - 1]
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    namespace = {"__name__": "reference"}
    for cell in cells:
        metadata = cell.get("metadata") or {}
        if cell.get("cell_type") == "code" and not (metadata.get("nbgrader") or {}).get("grade") \
                and not {"going-further", "progress", "check"} & set(metadata.get("tags") or []):
            source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            exec(compile(definitions(source), f"{path.name} (reference)", "exec"), namespace)  # noqa: S102
    return namespace


def preload(folder):
    """Build the reference (the worked edition's model and functions) once, in the process the
    graded runs are forked from, so that no run pays for it again. `folder`: the worked edition."""
    os.environ["COURSE_REFERENCE_NOTEBOOKS"] = str(folder)
    reference_model()
    for number in {found.notebook for found in CHECKS.values() if not found.of_the_model}:
        try:  # the notebooks whose checks try free functions
            _reference_functions(number, str(reference_folder()))
        except Exception:  # noqa: BLE001 - a notebook none of whose functions is tried: built when used
            pass


def reference(number, name):
    return _reference_functions(number, str(reference_folder()))[name]


def learner_function(namespace, name):
    function = namespace.get(name)
    if not callable(function):
        raise Wrong(f"there is no function {name} in the notebook to try.")
    return function


def alone(namespace, piece):
    """The reference model with only `piece` taken from the learner's LogisticModel. Where the
    piece names `LogisticModel` (a static method calling another), that name is this class."""
    learner = namespace.get("LogisticModel")
    if learner is None or piece not in vars(learner):
        raise Wrong(f"LogisticModel has no {piece} of yours to try.")
    mixed = type("ReferenceWithYour" + piece.strip("_").title(), (reference_model(),), {})
    setattr(mixed, piece, _bound_to(vars(learner)[piece], mixed))
    return mixed


def _bound_to(attribute, model_class):
    """The learner's function with `LogisticModel` meaning `model_class` in its globals."""
    if isinstance(attribute, (staticmethod, classmethod)):
        return type(attribute)(_bound_to(attribute.__func__, model_class))
    if not isinstance(attribute, types.FunctionType):
        return attribute
    function = types.FunctionType(attribute.__code__, {**attribute.__globals__, "LogisticModel": model_class},
                                  attribute.__name__, attribute.__defaults__, attribute.__closure__)
    function.__kwdefaults__ = attribute.__kwdefaults__
    return function


# ---------------------------------------------------------------------------------------------
# Comparing answers
# ---------------------------------------------------------------------------------------------

def numbers(value, what):
    """`value` as a float array, if it is plain numbers (an ndarray, a NumPy or Python number)."""
    plain = (np.ndarray, np.number, np.bool_, int, float, bool)
    if type(value) not in plain and not isinstance(value, (np.number, np.bool_)):
        raise Wrong(f"{what} returned a {type(value).__name__}, not an array or a number.")
    array = np.array(value, dtype=float, copy=True)  # a base ndarray: its own == and arithmetic
    return array


def same(got, expected, what, exact=False):
    got, expected = numbers(got, what), np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        raise Wrong(f"{what} returned shape {got.shape}; expected {expected.shape}.")
    equal = np.array_equal(got, expected) if exact else np.allclose(got, expected, rtol=1e-7, atol=1e-12)
    if not equal:
        raise Wrong(f"{what} returned {_short(got)}; expected {_short(expected)}.")


def _short(array):
    return np.array2string(np.asarray(array), precision=6, threshold=8, edgeitems=3).replace("\n", "")


def _describe(array):
    return f"an array of shape {np.shape(array)}"


# ---------------------------------------------------------------------------------------------
# The cases, notebook by notebook
# ---------------------------------------------------------------------------------------------

@hidden("epochs")
def _epochs(rng, namespace):
    mine, theirs = learner_function(namespace, "epochs"), reference(2, "epochs")
    for _ in range(6):
        examples = int(rng.integers(7, 5000))
        batch = int(rng.integers(1, examples + 1))
        steps = int(rng.integers(1, 2000))
        same(mine(steps, batch, examples), theirs(steps, batch, examples),
             f"epochs({steps}, {batch}, {examples})")


@hidden("share_of_ones")
def _share_of_ones(rng, namespace):
    mine, theirs = learner_function(namespace, "share_of_ones"), reference(3, "share_of_ones")
    for dtype in (float, int, float, np.int64):
        labels = (rng.random(int(rng.integers(3, 60))) < rng.random()).astype(dtype)
        same(mine(labels.copy()), theirs(labels), f"share_of_ones of {len(labels)} labels")


def _images(rng, count):
    return rng.random((count, 28, 28))


@hidden("average_image")
def _average_image(rng, namespace):
    mine, theirs = learner_function(namespace, "average_image"), reference(3, "average_image")
    for _ in range(3):
        count = int(rng.integers(4, 20))
        images, labels = _images(rng, count), rng.permutation(np.arange(count) % 2)
        for digit in (0, 1):
            same(mine(images.copy(), labels.copy(), digit), theirs(images, labels, digit),
                 f"average_image of {count} random images, digit {digit},")


@hidden("unroll")
def _unroll(rng, namespace):
    mine, theirs = learner_function(namespace, "unroll"), reference(4, "unroll")
    for count in (1, int(rng.integers(2, 9))):
        images = _images(rng, count)
        same(mine(images.copy()), theirs(images), f"unroll of {_describe(images)}", exact=True)


@hidden("roll")
def _roll(rng, namespace):
    mine, theirs = learner_function(namespace, "roll"), reference(4, "roll")
    for count in (1, int(rng.integers(2, 9))):
        X = rng.random((count, 784))
        same(mine(X.copy()), theirs(X), f"roll of {_describe(X)}", exact=True)


@hidden("pixel_position")
def _pixel_position(rng, namespace):
    mine, theirs = learner_function(namespace, "pixel_position"), reference(4, "pixel_position")
    for row, column in rng.integers(0, 28, size=(8, 2)).tolist():
        same(mine(row, column), theirs(row, column), f"pixel_position({row}, {column})", exact=True)


@hidden("init")
def _init(rng, namespace):
    learner = namespace.get("LogisticModel")
    if learner is None:
        raise Wrong("there is no LogisticModel in the notebook to try.")
    for features in (1, int(rng.integers(2, 50)), 5000):
        seed = int(rng.integers(0, 10**6))
        one, again = learner(num_features=features, seed=seed), learner(num_features=features, seed=seed)
        what = f"LogisticModel(num_features={features}, seed={seed})"
        w = numbers(one.w, f"{what}.w")
        if w.shape != (features,):
            raise Wrong(f"{what}.w has shape {w.shape}; expected ({features},).")
        same(again.w, w, f"a second {what}.w (the same seed)", exact=True)
        if type(one.b) not in (float, np.float64) or one.b != 0.0:
            raise Wrong(f"{what}.b is {one.b!r}; expected 0.0, a float.")
        if features == 5000 and not (abs(w.mean()) < 0.001 and 0.009 < w.std() < 0.011):
            raise Wrong(f"{what}.w has mean {w.mean():.4f} and standard deviation {w.std():.4f}; "
                        f"expected about 0 and 0.01.")
        other = learner(num_features=features, seed=seed + 1)
        if features > 1 and np.array_equal(numbers(other.w, what), w):
            raise Wrong(f"{what} and seed {seed + 1} gave the same weights: draw them with self.rng.")


@hidden("untrained_scores")
def _untrained_scores(rng, namespace):
    """The learner's cell again, with other examples and a model whose bias is not 0."""
    source = _solution_source(namespace, "untrained_scores", 5)
    model = reference_model()(num_features=784, seed=int(rng.integers(0, 10**6)))
    model.w, model.b = rng.normal(0, 0.05, 784), float(rng.normal(0, 1))
    X = rng.random((int(rng.integers(5, 40)), 784))
    mine = {**namespace, "X_train": X, "model": model}
    exec(compile(source, "your cell of untrained_scores", "exec"), mine)  # noqa: S102
    z = X @ model.w + model.b
    what = f"your cell, for {len(X)} other images and a model with b = {model.b:.3f},"
    same(mine.get("z_train"), z, f"{what} z_train")
    same(mine.get("p_train"), 1 / (1 + np.exp(-z)), f"{what} p_train")


def _solution_source(namespace, grade_id, number):
    sources = namespace.get("__graded_sources__")
    if isinstance(sources, dict) and grade_id in sources:
        return sources[grade_id]
    path = Path.cwd() / notebooks.COURSE_NOTEBOOKS[number - 1]
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id") == grade_id:
            return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    raise Wrong(f"the cell of {grade_id} is not in {path.name}.")


def _model_and_data(rng, features=None, examples=None):
    features = features or int(rng.integers(2, 12))
    examples = examples or int(rng.integers(3, 30))
    X = rng.normal(0, 1, (examples, features))
    y = (rng.random(examples) < 0.5).astype(float)
    return rng.normal(0, 1, features), float(rng.normal(0, 1)), X, y


def _pair(namespace, piece, w, b, seed=0):
    """(the reference model with the learner's piece, the reference model), with weights w, b."""
    mine, theirs = alone(namespace, piece)(num_features=len(w), seed=seed), reference_model()(num_features=len(w), seed=seed)
    for model in (mine, theirs):
        model.w, model.b = w.copy(), b
    return mine, theirs


def _method_case(piece, call, exact=False):
    def cases(rng, namespace):
        for _ in range(4):
            w, b, X, y = _model_and_data(rng)
            mine, theirs = _pair(namespace, piece, w, b)
            got, expected = call(mine, X.copy(), y.copy()), call(theirs, X, y)
            what = f"{piece} for a model of {len(w)} weights (b = {b:.3f}) and {_describe(X)}"
            for part, (g, e) in enumerate(zip(got, expected)):
                same(g, e, what + (f", part {part + 1} of its answer," if len(got) > 1 else ""), exact)
    return cases


hidden("scores")(_method_case("scores", lambda model, X, y: [model.scores(X)]))
hidden("forward")(_method_case("forward", lambda model, X, y: [model.forward(X)]))
hidden("loss")(_method_case("loss", lambda model, X, y: [model.loss(X, y)]))
hidden("backward")(_method_case("backward", lambda model, X, y: list(model.backward(X, y, model.forward(X)))))
hidden("predict")(_method_case("predict", lambda model, X, y: [model.predict(X)], exact=True))
hidden("evaluate")(_method_case("evaluate", lambda model, X, y: list(model.evaluate(X, y))))


def _static_case(piece, arguments):
    def cases(rng, namespace):
        mine = alone(namespace, piece)
        for _ in range(4):
            given = arguments(rng)
            got = getattr(mine, piece)(*[np.copy(a) for a in given])
            expected = getattr(reference_model(), piece)(*given)
            got, expected = (list(got), list(expected)) if isinstance(expected, tuple) else ([got], [expected])
            for g, e in zip(got, expected):
                same(g, e, f"{piece} of {_describe(given[0])}")
    return cases


def _scores(rng):
    return rng.normal(0, 1, int(rng.integers(2, 30))) * rng.choice([1.0, 10.0, 60.0])


hidden("sigmoid")(_static_case("sigmoid", lambda rng: [_scores(rng)]))
def _scores_and_labels(rng):
    z = _scores(rng)
    return [z, (rng.random(len(z)) < 0.5).astype(float)]


hidden("binary_cross_entropy")(_static_case("binary_cross_entropy", _scores_and_labels))
hidden("accuracy_and_loss")(_static_case("accuracy_and_loss", _scores_and_labels))


@hidden("update")
def _update(rng, namespace):
    for _ in range(4):
        w, b, _, _ = _model_and_data(rng)
        mine, theirs = _pair(namespace, "update", w, b)
        dw, db, rate = rng.normal(0, 1, len(w)), float(rng.normal(0, 1)), float(rng.uniform(0.01, 2))
        mine.update(dw.copy(), db, rate)
        theirs.update(dw, db, rate)
        what = f"update with a learning rate of {rate:.3f}"
        same(mine.w, theirs.w, f"{what}: w")
        same(mine.b, theirs.b, f"{what}: b")


@hidden("training_step")
def _training_step(rng, namespace):
    for _ in range(3):
        w, b, X, y = _model_and_data(rng, examples=int(rng.integers(10, 60)))
        seed, size, rate = int(rng.integers(0, 10**6)), int(rng.integers(1, 10)), float(rng.uniform(0.01, 1))
        mine, theirs = _pair(namespace, "training_step", w, b, seed)
        for _ in range(3):
            mine.training_step(X, y, size, rate)
            theirs.training_step(X, y, size, rate)
        what = f"three steps (batch_size {size}, learning rate {rate:.3f}, seed {seed})"
        same(mine.w, theirs.w, f"{what}: w")
        same(mine.b, theirs.b, f"{what}: b")


@hidden("train")
def _train(rng, namespace):
    for iterations in (int(rng.integers(26, 80)), int(rng.integers(80, 130))):
        w, b, X, y = _model_and_data(rng, features=3, examples=int(rng.integers(210, 260)))
        seed = int(rng.integers(0, 10**6))
        mine, theirs = _pair(namespace, "train", w, b, seed)
        printed = []
        for model in (mine, theirs):
            with redirect_stdout(io.StringIO()) as out:
                model.train(X, y, X[:40], y[:40], learning_rate=0.1, batch_size=8, iterations=iterations)
            printed.append(out.getvalue())
        what = f"train for {iterations} iterations"
        if mine.history.get("iteration") != theirs.history.get("iteration"):
            raise Wrong(f"{what} recorded iterations {mine.history.get('iteration')}; expected "
                        f"{theirs.history.get('iteration')}.")
        if printed[0] != printed[1]:
            raise Wrong(f"{what} printed {printed[0]!r}; expected {printed[1]!r}.")
        same(mine.w, theirs.w, f"{what}: w")


@hidden("mistakes")
def _mistakes(rng, namespace):
    mine, theirs = learner_function(namespace, "mistakes"), reference(11, "mistakes")
    for _ in range(4):
        w, b, X, y = _model_and_data(rng)
        model = reference_model()(num_features=len(w))
        model.w, model.b = w, b
        same(mine(model, X.copy(), y.copy()), theirs(model, X, y),
             f"mistakes of a model of {len(w)} weights on {len(X)} examples", exact=True)


@hidden("best_iteration")
def _best_iteration(rng, namespace):
    mine, theirs = learner_function(namespace, "best_iteration"), reference(11, "best_iteration")
    for _ in range(5):
        records = int(rng.integers(2, 15))
        spacing = int(rng.integers(1, 20))
        history = {"iteration": [k * spacing for k in range(records)],
                   "val_loss": [float(v) for v in rng.choice([0.3, 0.2, 0.1, 0.15, 0.25], records)],
                   "train_loss": [float(v) for v in rng.random(records)]}
        copy = {key: list(values) for key, values in history.items()}
        same(mine(copy), theirs(history), f"best_iteration of a history with val_loss "
                                          f"{history['val_loss']}", exact=True)


@hidden("standardise")
def _standardise(rng, namespace):
    mine, theirs = learner_function(namespace, "standardise"), reference(12, "standardise")
    for _ in range(3):
        columns = int(rng.integers(1, 6))
        train = rng.normal(rng.normal(0, 5, columns), rng.uniform(0.5, 3, columns), (int(rng.integers(3, 20)), columns))
        other = rng.normal(0, 3, (int(rng.integers(1, 10)), columns))
        got, expected = mine(train.copy(), other.copy()), theirs(train, other)
        for part, (g, e) in enumerate(zip(got, expected)):
            same(g, e, f"standardise of {_describe(train)} and {_describe(other)}, part {part + 1},")


@hidden("rates")
def _rates(rng, namespace):
    mine, theirs = learner_function(namespace, "rates"), reference(12, "rates")
    for _ in range(5):
        matrix = rng.integers(1, 60, (2, 2))
        got, expected = mine(matrix.copy()), theirs(matrix)
        for g, e in zip(got, expected):
            same(g, e, f"rates of {matrix.tolist()}")

