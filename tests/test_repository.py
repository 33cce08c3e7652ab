"""The repository's promises: notebooks saved from a clean run, CI running the README's command."""
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TASKS = ["01_introduction", "02_hyperparameters", "03_dataset", "04_mini_batch",
         "05_create_model", "06_forward_pass", "07_backward_pass", "08_update_parameters",
         "09_model_performance", "10_training_loop", "11_training_the_model",
         "12_additional_example"]
MACHINE_PATH = re.compile(r"(/home/|/root/|/tmp/|/work/|/Users/|[A-Z]:\\\\)")


def readme_commands():
    return re.findall(r"```bash\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_notebooks_are_the_course_tasks_in_order():
    assert [path.stem for path in NOTEBOOKS] == TASKS


def test_ci_runs_exactly_the_readme_test_command():
    course, tests = readme_commands()[:2]
    assert "jupyter lab" in course and "pytest" in tests
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert tests in ci_lines


def test_the_forge_workflow_runs_exactly_what_ci_runs():
    workflow = (ROOT / ".github" / "workflows" / "ci.yml").read_text()
    steps = re.findall(r"^\s+(?:- )?(run|uses): (.+)$", workflow, re.M)
    assert steps == [("uses", "actions/checkout@v4"), ("run", "bash .ci/run")], steps
    assert re.search(r"^\s+container: python:3\.\d+-bookworm$", workflow, re.M), \
        "CI's kind of system: Debian with Python, as root (apt-get installs Chromium)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_saved_from_a_clean_run(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["metadata"]["kernelspec"]["name"] == "python3"
    code_cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code_cells] == list(range(1, len(code_cells) + 1))
    for number, cell in enumerate(code_cells, start=1):
        source = "".join(cell["source"])
        assert "filterwarnings" not in source and "sys.path" not in source, f"code cell {number}"
        for output in cell["outputs"]:
            assert output["output_type"] != "error", f"code cell {number} raised"
            assert output.get("name") != "stderr", f"code cell {number} wrote to stderr"
            assert not MACHINE_PATH.search(json.dumps(output)), f"code cell {number}: machine path"
    assert not MACHINE_PATH.search(json.dumps(notebook["metadata"]))
    assert path.stat().st_size < 1_000_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_goals_and_closes_with_summary(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    first, last = "".join(cells[0]["source"]), "".join(cells[-1]["source"])
    assert cells[0]["cell_type"] == "markdown" and "you will" in first
    assert cells[-1]["cell_type"] == "markdown" and "## Summary" in last


def code_of(name, tag=None):
    cells = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"
            and (tag is None or tag in c["metadata"].get("tags", []))]


def test_model_code_lives_only_in_notebooks_5_to_10():
    for name in TASKS:
        tagged = code_of(name, "model")
        assert bool(tagged) == (name in TASKS[4:10]), name
    for name in TASKS[10:]:
        code = "\n".join(code_of(name))
        assert "LogisticModel = helpers.model_from_notebooks()" in code
        assert not re.search(r"LogisticModel\.\w+ =|class LogisticModel", code), name


def test_later_notebooks_get_the_model_from_the_earlier_ones():
    for number in range(6, 11):
        code = "\n".join(code_of(TASKS[number - 1]))
        assert f"helpers.model_from_notebooks(through={number - 1})" in code, TASKS[number - 1]


def test_later_notebooks_stop_in_their_first_cell_until_earlier_exercises_are_done():
    for name in TASKS[5:]:
        first = code_of(name)[0]
        # Bound first, then checked: under grading, the later checks still get the class.
        assert re.search(r"LogisticModel = helpers\.model_from_notebooks\(.*"
                         r"\nhelpers\.check_earlier_exercises\(LogisticModel\)", first, re.S), name


def test_readme_own_data_example_runs(capsys):
    readme = (ROOT / "README.md").read_text()
    code = re.search(r"## Your own data.*?```python\n(.*?)```", readme, re.S).group(1)
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert namespace["accuracy"] > 0.9
    assert namespace["labels"].shape == namespace["probabilities"].shape == (100,)
    assert len(capsys.readouterr().out.splitlines()) == 10


def first_cell(path):
    return "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_objectives_prerequisites_and_time(path):
    first = first_cell(path)
    assert "By the end of this notebook you will be able to" in first
    assert "**Prerequisites:**" in first
    minutes = re.search(r"\*\*Time:\*\* about (\d+) minutes", first)
    assert minutes and 5 <= int(minutes.group(1)) <= 30, "at most about 30 minutes per notebook"


def test_readme_table_gives_each_notebooks_objectives_and_time():
    readme = (ROOT / "README.md").read_text()
    for path in NOTEBOOKS:
        minutes = re.search(r"\*\*Time:\*\* about (\d+) minutes", first_cell(path)).group(1)
        row = next((line for line in readme.splitlines() if f"`{path.stem}`" in line), "")
        assert f"| {minutes} min |" in row, f"README's row for {path.stem} must give {minutes} min"


def test_glossary_links_point_at_entries():
    glossary = (ROOT / "notebooks" / "glossary.md").read_text()
    anchors = set(re.findall(r'<a id="([\w-]+)"></a>', glossary))
    for path in NOTEBOOKS:
        text = json.dumps(json.loads(path.read_text(encoding="utf-8"))["cells"])
        for anchor in re.findall(r"glossary\.md#([\w-]+)", text):
            assert anchor in anchors, f"{path.name} links to glossary.md#{anchor}, which is not there"


def claims_before_figures(cells):
    """(first line of an assert cell, first line of a later figure cell) pairs within one section.

    "Run All" stops at a failed assert, so the figures after it, which would show why, are never
    drawn. Exercise checks (nbgrader's graded cells) are excepted: their message is the explanation.
    """
    found, pending = [], []
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            if re.match(r"#{1,3} ", source):  # a new section
                pending = []
            continue
        if any("image/png" in output.get("data", {}) for output in cell["outputs"]):
            found += [(claim, source.splitlines()[0]) for claim in pending]
        if re.search(r"^assert\b", source, re.M) and not cell["metadata"].get("nbgrader", {}).get("grade"):
            pending.append(source.splitlines()[0])
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_a_failed_claim_never_hides_the_figures_of_its_section(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert not claims_before_figures(cells), (
        "an assert comes before a figure of the same section; if it failed, Run All would stop "
        "before the figure that shows why. Move the assert after the figure: "
        f"{claims_before_figures(cells)}")


def test_without_chromium_browser_tests_skip_here_and_fail_in_ci(monkeypatch):
    import shutil

    import conftest
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no Chromium found.*apt-get install -y chromium"):
        conftest.system_chromium()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="no Chromium found"):
        conftest.system_chromium()
