"""The teacher and the learners of a real JupyterHub, each a unix user of their own, as on The
Littlest JupyterHub (docs/classroom.md): what each can reach.

The hub's environment is installed as docs/classroom.md says, in a fresh environment: the
learners' install of the course (its `cp` line: no worked edition in it), then its `pip install`
line with constraints.txt, and classroom/jupyterhub_config.py, which points every server at
classroom/servers/ and learners' servers also at classroom/learners/. The teacher (the hub's
admin) types the lines of "The teacher's account" and the first lines of "Running a class" into a
real JupyterLab terminal, as JupyterLab starts it. Then:

- the teacher logs in through the hub's login form, lands in JupyterLab and reaches the
  Formgrader through the hub's proxy, which lists the released assignment (and nothing else of
  the repository); a learner, logged in, finds no Formgrader on their server (404) and may not
  open the teacher's (403), and JupyterLab's page hides the teacher's panels from the learner,
  not the Assignments panel;
- nbgrader works in both terminals; a learner cannot list the teacher's home;
- a learner lands on START-HERE.md (which points to the Assignments panel) before fetching the
  course, and in notebooks/ once fetched;
- no solution is within a learner's reach: no file the learner's kernel can read in the install,
  the homes, the exchange or the temporary folder holds a line of a worked solution;
  `helpers.model_source()` and `helpers.model_from_notebooks()` refuse outside a course folder
  and, in the learner's fetched course, build from the learner's own notebooks;
- a kernel and a terminal left behind by a closed browser are shut down, then the idle server
  stops, and the hub knows it (with the timeouts shortened for one learner);
- the learner submits, and the teacher collects in their terminal and autogrades with the
  Formgrader (its Autograde button's request): 44 of 44, across unix users.

Needs root (to make the unix users) and configurable-http-proxy (npm); without either it is
skipped, or fails where `CI` is set. About 2–3 minutes, most of it installing the environment:

    .venv/bin/python -m pytest -n 0 tests/test_classroom_roles.py -s   # -s: prints the timings
"""
import concurrent.futures
import json
import os
import re
import shlex
import shutil
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

import pytest

import helpers
from conftest import required_program
from drivers.hub import CLASSROOM_DOCS, PROXY, Hub, Kernel, Terminal, classroom_commands
from test_checks_library import worked_solutions
from test_exercises import cells, source

pytestmark = pytest.mark.slow

ROOT = helpers.ROOT
TEACHER, LEARNER, IDLE = "lrc-teacher", "lrc-ada", "lrc-idle"  # unix users made for the test
ASSIGNMENT = "notebooks"
TEACHER_TOOLS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                 "@jupyter/nbgrader:course-list"]
# The idle learner's servers: short timeouts, so that culling is seen in a test.
IDLE_SETTINGS = """\
c = get_config()  # noqa: F821
c.MappingKernelManager.cull_idle_timeout = 4
c.MappingKernelManager.cull_interval = 1
c.TerminalManager.cull_inactive_timeout = 4
c.TerminalManager.cull_interval = 1
c.ServerApp.shutdown_no_activity_timeout = 4
"""
KERNEL_CULLED_SECONDS = 30
SERVER_STOPPED_SECONDS = 150  # the server checks for inactivity once a minute


def docs_block(heading):
    """The lines of the first bash block in docs/classroom.md's section `## <heading>`, comments
    and continuation lines joined."""
    section = CLASSROOM_DOCS.read_text(encoding="utf-8").split(f"## {heading}", 1)[1]
    block = re.search(r"```bash\n(.+?)\n\s*```", section.split("\n## ", 1)[0], re.S).group(1)
    return [line.split("  #")[0].strip() for line in block.replace("\\\n", " ").splitlines()
            if line.strip()]


def solution_lines():
    """The worked solutions' lines (test_checks_library's) that are a solution's own: long enough
    not to be a common line found in other files too (`z = X @ w`), and not shown by the exercise
    edition itself (a later notebook's given code may use an earlier answer's line)."""
    shown = "\n".join(source(cell) for path in sorted((ROOT / "exercises").glob("*.ipynb"))
                      for cell in cells(path))
    return sorted({line for _, line in worked_solutions() if len(line) > 25 and line not in shown})


def reachable_by_everyone(path):
    """Whether any user can reach `path`: every folder above it searchable by others."""
    return all(Path(folder).stat().st_mode & stat.S_IXOTH for folder in Path(path).parents)


def hub_python(folder):
    """A Python every user can run, for the hub's environment: this Python's own installation
    if every user can reach it, else a copy of it without its packages (on this machine Python
    lies in root's home, which nobody else may enter); and the environment variables it needs."""
    base = Path(sys.base_prefix)
    executable = Path(sysconfig.get_config_var("BINDIR")) / f"python{sysconfig.get_python_version()}"
    if reachable_by_everyone(executable):
        return executable, {}
    library = f"lib/python{sysconfig.get_python_version()}"

    def leave_out(where, names):
        if Path(where) == base / library:
            return {"site-packages", "test", "idlelib", "tkinter", "turtledemo"} & set(names)
        return {"__pycache__"} & set(names)

    shutil.copytree(base, folder, symlinks=True, ignore=leave_out)
    (folder / library / "site-packages").mkdir()
    # Its libpython: found where it was built to be (root's home) unless told.
    return folder / "bin" / executable.name, {"LD_LIBRARY_PATH": str(folder / "lib")}


def install_for_learners(folder, python, environment):
    """docs/classroom.md's install of the course for everyone's servers, into `folder`/course
    and the fresh environment `folder`/env: its `cp` line, then its `pip install` line."""
    lines = docs_block("The Littlest JupyterHub")
    [copy] = [line for line in lines if " cp -r course-source/" in line]
    [pip] = [line for line in lines if "-m pip install" in line]
    course = folder / "course"
    course.mkdir()
    subprocess.run(["bash", "-c", copy.replace("sudo ", "").replace("course-source", str(ROOT))
                    .replace("/srv/course", str(course))], check=True)
    subprocess.run([str(python), "-m", "venv", str(folder / "env")], check=True, env=environment)
    arguments = shlex.split(pip.split("-m pip install", 1)[1])
    assert arguments == ["-c", "constraints.txt", "-r", "requirements-teacher.txt"], pip
    # jupyterhub too, which TLJH's environment has: the servers run jupyterhub-singleuser.
    subprocess.run([str(folder / "env" / "bin" / "python"), "-m", "pip", "install", "-q",
                    *arguments, "jupyterhub"], cwd=course, check=True, env=environment)
    for path in [folder, *folder.rglob("*")]:  # as root's umask made them, readable by all
        path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
    return course


def page_config(server):
    """JupyterLab's page configuration, as the server sends it with /lab."""
    page = server.request("GET", "lab").text
    return json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">'
                                r"(.*?)</script>", page, re.S).group(1))


def log_in(hub, name):
    """`name` logs in through the hub's login form: (their browser's session, the page they
    land on, as the path after /user/<name>/)."""
    browser, landed = hub.login(name)
    return browser, landed.split(f"/user/{name}/", 1)[1].split("?")[0]


def status_of(browser, url):
    """The status of the page a browser ends on, after the redirects (the hub's login and
    authorization pages included)."""
    return browser.get(url, timeout=60).status_code


def restart(hub, name):
    hub.api("DELETE", f"users/{name}/server")
    deadline = time.monotonic() + 60
    while hub.api("GET", f"users/{name}")["servers"]:
        assert time.monotonic() < deadline, f"{name}'s server did not stop"
        time.sleep(0.5)
    hub.spawn(name)


READ_ALL = """\
import json, os
lines = json.loads({lines!r})
found, refused = [], []
for top in json.loads({tops!r}):
    for folder, folders, files in os.walk(top, onerror=lambda error: refused.append(error.filename)):
        for name in files:
            path = os.path.join(folder, name)
            try:
                if os.path.islink(path) or os.path.getsize(path) > 20_000_000:
                    continue
                with open(path, encoding="utf-8", errors="replace") as file:
                    text = file.read()
            except OSError:
                refused.append(path)
                continue
            found += [(path, line) for line in lines if line in text][:1]
print(json.dumps({{"found": found, "refused": refused}}))
"""

ATTEMPT = """\
import helpers, course.grading.hidden
try:
    result = {call}
    print("RESULT", result if isinstance(result, str) else type(result).__name__)
except Exception as error:
    print("REFUSED", type(error).__name__, error)
"""


class Roles:
    """What each role reached, for the tests to check."""


@pytest.fixture(scope="module")
def roles():
    required_program("JupyterHub's proxy", (PROXY,), "install it from npm: npm install -g "
                     "configurable-http-proxy (.ci/run does when it is missing)")
    if os.geteuid() != 0:
        message = "needs root, to make the unix users of a TLJH-like hub"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    room = Roles()
    room.seconds = {}
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="classroom-roles-"))
    folder.chmod(0o755)  # (mkdtemp's is 0700: nobody else could enter)
    try:
        python, environment = hub_python(folder / "python")
        room.install = install_for_learners(folder, python, {**os.environ, **environment})
        room.seconds["install"] = time.monotonic() - started
        idle_config = folder / "idle-config"
        idle_config.mkdir()
        (idle_config / "jupyter_server_config.py").write_text(IDLE_SETTINGS, encoding="utf-8")
        extra = f"""
# The idle learner's servers also read {idle_config} first (short timeouts); the hub polls
# servers every 2 s, to see one that stopped by itself.
_course_settings = c.Spawner.pre_spawn_hook
def _with_idle_settings(spawner):
    _course_settings(spawner)
    if spawner.user.name == {IDLE!r}:
        spawner.environment = {{**spawner.environment, "JUPYTER_CONFIG_PATH":
            {str(idle_config)!r} + ":" + spawner.environment["JUPYTER_CONFIG_PATH"]}}
c.Spawner.pre_spawn_hook = _with_idle_settings
c.Spawner.poll_interval = 2
"""
        hub = room.hub = Hub(folder / "hub", [TEACHER, LEARNER, IDLE], teacher=TEACHER,
                             bin_dir=folder / "env" / "bin", unix_users=True, course=room.install,
                             environment=environment, extra_config=extra)
        with hub:
            hub.spawn(TEACHER, LEARNER, IDLE)
            room.seconds["spawned"] = time.monotonic() - started
            with concurrent.futures.ThreadPoolExecutor(1) as pool:
                culling = pool.submit(watch_culling, hub)
                teach(room, hub)
                room.seconds["taught"] = time.monotonic() - started
                learn(room, hub)
                room.seconds["learned"] = time.monotonic() - started
                grade(room, hub)
                room.seconds["graded"] = time.monotonic() - started
                room.culling = culling.result()
            room.seconds["culled"] = time.monotonic() - started
        room.leftovers = hub.stop()
        room.processes = hub.processes()
        yield room
    finally:
        if getattr(room, "hub", None) is not None:
            room.hub.stop()
        shutil.rmtree(folder, ignore_errors=True)
        print(f"\nclassroom roles timings (s, since start): {room.seconds}; culled after "
              f"(s): {getattr(room, 'culling', None)}")


def teach(room, hub):
    """The teacher's first steps and the release, typed into their JupyterLab terminal."""
    teacher = hub.server(TEACHER)
    room.teacher_lines = docs_block("The teacher's account")
    [clone] = [line for line in room.teacher_lines if line.startswith("git clone")]
    # The clone, offline: from this repository (as root: the teacher may not read its folder).
    subprocess.run(shlex.split(clone.replace("https://github.com/OWNER/REPOSITORY.git", str(ROOT))
                               .replace("~", str(teacher.home))) + ["--quiet"], check=True)
    subprocess.run(["chown", "-R", f"{TEACHER}:{TEACHER}", str(teacher.home / "course")], check=True)
    room.teacher_terminal = []
    with teacher.terminal() as terminal:
        for line in [line for line in room.teacher_lines if line != clone] + [
                "cd ~/course", "command -v nbgrader",
                *[f"nbgrader {shlex.join(command)}" for command in classroom_commands()[:2]]]:
            room.teacher_terminal.append((line, *terminal.run(line)))
    room.teacher_home_mode = stat.S_IMODE(teacher.home.stat().st_mode)
    browser, room.teacher_landing = log_in(hub, TEACHER)
    formgrader = f"{hub.url}/user/{TEACHER}/formgrader"
    room.formgrader_page = status_of(browser, formgrader)
    room.formgrader_assignments = browser.get(f"{formgrader}/api/assignments", timeout=60).json()
    room.teacher_disabled = page_config(teacher).get("disabledExtensions", [])


def learn(room, hub):
    learner = hub.server(LEARNER)
    browser, room.first_landing = log_in(hub, LEARNER)
    room.learner_formgraders = {name: status_of(browser, f"{hub.url}/user/{name}/formgrader")
                                for name in (LEARNER, TEACHER)}
    room.start_here = learner.get_text("START-HERE.md")
    tops = [str(room.install), str(hub.folder / "home"), str(hub.folder / "exchange"),
            str(hub.folder / "tmp")]
    with learner.kernel("untitled.ipynb") as kernel:  # the learner's home, no course yet
        room.read_all = json.loads(kernel.execute(READ_ALL.format(
            lines=json.dumps(solution_lines()), tops=json.dumps(tops)), timeout=300))
        room.outside = {call: kernel.execute(ATTEMPT.format(call=call)) for call in (
            "helpers.model_source()", "helpers.model_from_notebooks()",
            "course.grading.hidden.reference_model()")}  # grading's way to the worked edition
        room.who = kernel.execute("import getpass; print(getpass.getuser())").strip()
    room.learner_disabled = page_config(learner).get("disabledExtensions", [])
    courses = learner.courses()
    assert len(courses) == 1, (f"{LEARNER} sees the courses {courses}; the teacher's terminal "
                               f"showed:\n{room.teacher_terminal}")
    [course_id] = courses
    learner.assignment_action("fetch", course_id, ASSIGNMENT)
    room.fetched = learner.list_folder(ASSIGNMENT)
    restart(hub, LEARNER)
    _, room.second_landing = log_in(hub, LEARNER)
    learner = hub.server(LEARNER)
    teacher_home = hub.home(TEACHER)
    with learner.terminal() as terminal:
        room.learner_terminal = {line: terminal.run(line) for line in (
            "nbgrader --version", f"ls {teacher_home}/course/notebooks",
            f"cat {room.install}/notebooks/06_forward_pass.ipynb")}
    with learner.kernel(f"{ASSIGNMENT}/untitled.ipynb") as kernel:  # the fetched course
        room.inside = kernel.execute(ATTEMPT.format(call="helpers.model_source()"))


def grade(room, hub):
    """The learner saves the worked solutions and submits (the Assignments panel); the teacher
    collects in their terminal and autogrades with the Formgrader (its Autograde button's
    request), in their own server: across unix users, through the exchange."""
    learner = hub.server(LEARNER)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        learner.put_notebook(f"{ASSIGNMENT}/{path.name}", json.loads(path.read_text(encoding="utf-8")))
    [course_id] = learner.courses()
    learner.assignment_action("submit", course_id, ASSIGNMENT)
    teacher = hub.server(TEACHER)
    with teacher.terminal() as terminal:
        room.collected = terminal.run(f"cd ~/course && nbgrader collect {ASSIGNMENT}")
    room.autograded = teacher.request(
        "POST", f"formgrader/api/submission/{ASSIGNMENT}/{LEARNER}/autograde").json()
    room.graded = teacher.request("GET", f"formgrader/api/submission/{ASSIGNMENT}/{LEARNER}").json()


def watch_culling(hub):
    """The idle learner opens a notebook and a terminal, runs a cell and a command, and closes
    the browser; how long until their kernel and terminal are shut down, and until their server
    has stopped (as the hub sees it)."""
    server = hub.server(IDLE)
    terminal = Terminal(server, server.request("POST", "api/terminals").json()["name"])
    terminal.run("echo still here")
    terminal.close()  # the browser closed: the terminal stays, nobody is connected
    session = server.request("POST", "api/sessions", json={
        "path": "idle.ipynb", "name": "idle.ipynb", "type": "notebook",
        "kernel": {"name": "python3"}}).json()
    kernel = Kernel(server, session["kernel"]["id"])
    kernel.execute("x = 1")
    kernel.close()  # the browser closed: the session stays, nobody is connected
    closed = time.monotonic()
    seen = {}
    while time.monotonic() - closed < SERVER_STOPPED_SECONDS:
        if "kernel" not in seen or "terminal" not in seen:
            # api/status does not count as activity; api/terminals does, until it is culled
            running = {"kernel": server.request("GET", "api/status").json()["kernels"],
                       "terminal": len(server.request("GET", "api/terminals").json())}
            for what, count in running.items():
                if what not in seen and count == 0:
                    seen[what] = time.monotonic() - closed
        elif not hub.api("GET", f"users/{IDLE}")["servers"]:
            seen["server"] = time.monotonic() - closed
            break
        time.sleep(1)
    return seen


# ---- the teacher -------------------------------------------------------------------------------

def test_the_teachers_documented_lines_run_in_a_real_terminal(roles):
    failed = [(line, status, shown[-2000:]) for line, status, shown in roles.teacher_terminal
              if status != 0]
    assert failed == []
    [(_, _, which)] = [entry for entry in roles.teacher_terminal
                       if entry[0] == "command -v nbgrader"]
    assert "env/bin/nbgrader" in which, which


def test_the_teacher_logs_in_and_reaches_the_formgrader_through_the_proxy(roles):
    assert roles.teacher_landing == "lab"
    assert roles.formgrader_page == 200
    listed = {assignment["name"]: assignment["status"]
              for assignment in roles.formgrader_assignments}
    assert listed == {ASSIGNMENT: "released"}, roles.formgrader_assignments
    assert not set(TEACHER_TOOLS) & set(roles.teacher_disabled), roles.teacher_disabled


def test_the_teacher_collects_and_grades_with_the_formgrader_across_unix_users(roles):
    status, shown = roles.collected
    assert status == 0, shown
    assert roles.autograded["success"], roles.autograded.get("log", roles.autograded)[-3000:]
    assert (roles.graded["score"], roles.graded["max_score"]) == (44, 44), roles.graded


def test_the_teachers_home_is_the_teachers_alone(roles):
    assert roles.teacher_home_mode & 0o077 == 0, oct(roles.teacher_home_mode)


# ---- the learner -------------------------------------------------------------------------------

def test_a_learner_has_the_assignments_panel_and_none_of_the_teachers_tools(roles):
    # Their own server has none; the teacher's server is not theirs to open.
    assert roles.learner_formgraders == {LEARNER: 404, TEACHER: 403}, roles.learner_formgraders
    assert set(TEACHER_TOOLS) <= set(roles.learner_disabled), roles.learner_disabled
    assert not [name for name in roles.learner_disabled if "assignment-list" in name]
    assert roles.fetched == sorted(path.name for path in (ROOT / "exercises").iterdir())
    status, shown = roles.learner_terminal["nbgrader --version"]
    assert status == 0, shown


def test_a_learner_lands_on_a_page_that_points_to_the_assignments_panel_then_in_the_course(roles):
    assert roles.first_landing == "lab/tree/START-HERE.md"
    assert "Assignment List" in roles.start_here and "Fetch" in roles.start_here
    assert roles.second_landing == f"lab/tree/{ASSIGNMENT}"


def test_no_solution_is_within_a_learners_reach(roles):
    assert roles.who == LEARNER
    assert roles.read_all["found"] == [], "a learner can read these worked solutions"
    # The teacher's clone was there to read, and refused.
    assert str(roles.hub.home(TEACHER)) in roles.read_all["refused"], roles.read_all["refused"]
    for line in (f"ls {roles.hub.home(TEACHER)}/course/notebooks",
                 f"cat {roles.install}/notebooks/06_forward_pass.ipynb"):
        status, shown = roles.learner_terminal[line]
        assert status != 0 and ("Permission denied" in shown or "No such file" in shown), shown


def test_outside_a_course_folder_the_course_refuses_instead_of_reading_the_installed_one(roles):
    refusals = {call: answer.split(" ", 2)[1] for call, answer in roles.outside.items()}
    assert refusals == {"helpers.model_source()": "NotebookMissing",
                        "helpers.model_from_notebooks()": "NotebookMissing",
                        # the installed course has no notebooks/ to build the reference from
                        "course.grading.hidden.reference_model()": "FileNotFoundError"}, roles.outside
    assert "NotImplementedError" in roles.inside, roles.inside  # the learner's own stubs


def test_an_idle_kernel_and_terminal_then_the_idle_server_are_stopped(roles):
    seen = roles.culling
    assert seen.get("kernel", 1e9) < KERNEL_CULLED_SECONDS, seen
    assert seen.get("terminal", 1e9) < KERNEL_CULLED_SECONDS, seen
    assert "server" in seen, f"the idle server still ran {SERVER_STOPPED_SECONDS} s later: {seen}"


def test_the_hub_stops_everything_it_started(roles):
    assert roles.leftovers == []
    servers = {process["user"] for process in roles.processes.values()
               if any("jupyterhub-singleuser" in word for word in process["cmdline"][:3])}
    assert servers == {TEACHER, LEARNER, IDLE}, servers  # each user's server ran as that user
