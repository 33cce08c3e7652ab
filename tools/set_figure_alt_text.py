"""Give every figure of the worked notebooks its alt text on the website.

    python tools/set_figure_alt_text.py           # write the texts into notebooks/
    python tools/set_figure_alt_text.py --check   # exit 1, naming the cells, if any is missing

The texts live in site/figure_alt_text.json, per notebook, each keyed by the first line of the
code cell that draws the figure. This script copies each one into that cell's metadata, where
myst-nb (the website's notebook reader) takes the alt text of the cell's images from:

    "metadata": {"mystnb": {"image": {"alt": "..."}}}

Without it, the site's <img> has its file name as alt text, which a screen reader reads out.
The script fails, changing nothing, when a text matches no figure cell or several, or when a
figure cell (a code cell with an image output) has no text: a new figure needs one. Run it after
editing the notebooks, then `python tools/build_exercises.py` (the exercise edition copies the
cells' metadata).
"""
import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXTS = Path("site") / "figure_alt_text.json"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def first_line(cell):
    lines = "".join(cell["source"]).strip().splitlines()
    return lines[0] if lines else ""


def figure_cells(notebook):
    """The code cells with an image among their outputs."""
    return [cell for cell in notebook["cells"] if cell["cell_type"] == "code"
            and any(kind in output.get("data", {}) for output in cell.get("outputs", [])
                    for kind in IMAGE_TYPES)]


def alt_of(cell):
    return cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt")


def apply(root):
    """Set the alt texts in the notebooks under `root`: ({path: new text}, [problems])."""
    texts = json.loads((root / TEXTS).read_text(encoding="utf-8"))
    changed, problems = {}, []
    notebooks = sorted({*texts, *(path.relative_to(root).as_posix()
                                  for path in (root / "notebooks").glob("[0-9]*.ipynb"))})
    for name in notebooks:
        path = root / name
        if not path.is_file():
            problems.append(f"{name}: no such notebook")
            continue
        original = path.read_text(encoding="utf-8")
        notebook = json.loads(original)
        cells = figure_cells(notebook)
        covered = set()
        for entry in texts.get(name, []):
            matches = [index for index, cell in enumerate(cells)
                       if first_line(cell) == entry["cell_first_line"].strip()]
            if len(matches) != 1:
                problems.append(f"{name}: {len(matches)} figure cells begin with "
                                f"{entry['cell_first_line']!r} (need exactly one)")
                continue
            covered.add(matches[0])
            cell = cells[matches[0]]
            cell.setdefault("metadata", {}).setdefault("mystnb", {}).setdefault(
                "image", {})["alt"] = entry["alt"].strip()
        problems += [f"{name}: no alt text for the figure cell beginning {first_line(cell)!r}"
                     for index, cell in enumerate(cells)
                     if index not in covered and not alt_of(cell)]
        # The layout JupyterLab writes (tools/build_exercises.py): only the metadata changes.
        text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
        if text != original:
            changed[path] = text
    return changed, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report whether every figure cell has its alt text")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the repository (default: the one holding this script)")
    arguments = parser.parse_args()
    changed, problems = apply(arguments.root.resolve())
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    if arguments.check:
        if changed:
            print("alt texts not yet in: " + ", ".join(path.name for path in changed)
                  + "; run `python tools/set_figure_alt_text.py`", file=sys.stderr)
            return 1
        return 0
    for path, text in changed.items():
        path.write_text(text, encoding="utf-8")
        print(f"alt texts set in {path.relative_to(arguments.root.resolve())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
