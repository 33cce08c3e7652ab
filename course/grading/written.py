"""The concept questions as written answers the teacher grades by hand, or ungraded: one setting
in nbgrader_config.py.

    c.WrittenAnswers.graded = False  # the default: each question keeps its collapsed model answer
    c.WrittenAnswers.points = 1      # each written answer's points, when graded

A concept question is a markdown cell's "**Question.**" followed by a collapsed
`<details><summary>Answer ...</summary> ... </details>` (a cell may hold two; a collapsed answer
with no question before it, such as the answer to a "Your turn" cell, is not one). When `graded`
is on, `nbgrader generate_assignment` releases each question without its answer, followed by a
markdown cell for the learner's answer: an nbgrader manually graded answer cell (solution and
grade, `points`, grade id `written_<notebook number>_<n>`), "YOUR ANSWER HERE" in it. The step
runs before nbgrader's SaveCells, so that the gradebook knows the new cells; autograde then marks
each written answer as needing a manual grade (an answer left as released scores 0).

The removed answers are the teacher's rubric: at the course's root,

    python -m course.grading.written            # writes rubric.md

lists each written answer's grade id, notebook, question, points and model answer, from the
worked edition (notebooks/), with the points nbgrader_config.py sets.
"""
import argparse
import re
import sys
from pathlib import Path

from nbformat import from_dict
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Float

QUESTION = re.compile(r"\*\*Question\.\*\*")
# a collapsed model answer ("Answer", "Answer to the question"), with the blank lines around it
ANSWER = re.compile(r"\n*[ \t]*<details>\s*<summary>\s*Answer[^<]*</summary>(.*?)</details>[ \t]*\n*", re.S)
STUB = "YOUR ANSWER HERE"  # nbgrader's ClearSolutions.text_stub
SCHEMA_VERSION = 3  # nbgrader's cell metadata, as the course's other cells have it


def _text(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def number_of(notebook_name):
    """'05_create_model' -> '05' (the notebook's number, as grade ids carry it)."""
    found = re.match(r"\d+", Path(notebook_name).stem)
    return f"{int(found.group()):02d}" if found else re.sub(r"\W+", "_", Path(notebook_name).stem)


def questions(cells, notebook_name):
    """The concept questions of a notebook's cells, in order: [{grade_id, cell (index), question
    (its paragraph), answer (the model answer's text), parts}], where `parts` is the cell's text
    cut around each of its questions' answers (see `with_answer_cells`)."""
    found, count = [], 0
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        text, start, answers = _text(cell), 0, []
        for match in ANSWER.finditer(text):
            asked = list(QUESTION.finditer(text, start, match.start()))
            if asked:  # an answer with a question before it (since the last one): a concept question
                answers.append((asked[-1], match))
                start = match.end()
        for asked, match in answers:
            count += 1
            paragraph = re.split(r"\n[ \t]*\n", text[asked.start():match.start()], maxsplit=1)[0]
            found.append({"grade_id": f"written_{number_of(notebook_name)}_{count}", "cell": index,
                          "question": paragraph.strip(), "answer": match.group(1).strip(),
                          "span": (match.start(), match.end())})
    return found


def _points_text(points):
    return f"{points:g} point" + ("" if points == 1 else "s")


def with_answer_cells(cells, notebook_name, points=1):
    """The notebook's cells with each concept question's model answer taken out and a manually
    graded answer cell right after the question. A cell's text after its last question's answer
    (an exercise's prompt, hints) follows the answer cell in a markdown cell of its own."""
    found = questions(cells, notebook_name)
    by_cell = {}
    for question in found:
        by_cell.setdefault(question["cell"], []).append(question)
    result = []
    for index, cell in enumerate(cells):
        if index not in by_cell:
            result.append(cell)
            continue
        text, start = _text(cell), 0
        for number, question in enumerate(by_cell[index]):
            before, after = question["span"]
            part = dict(cell) if number == 0 else {"cell_type": "markdown", "metadata": {}}
            if number and "id" in cell:
                part["id"] = f"{cell['id']}-{number + 1}"
            part["source"] = (text[start:before].strip("\n") + f"\n\n*Write your answer in the cell "
                              f"below: your teacher grades it ({_points_text(points)}).*")
            result += [from_dict(part), answer_cell(question["grade_id"], points, "id" in cell)]
            start = after
        rest = text[start:].strip("\n")
        if rest.strip():
            tail = {"cell_type": "markdown", "metadata": {}, "source": rest}
            if "id" in cell:
                tail["id"] = f"{cell['id']}-after"
            result.append(from_dict(tail))
    return result


def answer_cell(grade_id, points, with_id=True):
    """nbgrader's manually graded answer cell (markdown, solution and grade)."""
    cell = {"cell_type": "markdown", "source": STUB,
            "metadata": {"nbgrader": {"grade": True, "grade_id": grade_id, "locked": False,
                                      "points": int(points) if float(points).is_integer() else points,
                                      "schema_version": SCHEMA_VERSION, "solution": True}}}
    if with_id:
        cell["id"] = grade_id.replace("_", "-")
    return from_dict(cell)


class WrittenAnswers(NbGraderPreprocessor):
    """generate_assignment's step (module docstring): when `graded`, each concept question's
    model answer out, a manually graded answer cell after it; otherwise nothing."""

    graded = Bool(False, help="Concept questions as written answers the teacher grades by hand "
                              "(True), or ungraded with their model answers collapsed (False).").tag(config=True)
    points = Float(1.0, help="The points of each written answer.").tag(config=True)

    def preprocess(self, nb, resources):
        if self.graded:
            nb.cells = with_answer_cells(nb.cells, resources["nbgrader"]["notebook"], self.points)
        return nb, resources


def with_written_answers_step(preprocessors):
    """generate_assignment's preprocessors with WrittenAnswers right before LockCells: before
    nbgrader's SaveCells (the gradebook must know the answer cells) and its LockCells,
    ClearSolutions and checksums (which treat them as every other answer cell)."""
    from nbgrader.preprocessors import LockCells
    steps = list(preprocessors)
    steps.insert(steps.index(LockCells), WrittenAnswers)
    return steps


def waits_for_a_grade(grade):
    """A gradebook's grade (nbgrader.api.Grade) of a written answer that autograde could not
    score and the teacher has not graded yet (an answer left as released scores 0 at autograde;
    the Formgrader sets `manual_score`)."""
    return grade.cell.cell_type == "markdown" and grade.auto_score is None and grade.manual_score is None


# --- the teacher's rubric ---------------------------------------------------------------------

def settings(course_root):
    """The WrittenAnswers of the course's nbgrader_config.py, and the config's source folder."""
    from traitlets.config.loader import PyFileConfigLoader
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    return WrittenAnswers(config=config)


def rubric(course_root, assignment="notebooks", points=None):
    """rubric.md's text: every written answer of the assignment's source (the worked edition)."""
    import json
    folder = Path(course_root) / assignment
    entries = []
    for path in sorted(folder.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        entries += [(path.stem, question) for question in questions(cells, path.stem)]
    points = 1.0 if points is None else points
    lines = [f"# Rubric: the written answers of \"{assignment}\"", "",
             f"{len(entries)} written answers, {_points_text(points)} each ({_points_text(points * len(entries))} "
             f"in all), graded by hand: in the Formgrader (Manual Grading), or with nbgrader's "
             f"gradebook. Each model answer is the one the worked edition ({assignment}/) folds "
             f"under its question; an answer that makes its main point earns the points.", ""]
    for notebook, question in entries:
        lines += [f"## {question['grade_id']} · {notebook} · {_points_text(points)}", "",
                  question["question"], "", "**Model answer.**", "", question["answer"], ""]
    return "\n".join(lines)


def main(arguments=None):
    parser = argparse.ArgumentParser(description="Write the rubric of the written answers (the "
                                                 "concept questions' model answers) for the teacher.")
    parser.add_argument("--assignment", default="notebooks", help="the assignment's source folder")
    parser.add_argument("--to", default="rubric.md", help="the file to write (default rubric.md)")
    options = parser.parse_args(arguments)
    root = Path.cwd()
    if not (root / "nbgrader_config.py").is_file():
        sys.exit("Run this at the course's root, beside nbgrader_config.py.")
    written = settings(root)
    if not written.graded:
        print("Note: c.WrittenAnswers.graded is off in nbgrader_config.py: the release keeps the "
              "model answers, and no written answer is graded.")
    text = rubric(root, options.assignment, written.points)
    Path(options.to).write_text(text, encoding="utf-8")
    print(f"Wrote {text.count(chr(10) + '## ')} written answers' model answers to {options.to}")


if __name__ == "__main__":
    main()
