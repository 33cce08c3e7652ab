"""JupyterLab driven in a real browser, for tests/test_browser_lab.py (and `copy_course`,
`free_port` for the hub's driver and benchmarks/).

- `JupyterLab`: the README's `jupyter lab ...` command (its environment variables too), run in a
  copy of the course with the test-only options a test needs (free port, random token, isolated
  settings, autosave off); `as_learner=True` leaves JupyterLab's news settings as a learner gets
  them.
- `run_notebooks`: "Restart Kernel and Run All Cells" on notebooks in the page, a few at a time,
  waiting on the kernel's real state; a run that hangs is retried once.
- `check_run`: what a learner sees after a run: every cell ran, no error or stderr, every figure
  of the saved notebook shown, every formula typeset by MathJax.
- `replace_cell_source_by_typing`: typing in a cell's editor and saving with Ctrl+S.

What runs in the page, window.__lab over JupyterLab's own objects, is lab.js (`PAGE_SCRIPT`).
"""
import itertools
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
JUPYTER = Path(sys.executable).parent / "jupyter"  # the test's own environment, not .venv/ literally

# JupyterLab settings for a test: autosave off, so nothing is written behind the test's back (a
# hung run once had its cleared outputs autosaved), and no windowing, so every cell is in the DOM.
LAB_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}
# No news pop-up over the notebooks whatever the course's configuration does (tests that look for
# the pop-up start JupyterLab with as_learner=True, without these).
NO_NEWS_SETTINGS = {"@jupyterlab/apputils-extension/notification": {"checkForUpdates": False,
                                                                    "fetchNews": "false"}}
NO_NEWS_OPTIONS = ["--LabApp.news_url=None"]
SERVER_START_SECONDS = 60
RUN_SECONDS = 120          # one notebook's whole run, at most
STALL_SECONDS = 30         # no cell finishing for this long during a run: a hang
IDLE_STALL_SECONDS = 5     # the kernel idle while cells still wait at [*]: a hang
SETTLE_MS = 500            # the kernel idle this long before a restart (see FIELD-NOTES: a restart
                           # right after the kernel became idle once hung)
RENDER_SECONDS = 10        # figures loaded and formulas typeset after a run, at most


class Hang(Exception):
    """A run that stopped making progress: cells left at [*]."""


# ---------------------------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------------------------

def readme_lab_command(readme=ROOT / "README.md"):
    """`jupyter lab` in the first ```bash block of README.md (the course command): the variables
    it sets before the program (`NAME=value jupyter lab ...`), as written, and its arguments."""
    block = re.search(r"```bash\n(.*?)```", readme.read_text(encoding="utf-8"), re.S).group(1)
    for command in re.split(r"&&|\n", block):
        words = shlex.split(command)
        assignments = list(itertools.takewhile(lambda word: re.match(r"\w+=", word), words))
        program = words[len(assignments):]
        if len(program) >= 2 and Path(program[0]).name == "jupyter" and program[1] == "lab":
            return dict(assignment.split("=", 1) for assignment in assignments), program[2:]
    raise AssertionError(f"README.md's first bash block runs no `jupyter lab`:\n{block}")


def readme_lab_arguments(readme=ROOT / "README.md"):
    """The arguments of `jupyter lab` in the course command."""
    return readme_lab_command(readme)[1]


def readme_lab_environment(course, readme=ROOT / "README.md"):
    """The variables the course command sets, as the shell would, run in `course` ($PWD)."""
    return {name: value.replace("${PWD}", str(course)).replace("$PWD", str(course))
            for name, value in readme_lab_command(readme)[0].items()}


def copy_course(destination):
    """The files git tracks (and nothing else: no .venv, no outputs of earlier runs)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    for name in listed.stdout.decode().split("\0"):
        if name and (ROOT / name).is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, destination / name)
    return destination


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_settings(folder, settings=LAB_SETTINGS):
    for plugin, values in settings.items():
        path = folder / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")


NBGRADER_SERVER_EXTENSIONS = ["formgrader", "validate_assignment", "assignment_list", "course_list"]


def without_nbgrader(config_dir):
    """A learner's JupyterLab (requirements.txt) has no nbgrader; the tests' environment has it,
    so its server and page extensions are switched off here (user config beats the venv's)."""
    (config_dir / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {
        "jpserver_extensions": {f"nbgrader.server_extensions.{name}": False
                                for name in NBGRADER_SERVER_EXTENSIONS}}}), encoding="utf-8")
    (config_dir / "labconfig").mkdir(exist_ok=True)
    (config_dir / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyter/nbgrader": True}}), encoding="utf-8")


class JupyterLab:
    """README's `jupyter lab` in `course`, with test-only options; stop() ends it and its kernels.
    With `as_learner`, JupyterLab's news settings are left to the course's configuration."""

    def __init__(self, course, scratch, as_learner=False):
        self.course, self.port, self.token = Path(course), free_port(), secrets.token_hex(24)
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = scratch / "jupyterlab.log"
        directories = {name: scratch / name.lower() for name in
                       ("JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR", "JUPYTER_RUNTIME_DIR",
                        "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR")}
        for folder in directories.values():
            folder.mkdir(parents=True)
        write_settings(directories["JUPYTERLAB_SETTINGS_DIR"],
                       LAB_SETTINGS if as_learner else {**LAB_SETTINGS, **NO_NEWS_SETTINGS})
        without_nbgrader(directories["JUPYTER_CONFIG_DIR"])
        environment = {**os.environ, **{name: str(path) for name, path in directories.items()},
                       **readme_lab_environment(self.course)}
        environment.pop("JUPYTER_TOKEN", None)
        self.command = [str(JUPYTER), "lab", *readme_lab_arguments(),
                        "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
                        "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
                        *([] if as_learner else NO_NEWS_OPTIONS),
                        # window.jupyterapp: the page's own app object, to read kernel and cells
                        "--LabApp.expose_app_in_browser=True"]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(self.command, cwd=self.course, env=environment,
                                            stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            self._wait_until_up()
        except BaseException:
            self.stop()
            raise

    def user_setting(self, plugin, key):
        """A setting as the server reads it from JUPYTERLAB_SETTINGS_DIR."""
        url = f"{self.base}/lab/api/settings/{plugin}?token={self.token}"
        with urllib.request.urlopen(url, timeout=10) as answer:
            return json.load(answer)["settings"].get(key)

    def log(self):
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _wait_until_up(self):
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"jupyter lab exited ({self.process.returncode}):\n{self.log()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/status?token={self.token}", timeout=2):
                    return
            except OSError:
                time.sleep(0.1)  # the server is still starting: poll again
        raise AssertionError(f"jupyter lab did not answer in {SERVER_START_SECONDS} s:\n{self.log()[-3000:]}")

    def printed_url(self):
        """The URL the server printed for the learner to open (the token shown as `...`)."""
        urls = re.findall(rf"http://127\.0\.0\.1:{self.port}/\S*token=\S+", self.log())
        assert urls, f"jupyter lab printed no URL with a token:\n{self.log()[-3000:]}"
        return urls[0]

    def stop(self):
        """SIGTERM the server's process group (the server and its kernels), then SIGKILL it."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # kernels that outlived the server
        except ProcessLookupError:
            pass
        self.process.wait()


# ---------------------------------------------------------------------------------------------
# The page: JupyterLab's own objects (window.jupyterapp), read through window.__lab
# ---------------------------------------------------------------------------------------------

# The page script, added to every page before it loads (context.add_init_script): lab.js.
PAGE_SCRIPT = Path(__file__).with_name("lab.js").read_text(encoding="utf-8")


def lab_url(lab):
    """The URL the server printed, with the real token in place of the `...` it shows for one
    given on the command line."""
    return lab.printed_url().replace("token=...", f"token={lab.token}")


def wait_for_app(page):
    """JupyterLab loaded and its layout restored."""
    page.wait_for_function("() => window.jupyterapp && window.__lab", timeout=60_000)
    page.evaluate("() => window.jupyterapp.restored")


# ---------------------------------------------------------------------------------------------
# Runs: Restart Kernel and Run All Cells, a few notebooks at a time
# ---------------------------------------------------------------------------------------------

class Run:
    """One notebook to open and run in the page; `reference` is the saved notebook (its cells as
    JSON) whose figures the run must show again."""

    def __init__(self, path, reference, stall_seconds=STALL_SECONDS):
        self.path, self.reference, self.stall_seconds = path, reference, stall_seconds
        self.report = self.outcome = self.failure = None
        self.attempts, self.phase, self.deadline = 0, "queued", 0.0

    def __repr__(self):
        return f"Run({self.path!r}, {self.phase}, {self.outcome or self.failure})"


def run_notebooks(page, runs, screenshots, lanes=3):
    """Open each notebook, restart its kernel and run all its cells, `lanes` notebooks at a time
    (much of a run is waiting: for a kernel to start, for a message; three at a time keep two
    cores busy). Each run gets .report (every cell as the page shows it) and .outcome ('done', or
    'error': Run All stopped at an error), or .failure: it hung twice (with a screenshot's path)."""
    queue, active = list(runs), []
    while queue or active:
        while queue and len(active) < lanes:
            run = queue.pop(0)
            run.attempts += 1
            page.evaluate("path => __lab.open(path)", run.path)
            _enter(run, "opening", 60)
            active.append(run)
        items = [{"path": run.path, "phase": run.phase, "settleMs": SETTLE_MS,
                  "stallMs": run.stall_seconds * 1000, "idleStallMs": IDLE_STALL_SECONDS * 1000}
                 for run in active]
        statuses = page.evaluate("items => items.map(__lab.status)", items)
        for run, status in zip(list(active), statuses, strict=True):
            try:
                _advance(page, run, status)
            except Hang as hang:
                _hung(page, run, str(hang), queue, screenshots)
            if run.phase in ("finished", "queued"):
                active.remove(run)
        if active:
            page.wait_for_timeout(100)  # the next look at the page's own state (bounded by deadlines)
    return runs


def _enter(run, phase, seconds):
    run.phase, run.deadline = phase, time.monotonic() + seconds


def _advance(page, run, status):
    late = time.monotonic() > run.deadline
    if run.phase == "opening":
        if status and "error" in status:
            raise Hang(f"opening failed: {status['error']}")
        if status:
            try:
                restart_and_run_all(page, run.path)
            except PlaywrightTimeout as timeout:
                raise Hang(f"the restart dialog: {timeout}") from None
            _enter(run, "running", RUN_SECONDS)
        elif late:
            raise Hang("its kernel was not connected and idle within 60 s of opening it")
    elif run.phase == "running":
        if status and status["outcome"] == "stalled":
            raise Hang(f"{status['finished']} of {status['total']} code cells finished, "
                       f"{status['queued']} left at [*]; kernel {status['kernel']}")
        if status:
            run.outcome = status["outcome"]
            _enter(run, "rendering", RENDER_SECONDS)
        elif late:
            raise Hang(f"still running after {RUN_SECONDS} s")
    elif run.phase == "rendering" and (status or late):
        # Past the deadline, the report says which figure or formula never appeared.
        run.report = page.evaluate("path => __lab.report(path)", run.path)
        close_notebook(page, run.path, wait=False)
        run.phase = "finished"


def restart_and_run_all(page, path):
    """Kernel > Restart Kernel and Run All Cells, accepting the dialog as a learner does."""
    page.evaluate("path => __lab.startRun(path)", path)
    dialog = page.locator(".jp-Dialog")
    dialog.locator(".jp-Dialog-header").filter(has_text="Restart Kernel").wait_for(timeout=30_000)
    dialog.locator(".jp-Dialog-button.jp-mod-accept").click(timeout=30_000)
    dialog.wait_for(state="detached", timeout=30_000)


def _hung(page, run, why, queue, screenshots):
    """First hang: close the notebook (shutting its kernel down) and run it again. Second: fail,
    with a screenshot of it."""
    if page.locator(".jp-Dialog").count():
        page.keyboard.press("Escape")  # a dialog left open would block every later click
    if run.attempts < 2:
        # Wait for the close: reopened while its kernel still shuts down, a notebook can fail to
        # open ("Unhandled error"), which would fail the retry for a reason of its own.
        close_notebook(page, run.path, wait=True)
        run.phase = "queued"
        queue.insert(0, run)
        return
    picture = screenshots / (re.sub(r"\W+", "_", run.path) + ".png")
    try:
        page.evaluate("path => __lab.activate(path)", run.path)
        page.screenshot(path=str(picture))
    except PlaywrightError as error:  # the failure message matters more than the picture
        picture = f"(no screenshot: {error})"
    run.failure = (f"{run.path}: hung twice in JupyterLab ({run.phase}): {why}. "
                   f"Screenshot: {picture}")
    close_notebook(page, run.path, wait=False)
    run.phase = "finished"


def open_notebook(page, path):
    """Open a notebook and wait until its kernel is connected and idle."""
    page.evaluate("path => __lab.open(path)", path)
    page.wait_for_function("([path, ms]) => __lab.openState(path, ms)", arg=[path, SETTLE_MS],
                           polling=100, timeout=60_000)


def close_notebook(page, path, wait=True):
    """Shut its kernel down and close it, unsaved; without `wait`, while the next one starts."""
    page.evaluate("([path, wait]) => wait ? __lab.close(path) : void __lab.close(path)", [path, wait])


# ---------------------------------------------------------------------------------------------
# The checker: what a learner sees after "Restart Kernel and Run All Cells"
# ---------------------------------------------------------------------------------------------

def cell_name(index, cell):
    return f"cell {index + 1} (`{cell['firstLine'][:60]}`)"


def check_run(run):
    """Fail, naming the notebook and each wrong cell, unless every code cell ran in order in a
    fresh kernel, with no error and no stderr output; every figure of the saved notebook is shown
    and loaded; every markdown cell is rendered, every formula typeset: no MathJax error and no TeX
    left as text."""
    assert run.failure is None, run.failure
    report, reference = run.report, run.reference
    assert len(report) == len(reference), \
        f"{run.path}: the page shows {len(report)} cells, the saved notebook has {len(reference)}"
    problems, not_run = [], []
    for index, (cell, saved) in enumerate(zip(report, reference, strict=True)):
        where = cell_name(index, cell)
        if cell["type"] == "code" and run.outcome == "error" and never_ran(cell):
            not_run.append(index + 1)  # after the error that stopped Run All: one line for all
        elif cell["type"] == "code":
            problems += [f"{where}: {problem}" for problem in code_cell_problems(cell, saved)]
        elif cell["type"] == "markdown":
            problems += [f"{where}: {problem}" for problem in markdown_cell_problems(cell, saved)]
    if not_run:
        problems.append(f"Run All stopped at the error: cells {not_run} did not run")
    counts = [cell["executionCount"] for cell in report if cell["type"] == "code"]
    if not problems and counts != list(range(1, len(counts) + 1)):
        problems.append(f"execution counts {counts}: not one run, in order, in a fresh kernel")
    assert not problems, f"{run.path} in JupyterLab:\n  " + "\n  ".join(problems)


def never_ran(cell):
    return cell["executionCount"] is None and not cell["outputs"] and "*" not in cell["prompt"]


def code_cell_problems(cell, saved):
    if cell["executionCount"] is None or "*" in cell["prompt"]:
        yield f"did not run (prompt {cell['prompt']!r})"
    for output in cell["outputs"]:
        if output["output_type"] == "error":
            yield f"error output: {output['ename']}: {output['evalue']}"
        elif output["output_type"] == "stream" and output["name"] == "stderr":
            yield f"stderr output: {''.join(output['text']).strip()[:300]}"
    figures = sum("image/png" in output.get("data", {}) for output in saved.get("outputs", []))
    if cell["loadedImages"] < figures:
        yield (f"shows {cell['loadedImages']} loaded figure(s) of the {figures} in the saved "
               f"notebook ({cell['images']} image element(s) in the page)")


def markdown_cell_problems(cell, saved):
    if not cell["rendered"]:
        yield "markdown not rendered"
    math = re.search(r"\$[^$]+\$", re.sub(r"`[^`]*`", "", "".join(saved["source"])))  # outside code
    if math and not cell["formulas"]:
        yield f"no formula typeset by MathJax, though the cell has {math.group()[:40]}"
    for error in dict.fromkeys(cell["mathErrors"]):  # an error element can match twice
        yield f"MathJax error: {error}"
    prose = " ".join(cell["prose"].split())
    tex = re.search(r"\$|\\\(|\\\)|\\\[|\\\]|\\begin\{", prose)  # as __lab.rawTex
    if tex:
        yield f"TeX left as text: …{prose[max(0, tex.start() - 30):tex.end() + 30]}…"


# ---------------------------------------------------------------------------------------------
# Typing in a cell and saving
# ---------------------------------------------------------------------------------------------

def replace_cell_source_by_typing(page, path, index, text):
    """Click into the editor of cell `index`, select its text and type `text` in its place, then
    save with Ctrl+S. Typed as text input (not key by key), so that CodeMirror's auto-indent and
    bracket closing, which react to single keystrokes, leave it exactly as given."""
    page.evaluate("""([path, index]) => {
        __lab.activate(path);
        __lab.notebook(path).content.widgets[index].node.setAttribute('data-test-target', path);
    }""", [path, index])
    editor = page.locator(f'[data-test-target="{path}"] .cm-content')
    editor.click()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.insert_text(text)
    page.keyboard.press("Escape")
    page.keyboard.press("ControlOrMeta+s")


def wait_for_saved_source(path, index, text, seconds=15):
    """The cell's source as saved on disk, once it is `text` (or the last one seen)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            saved = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][index]["source"])
        except ValueError:  # caught halfway through being written
            saved = None
        if saved == text or time.monotonic() > deadline:
            return saved
        time.sleep(0.1)  # the save is asynchronous: poll the file
