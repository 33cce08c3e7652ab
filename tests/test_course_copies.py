"""A copy of the course, anywhere, runs its own notebooks: the promise that a learner's edit carries
forward, checked end to end with real kernels (nbclient and nbval, as a learner or CI runs them)."""
import os
import re
import shutil
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

import helpers
from drivers import kernel_ports
from notebook_edits import replace_in_cell

pytestmark = pytest.mark.slow

ROOT = helpers.ROOT
SCORES = "return X @ self.w + self.b"


@pytest.fixture
def course(tmp_path):
    """A copy of the repository's course files (not its virtual environment or history)."""
    copy = tmp_path / "course copy"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(
        ".git", ".venv", "*.egg-info", "__pycache__", ".ipynb_checkpoints", ".pytest_cache"))
    return copy


@kernel_ports.again_if_a_kernel_lost_its_port
def run_notebook(path, allow_errors=False):
    """Execute the notebook in a fresh kernel working in its folder; return it with its outputs."""
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=allow_errors,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return notebook


def printed(notebook):
    return ["".join(output.get("text", "")) for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.outputs]


def nbval(folder, names):
    """Run nbval on the named notebooks of `folder`'s course; return (exit code, failed notebooks)."""
    # -p drivers.kernel_ports: its kernels start again if one lost its port, as in the suite
    # (conftest.py).
    tests_on_the_path = {**os.environ, "PYTHONPATH": os.pathsep.join(
        filter(None, [str(folder / "tests"), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "drivers.kernel_ports",
         "-o", "addopts=", "-q", "--nbval", "--nbval-current-env", "-n", "0",
         *(f"notebooks/{name}.ipynb" for name in names)],
        cwd=folder, env=tests_on_the_path, capture_output=True, text=True, timeout=900)
    failed = sorted({line.split("::")[0].split("/")[-1] for line in result.stdout.splitlines()
                     if line.startswith("FAILED ")})
    return result.returncode, failed, result.stdout[-3000:]


def failed_cells(folder, name):
    """nbval's numbers (among the code cells, from 0) of the cells of notebook `name` that fail."""
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q", "--nbval",
         "--nbval-current-env", "-n", "0", f"notebooks/{name}.ipynb"],
        cwd=folder, capture_output=True, text=True, timeout=900)
    return [int(found) for found in re.findall(rf"FAILED notebooks/{name}\.ipynb::Cell (\d+)", result.stdout)]


def test_an_edit_in_a_copy_runs_in_that_copy(course):
    notebook_6 = course / "notebooks" / "06_forward_pass.ipynb"
    replace_in_cell(notebook_6, SCORES, SCORES + " + 100")

    original = nbformat.read(ROOT / "notebooks" / "11_training_the_model.ipynb", as_version=4)
    copied = run_notebook(course / "notebooks" / "11_training_the_model.ipynb", allow_errors=True)
    assert printed(copied) != printed(original)
    assert re.search(r"before training, train *: accuracy  50.0%", "".join(printed(copied)))  # z > 0

    # Notebooks 6-12 print values that come from the scores; 5 (like 1-4) comes before the change,
    # and only its last cell, helpers.progress(), sees it: the scores check of notebook 6 fails.
    after = ["06_forward_pass", "07_backward_pass", "08_update_parameters", "09_model_performance",
             "10_training_loop", "11_training_the_model", "12_additional_example"]
    code, failed, log = nbval(course, ["05_create_model", *after])
    assert code != 0, log
    assert failed == [f"{name}.ipynb" for name in ["05_create_model", *after]], log
    code_cells = [cell for cell in nbformat.read(course / "notebooks" / "05_create_model.ipynb", 4).cells
                  if cell.cell_type == "code"]
    assert code_cells[-1].source == "import helpers; helpers.progress()"
    assert failed_cells(course, "05_create_model") == [len(code_cells) - 1]

    # Undone, the edited notebook and one that depends on it pass again (nbval on the
    # repository's own notebooks shows that the others do).
    replace_in_cell(notebook_6, SCORES + " + 100", SCORES)
    code, failed, log = nbval(course, ["06_forward_pass", "09_model_performance"])
    assert code == 0 and failed == [], log


@pytest.mark.parametrize("notebook", ["04_mini_batch", "08_update_parameters", "10_training_loop",
                                      "11_training_the_model"])
def test_an_emptied_hyperparameters_cell_stops_the_notebooks_that_need_it(course, notebook):
    replace_in_cell(course / "notebooks" / "02_hyperparameters.ipynb",
                     "learning_rate = 0.5", "# learning_rate emptied by a learner")
    with pytest.raises(CellExecutionError) as error:
        run_notebook(course / "notebooks" / f"{notebook}.ipynb")
    assert error.value.ename == "NotebookProblem"  # a ValueError, shown as its message alone
    assert "02_hyperparameters.ipynb, the cell with `batch_size = 64`" in error.value.evalue
    assert "must set learning_rate" in error.value.evalue
    assert "hyperparameters()" in error.value.traceback  # stopped where the values are read
