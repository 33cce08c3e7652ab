"""The checks as a library: one line per check cell, no answer in view, helpers.py a thin façade.

What a learner sees of a check is one line; what it tests lives in course/checks/nbNN.py. No line
of a worked solution may appear where the learner can read it before writing it: in the exercise
edition's notebook of that exercise or an earlier one, or in the course's own modules.
"""
import json
import re
import sys

import pytest

import helpers
from course import checks

ROOT = helpers.ROOT
NOTEBOOKS, EXERCISES = ROOT / "notebooks", ROOT / "exercises"
MODULES = sorted([ROOT / "helpers.py", *(ROOT / "course").rglob("*.py")])
# Solution lines the learner may see before writing them, each a deliberate choice (docs/code.md,
# "How the notebooks share code"), with the reason. At most two.
ALLOWED = {}
CHECK_LINE = re.compile(r'import helpers; helpers\.check\("(\w+)"\)')
# nbgrader's hidden region, in the worked edition only: the cases grading runs besides the check's
# (course/grading/hidden.py), seeded by a number only the teacher's source holds.
HIDDEN_REGION = re.compile(r'\n### BEGIN HIDDEN TESTS\nhelpers\.check_hidden\("(\w+)", \d+\)\n### END HIDDEN TESTS$')


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell):
    return "".join(cell["source"])


def visible(cell):
    """A check cell as the learner's edition has it: its hidden region left out."""
    return HIDDEN_REGION.sub("", source(cell).strip()).strip()


def graded_checks(path):
    return [cell for cell in cells(path) if cell["cell_type"] == "code"
            and cell.get("metadata", {}).get("nbgrader", {}).get("grade")]


def squeezed(text):
    """Text without whitespace: a line is found whatever its spacing or line breaks."""
    return re.sub(r"\s+", "", text)


def solution_lines(text):
    """The lines between the solution markers, comments and a leading `return` dropped; lines of
    fewer than 8 characters (`else:`, `b = 0`) say nothing of the answer and are left out."""
    lines, inside = [], False
    for line in text.splitlines():
        if "### BEGIN SOLUTION" in line or "### END SOLUTION" in line:
            inside = "BEGIN" in line
            continue
        code = re.sub(r"^return\b", "", re.sub(r"#.*$", "", line).strip()).strip()
        if inside and len(squeezed(code)) >= 8:
            lines.append(code)
    return lines


def worked_solutions():
    """[(notebook number, solution line)] of the whole worked edition: every exercise, the optional
    tasks' functions too, but not their demonstrations (plotting and printing, no answer)."""
    return [(int(path.name[:2]), line) for path in sorted(NOTEBOOKS.glob("*.ipynb"))
            for cell in cells(path) if not is_demonstration(cell)
            for line in solution_lines(source(cell))]


def is_demonstration(cell):
    """An optional task's cell that the learner writes but no check reads."""
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return "going-further" in cell.get("metadata", {}).get("tags", []) and grade_id not in checks.CHECKS


def answers_in_view():
    """{solution line: where a learner can read it before writing it}."""
    exercise_text = {int(path.name[:2]): squeezed("\n".join(source(cell) for cell in cells(path)))
                     for path in sorted(EXERCISES.glob("*.ipynb"))}
    module_text = {path.relative_to(ROOT).as_posix(): squeezed(path.read_text(encoding="utf-8"))
                   for path in MODULES}
    found = {}
    for number, line in worked_solutions():
        places = [f"exercises, notebook {shown}" for shown, text in exercise_text.items()
                  if shown <= number and squeezed(line) in text]
        places += [name for name, text in module_text.items() if squeezed(line) in text]
        if places:
            found[line] = places
    return found


def test_every_check_cell_is_one_line_that_names_its_check():
    for folder in (NOTEBOOKS, EXERCISES):
        for path in sorted(folder.glob("*.ipynb")):
            for cell in graded_checks(path):
                grade_id = cell["metadata"]["nbgrader"]["grade_id"]
                hidden = HIDDEN_REGION.search(source(cell).strip())
                assert bool(hidden) == (folder == NOTEBOOKS), f"{folder.name}/{path.name}, {grade_id}: hidden cases"
                match = CHECK_LINE.fullmatch(visible(cell))
                assert match, f"{folder.name}/{path.name}, {grade_id}: not one check line:\n{source(cell)}"
                assert hidden is None or hidden.group(1) == match.group(1), (path.name, grade_id)
                assert f"check_{match.group(1)}" == grade_id, (path.name, grade_id, match.group(1))
                found = checks.CHECKS[match.group(1)]
                assert found.notebook == int(path.name[:2]), f"{grade_id} lives in nb{found.notebook:02}"


def check_cells(path):
    """The check cells: graded (the core course), and ungraded (a going-further task)."""
    return [cell for cell in cells(path) if cell["cell_type"] == "code"
            and str(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")).startswith("check_")]


def test_every_check_has_a_cell_and_each_notebook_links_its_module():
    called = {}
    for path in NOTEBOOKS.glob("*.ipynb"):
        for cell in check_cells(path):
            called[CHECK_LINE.fullmatch(visible(cell)).group(1)] = cell
    assert set(called) == set(checks.CHECKS)
    for name, cell in called.items():  # the core's checks earn points, going further's do not
        grading = cell["metadata"]["nbgrader"]
        assert bool(grading.get("grade")) is not checks.CHECKS[name].going_further, (name, grading)
        assert grading.get("locked"), f"check {name}: its cell must be locked"
    for path in sorted(EXERCISES.glob("*.ipynb")):
        if graded_checks(path):
            module = f"course/checks/nb{path.name[:2]}.py"
            text = "\n".join(source(cell) for cell in cells(path) if cell["cell_type"] == "markdown")
            assert f"]({'../' + module})" in text, f"{path.name} does not link {module}"


def test_visible_check_code_is_at_most_5_percent_of_the_exercise_editions_code():
    code_lines = check_lines = 0
    for path in sorted(EXERCISES.glob("*.ipynb")):
        for cell in cells(path):
            if cell["cell_type"] == "code":
                lines = [line for line in source(cell).splitlines() if line.strip()]
                code_lines += len(lines)
                check_lines += len(lines) if cell in graded_checks(path) else 0
    assert check_lines / code_lines <= 0.05, f"{check_lines} of {code_lines} code lines are checks"


def test_helpers_is_a_thin_facade():
    lines = (ROOT / "helpers.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150, f"helpers.py has {len(lines)} lines"
    assert not re.search(r"^(def|class) _", "\n".join(lines), re.M), "helpers.py holds machinery"


def test_no_worked_solution_line_is_in_view_before_the_learner_writes_it():
    assert len(worked_solutions()) >= 30  # the test reads the solutions at all
    in_view = {line: places for line, places in answers_in_view().items() if line not in ALLOWED}
    assert in_view == {}, "worked-solution lines a learner can read:\n" + "\n".join(
        f"  {line}   <- {', '.join(places)}" for line, places in in_view.items())
    assert len(ALLOWED) <= 2


@pytest.mark.parametrize("planted, place", [
    ("X @ self.w + self.b", "exercises, notebook 6"),
    ("np.where(z >= 0, 1.0, small) / (1.0 + small)", "course/checks/nb06.py"),
])
def test_the_search_for_answers_finds_a_planted_one(tmp_path, monkeypatch, planted, place):
    exercises, course = tmp_path / "exercises", tmp_path / "course"
    exercises.mkdir()
    for path in EXERCISES.glob("*.ipynb"):
        (exercises / path.name).write_bytes(path.read_bytes())
    target = exercises / "06_forward_pass.ipynb"
    notebook = json.loads(target.read_text(encoding="utf-8"))
    notebook["cells"][0]["source"] += f"\nHint: `{planted}`"
    target.write_text(json.dumps(notebook), encoding="utf-8")
    module = course / "checks" / "nb06.py"
    module.parent.mkdir(parents=True)
    module.write_text(f"# expected = {planted.replace(' ', '')}\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "EXERCISES", exercises)
    monkeypatch.setattr(sys.modules[__name__], "MODULES", [module])
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert place in answers_in_view().get(planted, [])
