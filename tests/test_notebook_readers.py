"""helpers.hyperparameters() and helpers.model_from_notebooks(): which notebooks they read, and the
errors they give when a notebook is missing, damaged, untagged or incomplete."""
import re
import shutil
import subprocess
import sys

import pytest

import helpers
from notebook_edits import edit_notebook, set_hyperparameters

ROOT = helpers.ROOT


@pytest.fixture
def course(tmp_path):
    """A copy of the course's notebooks in tmp_path/course/notebooks."""
    folder = tmp_path / "course" / "notebooks"
    shutil.copytree(helpers.NOTEBOOKS_DIR, folder)
    return folder


# --- which folder ------------------------------------------------------------------------------

def test_the_notebooks_next_to_the_running_one_count(course, monkeypatch):
    monkeypatch.chdir(course)  # where JupyterLab, nbval and nbclient start a notebook's kernel
    assert helpers.notebooks_folder() == course
    set_hyperparameters(course, "learning_rate = 0.25\nbatch_size = 8\niterations = 5\n")
    assert helpers.hyperparameters() == {"learning_rate": 0.25, "batch_size": 8, "iterations": 5}
    assert helpers.model_from_notebooks().notebooks_dir == course


@pytest.mark.parametrize("start", [".", "tests", "data/deeper"])
def test_python_started_in_a_course_reads_its_notebooks(course, monkeypatch, start):
    (course.parent / start).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(course.parent / start)
    assert helpers.notebooks_folder() == course


def test_outside_any_course_nothing_is_read_not_even_the_installed_worked_edition(tmp_path, monkeypatch):
    """On a classroom's server the installed course is the teacher's worked edition: a learner's
    kernel outside their copy of the course must not build a model, print solutions or read
    hyperparameters from it (issue 21). Each call says what to do instead."""
    monkeypatch.chdir(tmp_path)
    for call in (helpers.notebooks_folder, helpers.hyperparameters, helpers.model_from_notebooks,
                 helpers.model_source):
        with pytest.raises(FileNotFoundError, match="no notebook of the course in .* open a notebook "
                                                    "from your copy of the course"):
            call()
    assert helpers.notebooks_folder(helpers.NOTEBOOKS_DIR) == helpers.NOTEBOOKS_DIR  # said explicitly


def test_an_explicit_folder_wins(course, monkeypatch):
    monkeypatch.chdir(course)
    assert helpers.notebooks_folder(helpers.NOTEBOOKS_DIR) == helpers.NOTEBOOKS_DIR
    assert helpers.model_from_notebooks(notebooks_dir=helpers.NOTEBOOKS_DIR).notebooks_dir \
        == helpers.NOTEBOOKS_DIR
    with pytest.raises(FileNotFoundError, match="not a folder"):
        helpers.notebooks_folder(course / "nowhere")


def test_a_fresh_python_in_a_copy_uses_the_copy(course):
    set_hyperparameters(course, "learning_rate = 0.125\nbatch_size = 8\niterations = 5\n")
    code = "import helpers; print(helpers.hyperparameters()['learning_rate'])"
    result = subprocess.run([sys.executable, "-c", code], cwd=course, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "0.125"


# --- notebooks missing or damaged ----------------------------------------------------------------

def test_a_missing_notebook_is_named_with_the_folder(course, monkeypatch):
    (course / "08_update_parameters.ipynb").unlink()
    monkeypatch.chdir(course)
    with pytest.raises(FileNotFoundError) as error:
        helpers.model_from_notebooks(through=9)
    assert "08_update_parameters.ipynb is missing" in str(error.value)
    assert f"looked for it in {course} (helpers.notebooks_folder() says how" in str(error.value)
    helpers.model_from_notebooks(through=7)  # notebooks 5-7 are all there


@pytest.mark.parametrize("content, message", [
    ('{"cells": [', r"invalid JSON at line 1, column 12"),
    ("", r"invalid JSON at line 1, column 1"),
    ('{"metadata": {}}', r"is not a Jupyter notebook: it has no list of 'cells'"),
    ("[1, 2]", r"is not a Jupyter notebook"),
])
def test_a_damaged_notebook_is_a_clear_error(course, content, message):
    (course / "06_forward_pass.ipynb").write_text(content)
    with pytest.raises(ValueError, match=message) as error:
        helpers.model_from_notebooks(notebooks_dir=course)
    assert str(course / "06_forward_pass.ipynb") in str(error.value)


def test_a_notebook_that_is_not_text(course):
    (course / "02_hyperparameters.ipynb").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="02_hyperparameters.ipynb is not a notebook: it is not UTF-8"):
        helpers.hyperparameters(course)


# --- model cells -------------------------------------------------------------------------------

def retag(folder, notebook, piece, tags):
    def change(cells):
        next(c for c in cells if f"def {piece}(" in "".join(c["source"]))["metadata"]["tags"] = tags
    edit_notebook(folder / notebook, change)


def test_a_lost_model_tag_is_reported_at_once(course):
    retag(course, "07_backward_pass.ipynb", "backward", [])
    with pytest.raises(ValueError) as error:
        helpers.model_from_notebooks(notebooks_dir=course)
    message = str(error.value)
    assert "07_backward_pass.ipynb has no code cell tagged 'model'" in message
    assert "The cell with `def backward(self, X, y, y_hat):` defines backward but is not tagged" in message


def test_a_mistyped_tag_names_the_piece_and_the_cell(course):
    retag(course, "06_forward_pass.ipynb", "sigmoid", ["modle"])
    with pytest.raises(ValueError) as error:
        helpers.model_from_notebooks(through=6, notebooks_dir=course)
    message = str(error.value)
    assert "06_forward_pass.ipynb: its cells tagged 'model'" in message
    assert "add no sigmoid to LogisticModel" in message
    assert "defines sigmoid but is not tagged 'model' (its tags: ['modle'])" in message


def test_a_renamed_piece_is_reported(course):
    def change(cells):
        cell = next(c for c in cells if "def update(" in "".join(c["source"]))
        cell["source"] = "".join(cell["source"]).replace("LogisticModel.update = update",
                                                         "LogisticModel.step = update")
    edit_notebook(course / "08_update_parameters.ipynb", change)
    with pytest.raises(ValueError, match=r"08_update_parameters.ipynb: its cells tagged 'model' "
                                         r"\(the cell with `def update.*`\) add no update to LogisticModel"):
        helpers.model_from_notebooks(notebooks_dir=course)


def test_no_class_in_notebook_5(course):
    def change(cells):  # the learner called the class Model, everywhere in notebook 5
        for cell in cells:
            cell["source"] = "".join(cell["source"]).replace("LogisticModel", "Model")
    edit_notebook(course / "05_create_model.ipynb", change)
    with pytest.raises(ValueError, match=r"05_create_model.ipynb: no cell tagged 'model' defines "
                                         r"the class LogisticModel. Define it with `class LogisticModel:`"):
        helpers.model_from_notebooks(through=5, notebooks_dir=course)


def test_an_untagged_class_cell_is_named(course):
    def change(cells):
        next(c for c in cells if "class LogisticModel" in "".join(c["source"]))["metadata"]["tags"] = []
    edit_notebook(course / "05_create_model.ipynb", change)
    with pytest.raises(ValueError, match=r"no cell tagged 'model' defines the class LogisticModel. "
                                         r"The cell with `class LogisticModel:` defines LogisticModel but "
                                         r"is not tagged 'model'"):
        helpers.model_from_notebooks(through=5, notebooks_dir=course)


def test_every_untagged_piece_is_named_at_once_and_static_methods_are_explained(course):
    def untag_all(cells):
        for cell in cells:
            cell["metadata"]["tags"] = [t for t in cell["metadata"].get("tags", []) if t != "model"]
    edit_notebook(course / "06_forward_pass.ipynb", untag_all)
    with pytest.raises(ValueError) as error:
        helpers.model_from_notebooks(through=6, notebooks_dir=course)
    message = str(error.value)
    for piece in ["scores", "sigmoid", "forward", "loss"]:
        assert re.search(rf"he cell with `def {piece}\([^`]*` defines {piece} but", message), piece

    def remove_sigmoid(cells):
        for cell in cells:
            cell["source"] = "".join(cell["source"]).replace("sigmoid", "squash")
    renamed = course.parent / "renamed"
    shutil.copytree(helpers.NOTEBOOKS_DIR, renamed)
    edit_notebook(renamed / "06_forward_pass.ipynb", remove_sigmoid)
    with pytest.raises(ValueError, match=r"add no sigmoid to LogisticModel. Write sigmoid in a "
                                         r"code cell tagged 'model'.*staticmethod\(sigmoid\)"):
        helpers.model_from_notebooks(through=6, notebooks_dir=renamed)


# --- the hyperparameters cell ------------------------------------------------------------------

def test_the_hyperparameters_are_exactly_the_three():
    assert set(helpers.hyperparameters()) == {"learning_rate", "batch_size", "iterations"}


def test_imports_in_the_hyperparameters_cell_do_not_leak(course):
    set_hyperparameters(course, "import math\nlearning_rate = math.sqrt(0.25)\nbatch_size = 8\n"
                                "iterations = 5\n")
    assert helpers.hyperparameters(course) == {"learning_rate": 0.5, "batch_size": 8, "iterations": 5}


@pytest.mark.parametrize("source, error_type, message", [
    ("", ValueError, r"must set learning_rate and batch_size and iterations; it sets nothing"),
    ("learning_rate = 0.5\niterations = 300\n", ValueError,
     r"must set batch_size; it sets iterations, learning_rate"),
    ("learning_rate = 0.5\nbatch_size = 64\niterations = 300\nepochs = 24\n", ValueError,
     r"sets epochs besides learning_rate, batch_size, iterations"),
    ("learning_rate = 0\nbatch_size = 64\niterations = 300\n", ValueError,
     r"learning_rate must be a finite number > 0, got 0"),
    ("learning_rate = float('nan')\nbatch_size = 64\niterations = 300\n", ValueError,
     r"learning_rate must be a finite number > 0, got nan"),
    ("learning_rate = 10**400\nbatch_size = 64\niterations = 300\n", ValueError,
     r"learning_rate must be a finite number > 0, got 1000000"),
    ("learning_rate = '0.5'\nbatch_size = 64\niterations = 300\n", TypeError,
     r"learning_rate must be a number, got '0.5' \(str\)"),
    ("learning_rate = 0.5\nbatch_size = 6.4\niterations = 300\n", TypeError,
     r"batch_size must be a whole number, got 6.4 \(float\)"),
    ("learning_rate = 0.5\nbatch_size = 64\niterations = 0\n", ValueError,
     r"iterations must be at least 1, got 0"),
    ("learning_rate = 0.5\nbatch_size = True\niterations = 300\n", TypeError,
     r"batch_size must be a whole number, got True"),
])
def test_a_wrong_hyperparameters_cell_is_refused(course, source, error_type, message):
    set_hyperparameters(course, source)
    with pytest.raises(error_type, match=message) as error:
        helpers.hyperparameters(course)
    assert "02_hyperparameters.ipynb, the cell with `" in str(error.value)
    assert "tagged 'hyperparameters'" in str(error.value)


def test_an_untagged_hyperparameters_cell_is_refused(course):
    def change(cells):
        next(c for c in cells if "hyperparameters" in c["metadata"].get("tags", []))["metadata"] = {}
    edit_notebook(course / "02_hyperparameters.ipynb", change)
    with pytest.raises(ValueError, match=r"02_hyperparameters.ipynb has no code cell tagged "
                                         r"'hyperparameters'.*add the tag"):
        helpers.hyperparameters(course)


def test_model_source_is_what_model_from_notebooks_runs(course):
    source = helpers.model_source(notebooks_dir=course)
    for name in helpers.MODEL_NOTEBOOKS.values():
        assert f"# ---- {name} -" in source
    for piece in ("class LogisticModel", "def sigmoid(", "def backward(", "def update(", "def train("):
        assert source.count(piece) == 1, piece
    assert "def train(" not in helpers.model_source(through=9, notebooks_dir=course)
    retag(course, "07_backward_pass.ipynb", "backward", [])
    with pytest.raises(ValueError, match="07_backward_pass.ipynb has no code cell tagged 'model'"):
        helpers.model_source(notebooks_dir=course)


# --- tags as the notebook's file holds them ----------------------------------------------------

def test_tags_null_mean_no_tags(course):
    """nbformat leaves `tags` out of an untagged cell; a file that says null means the same."""
    def untagged_null(cells):
        for cell in cells:
            if cell["cell_type"] == "code" and "model" not in cell["metadata"].get("tags", []):
                cell["metadata"]["tags"] = None
    edit_notebook(course / "07_backward_pass.ipynb", untagged_null)
    assert hasattr(helpers.model_from_notebooks(through=7, notebooks_dir=course), "backward")

    retag(course, "07_backward_pass.ipynb", "backward", None)  # the model cell, too: lost its tag
    with pytest.raises(helpers.NotebookProblem) as error:
        helpers.model_from_notebooks(through=7, notebooks_dir=course)
    message = str(error.value)
    assert "07_backward_pass.ipynb has no code cell tagged 'model'" in message
    assert "defines backward but is not tagged 'model' (its tags: none)" in message


@pytest.mark.parametrize("tags", ["model", {"model": True}, ["model", 3]], ids=repr)
def test_tags_that_are_not_a_list_of_words_are_refused(course, tags):
    """A string "model" is not the list ["model"]: read as one, `"model" in tags` would hold for
    "model" and also for "remodelled"; it is refused, naming the cell."""
    retag(course, "06_forward_pass.ipynb", "sigmoid", tags)
    with pytest.raises(helpers.NotebookProblem) as error:
        helpers.model_from_notebooks(through=6, notebooks_dir=course)
    message = str(error.value)
    assert message.startswith(f"{course / '06_forward_pass.ipynb'}, the cell with `def sigmoid(")
    assert f"its tags must be a list of words, such as [\"model\"], got {tags!r} in the " \
           f"notebook's file" in message
    assert "Set the cell's tags again in JupyterLab" in message


def test_two_cells_tagged_hyperparameters_are_refused(course):
    """Two tagged cells would be merged, the later one's values silently winning: refused."""
    def second_cell(cells):
        index = next(i for i, cell in enumerate(cells)
                     if "hyperparameters" in cell["metadata"].get("tags", []))
        cells.insert(index + 2, {"cell_type": "code", "execution_count": None, "outputs": [],
                                 "metadata": {"tags": ["hyperparameters"]},
                                 "source": "learning_rate = 0.001\n"})
    edit_notebook(course / "02_hyperparameters.ipynb", second_cell)
    with pytest.raises(helpers.NotebookProblem) as error:
        helpers.hyperparameters(course)
    message = str(error.value)
    assert message.startswith("02_hyperparameters.ipynb, the cells with `learning_rate = 0.5` and "
                              "`learning_rate = 0.001` (tagged 'hyperparameters', in ")
    assert "2 cells carry the tag 'hyperparameters'; the course reads its values from exactly " \
           "one. Keep the tag on the cell that sets learning_rate, batch_size, iterations" in message
