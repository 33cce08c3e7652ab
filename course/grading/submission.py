"""What happened to a submission as the learner handed it in, told in one sentence each.

- A renamed notebook (`06_forward_pass (1).ipynb`, as a browser's download names it,
  `06_forward_pass-Copy1.ipynb`, as JupyterLab's "Duplicate" does, another case or spaces) is
  graded under the course's name, from a copy the grader makes beside it; when the learner also
  handed in the course's own file, that one is graded and the sentence says so.
- A notebook saved by an older JupyterLab (nbformat 4.4, cells without ids) is graded as any
  other: the plan finds the learner's cells by their nbgrader ids and text.

Used by the autograde hook (steps.py) and by `problems`, the learner's own look before handing in.
"""
import json
import re
import shutil
from pathlib import Path

from course.grading.plan import SET_ASIDE
from course.notebooks import COURSE_NOTEBOOKS

STEMS = {Path(name).stem: name for name in COURSE_NOTEBOOKS}


def course_name(filename):
    """The course notebook a file name stands for ('06_forward_pass (1).ipynb' ->
    '06_forward_pass.ipynb'), or None."""
    stem = Path(filename).name
    if not stem.lower().endswith(".ipynb"):
        return None
    while stem.lower().endswith(".ipynb"):  # '12_additional_example.ipynb.ipynb' too
        stem = stem[:-len(".ipynb")].rstrip()
    stem = re.sub(r"(\s*\(\d+\)|\s*-\s*Copy\d*|\s+copy(\s*\d+)?|_copy\d*)+\s*$", "", stem, flags=re.IGNORECASE)
    key = re.sub(r"[\s\-]+", "_", stem.strip()).lower()
    for course_stem, name in STEMS.items():
        if key == course_stem.lower():
            return name
    return None


def prepare(notebooks):
    """For nbgrader's list of a submission's notebook paths (changed in place): each renamed
    course notebook is copied to its course name and listed under it; copied exercise cells are
    set aside (set_aside_copies). The sentences for the learner and the teacher."""
    notes = _rename(notebooks)
    for path in list(notebooks):
        problem = _unreadable(Path(path))
        if problem:
            notebooks.remove(path)
            notes.append(f"Your {Path(path).name} could not be read as a notebook ({problem}): it "
                         f"was not graded, and its checks count 0. Open it in JupyterLab; if it "
                         f"does not open, hand in a copy from before it was damaged.")
            continue
        notes += set_aside_copies(Path(path))
    handed_in = {Path(path).name for path in notebooks}
    for name in COURSE_NOTEBOOKS:
        if _graded_checks(name) and name not in handed_in and not any(
                name in note and "could not be read" in note for note in notes):
            notes.append(f"You did not hand in {name}: its checks count 0.")
    return notes


def _unreadable(path):
    """Why a file is not a notebook nbgrader can read, in a few words, or None."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return "it is not text"
    except ValueError as error:
        return "it is empty" if not path.read_bytes().strip() else f"its JSON breaks off: {error.msg}"
    except OSError as error:
        return error.strerror
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        return "it has no list of cells"
    return None


STUB = re.compile(r"# YOUR CODE HERE\s*\n\s*raise NotImplementedError\(\)")


def set_aside_copies(path):
    """A cell copied in JupyterLab keeps its nbgrader id, and nbgrader refuses a notebook with
    two cells of one id (the whole submission, with a misleading message). Of an exercise's
    copies, the last one the learner wrote in is graded; of a check's, the first; the others
    lose their nbgrader id (marked as set aside, so grading does not run them). The file is
    rewritten, the learner's as handed in kept beside it as `.<name>.handed-in`."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    copies = {}
    for index, cell in enumerate(cells):
        grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
        if grade_id:
            copies.setdefault(grade_id, []).append(index)
    notes = []
    for grade_id, indexes in copies.items():
        if len(indexes) < 2:
            continue
        solution = cells[indexes[0]]["metadata"]["nbgrader"].get("solution")
        written = [i for i in indexes if solution and not STUB.search(_text(cells[i]))]
        kept = (written or indexes)[-1] if solution else indexes[0]
        for index in indexes:
            if index != kept:
                metadata = cells[index]["metadata"]
                metadata.pop("nbgrader")
                metadata[SET_ASIDE] = grade_id
        what = "exercise" if solution else "check"
        which = "the last one you wrote in" if solution else "the first"
        notes.append(f"Your {path.name} has {len(indexes)} cells for the {what} {grade_id} (a copied "
                     f"cell keeps its id): {which} was graded. Keep one cell and delete the copies.")
    if notes:
        shutil.copyfile(path, path.with_name(f".{path.name}.handed-in"))
        path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return notes


def _text(cell):
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else str(text)


def _rename(notebooks):
    notes = []
    paths = [Path(path) for path in notebooks]
    present = {path.name for path in paths}
    for path in sorted(paths):
        if path.name in STEMS.values() or path.name.startswith("."):
            continue
        name = course_name(path.name)
        if name is None:
            continue
        if name in present:
            notes.append(f"You handed in both {name} and a copy named '{path.name}': {name} was "
                         f"graded, the copy was not.")
            notebooks.remove(str(path))
            continue
        shutil.copyfile(path, path.with_name(name))
        notebooks[notebooks.index(str(path))] = str(path.with_name(name))
        present.add(name)
        notes.append(f"Your notebook '{path.name}' was graded as {name}: next time, keep the "
                     f"course's file names (rename it back in JupyterLab's file browser).")
    return notes


HIDDEN_REGION = re.compile(r"[ \t]*### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS\n?", re.DOTALL)


def changed_checks(notebooks, source_folder):
    """A sentence for each graded check cell a learner changed (nbgrader grades the original)."""
    notes = []
    for path in map(Path, notebooks):
        source = Path(source_folder) / path.name
        if not source.is_file() or path.name not in STEMS.values():
            continue
        try:
            mine = _graded_sources(path)
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for grade_id, text in _graded_sources(source).items():
            as_released, as_written = _squeezed(HIDDEN_REGION.sub("", text)), _squeezed(text)
            if grade_id in mine and _squeezed(mine[grade_id]) not in (as_released, as_written):
                notes.append(f"Your copy of the check cell of {grade_id.removeprefix('check_')} "
                             f"({path.name}) had been changed: it was graded as the course wrote it.")
    return notes


def _graded_sources(path):
    """{grade id: source} of a notebook's graded check cells (not the exercises)."""
    found = {}
    for cell in json.loads(Path(path).read_text(encoding="utf-8"))["cells"]:
        grading = (cell.get("metadata") or {}).get("nbgrader") or {}
        if grading.get("grade") and not grading.get("solution"):
            text = cell.get("source", "")
            found.setdefault(grading.get("grade_id"), "".join(text) if isinstance(text, list) else text)
    return found


def _squeezed(text):
    return re.sub(r"\s+", "", text)


def problems(folder):
    """What a grader would have to work around in this folder of the course's notebooks, in the
    learner's words: renamed copies, missing notebooks, deleted or duplicated exercise and check
    cells. Empty when the folder is ready to hand in."""
    folder = Path(folder)
    found = []
    names = {path.name for path in folder.glob("*.ipynb")}
    for name in sorted(names - set(STEMS.values())):
        meant = course_name(name)
        if meant and meant not in names:
            found.append(f"'{name}' should be named {meant}: rename it in the file browser "
                         f"(graders look for the course's names).")
        elif meant:
            found.append(f"'{name}' is a copy of {meant}: only {meant} is graded; delete the copy "
                         f"or move your work into {meant}.")
    for name in COURSE_NOTEBOOKS:
        path = folder / name
        if not path.is_file():
            continue
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (OSError, ValueError, KeyError, TypeError):
            found.append(f"{name} cannot be read as a notebook: restore it from a copy of the course.")
            continue
        ids = [((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id") for cell in cells]
        for check in _graded_checks(name):
            if check.name not in ids:
                found.append(f"{name} has lost the cell of the exercise {check.piece}: undo the "
                             f"deletion (Edit ▸ Undo Cell Operation) or write it again from a "
                             f"fresh copy of the notebook.")
            if f"check_{check.name}" not in ids:
                found.append(f"{name} has lost the check cell of {check.piece} (`import helpers; "
                             f"helpers.check(\"{check.name}\")`): grading puts it back, but put it "
                             f"back below your exercise to see the check yourself.")
        for grade_id in sorted({i for i in ids if i and ids.count(i) > 1}):
            found.append(f"{name} has {ids.count(grade_id)} cells with the id '{grade_id}' (a copied "
                         f"cell): only the last one you wrote in is graded; keep your answer in one cell.")
    return found


def _graded_checks(name):
    from course.checks.framework import CHECKS
    number = COURSE_NOTEBOOKS.index(name) + 1
    return [check for check in CHECKS.values() if check.notebook == number and not check.going_further]
