"""How many learners one server holds: a class of N learners (default 20) on a real JupyterHub on
this machine, each running the whole course at once (benchmarks/README.md, "Classroom capacity").

Run by hand, from the repository's root, in the environment the tests use (with JupyterHub's
proxy, configurable-http-proxy, on PATH):

    .venv/bin/python benchmarks/classroom_capacity.py [--students 20]

The hub is the classroom test's (tests/drivers/hub.py: classroom/jupyterhub_config.py and
classroom/nbgrader_config.py, the files docs/classroom.md deploys), in a temporary folder. The
teacher releases the exercise edition with docs/classroom.md's commands; every learner fetches
it through the Assignments panel's endpoint, fills in every solution (the worked edition's lines
pasted between the markers), saves notebooks 1-11 and runs them in order, each in a kernel of
its own started in the notebook's folder, as "Restart Kernel and Run All Cells" does, all learners
at the same time; then submits. The teacher collects and autogrades the N submissions.

Reported: each learner's server's memory (idle, and after the run), each kernel's peak memory,
the CPU-seconds of one learner's full run (their kernels and their server), the wall time of the
whole class's run, the time to collect and autograde, and what that means for sizing a server.
"""
import argparse
import concurrent.futures
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil
import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # for tests/drivers/, the drivers (never a test module)

import helpers  # noqa: E402
from drivers import kernel_ports  # noqa: E402
from drivers.grading import ASSIGNMENT, grading, paste_solutions, source  # noqa: E402
from drivers.hub import TEACHER, Hub, classroom_commands  # noqa: E402
from drivers.lab import copy_course  # noqa: E402

NOTEBOOKS = helpers.COURSE_NOTEBOOKS[:11]  # 12 is the additional example, not graded work
# A learner whose kernel died or stopped answering runs the notebook again in a new one; a cell
# that takes longer than this has hung (the longest takes seconds alone, a minute or two when a
# whole class of twenty trains at once on two cores).
NOTEBOOK_RERUNS, CELL_SECONDS = 3, 300


def solved(exercise, worked):
    """The fetched exercise notebook with every solution filled in, as a learner who got it all
    right saves it."""
    for mine, theirs in zip(exercise["cells"], worked["cells"], strict=True):
        if grading(mine).get("solution"):
            mine["source"] = paste_solutions(source(mine), source(theirs))
    return exercise


def learn(hub, course_id, student):
    """One learner's session: fetch, fill in, run notebooks 1-11 in order, submit. Returns the
    peak memory and CPU time of each kernel, and the server's CPU time spent meanwhile."""
    server = hub.server(student)
    server.assignment_action("fetch", course_id, ASSIGNMENT)
    process = hub.server_processes()[student]
    cpu_before = sum(process.cpu_times()[:2])
    kernels = []
    started = time.monotonic()
    for name in NOTEBOOKS:
        path = f"{ASSIGNMENT}/{name}"
        worked = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))
        notebook = solved(server.get_notebook(path), worked)
        server.put_notebook(path, notebook)
        for attempt in range(1 + NOTEBOOK_RERUNS):
            try:
                kernels.append({**run_notebook(server, path, notebook), "reruns": attempt})
                break
            except (TimeoutError, websocket.WebSocketException, requests.HTTPError):
                if attempt == NOTEBOOK_RERUNS:
                    raise
    seconds = time.monotonic() - started
    server.assignment_action("submit", course_id, ASSIGNMENT)
    return {"kernels": kernels, "server_cpu": sum(process.cpu_times()[:2]) - cpu_before,
            "server_rss": process.memory_info().rss, "seconds": seconds}


def run_notebook(server, path, notebook):
    """Every code cell of `notebook` in a new kernel of `server`; the kernel's usage."""
    with server.kernel(path) as kernel:
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                kernel.execute(source(cell), timeout=CELL_SECONDS)
        return {**kernel.usage(), "restarts": kernel.restarts}


def megabytes(value):
    return value / 2**20


def report(students, measured):
    idle, runs = measured["idle_rss"], measured["runs"]
    server_after = [megabytes(run["server_rss"]) for run in runs.values()]
    kernel_peaks = [megabytes(k["peak_rss"]) for run in runs.values() for k in run["kernels"]]
    largest_kernel = [max(megabytes(k["peak_rss"]) for k in run["kernels"]) for run in runs.values()]
    all_kernels = [sum(megabytes(k["peak_rss"]) for k in run["kernels"]) for run in runs.values()]
    cpu = [sum(k["cpu_seconds"] for k in run["kernels"]) + run["server_cpu"] for run in runs.values()]
    kernel_cpu = [sum(k["cpu_seconds"] for k in run["kernels"]) for run in runs.values()]
    median = statistics.median
    one_kernel = median(server_after) + median(largest_kernel)
    every_kernel = median(server_after) + median(all_kernels)
    total = psutil.virtual_memory().total
    print(f"Classroom capacity: {students} learners on one JupyterHub")
    print(f"  machine: {psutil.cpu_count()} cores, {megabytes(total) / 1024:.1f} GiB, "
          f"Python {platform.python_version()}, {platform.platform()}")
    print(f"  spawn all {students + 1} servers at once: {measured['spawn']:.1f} s")
    print(f"  release (generate + release the exercise edition): {measured['release']:.1f} s")
    print("Per learner (median, max over learners):")
    print(f"  server, idle:                  {median(idle):6.0f} MB, {max(idle):6.0f} MB")
    print(f"  server, after the run:         {median(server_after):6.0f} MB, {max(server_after):6.0f} MB")
    print(f"  one notebook's kernel, peak:   {median(kernel_peaks):6.0f} MB, {max(kernel_peaks):6.0f} MB "
          f"(the largest of the eleven: {median(largest_kernel):.0f} MB)")
    print(f"  CPU-seconds, notebooks 1-11:   {median(cpu):6.1f} s,  {max(cpu):6.1f} s "
          f"(kernels {median(kernel_cpu):.1f} s, server {median(cpu) - median(kernel_cpu):.1f} s)")
    print("Whole class:")
    print(f"  all {students} run notebooks 1-11 at once: {measured['run']:.1f} s wall "
          f"(one learner's run: {median(r['seconds'] for r in runs.values()):.1f} s median, "
          f"{max(r['seconds'] for r in runs.values()):.1f} s the slowest)")
    restarts = sum(k["restarts"] for run in runs.values() for k in run["kernels"])
    reruns = sum(k["reruns"] for run in runs.values() for k in run["kernels"])
    print(f"  of the {students * len(NOTEBOOKS)} notebooks run: {restarts} kernels never answered "
          f"and were restarted, {reruns} notebooks were run again in a new kernel (kernels that "
          f"lost their TCP ports to another learner's: see docs/classroom.md, Capacity)")
    print(f"  collect {students} submissions: {measured['collect']:.1f} s; autograde them: "
          f"{measured['autograde']:.1f} s ({measured['autograde'] / students:.1f} s each; "
          f"autograde run again {len(measured['reruns'])} times after a kernel lost its port)")
    print("Sizing:")
    print(f"  memory per learner: {one_kernel:.0f} MB with one notebook's kernel running "
          f"(server + the largest kernel), {every_kernel:.0f} MB with all eleven left running;")
    print(f"  learners per GiB: {1024 / one_kernel:.1f} (one kernel each), "
          f"{1024 / every_kernel:.1f} (eleven each)")
    print(f"  CPU: a full run costs {median(cpu):.0f} CPU-seconds; a core gives 3,600 an hour: "
          f"{3600 / median(cpu):.0f} full runs per core-hour")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=20)
    arguments = parser.parse_args()
    students = [f"learner-{number:02d}" for number in range(1, arguments.students + 1)]
    commands = classroom_commands()
    measured = {}
    with tempfile.TemporaryDirectory(prefix="classroom-capacity-") as folder:
        with Hub(Path(folder), [TEACHER, *students], teacher=TEACHER, course=ROOT) as hub:
            started = time.monotonic()
            hub.spawn(TEACHER, *students)
            measured["spawn"] = time.monotonic() - started
            measured["idle_rss"] = [megabytes(rss) for name, rss in hub.server_rss().items()
                                    if name != TEACHER]
            teacher = hub.server(TEACHER)
            copy_course(teacher.home / "course")
            started = time.monotonic()
            for command in commands[:2]:  # generate_assignment, release_assignment
                teacher.nbgrader("course", *command)
            measured["release"] = time.monotonic() - started
            [course_id] = teacher.courses()

            started = time.monotonic()
            with concurrent.futures.ThreadPoolExecutor(len(students)) as pool:
                runs = pool.map(lambda student: learn(hub, course_id, student), students)
                measured["runs"] = dict(zip(students, runs))
            measured["run"] = time.monotonic() - started
            # As a teacher would, autograde again if a kernel lost its port
            # (tests/drivers/kernel_ports.py).
            grade = kernel_ports.again_if_a_kernel_lost_its_port(teacher.nbgrader)
            for command in commands[2:4]:  # collect, autograde
                started = time.monotonic()
                grade("course", *command)
                measured[command[0]] = time.monotonic() - started
            measured["reruns"] = kernel_ports.started_again
            leftovers = hub.stop()
    report(arguments.students, measured)
    if leftovers:
        print(f"  (the hub left {len(leftovers)} processes running; killed)")


if __name__ == "__main__":
    main()
