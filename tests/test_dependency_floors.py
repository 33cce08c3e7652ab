"""The floors in requirements*.txt are true: the whole suite passes with each one installed.

A lower bound that nobody installs is a guess: `matplotlib>=3.8` was declared while with 3.8.x
fourteen notebook cells failed (each figure landed in the next cell's output). So the slow test
here pins every direct requirement to exactly its floor (`numpy>=1.26` becomes `numpy==1.26`,
markers kept), installs requirements-test.txt with those pins into a fresh virtual environment
(everything else is whatever pip picks: the newest releases that fit), checks that each pinned
package is at its floor and imports, then runs the rest of the suite in that environment.

It needs PyPI, takes two minutes or more (installing, then the suite) and builds a virtual
environment of about 2 GB under a temporary directory (removed when the check passes, kept to look
into when it fails). That is too slow to repeat on every run of the suite, which must finish in
two minutes, while the floors change only when a requirements file does. So a passing check is
recorded in tests/floors-verified.txt: the exact pins it installed and what the suite in that
environment reported. The suite's test compares today's pins with the record; when they differ
(a floor was added, raised or lowered, or a marker changed), or when pyproject.toml (pytest's
options) changed, it runs the whole check itself, so a floor nobody installed cannot pass. After
changing a floor, run the check and record it:

    python tests/test_dependency_floors.py

The fast tests here check that every requirement has a floor and that the record is read right.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
TOP = ROOT / "requirements-test.txt"    # what CI installs; it includes the other files
BUDGET = 40 * 60                        # seconds for the install and the inner suite together
FLOOR_OPERATORS = (">=", "~=", "==")


def requirement_lines(path, seen=None):
    """The lines pip reads from the requirements file `path` and the files it includes with -r
    (read relative to the file, as pip does), comments left out: [(path, line number, line)].
    `seen` collects every file read."""
    seen = set() if seen is None else seen
    seen.add(path)
    found = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*", "", raw).strip()
        option, _, value = line.partition(" ")
        if option in ("-r", "--requirement"):
            included = (path.parent / value.strip()).resolve()
            if included not in seen:
                found += requirement_lines(included, seen)
        elif line:
            found.append((path, number, line))
    return found


def read_requirements(path, seen=None):
    """(file name, line number, Requirement) for path and the files it includes with -r.

    Comments and `-e .` (the course itself) are skipped; any other option is an error.
    """
    found = []
    for where, number, line in requirement_lines(path, seen):
        if line.split(" ")[0] in ("-e", "--editable"):
            continue
        if line.startswith("-"):
            raise ValueError(f"{where.name}:{number}: option not understood here: {line}")
        found.append((where.name, number, Requirement(line)))
    return found


def floors():
    """{(name, marker): floor} for every requirement reached from requirements-test.txt.

    Fails the calling test if a requirement has no floor, or two lines disagree on one.
    """
    seen = set()
    requirements = read_requirements(TOP, seen)
    unreached = {p.name for p in ROOT.glob("requirements*.txt")} - {p.name for p in seen}
    assert not unreached, f"not included by {TOP.name}, so its floors go untested: {unreached}"
    result, problems = {}, []
    for file, number, requirement in requirements:
        bounds = [s.version for s in requirement.specifier
                  if s.operator in FLOOR_OPERATORS and "*" not in s.version]
        if not bounds:
            problems.append(f"{file}:{number}: {requirement}: every requirement needs a floor "
                            "(>=), the lowest version the whole suite passes with")
            continue
        key = (canonicalize_name(requirement.name), str(requirement.marker or ""))
        floor = max(bounds, key=Version)
        if key in result and Version(result[key]) != Version(floor):
            problems.append(f"{file}:{number}: {requirement}: another line's floor is "
                            f"{result[key]}")
        result.setdefault(key, floor)
    assert not problems, "\n".join(problems)
    return result


def constraints_text(pins):
    lines = [f"{name}=={floor}" + (f"; {marker}" if marker else "")
             for (name, marker), floor in sorted(pins.items())]
    return "\n".join(lines) + "\n"


def tail(output, lines=60):
    if isinstance(output, bytes):
        output = output.decode(errors="replace")
    return "\n".join((output or "").splitlines()[-lines:])


def test_every_requirement_has_a_floor():
    pins = floors()
    assert ("numpy", "") in pins    # the files were read at all
    for line in constraints_text(pins).splitlines():    # each pin is a valid requirement
        assert len(Requirement(line).specifier) == 1, line


# Run inside the floors' environment: each pinned distribution's version, and whether the
# modules it installs import (a broken import would otherwise only skip tests/test_tfds.py).
PROBE = r"""
import importlib, importlib.metadata as metadata, json, re, sys
def norm(name): return re.sub(r"[-_.]+", "-", name).lower()
modules = {}
for module, dists in metadata.packages_distributions().items():
    for dist in dists:
        modules.setdefault(norm(dist), set()).add(module)
report = {}
for name in json.loads(sys.argv[1]):
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        report[name] = {"version": None, "errors": {}}
        continue
    errors = {}
    for module in sorted(modules.get(norm(name), ())):
        if module.isidentifier() and not module.startswith("_"):
            try:
                importlib.import_module(module)
            except Exception as error:
                errors[module] = f"{type(error).__name__}: {error}"
    report[name] = {"version": version, "errors": errors}
print(json.dumps(report))
"""


RECORD = Path(__file__).with_name("floors-verified.txt")


def recorded_pins():
    """The pins of the last passing check, from tests/floors-verified.txt ('' if none)."""
    if not RECORD.is_file():
        return ""
    lines = RECORD.read_text(encoding="utf-8").splitlines()
    return "".join(f"{line}\n" for line in lines if line and not line.startswith("#"))


def pyproject_digest():
    """pytest's options live in pyproject.toml: an option a floor lacks breaks the floors' suite
    (pytest-xdist 3.5 and --no-loadscope-reorder), so the record holds for that file's version."""
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def recorded_pyproject():
    if not RECORD.is_file():
        return ""
    found = re.search(r"^# pyproject\.toml sha256: (\w+)$", RECORD.read_text(encoding="utf-8"), re.M)
    return found.group(1) if found else ""


def record_is_current():
    return recorded_pins() == constraints_text(floors()) and recorded_pyproject() == pyproject_digest()


def test_the_record_holds_exactly_the_pins_and_a_passing_suite():
    if not record_is_current():
        pytest.skip("the floors or pyproject.toml changed since the last recorded check (the slow "
                    "test runs it)")
    header = [line for line in RECORD.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    assert any(re.search(r"# the suite at the floors: \d+ passed", line) for line in header), header
    assert not any(re.search(r"\d+ failed|error", line) for line in header), header


def test_a_changed_floor_is_not_covered_by_the_record():
    pins = constraints_text(floors())
    assert pins.replace("numpy==1.26", "numpy==1.25") != pins
    assert recorded_pins() != pins.replace("numpy==1.26", "numpy==1.25")


@pytest.mark.slow
def test_the_suite_passes_with_every_requirement_at_its_floor(tmp_path):
    if record_is_current():
        return  # checked, with these exact pins and options, and recorded: tests/floors-verified.txt
    check_floors(tmp_path)
    warnings.warn("the floors pass, but tests/floors-verified.txt is out of date, so every run "
                  "repeats this check: run `python tests/test_dependency_floors.py` and commit "
                  "the record")


def check_floors(workdir):
    """Install every requirement at its floor into a fresh environment under `workdir`, check the
    versions and imports, run the suite there; return the suite's summary line. Fails (via
    pytest.fail or assert) with what went wrong."""
    pins = floors()
    constraints = workdir / "floors.txt"
    constraints.write_text(constraints_text(pins), encoding="utf-8")
    venv = workdir / "venv"
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    # The inner runs see the floors' environment only, and no trace of this pytest run.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("PYTEST_") and key not in ("PYTHONPATH", "PYTHONHOME")}
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = os.pathsep.join([str(python.parent), env.get("PATH", "")])
    deadline = time.monotonic() + BUDGET

    def run(what, *command):
        timeout = max(deadline - time.monotonic(), 1)
        try:
            return subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as error:
            pytest.fail(f"{what} did not finish within the test's {BUDGET // 60} minutes "
                        f"(constraints: {constraints}):\n{tail(error.stdout)}")

    created = run("creating the virtual environment", sys.executable, "-m", "venv", str(venv))
    assert created.returncode == 0, tail(created.stdout)

    installed = run("pip install", str(python), "-m", "pip", "install",
                    "-r", TOP.name, "-c", str(constraints))
    assert installed.returncode == 0, (
        f"pip cannot install every requirement at its floor:\n{constraints.read_text()}\n"
        f"{tail(installed.stdout)}")

    expected = {name: floor for (name, marker), floor in pins.items()
                if not marker or Marker(marker).evaluate()}    # this platform's pins
    probed = run("checking the installed floors", str(python), "-c", PROBE,
                 json.dumps(sorted(expected)))
    assert probed.returncode == 0, tail(probed.stdout)
    report = json.loads(probed.stdout.splitlines()[-1])
    wrong = [f"{name}: {report[name]['version']} installed, floor {floor}"
             for name, floor in expected.items()
             if report[name]["version"] is None
             or Version(report[name]["version"]) != Version(floor)]
    assert not wrong, "not at the floor:\n" + "\n".join(wrong)
    broken = [f"{name} {expected[name]}: import {module}: {error}"
              for name, result in report.items() for module, error in result["errors"].items()]
    assert not broken, "installed at the floor, but does not import:\n" + "\n".join(broken)

    # Not the browser tests: they drive JupyterLab and the site, whose floors the rest exercises.
    # Nor the one test that checks the environment holds constraints.txt's versions: at the
    # floors it cannot.
    suite = run("the suite at the floors", str(python), "-m", "pytest", "-m", "not slow and not browser",
                "-p", "no:cacheprovider", "-rfEs", "--disable-warnings", "--deselect",
                "tests/test_repository.py::test_ci_installs_the_recorded_versions_and_the_suite_runs_in_exactly_them")
    pinned = ", ".join(f"{name}=={floor}" for name, floor in sorted(expected.items()))
    assert suite.returncode == 0, (
        f"the suite fails with every requirement at its floor ({pinned}): exit code "
        f"{suite.returncode}; raise the floor that breaks it. The suite's last lines:\n"
        f"{tail(suite.stdout)}")
    shutil.rmtree(venv, ignore_errors=True)    # 2 GB; kept only when the check fails
    return [line for line in suite.stdout.splitlines() if " passed" in line][-1].strip("= ")


def record(summary):
    """Write tests/floors-verified.txt: today's pins and what the suite reported with them."""
    RECORD.write_text(
        "# The dependency floors, installed exactly and checked by tests/test_dependency_floors.py\n"
        f"# with Python {sys.version.split()[0]} on {sys.platform}, {time.strftime('%Y-%m-%d')}:\n"
        f"# the suite at the floors: {summary}\n"
        f"# pyproject.toml sha256: {pyproject_digest()}\n"
        "# Rewritten by `python tests/test_dependency_floors.py` after a passing check; do not edit.\n"
        + constraints_text(floors()), encoding="utf-8")


if __name__ == "__main__":
    import tempfile
    with tempfile.TemporaryDirectory(prefix="floors-") as folder:
        summary = check_floors(Path(folder))
    record(summary)
    print(f"floors checked ({summary}); recorded in {RECORD}")
