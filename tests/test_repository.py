"""The repository's promises: notebooks saved from a clean run, CI running the README's command."""
import json
import re
import shutil
import subprocess
import sys
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


# ---- The drivers (tests/drivers/) stand alone: benchmarks import them, never a test module ------

def imports_of_test_modules(path):
    """The imports, in the Python file at `path`, of modules of tests/ other than the drivers:
    test_*.py, conftest.py, notebook_edits.py..., each as its line."""
    import ast
    of_the_tests = {entry.stem for entry in (ROOT / "tests").iterdir()
                    if entry.suffix == ".py" or entry.is_dir()} - {"drivers"}
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            imported, relative = [alias.name.split(".") for alias in node.names], False
        elif isinstance(node, ast.ImportFrom):
            module = node.module.split(".") if node.module else []
            imported, relative = [[*module, alias.name] for alias in node.names], node.level > 0
        else:
            continue
        if any(any(part == "conftest" or part.startswith("test_") for part in parts)
               or not relative and parts[0] in of_the_tests for parts in imported):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "benchmarks").rglob("*.py"))
                         + sorted((ROOT / "tests" / "drivers").rglob("*.py")),
                         ids=lambda path: path.relative_to(ROOT).as_posix())
def test_benchmarks_and_drivers_import_no_test_module(path):
    """A benchmark imports the drivers, and they import no test module: running a benchmark runs
    no test file's code, and moving or editing a test breaks no benchmark."""
    assert imports_of_test_modules(path) == [], \
        f"{path.relative_to(ROOT)} imports test modules; what it needs belongs in tests/drivers/"


# --- a checkout that converts line endings (Git for Windows' default) ------------------------------

# What .gitattributes must keep exactly as committed (LF), because a program compares it byte for
# byte: tools/build_exercises.py --check (exercises/ against a fresh build from notebooks/), the
# data checksums (data/SHA256SUMS) and the record of pyproject.toml's SHA-256 (floors-verified.txt).
BYTE_FOR_BYTE = ("notebooks/*", "exercises/*", "data/*.csv", "data/*.npz", "data/SHA256SUMS",
                 "pyproject.toml")
# Copied from the working tree into the clone: what decides the answer, uncommitted edits included.
UNDER_TEST = (".gitattributes", "pyproject.toml", "notebooks", "exercises", "tools")


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.mark.slow  # two clones and a build of the exercises: about 5 s, more on a busy machine
def test_a_checkout_with_windows_line_endings_has_no_stale_exercises(tmp_path):
    """core.autocrlf=true (Git for Windows' default) must not make `build_exercises.py --check`
    report the exercise notebooks stale: .gitattributes keeps what is compared byte for byte LF.

    The course is cloned at HEAD, the working tree's .gitattributes, notebooks, exercises and tools
    are committed on top (so an uncommitted change is what gets tested; on a clean checkout, as in
    CI, nothing changes), and that commit is cloned again as Git for Windows would."""
    if not (ROOT / ".git").exists():
        pytest.fail("this test clones the repository: run it in a git checkout of the course")
    staging, clone = tmp_path / "staging", tmp_path / "windows"
    git("-c", "core.autocrlf=false", "clone", "--quiet", str(ROOT), str(staging),
        cwd=tmp_path)
    for name in UNDER_TEST:
        source, target = ROOT / name, staging / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns(".ipynb_checkpoints",
                                                                           "__pycache__"))
        else:
            shutil.copyfile(source, target)
    git("add", "--all", "--", *UNDER_TEST, cwd=staging)
    git("-c", "user.name=course tests", "-c", "user.email=tests@example.invalid",
        "-c", "commit.gpgsign=false", "commit", "--quiet", "--no-verify", "--allow-empty",
        "-m", "the working tree's files under test", cwd=staging)
    git("-c", "core.autocrlf=true", "clone", "--quiet", str(staging), str(clone), cwd=tmp_path)
    assert b"\r\n" in (clone / "README.md").read_bytes(), "the clone did not convert text files"

    code = ("import sys; sys.path.insert(0, 'tools'); import build_exercises; "
            "print(build_exercises.stale_files())")
    result = subprocess.run([sys.executable, "-c", code], cwd=clone, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]", f"stale in a core.autocrlf=true clone: {result.stdout}"
    # And what else is compared byte for byte (glossary.md is copied: both copies would match).
    converted = sorted(path.relative_to(clone).as_posix() for pattern in BYTE_FOR_BYTE
                       for path in clone.glob(pattern) if path.is_file()
                       and path.read_bytes() != (staging / path.relative_to(clone)).read_bytes())
    assert converted == [], f"core.autocrlf=true changed the line endings of {converted}"
