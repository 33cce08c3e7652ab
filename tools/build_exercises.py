"""Build the exercise edition, exercises/, from the worked edition, notebooks/.

    python tools/build_exercises.py           # rewrite exercises/ (commit the result)
    python tools/build_exercises.py --check   # exit 1, naming the files, if exercises/ is stale

exercises/ is generated, never edited by hand: edit notebooks/ and run this script. It applies
nbgrader's own preprocessors to every notebook, the same ones `nbgrader generate_assignment`
uses: the code between `### BEGIN SOLUTION` and `### END SOLUTION` becomes
`# YOUR CODE HERE` / `raise NotImplementedError()`, check cells (nbgrader's autograded test
cells) are locked, and every output is cleared (the learner's run makes them). Everything else,
such as the glossary the notebooks link to, is copied unchanged.
"""
import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme,
                                    ClearOutput, ClearSolutions, ComputeChecksums, LockCells)

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the course package, run as a script from anywhere
from course.editions import with_optional_cells_step  # noqa: E402
SOURCE = ROOT / "notebooks"
TARGET = ROOT / "exercises"
# In the order `nbgrader generate_assignment` runs them (nbgrader 0.9), minus what needs a
# course database; the optional cells' stubs changed before the checksums are computed.
PREPROCESSORS = with_optional_cells_step((LockCells, ClearSolutions, ClearOutput, CheckCellMetadata,
                                          ClearHiddenTests, ClearMarkScheme, ComputeChecksums,
                                          CheckCellMetadata))


def exercise_notebook(path):
    """The exercise edition of one worked notebook, as the text to write."""
    notebook = nbformat.read(path, as_version=4)
    resources = {}
    for preprocessor in PREPROCESSORS:
        notebook, resources = preprocessor().preprocess(notebook, resources)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timings of the teacher's run
    # The same JSON layout as JupyterLab writes, so that a learner's save changes only their edits.
    return json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"


def build(target):
    """Write the whole exercise edition into `target`, replacing it only once all of it is built."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        fresh = Path(scratch) / target.name
        fresh.mkdir()
        for path in sorted(SOURCE.iterdir()):
            if path.suffix == ".ipynb":
                (fresh / path.name).write_text(exercise_notebook(path), encoding="utf-8", newline="\n")
            elif path.is_file() and not path.name.startswith("."):
                shutil.copyfile(path, fresh / path.name)
        if target.exists():
            shutil.rmtree(target)
        fresh.rename(target)


def stale_files(target=TARGET):
    """Names of the files that differ between `target` and a fresh build (empty: up to date)."""
    with tempfile.TemporaryDirectory() as scratch:
        fresh = Path(scratch) / "exercises"
        build(fresh)
        names = {path.name for path in fresh.iterdir()}
        names |= {path.name for path in target.iterdir()} if target.is_dir() else set()
        return sorted(name for name in names
                      if not (target / name).is_file() or not (fresh / name).is_file()
                      or (target / name).read_bytes() != (fresh / name).read_bytes())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether exercises/ matches a fresh build")
    if parser.parse_args().check:
        stale = stale_files()
        if stale:
            print(f"exercises/ is stale: {', '.join(stale)} differ from a fresh build. "
                  f"Run `python tools/build_exercises.py` and commit the result.")
            sys.exit(1)
        print("exercises/ is up to date")
    else:
        build(TARGET)
        print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
