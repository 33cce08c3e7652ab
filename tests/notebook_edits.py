"""Edits of saved notebooks, for tests that work on a copy of the course."""
import json


def edit_notebook(path, change):
    """Load the notebook at `path`, call change(cells) on its list of cells, save it."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    change(notebook["cells"])
    path.write_text(json.dumps(notebook, indent=1), encoding="utf-8")


def replace_in_cell(path, old, new, tag=None):
    """Replace `old` by `new` in the one cell (tagged `tag`, if given) whose source holds `old`."""
    def change(cells):
        hits = [c for c in cells if old in "".join(c["source"])
                and (tag is None or tag in c["metadata"].get("tags", []))]
        assert len(hits) == 1, f"{path.name}: {len(hits)} cells hold {old!r}, expected one"
        hits[0]["source"] = "".join(hits[0]["source"]).replace(old, new)
    edit_notebook(path, change)


def set_hyperparameters(folder, source):
    """Make notebook 2's cell tagged `hyperparameters` in `folder` hold `source`."""
    def change(cells):
        next(c for c in cells if "hyperparameters" in c["metadata"].get("tags", []))["source"] = source
    edit_notebook(folder / "02_hyperparameters.ipynb", change)


def edit_graded_cell(path, grade_id, change):
    """Replace the source of the cell whose nbgrader grade_id is `grade_id` by change(cell)."""
    def change_cells(cells):
        [cell] = [c for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id]
        cell["source"] = change(cell)
    edit_notebook(path, change_cells)
