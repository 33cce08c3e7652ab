"""Every way a learner's code can fail a check is a message: course/checks/framework.py.

In-process, as nbgrader and check_earlier_exercises run the checks, and in a real kernel, as a
learner runs them in JupyterLab: any exception, a function that never returns, a check run
before the cells above it, a piece whose cell did not finish, a SyntaxError saved in an earlier
notebook. Each message starts `✗ piece`, names the line or the cell, and shows no traceback.
"""
import contextlib
import io
import linecache
import shutil
import textwrap
import time

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient

import helpers
from drivers import kernel_ports
from course import checks
from notebook_edits import replace_in_cell

WORKED = helpers.model_from_notebooks(through=10, notebooks_dir=helpers.NOTEBOOKS_DIR)
_cells_made = []


def learner_function(source, name):
    """`name` defined by `source` as a learner's cell defines it: in a file the tracebacks can
    show lines of (IPython registers its cells the same way), outside the course's folders."""
    filename = f"/tmp/ipykernel_0/cell_{len(_cells_made)}.py"
    _cells_made.append(filename)
    source = textwrap.dedent(source)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = {"np": __import__("numpy")}
    exec(compile(source, filename, "exec"), namespace)
    return namespace[name]


def model_with(piece, source, static=False):
    function = learner_function(source, piece)
    return type("LogisticModel", (WORKED,), {piece: staticmethod(function) if static else function})


def failure_of(name, namespace):
    with pytest.raises(checks.CheckFailed) as failure, contextlib.redirect_stdout(io.StringIO()):
        checks.run(name, namespace)
    return failure.value


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A copy of the worked notebooks, the working directory as a kernel's would be."""
    folder = tmp_path / "notebooks"
    shutil.copytree(helpers.NOTEBOOKS_DIR, folder)
    monkeypatch.chdir(folder)
    return folder


# ---- any exception ------------------------------------------------------------------------------

@pytest.mark.parametrize("body, kind", [
    ("return z.weights", "AttributeError"),
    ("return {'z': z}['w']", "KeyError"),
    ("raise RuntimeError('not like this')", "RuntimeError"),
    ("return sigmoid(z)", "RecursionError"),
    ("return 1 / 0", "ZeroDivisionError"),
    ("return next(iter([]))", "StopIteration"),
    ("import sys; sys.exit(1)", "SystemExit"),
    ("class Oops(Exception): pass\n    raise Oops('mine')", "Oops"),
    ("assert z.ndim == 2, 'my own assert'", "AssertionError"),
])
def test_any_exception_the_learners_code_raises_is_a_message_with_its_line(body, kind):
    model = model_with("sigmoid", f"def sigmoid(z):\n    {body}\n", static=True)
    failure = failure_of("sigmoid", {"LogisticModel": model})
    message = str(failure)
    assert message.startswith(f"✗ sigmoid: on the check's input it raised {kind}"), message
    last_line = body.splitlines()[-1].strip()
    # (a recursion ends where Python runs out of depth: on the line, or on entering the function)
    lines = (last_line, "def sigmoid(z):") if kind == "RecursionError" else (last_line,)
    assert any(f"`{line}`, in sigmoid" in message for line in lines), message
    assert failure._render_traceback_() == message.splitlines()  # IPython shows only this


def test_an_error_in_what_the_check_does_with_the_result_is_told_as_such():
    model = model_with("sigmoid", "def sigmoid(z):\n    return 'a probability'\n", static=True)
    message = str(failure_of("sigmoid", {"LogisticModel": model}))
    assert message.startswith("✗ sigmoid:"), message
    assert "Traceback" not in message and "course/checks" not in message, message


# ---- a function that never returns --------------------------------------------------------------

@pytest.mark.parametrize("body", [
    "while True:\n        pass",
    "while True:\n        try:\n            z = z + 0\n        except Exception:\n            pass",
    # code that catches the stop and goes on meets the next one, 0.2 s later
    "try:\n        while True:\n            pass\n    except:\n        return np.zeros(len(X))",
])
def test_a_function_that_never_returns_is_stopped_within_seconds_naming_it(body):
    model = model_with("forward", f"def forward(self, X):\n    {body}\n")
    started = time.monotonic()
    message = str(failure_of("forward", {"LogisticModel": model}))
    assert time.monotonic() - started < 10
    assert message.startswith("✗ forward: it did not return within 5 s"), message
    assert ("in forward" if "except:" not in body else "catches even that") in message, message
    # the time limit is over once the check is: the next check runs normally
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        checks.run("scores", {"LogisticModel": WORKED})
        time.sleep(0.1)
    assert printed.getvalue().startswith("✓ scores")


def test_the_time_limit_is_what_stops_it(monkeypatch):
    """Planted: with no time limit the same loop would run forever; with 0.2 s it stops sooner."""
    from dataclasses import replace
    monkeypatch.setitem(checks.CHECKS, "forward", replace(checks.CHECKS["forward"], seconds=0.2))
    model = model_with("forward", "def forward(self, X):\n    while True:\n        pass\n")
    started = time.monotonic()
    message = str(failure_of("forward", {"LogisticModel": model}))
    assert time.monotonic() - started < 2 and "within 0.2 s" in message


# ---- run before the cells above, or in a fresh kernel ---------------------------------------------

def test_a_check_in_a_fresh_kernel_says_which_cell_to_run(course):
    message = str(failure_of("sigmoid", {}))
    assert message.startswith("✗ sigmoid could not be checked: LogisticModel is not defined"), message
    assert "Run All Above Selected Cell" in message
    assert "`LogisticModel = helpers.model_from_notebooks(through=5)" in message, message
    message = str(failure_of("epochs", {}))
    assert "`epochs` comes from the cell with `def epochs(iterations, batch_size, num_examples):`" in message


def test_a_check_run_before_its_pieces_cell_says_to_run_that_cell(course):
    message = str(failure_of("loss", {"LogisticModel": helpers.model_from_notebooks(through=5)}))
    assert message == ("✗ loss could not be checked: LogisticModel has no loss yet in this kernel. "
                       "Run the cell with `def loss(self, X, y):` first (it adds loss to the model), "
                       "then this check.")


def test_a_name_of_this_notebook_not_run_yet_is_run_the_cells_above_not_a_typo(course):
    model = model_with("forward", "def forward(self, X):\n    return sigmoid(self.scores(X))\n")
    message = str(failure_of("forward", {"LogisticModel": model}))
    assert "name 'sigmoid' is not defined" in message
    assert "`sigmoid` comes from the cell with `def sigmoid(z):` in this notebook" in message, message
    assert "run the cells above" in message and "typo" not in message
    model = model_with("forward", "def forward(self, X):\n    return sigmod(self.scores(X))\n")
    assert "A typo" in str(failure_of("forward", {"LogisticModel": model}))


# ---- the latest run of the piece's cell -----------------------------------------------------------

BUGGY = "def sigmoid(z):\n    return 1 / (1 + np.exp(z))\n\n\nLogisticModel.sigmoid = staticmethod(sigmoid)\n"


def test_after_a_syntax_error_the_check_does_not_judge_the_previous_version(course):
    model = model_with("sigmoid", BUGGY.split("\n\n\n")[0], static=True)
    broken = "def sigmoid(z):\n    return 1 / (1 + np.exp(-z)\n\n\nLogisticModel.sigmoid = staticmethod(sigmoid)\n"
    history = ["", BUGGY, broken, 'import helpers; helpers.check("sigmoid")']
    message = str(failure_of("sigmoid", {"LogisticModel": model, "_ih": history}))
    assert message.startswith("✗ sigmoid could not be checked: the latest run of the cell with "
                              "`def sigmoid(z):` stopped at a SyntaxError (line 2"), message
    assert "earlier version" in message
    # without the failed run, the check judges the buggy version, as it should
    message = str(failure_of("sigmoid", {"LogisticModel": model, "_ih": history[:2] + history[3:]}))
    assert "could not be checked" not in message and message.startswith("✗ sigmoid: "), message


def test_after_a_cell_stopped_before_attaching_the_piece_the_check_says_so(course):
    model = model_with("sigmoid", BUGGY.split("\n\n\n")[0], static=True)
    stopped = ("def sigmoid(z):\n    small = np.exp(-np.abs(z))\n    return np.where(z >= 0, 1.0, small) / (1.0 + small)\n"
               "\n\nundefined_name\nLogisticModel.sigmoid = staticmethod(sigmoid)\n")
    history = ["", BUGGY, stopped, 'import helpers; helpers.check("sigmoid")']
    message = str(failure_of("sigmoid", {"LogisticModel": model, "_ih": history}))
    assert "did not finish" in message and "earlier version" in message, message


# ---- in a real kernel, as in JupyterLab ----------------------------------------------------------

@kernel_ports.again_if_a_kernel_lost_its_port
def run_cells(folder, sources):
    """Run `sources` as the cells of one notebook in a fresh kernel working in `folder`; return
    [(cell's text outputs, cell's error lines as IPython shows them)]."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return [("".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream"),
             [line for o in cell.outputs if o.output_type == "error" for line in o.traceback])
            for cell in notebook.cells]


@pytest.mark.slow
def test_in_a_real_kernel_each_failure_is_its_message_alone(course):
    check_line = 'import helpers; helpers.check("sigmoid")'
    setup = "import numpy as np\nimport helpers\nLogisticModel = helpers.model_from_notebooks(through=5)"
    right = ("def sigmoid(z):\n    ### BEGIN SOLUTION\n    small = np.exp(-np.abs(z))\n"
             "    return np.where(z >= 0, 1.0, small) / (1.0 + small)\n    ### END SOLUTION\n\n\n"
             "LogisticModel.sigmoid = staticmethod(sigmoid)")
    broken = "def sigmoid(z):\n    return (1 + np.exp(-z)\n\n\nLogisticModel.sigmoid = staticmethod(sigmoid)"
    looping = "def sigmoid(z):\n    while True:\n        pass\n\n\nLogisticModel.sigmoid = staticmethod(sigmoid)"
    started = time.monotonic()
    results = run_cells(course, [check_line, setup, right, check_line, broken, check_line, looping, check_line])
    fresh, _, _, passed, _, after_broken, _, after_loop = results
    assert fresh[1] and fresh[1][0].startswith("✗ sigmoid could not be checked: LogisticModel is not defined")
    assert passed == ("✓ " + f"sigmoid: {checks.CHECKS['sigmoid'].verified}\n", [])
    assert after_broken[1][0].startswith("✗ sigmoid could not be checked: the latest run of the cell with "
                                         "`def sigmoid(z):` stopped at a SyntaxError"), after_broken
    assert after_loop[1][0].startswith("✗ sigmoid: it did not return within 5 s"), after_loop
    for _, error in results:
        assert not any("Traceback" in line or "course/" in line for line in error), error
    assert time.monotonic() - started < 60


@pytest.mark.slow
def test_a_syntax_error_saved_in_an_earlier_notebook_is_one_message_that_says_to_save(course):
    replace_in_cell(course / "06_forward_pass.ipynb", "small = np.exp(-np.abs(z))",
                    "small = np.exp(-np.abs(z)", tag="model")
    with pytest.raises(helpers.NotebookProblem) as problem:
        helpers.model_from_notebooks(through=7, notebooks_dir=course)
    message = str(problem.value)
    assert "06_forward_pass.ipynb, the cell with `def sigmoid(z):` (in the saved notebook) has a " \
           "SyntaxError at line" in message, message
    assert "save the notebook (Ctrl+S)" in message
    first_cell = next(c.source for c in nbformat.read(course / "07_backward_pass.ipynb", 4).cells
                      if c.cell_type == "code")
    (_, error), = run_cells(course, [first_cell])
    assert error == message.splitlines(), error


def test_a_piece_written_under_another_name_and_attached_is_judged_as_attached(course):
    renamed = ("def stable_sigmoid(z):\n    small = np.exp(-np.abs(z))\n"
               "    return np.where(z >= 0, 1.0, small) / (1.0 + small)\n\n\n"
               "LogisticModel.sigmoid = staticmethod(stable_sigmoid)\n")
    model = model_with("sigmoid", renamed.split("\n\n\n")[0].replace("stable_sigmoid", "sigmoid"),
                       static=True)
    history = ["", BUGGY, renamed, 'import helpers; helpers.check("sigmoid")']
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        checks.run("sigmoid", {"LogisticModel": model, "_ih": history})
    assert printed.getvalue().startswith("✓ sigmoid")


def test_an_exercise_of_values_left_as_released_is_not_written_yet(monkeypatch):
    """untrained_scores checks names its cell computes (z_train, p_train): on the exercise edition,
    where that cell still raises NotImplementedError, the check says "not written yet", not "run
    the cells above"."""
    monkeypatch.chdir(helpers.ROOT / "exercises")
    with pytest.raises(checks.NotWrittenYet, match="untrained_scores is not written yet"):
        checks.run("untrained_scores", {"X_train": np.zeros((2, 784)), "model": object()})
    monkeypatch.chdir(helpers.ROOT / "notebooks")  # written: the missing names are the message
    with pytest.raises(checks.CheckFailed, match="z_train, p_train are not defined"):
        checks.run("untrained_scores", {"X_train": np.zeros((2, 784)), "model": object()})
