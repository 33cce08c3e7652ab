"""Speed report for the course's LogisticModel (run by hand; not a test).

    .venv/bin/python benchmarks/benchmark.py

Every timing runs under ``threadpoolctl.threadpool_limits(1)`` (one BLAS thread, no
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

It prints a report and always exits with status 0.
"""
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


def main():
    started = time.perf_counter()
    print_header()
    model_class, hyper = helpers.model_from_notebooks(), helpers.hyperparameters()
    data = load_data()
    with threadpoolctl.threadpool_limits(1):
        report_time_to_accuracy(model_class, data, hyper)
        report_epoch_cost(model_class, data, hyper)
    report_import_time()
    print(f"\n(ran in {time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
