"""Binder (mybinder.org): the Binder link opens the exercise edition in JupyterLab, with the course
installed as tested, from binder/ (README.md, "Without installing: Binder").

mybinder.org builds an image with repo2docker, which cannot run here (no Docker, and mybinder.org is
not reachable), so the configuration is tested in two halves:

- `repo2docker --no-build` renders the Dockerfile that Binder would build, without Docker (a second):
  it must use binder/'s files (the Python of constraints.txt, binder/requirements.txt installed from
  the repository's root after the whole repository is copied in, in the environment JupyterLab runs
  in, binder/start as the entrypoint), and binder/requirements.txt must bring in everything that the
  root's requirements.txt and pyproject.toml would have (a binder/ folder makes repo2docker ignore
  them), with constraints.txt's versions.
- The rehearsal (slow: the install is most of it) does what that Dockerfile's steps do, without
  Docker, in a fresh environment on the same Python, in a copy of the repository: installs
  binder/requirements.txt from the root with the pip of repo2docker's environment, then checks that
  every package is at constraints.txt's version, that `import helpers` and loading MNIST work from
  anywhere, that binder/start puts the repository on Jupyter's configuration path, and that
  JupyterLab started through binder/start serves the Binder link's notebook with the course's
  settings in force.
"""
import importlib.util
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import test_dependency_floors as floors_check

ROOT = Path(__file__).resolve().parents[1]
BINDER_FILES = ["requirements.txt", "runtime.txt", "start"]  # each checked below
LINK = "https://mybinder.org/v2/gh/OWNER/REPOSITORY/HEAD?urlpath=lab/tree/exercises/01_introduction.ipynb"
NOTEBOOK = "exercises/01_introduction.ipynb"
BINDER_USER = ["--user-id", "1000", "--user-name", "jovyan"]  # mybinder.org's user, not root


def copy_repository(destination):
    """The repository's files as git sees them (tracked, and new files not ignored: no .venv, no
    egg-info), as Binder would get them from GitHub; file modes kept."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    return destination


def render(repository):
    """(Dockerfile, log) that repo2docker renders for `repository`, building nothing."""
    rendered = subprocess.run(
        [sys.executable, "-m", "repo2docker", "--no-build", "--debug", *BINDER_USER, str(repository)],
        cwd=repository.parent, capture_output=True, text=True, timeout=120)
    assert rendered.returncode == 0, rendered.stderr[-3000:]
    return rendered.stdout, rendered.stderr


def requirement_lines(path):
    """The lines pip reads from the requirements file `path`, following -r, each with the file it
    came from: [(path, line)]. -r and -c paths are read relative to the file, as pip does."""
    return [(where, line) for where, _, line in floors_check.requirement_lines(path.resolve())]


def recorded_python(constraints):
    return re.search(r"^# .*python (\d+\.\d+)", constraints.read_text(encoding="utf-8"), re.M).group(1)


PYTHON = recorded_python(ROOT / "constraints.txt")  # the Python the suite's versions were recorded on


def binder_problems(repository):
    """What keeps binder/ in `repository` from installing the course as tested, read from its files
    and from the Dockerfile repo2docker renders for it (and for the repository without binder/)."""
    binder = repository / "binder"
    problems = []
    present = sorted(path.name for path in binder.iterdir())
    if present != sorted(BINDER_FILES):
        problems.append(f"binder/ holds {present}; tests/test_binder.py checks only {BINDER_FILES}: "
                        "check a new file here")
    dockerfile, log = render(repository)

    # The Python: constraints.txt's, one environment for JupyterLab and the kernel (JupyterLab
    # itself imports course.lab: jupyter_server_config.py's contents manager).
    python = recorded_python(repository / "constraints.txt")
    runtime = (binder / "runtime.txt").read_text(encoding="utf-8").strip() if (binder / "runtime.txt").is_file() else ""
    if runtime != f"python-{python}":
        problems.append(f"binder/runtime.txt is {runtime!r}, not 'python-{python}' (constraints.txt's Python)")
    if f"Building conda environment for python={python}" not in log or \
            f"environment.py-{python}-linux-64.lock" not in dockerfile.replace("-2d", "-").replace("-2e", "."):
        problems.append(f"the Dockerfile does not set up Python {python}:\n{log}")
    if "ENV KERNEL_PYTHON_PREFIX=${NB_PYTHON_PREFIX}" not in dockerfile:
        problems.append("the kernel runs in another environment than JupyterLab")

    # binder/requirements.txt, installed from the root after the whole repository is copied in
    # (its -c and -r name files beside it, and `-e .` the root), by the user, in that environment.
    lines = dockerfile.splitlines()
    install = 'RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"'
    steps = {name: next((i for i, line in enumerate(lines) if line.strip() == text), None) for name, text in [
        ("workdir", "WORKDIR ${REPO_DIR}"), ("copy", "COPY --chown=1000:1000 src/ ${REPO_DIR}/"),
        ("user", "USER ${NB_USER}"), ("install", install)]}
    if steps["install"] is None:
        problems.append(f"the Dockerfile does not run `{install}`")
    elif None in steps.values() or not steps["workdir"] < steps["copy"] < steps["user"] < steps["install"]:
        problems.append(f"the Dockerfile does not install binder/requirements.txt in the repository's "
                        f"root, after copying the repository in, as the user: {steps}")
    if (binder / "requirements.txt").is_file():
        binder_lines = requirement_lines(binder / "requirements.txt")
        constraints = (repository / "constraints.txt").resolve()
        constrained = {(path.parent / line.split(None, 1)[1]).resolve() for path, line in binder_lines
                       if line.split()[0] in ("-c", "--constraint")}
        if constrained != {constraints}:
            problems.append(f"binder/requirements.txt is not constrained by constraints.txt alone: {constrained}")
        # What repo2docker installs from the root without binder/: its requirements.txt, and the
        # repository itself as a package (pyproject.toml); binder/'s must hold all of it.
        without = repository.parent / "without-binder"
        shutil.copytree(repository, without, ignore=shutil.ignore_patterns("binder"))
        root_dockerfile, _ = render(without)
        shutil.rmtree(without)
        installed = [line.split("pip install --no-cache-dir ", 1)[1]
                     for line in root_dockerfile.splitlines() if "/bin/pip install" in line]
        if installed != ['-r "requirements.txt"', "."]:
            problems.append(f"repo2docker installs from the root {installed}: check what binder/ needs now")
        wanted = {line for _, line in requirement_lines(repository / "requirements.txt")} | {"-e ."}
        got = {line for _, line in binder_lines}
        if wanted - got:
            problems.append(f"binder/requirements.txt misses what repo2docker would install from the "
                            f"root: {sorted(wanted - got)}")

    # binder/start: the entrypoint, which puts the repository on Jupyter's configuration path.
    if 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' not in dockerfile:
        problems.append("the Dockerfile does not start JupyterLab through binder/start")
    start = (binder / "start").read_text(encoding="utf-8") if (binder / "start").is_file() else ""
    if not start.startswith("#!/bin/bash\n") or "export JUPYTER_CONFIG_PATH=" not in start \
            or not start.rstrip().endswith('exec "$@"'):
        problems.append("binder/start does not set JUPYTER_CONFIG_PATH and then `exec \"$@\"`")
    return problems


@pytest.fixture(scope="module")
def repository(tmp_path_factory):
    return copy_repository(tmp_path_factory.mktemp("binder") / "repository")


def test_binder_installs_the_course_as_tested(repository):
    assert binder_problems(repository) == []


@pytest.mark.parametrize("fault, complaint", [
    (("runtime.txt", f"python-{PYTHON}", "python-3.9"), "not 'python-"),
    (("requirements.txt", "-c ../constraints.txt", ""), "not constrained"),
    (("requirements.txt", "-r ../requirements.txt", "numpy\nmatplotlib\njupyterlab"), "misses"),
    (("start", "export JUPYTER_CONFIG_PATH=", "JUPYTER_CONFIG_PATH="), "does not set"),
    (("postBuild", None, "#!/bin/bash\n"), "check a new file"),
], ids=["python", "constraints", "root requirements", "start", "new file"])
def test_the_binder_check_fails_on_a_planted_fault(tmp_path, fault, complaint):
    copy = shutil.copytree(ROOT / "binder", tmp_path / "repository" / "binder")
    for name in ["constraints.txt", "requirements.txt", "pyproject.toml"]:
        shutil.copy2(ROOT / name, tmp_path / "repository" / name)
    name, old, new = fault
    path = copy / name
    if old is None:
        path.write_text(new, encoding="utf-8")
    else:
        text = path.read_text(encoding="utf-8")
        assert old in text, (name, old)
        path.write_text(text.replace(old, new), encoding="utf-8")
    problems = binder_problems(tmp_path / "repository")
    assert any(complaint in problem for problem in problems), problems


def test_the_readme_gives_the_binder_link():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert LINK in readme
    assert LINK.split("?urlpath=lab/tree/")[1] == NOTEBOOK and (ROOT / NOTEBOOK).is_file()


# ---- The rehearsal: Binder's steps, without Docker --------------------------------------------

def repo2docker_pip(python):
    """The pip of repo2docker's environment for `python` (from its conda lock file)."""
    package = Path(importlib.util.find_spec("repo2docker").origin).parent  # not imported: no side effects
    lock = package / "buildpacks" / "conda" / f"environment.py-{python}-linux-64.lock"
    return re.search(r"/pip-(\d[\w.]*)-", lock.read_text(encoding="utf-8")).group(1)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_binder_steps_rehearsed_in_a_fresh_environment(tmp_path):
    started = time.monotonic()
    python = PYTHON
    base = sys.executable if platform.python_version().startswith(python + ".") else shutil.which(f"python{python}")
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"Binder's Python, {python}, is not on this machine")
        pytest.skip(f"Binder's Python, {python}, is not on this machine")
    repository = copy_repository(tmp_path / "repository")
    venv = tmp_path / "venv"
    bin_ = venv / "bin"
    home = tmp_path / "home"
    home.mkdir()
    # A learner's session: nothing of this test's environment or of Jupyter's settings here.
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTEST_", "JUPYTER", "PYTHON", "VIRTUAL_ENV"))}
    env.update(HOME=str(home), PATH=os.pathsep.join([str(bin_), env.get("PATH", "")]),
               VIRTUAL_ENV=str(venv), REPO_DIR=str(repository))

    def run(*command, cwd=repository, timeout=600):
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{command}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        return result.stdout

    run(base, "-m", "venv", str(venv))
    run(bin_ / "python", "-m", "pip", "install", "-q", f"pip=={repo2docker_pip(python)}")
    installing = time.monotonic()
    # The Dockerfile's step, in the repository's root: pip install -r "binder/requirements.txt"
    run(bin_ / "pip", "install", "--no-cache-dir", "-q", "-r", "binder/requirements.txt")
    install_seconds = time.monotonic() - installing

    # Every package at constraints.txt's version (the -c in binder/requirements.txt was read).
    frozen = run(bin_ / "pip", "freeze", "--exclude-editable")
    recorded = {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in
                re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", (ROOT / "constraints.txt").read_text(), re.M)}
    installed = {re.sub(r"[-_.]+", "-", name).lower(): version
                 for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)$", frozen, re.M)}
    differ = {name: (version, recorded.get(name)) for name, version in installed.items()
              if name not in ("pip", "setuptools", "wheel") and recorded.get(name) != version}
    assert not differ, f"installed, not at constraints.txt's version: {differ}"
    assert {"numpy", "matplotlib", "jupyterlab"} <= set(installed)

    # The course, importable from anywhere (a notebook's kernel runs in the notebook's folder).
    probe = run(bin_ / "python", "-c", "import json, helpers, course.lab\n"
                "train_images, train_labels, test_images, test_labels = helpers.load_mnist()\n"
                "print(json.dumps([helpers.__file__, train_images.shape, test_images.shape]))",
                cwd=home)
    where, train_shape, test_shape = json.loads(probe.splitlines()[-1])
    assert Path(where) == repository / "helpers.py"
    assert (train_shape, test_shape) == ([800, 28, 28], [200, 28, 28])

    # binder/start, as repo2docker runs it (it makes it executable): the repository first on
    # Jupyter's configuration path, then the command.
    start = repository / "binder" / "start"
    start.chmod(0o755)
    printed = run(start, "python", "-c", "import os; print(os.environ['JUPYTER_CONFIG_PATH'])", cwd=home)
    assert printed.strip() == str(repository)

    # JupyterLab through binder/start serves the Binder link's notebook, with the course's settings.
    port, token = free_port(), os.urandom(16).hex()
    log = (tmp_path / "lab.log").open("w")
    lab = subprocess.Popen([str(start), "jupyter", "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
                            f"--port={port}", "--ServerApp.port_retries=0"],
                           cwd=repository, env={**env, "JUPYTER_TOKEN": token}, stdout=log, stderr=log)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(f"{url}/api/status", token)
                break
            except OSError:
                assert lab.poll() is None and time.monotonic() < deadline, \
                    (tmp_path / "lab.log").read_text()[-3000:]
                time.sleep(0.5)
        page_status, page = get(f"{url}/{LINK.split('?urlpath=')[1]}", token)
        assert page_status == 200 and b"JupyterLab" in page
        status, body = get(f"{url}/api/contents/{NOTEBOOK}", token)
        served = json.loads(body)
        assert status == 200 and served["type"] == "notebook"
        # The course's contents manager (jupyter_server_config.py, read through JUPYTER_CONFIG_PATH)
        # serves the notebook with the kernel's Python version; the saved file has none.
        saved = json.loads((repository / NOTEBOOK).read_text(encoding="utf-8"))
        assert "version" not in saved["metadata"]["language_info"]
        venv_python = run(bin_ / "python", "-c", "import sys; print(sys.version.split()[0])").strip()
        assert served["content"]["metadata"]["language_info"]["version"] == venv_python
    finally:
        lab.send_signal(signal.SIGTERM)
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()
            lab.wait()
        log.close()
    print(f"\nBinder rehearsal: pip install -r binder/requirements.txt {install_seconds:.0f} s "
          f"(pip {repo2docker_pip(python)}, Python {venv_python}), all {time.monotonic() - started:.0f} s")
