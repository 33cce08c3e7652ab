"""A real JupyterHub on this machine, driven over HTTP: for tests/test_classroom_hub.py, and for
capacity benchmarks that spawn many learners' servers (benchmarks/classroom_capacity.py).

The hub runs classroom/jupyterhub_config.py, the file docs/classroom.md tells teachers to deploy,
and adds on top only what a hub on one machine, as one unix user, needs (`local_hub_config`):
the dummy authenticator, local processes for the users' servers with their homes in the hub's
folder, free ports on 127.0.0.1, an API token, the environment of the servers (this Python
environment's PATH, a temporary folder, Jupyter's configuration path). nbgrader's configuration
is classroom/nbgrader_config.py with the exchange moved into the hub's folder and each student's
id set to their hub name (`local_nbgrader_config`). Nothing is written outside that folder: the
hub's database, cookie secret and log, every user's home (and with it their Jupyter runtime, data
and config folders, IPython and matplotlib folders, nbgrader cache), the exchange, the temporary
files of every process the hub starts (TMPDIR).

Everything a user does goes through the hub's proxy, http://127.0.0.1:<port>/user/<name>/, to
that user's own single-user server, with the hub's service token (scopes admin:users,
admin:servers, access:servers, tokens), as JupyterLab would.

API
---
`Hub(folder, users, teacher=None, bin_dir=BIN, unix_users=False, course=None, environment=None,
    extra_config="")`: a context manager; `with Hub(...) as hub:` starts
    the hub (`start()`) and stops it on leaving (`stop()`). Everything goes into `folder` (made if
    missing; it must not hold an earlier hub): hub/ (its configuration, database, log), home/<name>/,
    exchange/, jupyter-config/, tmp/. `users` are the hub's users, made at start. `teacher`, if
    given, is the user whose nbgrader commands work on every student's submissions; every other
    user is a student whose nbgrader student id is their hub name (all being one unix user here,
    nbgrader could not tell them apart otherwise); the teacher is the hub's admin. `bin_dir`: the
    environment the hub and the users' servers and kernels run in (the one running the tests).
    `unix_users`: each user a unix user of their own (made at start with `useradd`, their home
    home/<name>/, removed at stop; needs root), their servers run as them (LocalProcessSpawner),
    as on TLJH. `course`: the course's install classroom/jupyterhub_config.py points servers to
    (COURSE_FOLDER). `environment`: more variables for the servers; `extra_config`: lines added
    at the end of the hub's configuration.
  `hub.url`: the proxy's public URL. `hub.home(name)`: a user's home (their server's root).
  `hub.api(method, path, **json)`: the hub's REST API (/hub/api/<path>); JSON in and out; an HTTP
    error raises requests.HTTPError with the hub's answer.
  `hub.spawn(*names)`: starts the users' servers at once and waits until every one answers;
    returns {name: seconds until it did}. `hub.server(name)`: that user's `Server`.
  `hub.login(name)`: a browser's session logged in through the hub's login form, and the address
    it landed on.
  `hub.server_processes()`, `hub.server_rss()`: {name: psutil.Process}, {name: resident memory
    in bytes} of each running server (kernels apart).
  `hub.processes()`: {(pid, start time): {"name", "user", "cmdline", "cwd", "HOME", "TMPDIR"}} of the hub
    and of every process it started (proxy, servers, kernels, their children), sampled every
    0.2 s while it runs, so short-lived ones are seen too.
  `hub.stop(timeout=30)`: SIGTERM to the hub (which stops its proxy and the servers, and they their
    kernels), waits; then kills whatever it had started that still runs, and returns those (as
    `processes()` describes them): [] when everything stopped by itself. A second call returns the
    same list. `hub.log()`: the hub's log so far (its servers log there too).
`Server` (one user's single-user server, through the proxy; one per thread: each has its own
    HTTP session):
  `request(method, path, **kwargs)`: a `requests` call to /user/<name>/<path>; an HTTP error
    raises requests.HTTPError with the server's answer.
  `put_notebook(path, notebook)`, `get_notebook(path)`, `get_text(path)`, `list_folder(path)`:
    Jupyter's contents API; paths relative to the user's home, `notebook` a dict (nbformat JSON).
  `kernel(path)`: a context manager giving a `Kernel` of a new session for the notebook at
    `path` (which need not exist), so that the kernel's working folder is that notebook's folder,
    as in JupyterLab; the session and kernel are deleted on leaving.
  `terminal()`: a context manager giving a `Terminal` as JupyterLab opens one (the server's
    terminals API, its configured shell); `Terminal.run(command)` types the command and returns
    (its exit status, what the terminal showed).
  `courses()`, `assignments(course_id)`, `assignment_action(action, course_id, assignment_id)`:
    nbgrader's Assignments panel (its server extension's endpoints); action is "fetch", "submit"
    or "fetch_feedback"; returns nbgrader's list of assignments; a failure nbgrader reports
    raises `NbgraderError` with its message. (nbgrader's fetch and fetch_feedback report success
    even when they failed: check the list they return.)
  `nbgrader(folder, *arguments)`: the command `nbgrader <arguments>` run in `folder` (relative
    to the home) by a kernel of this server, as the teacher would in JupyterLab's terminal;
    returns its output; raises `NbgraderError` with the output if it fails, and
    `kernel_ports.KernelLostItsPort` if a kernel it started lost its port to another process
    (`kernel_ports.again_if_a_kernel_lost_its_port` runs it again).
`TEACHER`: the teacher's hub name in the classroom's test and benchmark. `classroom_commands()`:
    the teacher's nbgrader commands of docs/classroom.md's "Running a class", in order, each as
    its arguments (generate_assignment, release_assignment, collect, autograde, ...).
`Kernel`: `execute(code, timeout=120)` runs code and returns what it printed; an exception in
    the kernel raises `KernelError` (name, value and traceback). `usage()`: the kernel's own
    process, as the kernel itself sees it: {"pid", "peak_rss" (bytes, the most it held so far),
    "cpu_seconds"}.
"""
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import psutil
import requests
import websocket

from .grading import nbgrader_commands
from .kernel_ports import KernelLostItsPort, a_kernel_lost_its_port
from .lab import free_port

ROOT = Path(__file__).resolve().parents[2]
CLASSROOM = ROOT / "classroom"
CLASSROOM_DOCS = ROOT / "docs" / "classroom.md"  # how to run a class; its commands are tested
HUB_CONFIG = CLASSROOM / "jupyterhub_config.py"
NBGRADER_CONFIG = CLASSROOM / "nbgrader_config.py"
BIN = Path(sys.executable).parent  # the environment running the tests: the users' environment
PROXY = "configurable-http-proxy"
START_SECONDS = 60
SPAWN_SECONDS = 120
SERVICE = "classroom-driver"
# For a new kernel's first answer, on a machine busy starting others: more than the minute
# after which the server gives up on a kernel and closes its socket.
KERNEL_INFO_SECONDS = 90
RESTARTS = 3  # of a kernel that never answers
TEACHER = "teacher"


def classroom_commands():
    """The teacher's nbgrader commands of docs/classroom.md's "Running a class", in order."""
    return nbgrader_commands(CLASSROOM_DOCS, "Running a class")


def make_unix_user(name, home):
    """A unix user `name` (and a group of the same name) whose home is `home`, made with its
    files as `useradd --create-home` makes them (mode 0755 on Debian: readable by everyone).
    A user of that name left by an earlier test (its home gone) is removed first."""
    try:
        earlier = pwd.getpwnam(name)
    except KeyError:
        earlier = None
    if earlier is not None:
        if Path(earlier.pw_dir).exists():
            raise RuntimeError(f"a unix user {name!r} exists already, with home {earlier.pw_dir}")
        remove_unix_user(name)
    subprocess.run(["useradd", "--home-dir", str(home), "--create-home", "--shell", "/bin/bash",
                    "--user-group", name], check=True, capture_output=True)


def remove_unix_user(name):
    subprocess.run(["userdel", name], capture_output=True)  # its group goes with it


class KernelError(Exception):
    """An exception raised by code run in a kernel: its name, value and traceback."""


class NbgraderError(Exception):
    """An nbgrader command or Assignments-panel action that failed, with nbgrader's message."""


def local_hub_config(hub_folder, token, ports, bin_dir, teacher=None, unix_users=False,
                     course=None, environment=None, extra=""):
    """The hub's configuration: classroom/jupyterhub_config.py and the test-only settings.

    unix_users: each hub user's server runs as the unix user of that name (which must exist,
    with their home), as on TLJH; else every server runs as this process's user, their homes in
    `hub_folder`. course: the course's install (COURSE_FOLDER); environment: more variables for
    the servers; extra: configuration lines added at the end."""
    homes = hub_folder / "home"
    # As root, a server refuses to start without --allow-root; a unix user's server is not root.
    as_root = ["--allow-root"] if os.geteuid() == 0 and not unix_users else []
    if unix_users:
        spawner = 'c.JupyterHub.spawner_class = "localprocess"  # as each user, in their home\n'
    else:
        spawner = ('c.JupyterHub.spawner_class = "simple"  # local processes, this unix user\n'
                   f'c.SimpleLocalProcessSpawner.home_dir_template = {str(homes / "{username}")!r}\n')
    if teacher is not None:  # the teacher is the hub's admin (classroom/jupyterhub_config.py)
        spawner += f'c.Authenticator.admin_users = {{{teacher!r}}}\n'

    return f"""\
# Written by tests/drivers/hub.py: the classroom's configuration, then what a hub on one machine
# needs for a test (nothing here is for a real classroom: see docs/classroom.md).
c = get_config()  # noqa: F821
load_subconfig({str(HUB_CONFIG)!r})  # noqa: F821

c.JupyterHub.bind_url = "http://127.0.0.1:{ports['public']}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{ports['hub']}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{ports['proxy_api']}"
c.JupyterHub.authenticator_class = "dummy"
{spawner}c.Spawner.ip = "127.0.0.1"
c.Spawner.cmd = [{str(bin_dir / "jupyterhub-singleuser")!r}]
c.Spawner.args = {as_root!r}
c.Spawner.http_timeout = {SPAWN_SECONDS}
c.Spawner.start_timeout = {SPAWN_SECONDS}
c.Spawner.environment.update({{
    "PATH": {os.pathsep.join([str(bin_dir), "/usr/local/bin", "/usr/bin", "/bin"])!r},
    "LANG": "C.UTF-8",
    "TMPDIR": {str(hub_folder / "tmp")!r},
    "JUPYTER_CONFIG_PATH": {str(hub_folder / "jupyter-config")!r},
    **{environment or {}!r},
}})
c.JupyterHub.services = [{{"name": {SERVICE!r}, "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": {SERVICE!r}, "services": [{SERVICE!r}],
                             "scopes": ["admin:users", "admin:servers", "access:servers",
                                        "tokens"]}}]
{extra}"""


def local_nbgrader_config(hub_folder, teacher):
    """nbgrader's configuration: classroom/nbgrader_config.py, its exchange in `hub_folder`.

    Every user here is the same unix user, whose name nbgrader would take as every student's id:
    a student's id is set to their hub name instead (the teacher's stays "*": all students)."""
    return f"""\
# Written by tests/drivers/hub.py: the classroom's nbgrader configuration, then the test's.
import os
c = get_config()  # noqa: F821
load_subconfig({str(NBGRADER_CONFIG)!r})  # noqa: F821
c.Exchange.root = {str(hub_folder / "exchange")!r}
if os.environ.get("JUPYTERHUB_USER", {teacher!r}) != {teacher!r}:
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
"""


class Hub:
    """A JupyterHub with its users, in `folder` (see the module's docstring)."""

    def __init__(self, folder, users, teacher=None, bin_dir=BIN, unix_users=False, course=None,
                 environment=None, extra_config=""):
        self.folder = Path(folder)
        self.users = list(users)
        self.teacher = teacher
        self.bin_dir = Path(bin_dir)
        self.unix_users = unix_users
        self.course = course
        self.environment = dict(environment or {})
        self.extra_config = extra_config
        self.token = secrets.token_hex(32)
        self.ports = {name: free_port() for name in ("public", "hub", "proxy_api")}
        self.url = f"http://127.0.0.1:{self.ports['public']}"
        self.process = None
        self.leftovers = None  # what stop() had to kill
        # (pid, start time) -> (Process, {"name", "cmdline", "cwd", "HOME", "TMPDIR"}), as last seen
        self._seen = {}
        self._sampling = threading.Event()
        self._sampler = None
        self.session = self.new_session()

    def new_session(self):
        """A requests session with the hub's token (one per thread: they are not shared)."""
        session = requests.Session()
        session.headers["Authorization"] = f"token {self.token}"
        return session

    # ---- the hub itself ----------------------------------------------------------------------

    def home(self, name):
        return self.folder / "home" / name

    def start(self):
        if shutil.which(PROXY) is None:
            raise FileNotFoundError(f"{PROXY} is not on PATH (npm install -g {PROXY})")
        hub = self.folder / "hub"
        for folder in (hub, self.folder / "home", self.folder / "jupyter-config",
                       self.folder / "exchange", self.folder / "tmp"):
            folder.mkdir(parents=True)
        for name in self.users:
            if self.unix_users:
                make_unix_user(name, self.home(name))
            else:
                self.home(name).mkdir()
        (self.folder / "exchange").chmod(0o777)
        (self.folder / "tmp").chmod(0o1777)  # every user's temporary files, as in /tmp
        (hub / "jupyterhub_config.py").write_text(local_hub_config(
            self.folder, self.token, self.ports, self.bin_dir, teacher=self.teacher,
            unix_users=self.unix_users, course=self.course, environment=self.environment,
            extra=self.extra_config), encoding="utf-8")
        (self.folder / "jupyter-config" / "nbgrader_config.py").write_text(
            local_nbgrader_config(self.folder, self.teacher), encoding="utf-8")
        environment = {
            "PATH": f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": str(hub), "TMPDIR": str(self.folder / "tmp"), "LANG": "C.UTF-8",
            # The proxy's token: made here, not written to a file by the hub.
            "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(32),
        }
        if self.course is not None:  # where classroom/jupyterhub_config.py finds the course
            environment["COURSE_FOLDER"] = str(self.course)
        self._log = open(hub / "jupyterhub.log", "wb")  # noqa: SIM115 (open until stop())
        self.process = subprocess.Popen(
            [str(self.bin_dir / "jupyterhub"), "-f", "jupyterhub_config.py"],
            cwd=hub, env=environment, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()
        deadline = time.monotonic() + START_SECONDS
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.process.returncode}):\n{self.log()}")
            try:
                self.api("GET", "")  # the hub's version: the hub and its proxy answer
                break
            except (requests.ConnectionError, requests.HTTPError):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"no hub after {START_SECONDS} s:\n{self.log()}")
                time.sleep(0.2)
        existing = {user["name"] for user in self.api("GET", "users")}
        missing = [name for name in self.users if name not in existing]
        if missing:
            self.api("POST", "users", usernames=missing)
        return self

    def log(self):
        return (self.folder / "hub" / "jupyterhub.log").read_text(encoding="utf-8", errors="replace")

    def api(self, method, path, **body):
        response = self.session.request(method, f"{self.url}/hub/api/{path}",
                                        json=body if body else None, timeout=60)
        if response.status_code >= 400:
            raise requests.HTTPError(f"{method} /hub/api/{path}: {response.status_code} "
                                     f"{response.text[:2000]}", response=response)
        return response.json() if response.content else None

    def spawn(self, *names):
        """Start the users' servers together; {name: seconds until it answered}."""
        started = time.monotonic()
        for name in names:
            try:
                self.api("POST", f"users/{name}/server")  # 201 (ready) or 202 (still starting)
            except requests.HTTPError as error:  # the hub's answer may hide the cause: its log
                raise RuntimeError(f"{error}\nThe hub's log:\n{self.log()[-6000:]}") from None
        ready = {}
        deadline = started + SPAWN_SECONDS
        while len(ready) < len(names):
            for name in names:
                if name in ready:
                    continue
                server = self.api("GET", f"users/{name}")["servers"].get("")
                if server is None:
                    raise RuntimeError(f"{name}'s server stopped while starting; the hub's log:\n"
                                       f"{self.log()[-6000:]}")
                if server["ready"]:
                    self.server(name).request("GET", "api/status")
                    ready[name] = time.monotonic() - started
            if time.monotonic() > deadline:
                raise TimeoutError(f"not ready after {SPAWN_SECONDS} s: "
                                   f"{sorted(set(names) - set(ready))}\n{self.log()[-6000:]}")
            time.sleep(0.2)
        return ready

    def server(self, name):
        return Server(self, name)

    def login(self, name):
        """A browser's session of `name`, logged in through the hub's login form (the dummy
        authenticator takes any password) and sent on to their server, as a person would be:
        (the session, the address it landed on)."""
        browser = requests.Session()
        form = browser.get(f"{self.url}/hub/login", timeout=60)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text)
        answer = browser.post(f"{self.url}/hub/login?next=", timeout=120, data={
            "username": name, "password": "any", **({"_xsrf": xsrf.group(1)} if xsrf else {})})
        if answer.status_code >= 400:
            raise requests.HTTPError(f"{name} could not log in: {answer.status_code} "
                                     f"{answer.text[:2000]}", response=answer)
        return browser, answer.url

    def server_processes(self):
        """{name: psutil.Process} of each running single-user server (not its kernels)."""
        found = {}
        for user in self.api("GET", "users"):
            server = user["servers"].get("")
            if server and server.get("ready") and server["state"].get("pid"):
                found[user["name"]] = psutil.Process(server["state"]["pid"])
        return found

    def server_rss(self):
        """{name: resident memory in bytes} of each running single-user server (not its kernels)."""
        return {name: process.memory_info().rss
                for name, process in self.server_processes().items()}

    def _sample(self):
        while not self._sampling.wait(0.2):
            self._look()

    def _look(self):
        try:
            hub = psutil.Process(self.process.pid)
            processes = [hub, *hub.children(recursive=True)]
        except psutil.Error:
            return
        self._remember(processes)

    def _remember(self, processes):
        # Described again at every look, not only the first: a process first seen between its
        # fork and its exec still shows its parent's command line (a server's as the hub's).
        for process in processes:
            try:
                key = (process.pid, process.create_time())
                environment = process.environ()
                self._seen[key] = process, {
                    "name": process.name(), "user": process.username(),
                    "cmdline": process.cmdline(), "cwd": process.cwd(),
                    "HOME": environment.get("HOME"), "TMPDIR": environment.get("TMPDIR")}
            except psutil.Error:  # gone already
                pass

    def _marked(self):
        """Every running process whose environment holds this hub's TMPDIR: whatever the hub, its
        servers and kernels started, even those that left their parent (a daemon)."""
        marker = str(self.folder / "tmp")
        found = []
        for process in psutil.process_iter():
            try:
                if process.environ().get("TMPDIR") == marker:
                    found.append(process)
            except psutil.Error:  # gone, or not ours to read
                pass
        return found

    def processes(self):
        """{(pid, start time): {"name", "cmdline", "cwd", "HOME", "TMPDIR"}} of every process
        the hub started (and itself), as last seen."""
        return {key: description for key, (_, description) in self._seen.items()}

    def stop(self, timeout=30):
        """SIGTERM to the hub; then kill what it started that still runs. Returns those (as
        descriptions); the same list on a second call."""
        if self.leftovers is not None or self.process is None:
            return self.leftovers or []
        self._sampling.set()
        if self._sampler is not None:
            self._sampler.join()
        self._look()  # a last look: what runs now is what must stop
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()
        self.session.close()
        _, alive = psutil.wait_procs([process for process, _ in self._seen.values()
                                      if process.is_running()], timeout=5)
        for process in self._marked():  # those that left the hub's tree, too
            if process not in alive:
                alive.append(process)
        self._remember(alive)
        self.leftovers = []
        for process in alive:
            try:
                key = (process.pid, process.create_time())
                self.leftovers.append(self._seen[key][1] if key in self._seen
                                      else {"pid": process.pid})
                process.kill()
            except psutil.NoSuchProcess:  # stopped in the meantime after all
                pass
        psutil.wait_procs(alive, timeout=5)
        if self.unix_users:
            for name in self.users:
                remove_unix_user(name)
        return self.leftovers

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exception):
        self.stop()


class Server:
    """One user's single-user server, reached through the hub's proxy."""

    def __init__(self, hub, name):
        self.hub = hub
        self.name = name
        self.url = f"{hub.url}/user/{name}"
        self.home = hub.home(name)
        self.session = hub.new_session()

    def request(self, method, path, **kwargs):
        response = self.session.request(method, f"{self.url}/{path}",
                                            timeout=kwargs.pop("timeout", 300), **kwargs)
        if response.status_code >= 400:
            raise requests.HTTPError(f"{self.name}: {method} {path}: {response.status_code} "
                                     f"{response.text[:3000]}", response=response)
        return response

    # ---- files (Jupyter's contents API) ------------------------------------------------------

    def put_notebook(self, path, notebook):
        self.request("PUT", f"api/contents/{path}",
                     json={"type": "notebook", "format": "json", "content": notebook})

    def get_notebook(self, path):
        return self.request("GET", f"api/contents/{path}?type=notebook&content=1").json()["content"]

    def get_text(self, path):
        return self.request("GET", f"api/contents/{path}?type=file&format=text&content=1"
                            ).json()["content"]

    def list_folder(self, path=""):
        """Names of the files and folders in `path`."""
        model = self.request("GET", f"api/contents/{path}?content=1").json()
        return sorted(item["name"] for item in model["content"])

    # ---- kernels -----------------------------------------------------------------------------

    @contextmanager
    def kernel(self, path):
        session = self.request("POST", "api/sessions", json={
            "path": path, "name": Path(path).name, "type": "notebook",
            "kernel": {"name": "python3"}}).json()
        try:
            kernel = Kernel(self, session["kernel"]["id"])
            try:
                yield kernel
            finally:
                kernel.close()
        finally:  # the session and its kernel go, even when the kernel never answered
            self.request("DELETE", f"api/sessions/{session['id']}")

    @contextmanager
    def terminal(self):
        """A `Terminal` of JupyterLab's kind (the server's terminals API, with the shell the
        server is configured to start); closed and deleted on leaving."""
        name = self.request("POST", "api/terminals").json()["name"]
        terminal = Terminal(self, name)
        try:
            yield terminal
        finally:
            terminal.close()
            self.request("DELETE", f"api/terminals/{name}")

    # ---- nbgrader ----------------------------------------------------------------------------

    def courses(self):
        return self._nbgrader_answer(self.request("GET", "courses").json())

    def assignments(self, course_id):
        return self._nbgrader_answer(
            self.request("GET", "assignments", params={"course_id": course_id}).json())

    def assignment_action(self, action, course_id, assignment_id):
        """What the Assignments panel's Fetch, Submit and Fetch Feedback buttons do. nbgrader's
        fetch and fetch_feedback answer with the list of assignments even when they failed."""
        return self._nbgrader_answer(self.request(
            "POST", f"assignments/{action}",
            data={"course_id": course_id, "assignment_id": assignment_id}).json())

    @staticmethod
    def _nbgrader_answer(answer):
        if not answer.get("success"):
            raise NbgraderError(answer.get("value") or answer)
        return answer["value"]

    def nbgrader(self, folder, *arguments, timeout=600):
        """`nbgrader <arguments>` run in `folder` (relative to the home) by a kernel of this
        server, as in JupyterLab's terminal; its output, or NbgraderError with it
        (KernelLostItsPort if a kernel it started lost its port)."""
        code = (f"import subprocess\n"
                f"result = subprocess.run(['nbgrader', *{list(arguments)!r}], capture_output=True,"
                f" text=True)\n"
                f"print(result.returncode)\n"
                f"print(result.stdout + result.stderr)\n")
        with self.kernel(f"{folder}/nbgrader.ipynb") as kernel:
            returncode, _, output = kernel.execute(code, timeout=timeout).partition("\n")
        if returncode != "0":
            error = KernelLostItsPort if a_kernel_lost_its_port(output) else NbgraderError
            raise error(f"{self.name}: nbgrader {' '.join(arguments)} in {folder} exited with "
                        f"{returncode}:\n{what_went_wrong(output)[-8000:]}")
        return output


def what_went_wrong(log):
    """nbgrader's log without its routine lines (which file it converts or writes, the kernel's
    warning that it runs over TCP), so that a failure's traceback is what a report shows."""
    routine = ("| INFO]", "Kernel is running over TCP without encryption")
    return "\n".join(line for line in log.splitlines()
                     if not any(mark in line for mark in routine))


def receive(socket, deadline):
    """The next JSON message on a websocket, or None once `deadline` (time.monotonic()) passes."""
    socket.settimeout(max(deadline - time.monotonic(), 0.01))
    try:
        return json.loads(socket.recv())
    except websocket.WebSocketTimeoutException:
        return None


class Kernel:
    """A kernel of a single-user server, over its websocket (Jupyter's messaging protocol)."""

    def __init__(self, server, kernel_id):
        self.server = server
        self.id = kernel_id
        self.session = uuid.uuid4().hex
        self.socket = None
        self.restarts = 0
        while True:
            try:
                self._connect()
                return
            except (TimeoutError, websocket.WebSocketException):
                # Kernels take TCP ports of the machine, which every learner's server picks for
                # its kernels on its own: when many start at once, one may lose its ports to
                # another's ("Address already in use" in the server's log), and then hangs,
                # never answering (the server gives up on it after a minute and closes the
                # socket). The learner restarts it (Kernel > Restart Kernel), and so does this
                # (docs/classroom.md, Capacity).
                self.close()
                if self.restarts == RESTARTS:
                    raise
                self.restarts += 1
                server.request("POST", f"api/kernels/{kernel_id}/restart")

    def _connect(self):
        """Open the kernel's socket and wait for its kernel_info reply."""
        url = self.server.url.replace("http://", "ws://", 1)
        self.socket = websocket.create_connection(
            f"{url}/api/kernels/{self.id}/channels?session_id={self.session}",
            header=[f"Authorization: token {self.server.hub.token}"], timeout=KERNEL_INFO_SECONDS)
        self._request("kernel_info_request", {}, timeout=KERNEL_INFO_SECONDS)

    def _request(self, msg_type, content, timeout):
        """Send a shell request; its iopub messages (see _replies)."""
        msg_id = uuid.uuid4().hex
        self.socket.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                       "username": self.server.name, "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
            "buffers": []}))
        return self._replies(msg_id, timeout)

    def _replies(self, msg_id, timeout):
        """The iopub messages of request `msg_id`, until its shell reply and its idle status."""
        messages, replied, idle = [], False, False
        deadline = time.monotonic() + timeout
        while not (replied and idle):
            message = receive(self.socket, deadline)
            if message is None:
                raise TimeoutError(f"{self.server.name}: no answer from the kernel after "
                                   f"{timeout} s")
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if message["channel"] == "shell":
                replied = True
            elif message["msg_type"] == "status":
                idle = message["content"]["execution_state"] == "idle"
            elif message["channel"] == "iopub":
                messages.append(message)
        return messages

    def execute(self, code, timeout=120):
        output = []
        for message in self._request("execute_request", {
                "code": code, "silent": False, "store_history": False, "user_expressions": {},
                "allow_stdin": False, "stop_on_error": True}, timeout=timeout):
            content = message["content"]
            if message["msg_type"] == "stream":
                output.append(content["text"])
            elif message["msg_type"] == "error":
                raise KernelError(f"{content['ename']}: {content['evalue']}\n"
                                  + "\n".join(content["traceback"]))
        return "".join(output)

    def usage(self):
        return json.loads(self.execute(
            "import json as _json, os as _os, resource as _resource, sys as _sys\n"
            "_peak = _resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss\n"
            "_times = _os.times()\n"
            "print(_json.dumps({'pid': _os.getpid(), 'cpu_seconds': _times.user + _times.system,\n"
            "                   'peak_rss': _peak * (1 if _sys.platform == 'darwin' else 1024)}))"))

    def close(self):
        if self.socket is None:  # never opened
            return
        try:
            self.socket.close()
        except websocket.WebSocketException:
            pass


class Terminal:
    """A terminal of a single-user server, over its websocket (terminado's messages), typed into
    as a person would."""

    def __init__(self, server, name):
        self.server = server
        url = server.url.replace("http://", "ws://", 1)
        self.socket = websocket.create_connection(
            f"{url}/terminals/websocket/{name}",
            header=[f"Authorization: token {server.hub.token}"], timeout=60)

    def run(self, command, timeout=300):
        """Types `command` and Enter; returns (its exit status, what the terminal showed from
        the command's line to its end, prompts and the typed line included)."""
        marker = uuid.uuid4().hex
        # The marker is typed split in two, so that only the shell's echo shows it whole.
        self.socket.send(json.dumps(
            ["stdin", f"{command}; echo \"{marker[:8]}\"\"{marker[8:]} $?\"\r"]))
        shown = ""
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(f"{marker} (\\d+)", shown)
            if found:
                return int(found.group(1)), shown[:found.start()]
            message = receive(self.socket, deadline)
            if message is None:
                raise TimeoutError(f"{self.server.name}: {command!r} still running after "
                                   f"{timeout} s; the terminal showed:\n{shown}")
            if message[0] == "stdout":
                shown += message[1]
            elif message[0] == "disconnect":
                raise RuntimeError(f"{self.server.name}: the terminal closed:\n{shown}")

    def close(self):
        try:
            self.socket.close()
        except websocket.WebSocketException:
            pass
