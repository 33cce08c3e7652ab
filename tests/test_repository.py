"""The repository's promises: notebooks saved from a clean run, CI running the README's command,
a README for the learner that points at every page of docs/, and no pointer to a section that is
gone."""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TASKS = ["01_introduction", "02_hyperparameters", "03_dataset", "04_mini_batch",
         "05_create_model", "06_forward_pass", "07_backward_pass", "08_update_parameters",
         "09_model_performance", "10_training_loop", "11_training_the_model",
         "12_additional_example"]
MACHINE_PATH = re.compile(r"(/home/|/root/|/tmp/|/work/|/Users/|[A-Z]:\\\\)")


def code_blocks(markdown):
    """[(language, code, first line)] of the fenced code blocks of a Markdown text, in order."""
    return [(token.info.strip(), token.content.strip("\n"), token.map[0])
            for token in MarkdownIt("commonmark").parse(markdown) if token.type == "fence"]


def readme_commands(readme=None):
    """The ```bash blocks of the README, in order: the first opens the course, the second runs
    every test (the server/container variant, before them, is a plain ``` block)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8") if readme is None else readme
    return [code for language, code, _ in code_blocks(readme) if language == "bash"]


def test_notebooks_are_the_course_tasks_in_order():
    assert [path.stem for path in NOTEBOOKS] == TASKS


def ci_problems(readme, ci_script):
    """What keeps `.ci/run` from running exactly the README's test command: the README's first
    two commands must open the course and run the tests, and the one line of the script that
    runs pytest must be the second, character for character."""
    commands = readme_commands(readme)[:2]
    if len(commands) < 2 or "jupyter lab" not in commands[0] or "pytest" not in commands[1]:
        return [(f"the README's first two bash commands must open the course and run every "
                 f"test: {commands}")]
    ci_lines = [line.strip() for line in ci_script.splitlines()
                if "pytest" in line and not line.lstrip().startswith("#")]
    if ci_lines != [commands[1]]:
        return [f".ci/run runs {ci_lines}, the README {commands[1]!r}"]
    return []


def test_ci_runs_exactly_the_readme_test_command():
    problems = ci_problems((ROOT / "README.md").read_text(encoding="utf-8"),
                           (ROOT / ".ci" / "run").read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_the_ci_check_fails_when_the_commands_differ():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci_script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    tests = readme_commands(readme)[1]
    assert ci_problems(readme.replace(tests, tests + " -x"), ci_script)
    assert ci_problems(readme, ci_script.replace(tests, tests.replace("pytest", "pytest -q")))
    assert ci_problems(readme, ci_script + f"\n{tests} -m slow\n")


CONSTRAINTS = ROOT / "constraints.txt"
LEFT_OUT = {"pip", "setuptools", "wheel", "logistic-regression-numpy-course"}  # pip freeze's own


def recorded_versions(text):
    """(the Python of the record, {package: version}) of constraints.txt's text."""
    python = re.search(r"^# .*python (\d+\.\d+)", text, re.M)
    pins = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", text, re.M))
    return python and python.group(1), {canonical(name): version for name, version in pins.items()}


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def version_problems(recorded, installed):
    """What differs between the recorded versions and the installed ones ({package: version})."""
    return sorted(f"{name}: {version} installed, " + (f"{recorded[name]} recorded" if name in recorded
                                                      else "not recorded")
                  for name, version in installed.items()
                  if name not in LEFT_OUT and recorded.get(name) != version)


def test_ci_installs_the_recorded_versions_and_the_suite_runs_in_exactly_them():
    """constraints.txt: `.ci/run` (the README's test command) installs with it; on its Python,
    the environment the suite runs in holds exactly its versions (a requirement added or
    changed without tools/refresh_constraints.py shows here)."""
    import importlib.metadata
    import platform
    assert "pip install -c constraints.txt -r requirements-test.txt" in readme_commands(
        (ROOT / "README.md").read_text(encoding="utf-8"))[1]
    python, recorded = recorded_versions(CONSTRAINTS.read_text(encoding="utf-8"))
    assert python and len(recorded) > 100, "constraints.txt: run tools/refresh_constraints.py"
    if platform.python_version().rsplit(".", 1)[0] != python:
        pytest.skip(f"constraints.txt records Python {python}'s versions")
    installed = {canonical(dist.metadata["Name"]): dist.version for dist in importlib.metadata.distributions()}
    assert version_problems(recorded, installed) == []


def test_the_version_check_finds_a_package_not_recorded_and_one_of_another_version():
    recorded = {"numpy": "2.4.6", "pytest": "9.0.0"}
    assert version_problems(recorded, {"numpy": "2.4.6", "pytest": "9.0.0", "pip": "25"}) == []
    assert version_problems(recorded, {"numpy": "2.4.5", "extra": "1.0"}) == [
        "extra: 1.0 installed, not recorded", "numpy: 2.4.5 installed, 2.4.6 recorded"]


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
def test_notebook_opens_with_goals_and_closes_with_summary_and_progress(path):
    """Goals first; a summary after the last graded check (optional tasks may follow it); then
    the reminder to save and shut the kernel down, and the view of the whole course's progress."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = ["".join(cell["source"]) for cell in cells]
    assert cells[0]["cell_type"] == "markdown" and "you will" in text[0]
    assert cells[-1]["cell_type"] == "code" and text[-1].strip() == "import helpers; helpers.progress()"
    assert cells[-2]["cell_type"] == "markdown" and "save" in text[-2] and "Shut Down" in text[-2]
    summaries = [i for i, cell in enumerate(cells) if cell["cell_type"] == "markdown" and "## Summary" in text[i]]
    graded = [i for i, cell in enumerate(cells) if cell["metadata"].get("nbgrader", {}).get("grade")]
    assert summaries and summaries[-1] > max(graded, default=-1), "no summary after the last graded check"


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


def test_own_data_example_runs(capsys):
    page = (ROOT / "docs" / "data.md").read_text(encoding="utf-8")
    code = re.search(r"## Your own data.*?```python\n(.*?)```", page, re.S).group(1)
    namespace = {}
    exec(compile(code, "docs/data.md", "exec"), namespace)
    assert namespace["accuracy"] > 0.9
    assert namespace["labels"].shape == namespace["probabilities"].shape == (100,)
    lines = capsys.readouterr().out.splitlines()  # train's progress lines, the last at the end
    assert lines and all(line.startswith("iteration ") for line in lines) and "300/300" in lines[-1]


def first_cell(path):
    return "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_opens_with_objectives_prerequisites_and_time(path):
    first = first_cell(path)
    assert "By the end of this notebook you will be able to" in first
    assert "**Prerequisites:**" in first
    minutes = re.search(r"\*\*Time:\*\* about (\d+) minutes", first)
    assert minutes and 5 <= int(minutes.group(1)) <= 30, "at most about 30 minutes per notebook"


@pytest.mark.parametrize("text", ["README.md", "docs/teaching.md"])
def test_tables_give_each_notebooks_time_and_the_total(text):
    """The README's table of the notebooks and the teachers' table of their objectives give each
    notebook the time its first cell states, and the total those times add up to."""
    page = (ROOT / text).read_text(encoding="utf-8")
    total = 0
    for path in NOTEBOOKS:
        minutes = int(re.search(r"\*\*Time:\*\* about (\d+) minutes", first_cell(path)).group(1))
        total += minutes
        row = next((line for line in page.splitlines() if f"`{path.stem}`" in line), "")
        assert f"| {minutes} min |" in row, f"{text}'s row for {path.stem} must give {minutes} min"
    hours, minutes = divmod(total, 60)
    stated = f"{hours} hours {minutes} minutes" if minutes else f"{hours} hours"
    assert f"about {stated}" in page.lower(), f"{text} must give the total, about {stated}"


# ---- The README is for the learner ---------------------------------------------------------------

README_MOST_WORDS = 1600  # issue 19: "at most about 1,500 words"
SERVER_VARIANT = "--ip=0.0.0.0"  # what only the server/container variant of the command has


def readme_problems(readme):
    """What keeps the README from being what a learner reads first: at most README_MOST_WORDS
    words; the server/container variant of the course command before the course command (a
    remote user reads it before running the other); every variant with every argument of the
    course command's `jupyter lab`; and a link to every page of docs/, where the rest of the
    course's texts live."""
    problems = []
    words = len(readme.split())
    if words > README_MOST_WORDS:
        problems.append(f"the README has {words} words (at most {README_MOST_WORDS}): move what "
                        f"is not for the learner into a page of docs/")
    blocks = code_blocks(readme)
    course = next(((code, line) for language, code, line in blocks
                   if language == "bash" and "jupyter lab" in code), ("", len(readme)))
    server = next(((code, line) for language, code, line in blocks
                   if SERVER_VARIANT in code and "jupyter lab" in code), None)
    if server is None:
        problems.append(f"the README has no server/container variant ({SERVER_VARIANT}) of the "
                        f"course command")
    else:
        if server[1] > course[1]:
            problems.append("the server/container variant must come before the course command")
    # Every other way to open the course (on a server, on Windows) opens it the same way: with
    # each argument of the course command's `jupyter lab` (but --allow-root, for root in a
    # container, which Windows has not).
    lab = [argument for argument in course[0].split("jupyter lab", 1)[-1].split()
           if argument != "--allow-root"]
    for _, code, line in blocks:
        if "jupyter lab" in code and code != course[0]:
            missing = [argument for argument in lab if argument not in code.split()]
            if missing:
                problems.append(f"the `jupyter lab` command at line {line + 1} lacks the course "
                                f"command's {missing}")
    for page in sorted((ROOT / "docs").glob("*.md")):
        if f"](docs/{page.name}" not in readme:
            problems.append(f"the README links to no docs/{page.name}")
    return problems


def test_the_readme_is_short_and_for_the_learner():
    problems = readme_problems((ROOT / "README.md").read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_the_readme_check_fails_on_a_planted_fault():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    course = readme_commands(readme)[0]
    server = next(code for _, code, _ in code_blocks(readme) if SERVER_VARIANT in code)
    too_long = readme + "\nword" * (README_MOST_WORDS + 1 - len(readme.split()))
    server_after = readme.replace(f"```\n{server}\n```", "").replace(
        f"```bash\n{course}\n```", f"```bash\n{course}\n```\n\n```\n{server}\n```")
    flag_missing = readme.replace(course, course + " --ServerApp.planted_flag=1")
    no_link = readme.replace("](docs/website.md)", "](https://example.org)")
    for broken, complaint in [(too_long, "words"), (server_after, "before the course command"),
                              (flag_missing, "lacks the course command's ['--ServerApp.planted"),
                              (no_link, "docs/website.md")]:
        assert any(complaint in problem for problem in readme_problems(broken)), complaint


# ---- Pointers to sections ----------------------------------------------------------------------

# A section named in prose or a comment: `README.md, "For learners"`, `docs/data.md, "Your own
# data"` (a comment's `#` between lines allowed), and Markdown links to `page.md#anchor`.
SECTION_NAMED = re.compile(r'([\w./-]*\.md),\s*(?:#\s*)?"([^"]+)"')
SECTION_LINK = re.compile(r"\]\(([\w./-]*\.md)#([\w-]+)\)")
TEXT_FILES = (".py", ".md", ".txt", ".yml", ".toml", ".ipynb", ".cfg")
SKIPPED = {".git", ".venv", "_build", "release", "submitted", "autograded", "feedback",
           "__pycache__", ".pytest_cache", ".ruff_cache"}


def course_text_files():
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if path.is_file() and not SKIPPED & set(parts) and not parts[0].endswith(".egg-info") \
                and (path.suffix in TEXT_FILES or path.name in {".gitignore", "run"}):
            yield path


def heading_anchor(title):
    """GitHub's (and MyST's) anchor of a heading."""
    title = re.sub(r"[`*_]", "", title.strip().lower())
    return re.sub(r"[^\w\- ]", "", title).replace(" ", "-")


def headings(path):
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # a `# comment` in code is no heading
    return [title.strip() for title in re.findall(r"^#+ (.+)$", text, re.M)]


def anchors(path):
    """The anchors of a Markdown file: its headings' and its HTML `<a id="...">` (the
    glossary's)."""
    return {*map(heading_anchor, headings(path)),
            *re.findall(r'<a id="([\w-]+)"', path.read_text(encoding="utf-8"))}


def section_pointer_problems(path, text):
    problems = []
    for named, title in SECTION_NAMED.findall(text):
        title = " ".join(re.sub(r"\n\s*#", " ", title).split())  # a title over comment lines
        target = ROOT / named
        if named == "README.md" and path.parent != ROOT and (path.parent / named).exists():
            target = path.parent / named  # a README next to the file
        if not target.exists():
            target = path.parent / named
        if target.exists() and title.strip() not in headings(target):
            problems.append(f"{path.relative_to(ROOT)} names {named}, {title!r}: no such section")
    if path.suffix == ".md":
        for linked, anchor in SECTION_LINK.findall(text):
            target = (path.parent / linked).resolve()
            if target.exists() and anchor not in anchors(target):
                problems.append(f"{path.relative_to(ROOT)} links to {linked}#{anchor}: no such "
                                f"section")
    return problems


def test_every_pointer_to_a_section_finds_it():
    """Sections move (issue 19 moved half of the README into docs/): every file that names a
    section of a Markdown file, or links to one, must name one that is there."""
    problems = [problem for path in course_text_files() if path != Path(__file__)  # examples
                for problem in section_pointer_problems(path, path.read_text(encoding="utf-8"))]
    assert not problems, "\n".join(problems)


def test_the_pointer_check_fails_on_a_section_that_moved():
    here = ROOT / "tests" / "test_repository.py"
    assert section_pointer_problems(here, '# (README.md, "For teachers")')
    assert section_pointer_problems(ROOT / "docs" / "teaching.md",
                                    "[the tests](maintaining.md#for-teachers)")
    assert not section_pointer_problems(here, '# (docs/teaching.md,\n# "Grading with nbgrader")')


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
