"""What the learner reads, and what they are asked to do, in the twelve notebooks.

- Reading: the words on the path through the course, outside collapsed `<details>` blocks
  ("Going deeper", hints, answers) and code cells saved collapsed (JupyterLab shows given code
  whose `metadata.jupyter.source_hidden` is true as a bar the learner clicks to open), at most
  12,000 in all and 1,500 in any notebook.
- Hints in steps: each exercise of notebooks 5-10 has a ladder of two or three collapsed hints,
  `<summary>Hint 1 ...`, `Hint 2 ...`, in the markdown right above its cell; no hint holds a line
  of the exercise's solution.
- Predictions: each "predict, then run" prompt is followed by an editable cell, tagged
  `prediction`, for the learner's guess, before the cell that answers it.

    python tests/test_reading.py     # the counts, notebook by notebook
"""
import io
import json
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MOST_WORDS_IN_ALL = 12_000
MOST_WORDS_IN_A_NOTEBOOK = 1_500
HINT_LADDER_NOTEBOOKS = range(5, 11)
# A prompt to guess before running: "**Predict, then run.**", "Before you run the next cell", ...
PREDICTION_PROMPT = re.compile(r"\*\*Predict|before you run|write down your guess", re.IGNORECASE)
COLLAPSED = re.compile(r"<details\b.*?</details>", re.DOTALL | re.IGNORECASE)
HINT_SUMMARY = re.compile(r"<summary>\s*(?:<b>|\*\*)?\s*Hint (\d)", re.IGNORECASE)
SOLUTION = re.compile(r"### BEGIN SOLUTION.*?### END SOLUTION", re.DOTALL)
HIDDEN_TESTS = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS", re.DOTALL)


def load(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def words(text):
    return len(text.split())


def code_prose(code):
    """The comments and docstrings of a cell of code: what the learner reads in it."""
    code = SOLUTION.sub("", code)  # the exercise edition has none of the solutions,
    code = HIDDEN_TESTS.sub("", code)  # nor the hidden cases grading adds to a check
    prose = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.COMMENT:
                prose.append(token.string.lstrip("#"))
            elif token.type == tokenize.STRING and token.string.lstrip("rbuRBU").startswith(('"""', "'''")):
                prose.append(token.string.strip("rbuRBU\"'"))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # a cell IPython reads but tokenize does not (a magic): no prose counted
    return " ".join(prose)


def words_on_path(path):
    """Words outside collapsed blocks: markdown, and the comments and docstrings of code."""
    total = 0
    for cell in load(path)["cells"]:
        text = source(cell)
        if cell["cell_type"] == "markdown":
            total += words(COLLAPSED.sub("", text))
        elif cell["cell_type"] == "code" and not collapsed(cell):
            total += words(code_prose(text))
    return total


def collapsed(cell):
    """A code cell JupyterLab opens with its source collapsed: given code, not the learner's."""
    hidden = cell.get("metadata", {}).get("jupyter", {}).get("source_hidden", False)
    assert not (hidden and cell.get("metadata", {}).get("nbgrader", {}).get("solution")), \
        "an exercise's cell is collapsed: the learner would not see where to write"
    return hidden


def grading(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def exercises(notebook):
    """(index, grade_id) of each graded exercise cell: a solution cell whose check earns points."""
    cells = notebook["cells"]
    graded = {grading(cell).get("grade_id") for cell in cells if grading(cell).get("grade")}
    return [(index, grading(cell)["grade_id"]) for index, cell in enumerate(cells)
            if grading(cell).get("solution") and f"check_{grading(cell).get('grade_id')}" in graded]


def markdown_above(cells, index):
    """The markdown cells right above cell `index`, up to the code cell before them."""
    above = []
    for cell in reversed(cells[:index]):
        if cell["cell_type"] == "code":
            break
        above.insert(0, source(cell))
    return "\n".join(above)


def hint_steps(markdown):
    return [int(number) for number in HINT_SUMMARY.findall(markdown)]


def hints(markdown):
    """The text of each hint block."""
    return [block for block in COLLAPSED.findall(markdown) if HINT_SUMMARY.search(block)]


def solution_lines(code):
    """The lines of a solution, whitespace and comments stripped, of at least 10 characters."""
    lines = []
    for block in SOLUTION.findall(code):
        for line in block.splitlines()[1:-1]:
            line = re.sub(r"\s+", "", line.split("#")[0]).removeprefix("return")
            if len(line) >= 10:
                lines.append(line)
    return lines


def prediction_gaps(notebook):
    """Prompts to predict that are not followed by a cell tagged `prediction`."""
    cells = notebook["cells"]
    gaps = []
    for index, cell in enumerate(cells):
        visible = COLLAPSED.sub("", source(cell)) if cell["cell_type"] == "markdown" else ""
        if PREDICTION_PROMPT.search(visible):
            following = cells[index + 1] if index + 1 < len(cells) else {}
            if "prediction" not in following.get("metadata", {}).get("tags", []):
                gaps.append(f"cell {index + 1}: {visible.strip()[:70]!r}")
    return gaps


# ---- Reading ----------------------------------------------------------------------------------

EDITIONS = {"worked": NOTEBOOKS, "exercise": sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))}


@pytest.mark.parametrize("edition", EDITIONS)
def test_the_path_through_the_course_is_at_most_12000_words(edition):
    """In both editions: the learner's has the stubs' comments (`# YOUR CODE HERE`) besides."""
    counts = {path.name: words_on_path(path) for path in EDITIONS[edition]}
    assert len(counts) == 12 and sum(counts.values()) <= MOST_WORDS_IN_ALL, counts


@pytest.mark.parametrize("path", NOTEBOOKS + EDITIONS["exercise"], ids=lambda path: f"{path.parent.name}-{path.name[:2]}")
def test_no_notebook_is_above_1500_words(path):
    assert words_on_path(path) <= MOST_WORDS_IN_A_NOTEBOOK


def test_the_count_leaves_out_collapsed_blocks_and_counts_comments():
    markdown = {"cell_type": "markdown", "metadata": {},
                "source": "one two\n<details><summary>Going deeper</summary>\n\nthree four five\n</details>\nsix"}
    code = {"cell_type": "code", "metadata": {},
            "source": 'def f():\n    """seven eight"""\n    ### BEGIN SOLUTION\n    return 1  # hidden\n'
                      '    ### END SOLUTION\nx = 1  # nine'}
    assert words(COLLAPSED.sub("", source(markdown))) == 3
    assert words(code_prose(source(code))) == 3


# ---- Hints in steps ---------------------------------------------------------------------------

@pytest.mark.parametrize("number", HINT_LADDER_NOTEBOOKS)
def test_each_exercise_has_a_ladder_of_two_or_three_hints(number):
    notebook = load(NOTEBOOKS[number - 1])
    assert exercises(notebook), f"notebook {number} has no graded exercise"
    for index, grade_id in exercises(notebook):
        steps = hint_steps(markdown_above(notebook["cells"], index))
        assert steps in ([1, 2], [1, 2, 3]), \
            f"notebook {number}, exercise {grade_id}: hints numbered {steps}, expected Hint 1, Hint 2 (, Hint 3)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name[:2])
def test_no_hint_is_a_line_of_the_solution(path):
    notebook = load(path)
    for index, grade_id in exercises(notebook):
        for hint in hints(markdown_above(notebook["cells"], index)):
            flat = re.sub(r"\s+|`", "", hint)
            for line in solution_lines(source(notebook["cells"][index])):
                assert line not in flat, f"{path.name}, exercise {grade_id}: a hint holds the line {line!r}"


def test_the_hint_rules_fail_on_a_single_hint_and_on_a_hint_that_is_the_line():
    cells = [{"cell_type": "markdown", "metadata": {},
              "source": "<details><summary>Hint 1 · the idea</summary>\n\n`return np.mean(labels == 1)`\n</details>"},
             {"cell_type": "code", "metadata": {"nbgrader": {"solution": True, "grade_id": "share"}},
              "source": "def share(labels):\n    ### BEGIN SOLUTION\n    return np.mean(labels == 1)\n    ### END SOLUTION"}]
    markdown = markdown_above(cells, 1)
    assert hint_steps(markdown) == [1]
    assert solution_lines(source(cells[1]))[0] in re.sub(r"\s+|`", "", hints(markdown)[0])


# ---- Predictions ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name[:2])
def test_each_prompt_to_predict_has_a_cell_for_the_guess(path):
    assert not prediction_gaps(load(path))


def test_a_prompt_without_a_cell_for_the_guess_is_found():
    prompt = {"cell_type": "markdown", "metadata": {}, "source": "**Predict, then run.** How many?"}
    guess = {"cell_type": "markdown", "metadata": {"tags": ["prediction"]}, "source": "*Your prediction:*"}
    code = {"cell_type": "code", "metadata": {}, "source": "print(1)"}
    assert prediction_gaps({"cells": [prompt, code]})
    assert not prediction_gaps({"cells": [prompt, guess, code]})


if __name__ == "__main__":
    total = 0
    for path in NOTEBOOKS:
        notebook = load(path)
        count = words_on_path(path)
        total += count
        ladders = [f"{grade_id}:{len(hint_steps(markdown_above(notebook['cells'], index)))}"
                   for index, grade_id in exercises(notebook)]
        gaps = len(prediction_gaps(notebook))
        print(f"{path.name:32} {count:5} words   hints {' '.join(ladders) or '-'}   "
              f"prompts without a guess cell: {gaps}")
    print(f"{'in all':32} {total:5} words (at most {MOST_WORDS_IN_ALL}, {MOST_WORDS_IN_A_NOTEBOOK} a notebook)")
