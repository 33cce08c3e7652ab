"""Speed report for the course's LogisticModel (run by hand; not a test).

    .venv/bin/python benchmarks/benchmark.py            # all six
    .venv/bin/python benchmarks/benchmark.py --quick    # without notebook 11 (5.)

Every timing of 1.-4. runs under ``threadpoolctl.threadpool_limits(1)`` (one BLAS thread, no
oversubscription) and is the median wall time of REPEATS runs after a warm-up, the runs
being compared taking turns (so a change in the machine's load hits both alike). Measured:

1. Time to train on the shipped data to >= 99.5 % test accuracy: the course's model
   (course hyperparameters, the fewest iterations from ITERATION_GRID that reach it) against
   scikit-learn's LogisticRegression (lbfgs, defaults; the smallest C from C_GRID that
   reaches it). Target: course / scikit-learn <= 1.
2. One full-batch iteration of ``train`` against the bare products ``X @ w`` and
   ``X.T @ r`` on the same training matrix. Target: ratio <= 1.5.
3. ``import helpers`` in a fresh interpreter (median of IMPORT_REPEATS). Target: < 0.5 s,
   importing neither tensorflow nor matplotlib.
4. The history's share of a run: ``train`` at the course's settings with validation data and
   progress lines, on the shipped pair (640 + 160 images, split as the notebooks split it) and on
   a full-MNIST-sized pair (12,665 images, 10,132 + 2,533; the real one through
   tensorflow-datasets if it is already downloaded, else a stand-in of that size drawn from the
   shipped images). Measured inside each run: the time spent in ``record`` and in writing the
   progress lines, over the run's wall time (median of REPEATS runs). Target: <= 20 %.
5. Notebook 11, run with nbclient in a fresh kernel (median of NOTEBOOK_REPEATS), its cells'
   time from the first to the last, as the learner runs it (BLAS threads as the environment
   says) and, if OPENBLAS_NUM_THREADS is not set, once more with it set to 1, to show what
   OpenBLAS's threads cost on a busy machine; with ``--quick`` this is skipped. Target: <= 10 s.
6. ``helpers.progress()``, the last cell of every notebook, in a fresh interpreter started in the
   notebooks' folder, as a kernel is (median of PROGRESS_REPEATS): on the worked edition (every
   check passes) and on the exercise edition (nothing written yet), its first call, the model
   built from the saved notebooks included; ``import helpers`` is measured in 3. Target: < 1 s.

It prints a report and always exits with status 0.
"""
import contextlib
import io
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import sklearn
import threadpoolctl
from sklearn.linear_model import LogisticRegression

import helpers

TARGET_ACCURACY = 0.995
ITERATION_GRID = (10, 20, 30, 50, 100, 200, 300)
C_GRID = (1.0, 10.0, 100.0, 1000.0)  # 1.0 is scikit-learn's default
SEED = 0
REPEATS = 15
EPOCH_ITERATIONS = 200
TARGET_SPEED_RATIO = 1.0
TARGET_EPOCH_RATIO = 1.5
IMPORT_REPEATS = 5
TARGET_IMPORT_SECONDS = 0.5
FULL_PAIR_SIZE = 12_665       # the 0s and 1s of the full MNIST's training images
VALIDATION_FRACTION = 0.2     # as notebooks 10 and 11 set validation images aside
SPLIT_SEED = 10               # their seed
TARGET_HISTORY_SHARE = 0.20
NOTEBOOK = "11_training_the_model.ipynb"
NOTEBOOK_REPEATS = 3
TARGET_NOTEBOOK_SECONDS = 10.0
PROGRESS_REPEATS = 5
TARGET_PROGRESS_SECONDS = 1.0
ROOT = Path(__file__).resolve().parent.parent


def verdict(passed):
    return "PASS" if passed else "FAIL"


def median_seconds(functions, repeats=REPEATS):
    """The median wall time of each function over `repeats` calls, after a warm-up call.

    The functions take turns, so that a change in the machine's load hits all of them alike.
    """
    for function in functions:
        function()
    times = [[] for _ in functions]
    for _ in range(repeats):
        for function, runs in zip(functions, times):
            start = time.perf_counter()
            function()
            runs.append(time.perf_counter() - start)
    return [statistics.median(runs) for runs in times]


def load_data():
    train_images, train_labels, test_images, test_labels = helpers.load_mnist()
    return (train_images.reshape(len(train_images), -1), train_labels,
            test_images.reshape(len(test_images), -1), test_labels)


def print_header():
    print(f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}, threadpoolctl {threadpoolctl.__version__}")
    for pool in sorted(threadpoolctl.threadpool_info(), key=lambda pool: pool["filepath"]):
        if pool["user_api"] == "blas":
            core = pool.get("architecture") or pool.get("corename") or "?"
            print(f"BLAS of {Path(pool['filepath']).parent.name}: {pool['internal_api']} "
                  f"{pool['version']}, core {core}, {pool['num_threads']} threads by default")
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        print(f"{name}={os.environ[name]}" if name in os.environ else f"{name} not set")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; timings: median "
          f"of {REPEATS} after a warm-up, under threadpool_limits(1)\n")


def course_fit(model_class, data, hyper, iterations):
    X_train, y_train = data[:2]
    model = model_class(X_train.shape[1], seed=SEED)
    model.train(X_train, y_train, learning_rate=hyper["learning_rate"],
                batch_size=hyper["batch_size"], iterations=iterations, verbose=False)
    return model


def fewest_iterations(model_class, data, hyper):
    """(K, test accuracy): the first K of ITERATION_GRID reaching TARGET_ACCURACY (or the last)."""
    for iterations in ITERATION_GRID:
        accuracy = course_fit(model_class, data, hyper, iterations).evaluate(*data[2:])[0]
        if accuracy >= TARGET_ACCURACY:
            break
    return iterations, accuracy


def smallest_C(data):
    """(C, test accuracy, lbfgs iterations): the first C of C_GRID reaching TARGET_ACCURACY."""
    for C in C_GRID:
        classifier = LogisticRegression(C=C).fit(*data[:2])
        accuracy = classifier.score(*data[2:])
        if accuracy >= TARGET_ACCURACY:
            break
    return C, accuracy, int(classifier.n_iter_[0])


def report_time_to_accuracy(model_class, data, hyper):
    print(f"1. Train to >= {TARGET_ACCURACY:.1%} test accuracy (seed {SEED})")
    K, accuracy = fewest_iterations(model_class, data, hyper)
    C, sk_accuracy, n_iter = smallest_C(data)
    course_s, sklearn_s = median_seconds([
        lambda: course_fit(model_class, data, hyper, K),
        lambda: LogisticRegression(C=C).fit(*data[:2])])
    default = LogisticRegression()
    reached = accuracy >= TARGET_ACCURACY and sk_accuracy >= TARGET_ACCURACY
    print(f"   course model: learning_rate {hyper['learning_rate']}, batch_size "
          f"{hyper['batch_size']}, K = {K} iterations (grid {', '.join(map(str, ITERATION_GRID))})"
          f" -> test accuracy {accuracy:.1%}: {course_s * 1e3:.2f} ms")
    print(f"   scikit-learn: LogisticRegression(solver={default.solver!r}, C={C}"
          f"{' (default)' if C == default.C else f', as the default C={default.C} falls short'}, "
          f"max_iter={default.max_iter}), {n_iter} iterations -> test accuracy {sk_accuracy:.1%}: "
          f"{sklearn_s * 1e3:.2f} ms")
    ratio = course_s / sklearn_s
    print(f"   course / scikit-learn = {ratio:.2f}  target "
          f"<= {TARGET_SPEED_RATIO}{'' if reached else ' at the target accuracy (NOT reached)'}: "
          f"{verdict(reached and ratio <= TARGET_SPEED_RATIO)}\n")


def report_epoch_cost(model_class, data, hyper):
    X, y = data[:2]
    n_examples, n_features = X.shape
    print(f"2. One full-batch iteration: train(batch_size={n_examples}, iterations="
          f"{EPOCH_ITERATIONS}) per iteration against X @ w + X.T @ r, X {n_examples}x{n_features}")
    rng = np.random.default_rng(SEED)
    w, r = rng.normal(size=n_features), rng.normal(size=n_examples)

    def train():
        model_class(n_features, seed=SEED).train(
            X, y, learning_rate=hyper["learning_rate"], batch_size=n_examples,
            iterations=EPOCH_ITERATIONS, verbose=False)

    def products():
        for _ in range(EPOCH_ITERATIONS):
            X @ w
            X.T @ r

    train_s, products_s = median_seconds([train, products])
    to_us = 1e6 / EPOCH_ITERATIONS
    ratio = train_s / products_s
    print(f"   train: {train_s * to_us:.1f} us per iteration; "
          f"X @ w + X.T @ r: {products_s * to_us:.1f} us")
    print(f"   ratio = {ratio:.2f}  target <= "
          f"{TARGET_EPOCH_RATIO}: {verdict(ratio <= TARGET_EPOCH_RATIO)}\n")


IMPORT_PROBE = """\
import sys, time
start = time.perf_counter()
import helpers
seconds = time.perf_counter() - start
print(seconds, "tensorflow" in sys.modules, "matplotlib" in sys.modules)
"""


def report_import_time():
    print(f"3. import helpers in a fresh interpreter (median of {IMPORT_REPEATS})")
    runs = [subprocess.run([sys.executable, "-c", IMPORT_PROBE], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
            for _ in range(IMPORT_REPEATS)]
    seconds = statistics.median(float(run[0]) for run in runs)
    tensorflow = any(run[1] == "True" for run in runs)
    matplotlib = any(run[2] == "True" for run in runs)
    passed = seconds < TARGET_IMPORT_SECONDS and not (tensorflow or matplotlib)
    print(f"   {seconds * 1e3:.0f} ms; imported tensorflow: {tensorflow}, matplotlib: "
          f"{matplotlib}  target < {TARGET_IMPORT_SECONDS} s and neither: {verdict(passed)}")


# ---- 4. The history's share of a run ------------------------------------------------------------

def split(X, y):
    """(X_train, y_train, X_val, y_val): a fifth set aside, as notebooks 10 and 11 do."""
    kept, aside = helpers.stratified_split(y, VALIDATION_FRACTION, np.random.default_rng(SPLIT_SEED))
    return X[kept], y[kept], X[aside], y[aside]


def full_pair():
    """(X, y, where from): the full MNIST's 12,665 training 0s and 1s if tensorflow-datasets has
    them on this machine already (nothing is downloaded), else a stand-in of the same size."""
    data_dir = Path(os.environ.get("TFDS_DATA_DIR", Path.home() / "tensorflow_datasets"))
    if (data_dir / "mnist").is_dir():
        try:
            images, labels, _, _ = helpers.load_mnist(source="tfds")
            return images.reshape(len(images), -1), labels, "the full MNIST (tensorflow-datasets)"
        except Exception as error:  # report it, and fall back to the stand-in
            print(f"   (tensorflow-datasets' MNIST did not load: {error!r:.100})")
    X_train, y_train, X_test, y_test = load_data()
    X, y = np.concatenate([X_train, X_test]), np.concatenate([y_train, y_test])
    rows = np.random.default_rng(SEED).choice(len(X), size=FULL_PAIR_SIZE)  # with replacement
    return (X[rows], y[rows], f"a stand-in: {FULL_PAIR_SIZE:,} rows drawn at random from the "
            f"{len(X):,} shipped 0s and 1s (tensorflow-datasets' MNIST is not on this machine)")


class TimedWriter(io.StringIO):
    """A stdout that keeps what is printed and adds up the time spent writing it."""

    def __init__(self):
        super().__init__()
        self.seconds = 0.0

    def write(self, text):
        start = time.perf_counter()
        written = super().write(text)
        self.seconds += time.perf_counter() - start
        return written


def history_share(model_class, data, hyper):
    """(record's share, the progress lines' share, run seconds, records, lines) of one run."""
    model = model_class(data[0].shape[1], seed=SEED)
    record, spent = model.record, [0.0]

    def timed_record(*args):
        start = time.perf_counter()
        entry = record(*args)
        spent[0] += time.perf_counter() - start
        return entry

    model.record = timed_record  # train calls self.record: this one, for this model only
    output = TimedWriter()
    start = time.perf_counter()
    with contextlib.redirect_stdout(output):
        model.train(*data, verbose=True, **hyper)
    seconds = time.perf_counter() - start
    return (spent[0] / seconds, output.seconds / seconds, seconds,
            len(model.history["iteration"]), len(output.getvalue().splitlines()))


def bare_loop_seconds(model_class, data, hyper):
    """The wall time of the same steps without anything around them (Task 10's bare loop)."""
    X, y = data[0], data[1].astype(np.float64)
    model = model_class(X.shape[1], seed=SEED)
    start = time.perf_counter()
    for _ in range(hyper["iterations"]):
        X_batch, y_batch = helpers.random_batch(X, y, hyper["batch_size"], model.rng)
        dw, db = model.backward(X_batch, y_batch, model.forward(X_batch))
        model.update(dw, db, hyper["learning_rate"])
    return time.perf_counter() - start


def report_history_share(model_class, hyper):
    print(f"4. The history's share of a run: train(X_train, y_train, X_val, y_val, learning_rate="
          f"{hyper['learning_rate']}, batch_size={hyper['batch_size']}, iterations="
          f"{hyper['iterations']}, verbose=True), progress lines written to memory")
    X_train, y_train, _, _ = load_data()
    X_full, y_full, where = full_pair()
    print(f"   full pair: {where}")
    passed = True
    for name, (X, y) in [("shipped pair", (X_train, y_train)), ("full pair", (X_full, y_full))]:
        data = split(X, y)
        history_share(model_class, data, hyper)  # warm-up
        runs, bare = [], []
        for _ in range(REPEATS):  # taking turns with the bare loop
            runs.append(history_share(model_class, data, hyper))
            bare.append(bare_loop_seconds(model_class, data, hyper))
        record_share = statistics.median(run[0] for run in runs)
        lines_share = statistics.median(run[1] for run in runs)
        share = statistics.median(run[0] + run[1] for run in runs)
        seconds, bare_s = statistics.median(run[2] for run in runs), statistics.median(bare)
        records, lines = runs[0][3], runs[0][4]
        passed = passed and share <= TARGET_HISTORY_SHARE
        print(f"   {name}, {len(data[0]):,} + {len(data[2]):,} images: run {seconds * 1e3:.1f} ms, "
              f"of which {records} records {record_share:.1%} and {lines} progress lines "
              f"{lines_share:.2%}: history {share:.1%}  target <= {TARGET_HISTORY_SHARE:.0%}: "
              f"{verdict(share <= TARGET_HISTORY_SHARE)}")
        print(f"      (the bare loop of the same steps alone, taking turns with the runs: "
              f"{bare_s * 1e3:.1f} ms)")
    print()
    return passed


# ---- 5. Notebook 11's run time ------------------------------------------------------------------

def notebook_seconds(path):
    """(seconds of the cells, seconds with the kernel's start, error or None) in a fresh kernel."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    with client.setup_kernel():
        cells_started = time.perf_counter()
        try:
            for index, cell in enumerate(notebook.cells):
                client.execute_cell(cell, index)
            error = None
        except Exception as failure:  # a notebook that fails is reported, not a crash
            error = f"{type(failure).__name__}: {str(failure).strip().splitlines()[-1]:.120}"
        finished = time.perf_counter()
    return finished - cells_started, finished - started, error


def report_notebook_time():
    path = ROOT / "notebooks" / NOTEBOOK
    print(f"5. {NOTEBOOK} in a fresh kernel with nbclient (median of {NOTEBOOK_REPEATS})")
    passed = None
    settings = [os.environ.get("OPENBLAS_NUM_THREADS")]
    if settings[0] is None:
        settings.append("1")  # to show what OpenBLAS's threads cost on a busy machine
    for threads in settings:
        before = os.getloadavg()[0]
        with blas_threads(threads):
            runs = [notebook_seconds(path) for _ in range(NOTEBOOK_REPEATS)]
        errors = [run[2] for run in runs if run[2]]
        cells_s = statistics.median(run[0] for run in runs)
        with_kernel_s = statistics.median(run[1] for run in runs)
        ok = not errors and cells_s <= TARGET_NOTEBOOK_SECONDS
        passed = ok if passed is None else passed
        label = "as the learner runs it" if threads is None else f"OPENBLAS_NUM_THREADS={threads}"
        print(f"   {label}: cells {cells_s:.1f} s (runs {', '.join(f'{run[0]:.1f}' for run in runs)}),"
              f" with the kernel's start {with_kernel_s:.1f} s; load average {before:.2f} before, "
              f"{os.getloadavg()[0]:.2f} after")
        if errors:
            print(f"   the notebook failed: {errors[0]}")
    print(f"   target <= {TARGET_NOTEBOOK_SECONDS:.0f} s (the first line): {verdict(passed)}\n")


# ---- 6. helpers.progress() ---------------------------------------------------------------------

PROGRESS_PROBE = """\
import contextlib, io, time
import helpers
start = time.perf_counter()
with contextlib.redirect_stdout(io.StringIO()) as shown:
    helpers.progress()
print(time.perf_counter() - start, shown.getvalue().splitlines()[0])
"""


def report_progress_time():
    print(f"6. helpers.progress() in a fresh interpreter, its first call (median of {PROGRESS_REPEATS})")
    passed = True
    for edition in ("notebooks", "exercises"):
        runs = [subprocess.run([sys.executable, "-c", PROGRESS_PROBE], cwd=ROOT / edition, check=True,
                               capture_output=True, text=True).stdout.split(" ", 1)
                for _ in range(PROGRESS_REPEATS)]
        seconds = statistics.median(float(run[0]) for run in runs)
        passed = passed and seconds < TARGET_PROGRESS_SECONDS
        print(f"   {edition}/: {seconds * 1e3:.0f} ms ({runs[0][1].strip()})")
    print(f"   target < {TARGET_PROGRESS_SECONDS:.0f} s: {verdict(passed)}\n")


@contextlib.contextmanager
def blas_threads(threads):
    """The kernels started inside get OPENBLAS_NUM_THREADS=threads (None: the environment's)."""
    saved = os.environ.get("OPENBLAS_NUM_THREADS")
    if threads is not None:
        os.environ["OPENBLAS_NUM_THREADS"] = threads
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("OPENBLAS_NUM_THREADS", None)
        else:
            os.environ["OPENBLAS_NUM_THREADS"] = saved


def main(arguments=()):
    started = time.perf_counter()
    print_header()
    model_class, hyper = helpers.model_from_notebooks(), helpers.hyperparameters()
    data = load_data()
    with threadpoolctl.threadpool_limits(1):
        report_time_to_accuracy(model_class, data, hyper)
        report_epoch_cost(model_class, data, hyper)
    report_import_time()
    print()
    with threadpoolctl.threadpool_limits(1):
        report_history_share(model_class, hyper)
    if "--quick" not in arguments:
        report_notebook_time()
    report_progress_time()
    print(f"(ran in {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
