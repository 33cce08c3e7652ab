"""The unchanged model, through its public API, on binary problems other than MNIST 0/1.

Each problem is compared with scikit-learn's LogisticRegression (default settings: lbfgs, L2 with
C=1) on the same splits. A single split of a few hundred examples moves by a point per example or
two, so accuracies are averaged over five stratified, seeded splits; ours must be within one
percentage point of scikit-learn's.
"""
import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedShuffleSplit
from threadpoolctl import threadpool_limits

import helpers

SPLITS = 5


def standardise(X_train, X_test):
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std == 0] = 1.0
    return (X_train - mean) / std, (X_test - mean) / std


def two_digits(first, second):
    digits = load_digits()
    keep = np.isin(digits.target, [first, second])
    return digits.data[keep] / 16.0, (digits.target[keep] == second).astype(int), False


def breast_cancer():
    features, labels, _ = helpers.load_breast_cancer()
    return features, labels, True


def imbalanced():
    X, y = make_classification(n_samples=2000, n_features=20, n_informative=5, weights=[0.95],
                               flip_y=0.01, random_state=0)
    return X, y, True


def overlapping():
    X, y = make_classification(n_samples=1000, n_features=10, n_informative=3, n_redundant=2,
                               flip_y=0.05, random_state=1)
    return X * 50 + 7, y, True  # on a scale of its own, as raw measurements often are


PROBLEMS = {
    "digits 3 vs 8 (8x8 images)": lambda: two_digits(3, 8),
    "digits 4 vs 9 (8x8 images)": lambda: two_digits(4, 9),
    "breast cancer (tabular)": breast_cancer,
    "imbalanced synthetic, 5 % positives": imbalanced,
    "overlapping synthetic, noisy labels": overlapping,
}


@pytest.mark.parametrize("name", PROBLEMS)
def test_within_one_point_of_scikit_learn(name):
    LogisticModel = helpers.model_from_notebooks()
    X, y, needs_scaling = PROBLEMS[name]()
    ours, theirs, majority = [], [], []
    splitter = StratifiedShuffleSplit(n_splits=SPLITS, test_size=0.25, random_state=0)
    for train, test in splitter.split(X, y):
        X_train, X_test = X[train], X[test]
        if needs_scaling:
            X_train, X_test = standardise(X_train, X_test)
        model = LogisticModel(X.shape[1], seed=0)
        model.train(X_train, y[train], verbose=False, **helpers.hyperparameters())  # Task 2's
        ours.append(model.evaluate(X_test, y[test])[0])
        with threadpool_limits(1):
            reference = LogisticRegression(max_iter=10_000).fit(X_train, y[train])
        theirs.append(reference.score(X_test, y[test]))
        majority.append(max(np.mean(y[test]), 1 - np.mean(y[test])))
    print(f"{name}: ours {np.mean(ours):.4f}, scikit-learn {np.mean(theirs):.4f}")
    assert np.mean(ours) >= np.mean(theirs) - 0.01
    assert np.mean(ours) > np.mean(majority) + 0.005, "no better than always answering the majority class"
