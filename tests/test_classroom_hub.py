"""A class on a real JupyterHub, end to end, on this machine and offline (docs/classroom.md).

One teacher and five students, each with a single-user server of their own spawned by the hub,
share nbgrader's exchange and configuration (classroom/, the files the docs show). Everything
they do goes through the hub's proxy to their own server, as JupyterLab would do it:

- the teacher, in a clone of the course in their home, runs the classroom's nbgrader commands of
  docs/classroom.md (in a kernel of their server, as in JupyterLab's terminal): generate and
  release the exercise edition; later collect, autograde, generate and release the feedback;
- each student fetches it with nbgrader's Assignments panel (its server extension), saves their
  work with Jupyter's contents API and submits it: one the worked solutions, one the untouched
  exercise edition, three a worked edition with a mistake planted in a different notebook (one
  of them also empties the check that catches it, which grading restores); each then fetches
  their feedback.

Asserted: every student's score, against the gradebook's checks (full marks for the worked
solutions, zero for the untouched edition, the planted check's points lost and no other's); each
feedback page names every failing check with its message; two students who edit their own
notebook 6 each get their own model in notebook 11, in a kernel already running; a student's
token opens their own server only; nothing is written into the installed course's folder; every
process the hub started stops with it, and each ran with its home and temporary folder in the
test's temporary folder.

It needs JupyterHub's proxy, configurable-http-proxy (npm), on PATH: without it the test is
skipped, or fails where `CI` is set (.ci/run installs it). Run on its own (-s prints the
timings; autograde grades each notebook in a process forked from nbgrader's, course/grading/):

    .venv/bin/python -m pytest -n 0 tests/test_classroom_hub.py -s   # -s: prints the timings
"""
import concurrent.futures
import functools
import html
import json
import re
import shutil
import time
from pathlib import Path

import pytest
import requests

import helpers
from conftest import required_program
from drivers import kernel_ports
from drivers.grading import ASSIGNMENT, grading, source
from drivers.hub import CLASSROOM_DOCS, PROXY, TEACHER, Hub, classroom_commands
from drivers.lab import copy_course
from notebook_edits import edit_graded_cell
from test_exercises import cells, is_graded_check, plant
from test_grading import PLANTED, autograded_failures, scores

pytestmark = pytest.mark.slow

ROOT = helpers.ROOT
# A mistake planted in each of three notebooks, one student each.
MISTAKES = {f"planted-{m['number']:02d}": m for m in PLANTED if m["number"] in (6, 8, 10)}
CHEATER = "planted-08"  # also empties the check that catches the mistake: grading restores it
STUDENTS = ["worked", "untouched", *MISTAKES]
# The two whose notebook 11 must run their own notebook 6.
MODEL_STUDENTS = ("planted-06", "worked")
MODEL_NOTEBOOK = f"{ASSIGNMENT}/{helpers.COURSE_NOTEBOOKS[10]}"
MODEL_SOURCE = "import helpers\nprint(helpers.model_source())"  # notebook 5-10's model, as built
# What the classroom must not write to, however it is configured (nbgrader's default exchange).
ELSEWHERE = [Path("/srv/nbgrader"), Path("/usr/local/share/nbgrader")]
# What the class must leave alone in the installed course: every file in the folders it reads,
# and the entries at its top level (no release/, submitted/, gradebook.db... there, which nbgrader
# would make were its course folder taken for the installed course's). Not the top level's files
# themselves, nor other folders (tests/, benchmarks/...): people may edit those while the test runs.
READ_BY_THE_CLASS = ("data", "notebooks", "exercises")
# Top-level folders that other tools, and other tests at the same time, make or write to: git, the
# environment, Python's and pytest's caches, builds of the website and of the package. Python's
# bytecode cache, __pycache__/helpers.*.pyc, is rewritten by any process that imports a changed
# helpers.py where it may write: here, as root, the class's kernels too; on a hub whose course
# folder learners cannot write (docs/classroom.md), nobody.
NOT_THE_COURSE = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", "_build", "build"}


def course_snapshot():
    """{path: (mtime, size)} of every file and folder in READ_BY_THE_CLASS, and {name: None} of
    every entry at the installed course's top level."""
    found = {entry.name: None for entry in ROOT.iterdir()
             if entry.name not in NOT_THE_COURSE and not entry.name.endswith(".egg-info")}
    for folder in READ_BY_THE_CLASS:
        for path in (ROOT / folder).rglob("*"):
            try:
                status = path.stat()
            except FileNotFoundError:  # removed while we looked, or a broken link
                continue
            found[path.relative_to(ROOT).as_posix()] = (status.st_mtime_ns, status.st_size)
    return found


@functools.cache
def check_notebooks():
    """{grade_id: notebook file name} of every graded check of the exercise edition."""
    return {grading(cell)["grade_id"]: path.name
            for path in sorted((ROOT / "exercises").glob("*.ipynb"))
            for cell in cells(path) if is_graded_check(cell)}


def submission(student, worked):
    """{notebook name: notebook} the student saves before submitting (the fetched exercise
    edition, for the untouched student, saves nothing)."""
    if student == "untouched":
        return {}
    folder = worked / student
    shutil.copytree(ROOT / "notebooks", folder, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    if student in MISTAKES:
        plant(folder, MISTAKES[student])
    if student == CHEATER:
        edit_graded_cell(folder / helpers.COURSE_NOTEBOOKS[MISTAKES[student]["number"] - 1],
                         MISTAKES[student]["check"], lambda cell: 'print("✓ trust me")')
    return {path.name: json.loads(path.read_text(encoding="utf-8"))
            for path in sorted(folder.glob("*.ipynb"))}


class Classroom:
    """What happened in the class, for the tests to check."""


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    required_program("JupyterHub's proxy", (PROXY,), "install it from npm: npm install -g "
                     "configurable-http-proxy (.ci/run does when it is missing)")
    commands = classroom_commands()
    assert [command[0] for command in commands] == [
        "generate_assignment", "release_assignment", "collect", "autograde",
        "generate_feedback", "release_feedback"], commands
    room = Classroom()
    room.folder = tmp_path_factory.mktemp("classroom_hub")
    room.course_before = course_snapshot()
    room.elsewhere_before = [path.exists() for path in ELSEWHERE]
    started = time.monotonic()
    room.hub = hub = Hub(room.folder, [TEACHER, *STUDENTS], teacher=TEACHER, course=ROOT)
    with hub:
        room.seconds = {"hub": time.monotonic() - started}
        room.spawned = hub.spawn(TEACHER, *STUDENTS)
        room.seconds["spawn"] = time.monotonic() - started
        room.idle_server_mb = {name: round(rss / 2**20) for name, rss in hub.server_rss().items()}
        teacher = hub.server(TEACHER)
        room.course = copy_course(teacher.home / "course")  # the teacher's clone of the course
        for command in commands[:2]:
            teacher.nbgrader("course", *command)
        [room.course_id] = teacher.courses()  # classroom/nbgrader_config.py's course
        room.seconds["release"] = time.monotonic() - started

        worked = room.folder / "worked"
        room.fetched_files, room.fetched, room.before, room.after, room.submitted = {}, {}, {}, {}, {}
        room.kernel_environment = {}

        def learn(student):
            server = hub.server(student)
            [released] = server.assignments(room.course_id)
            assert (released["assignment_id"], released["status"]) == (ASSIGNMENT, "released")
            listed = server.assignment_action("fetch", room.course_id, ASSIGNMENT)
            assert [a["status"] for a in listed] == ["fetched"], listed
            room.fetched_files[student] = server.list_folder(ASSIGNMENT)
            room.fetched[student] = {name: server.get_notebook(f"{ASSIGNMENT}/{name}")
                                     for name in room.fetched_files[student]
                                     if name.endswith(".ipynb")}
            saves = submission(student, worked)

            def save():
                for name, notebook in saves.items():
                    server.put_notebook(f"{ASSIGNMENT}/{name}", notebook)

            if student in MODEL_STUDENTS:  # notebook 11 open while notebook 6 is edited
                with server.kernel(MODEL_NOTEBOOK) as kernel:
                    room.kernel_environment[student] = json.loads(kernel.execute(
                        "import json, os; print(json.dumps(dict(os.environ)))"))
                    room.before[student] = kernel.execute(MODEL_SOURCE)
                    save()
                    room.after[student] = kernel.execute(MODEL_SOURCE)
            else:
                save()
            listed = server.assignment_action("submit", room.course_id, ASSIGNMENT)
            room.submitted[student] = [a for a in listed if a["status"] == "submitted"]

        with concurrent.futures.ThreadPoolExecutor(len(STUDENTS)) as pool:
            list(pool.map(learn, STUDENTS))
        room.seconds["submit"] = time.monotonic() - started

        room.grading_output = {}
        # Run again if a kernel lost its port, as docs/classroom.md tells a teacher to.
        grade = kernel_ports.again_if_a_kernel_lost_its_port(teacher.nbgrader)
        for command in commands[2:]:
            room.grading_output[command[0]] = grade("course", *command)
            room.seconds[command[0]] = time.monotonic() - started

        room.feedback, room.feedback_listed = {}, {}

        def get_feedback(student):
            server = hub.server(student)
            listed = server.assignment_action("fetch_feedback", room.course_id, ASSIGNMENT)
            room.feedback_listed[student] = [a for a in listed if a["status"] == "submitted"]
            [timestamp] = server.list_folder(f"{ASSIGNMENT}/feedback")
            folder = f"{ASSIGNMENT}/feedback/{timestamp}"
            room.feedback[student] = {name: server.get_text(f"{folder}/{name}")
                                      for name in server.list_folder(folder)}

        with concurrent.futures.ThreadPoolExecutor(len(STUDENTS)) as pool:
            list(pool.map(get_feedback, STUDENTS))
        room.seconds["feedback"] = time.monotonic() - started

        # A student's own token (what their browser holds): their server, not another's.
        token = hub.api("POST", f"users/{STUDENTS[0]}/tokens", note="classroom test")["token"]
        room.own_token_answers = {
            name: requests.get(f"{hub.url}/user/{name}/api/contents/{ASSIGNMENT}",
                               headers={"Authorization": f"token {token}"},
                               allow_redirects=False, timeout=60).status_code
            for name in (STUDENTS[0], STUDENTS[1])}
        yield room
    room.seconds["stopped"] = time.monotonic() - started
    print(f"\nclassroom timings (s, since start): {room.seconds}; spawn: {room.spawned}; "
          f"idle servers' memory (MB): {room.idle_server_mb}; run again in this worker after a "
          f"kernel lost its port: {kernel_ports.started_again}")
    assert hub.stop() == [], "processes left running by the hub (killed)"


# ---- the class -------------------------------------------------------------------------------

def test_every_student_fetched_the_exercise_edition(classroom):
    exercises = {path.name: json.loads(path.read_text(encoding="utf-8"))
                 for path in sorted((ROOT / "exercises").glob("*.ipynb"))}
    files = sorted(path.name for path in (ROOT / "exercises").iterdir())
    for student in STUDENTS:
        assert classroom.fetched_files[student] == files, student
        fetched = classroom.fetched[student]
        assert fetched.keys() == exercises.keys(), student
        for name, notebook in exercises.items():
            assert [source(c) for c in fetched[name]["cells"]] == \
                [source(c) for c in notebook["cells"]], f"{student}: {name}"


def test_every_student_submitted_once_and_the_teacher_collected_each(classroom):
    for student in STUDENTS:
        [assignment] = classroom.submitted[student]
        assert len(assignment["submissions"]) == 1, (student, assignment)
        assert (assignment["student_id"], assignment["submissions"][0]["student_id"]) == \
            (student, student)
    collected = sorted(path.name for path in (classroom.course / "submitted").iterdir())
    assert collected == sorted(STUDENTS)


def test_the_worked_solutions_get_full_marks(classroom):
    graded = scores(classroom.course, "worked")
    assert graded.keys() == check_notebooks().keys()
    assert {name: score for name, score in graded.items() if score[0] != score[1]} == {}
    assert autograded_failures(classroom.course, "worked") == {}


def test_the_untouched_exercise_edition_gets_zero_and_says_not_written_yet(classroom):
    graded = scores(classroom.course, "untouched")
    assert graded.keys() == check_notebooks().keys()
    assert {name: score for name, score in graded.items() if score[0] != 0} == {}
    failures = autograded_failures(classroom.course, "untouched")
    assert failures.keys() == graded.keys()
    assert {name: message for name, message in failures.items()
            if "not written yet" not in message} == {}


@pytest.mark.parametrize("student", MISTAKES)
def test_a_planted_mistake_loses_its_checks_points_and_only_those(classroom, student):
    mistake = MISTAKES[student]
    graded = scores(classroom.course, student)
    assert graded.keys() == check_notebooks().keys()
    lost = {name: score for name, score in graded.items() if score[0] != score[1]}
    assert lost.keys() == {mistake["check"]}, (
        f"{student} ({mistake['description']}"
        f"{', its check emptied in the submission' if student == CHEATER else ''}): "
        f"expected to lose {mistake['check']} only, lost {lost}")
    assert lost[mistake["check"]][0] == 0, lost
    assert autograded_failures(classroom.course, student).keys() == {mistake["check"]}


@pytest.mark.parametrize("student", STUDENTS)
def test_each_feedback_names_the_failing_checks_with_their_messages(classroom, student):
    [listed] = classroom.feedback_listed[student]  # what the Assignments panel shows
    [submitted] = listed["submissions"]
    assert (submitted["has_exchange_feedback"], submitted["has_local_feedback"],
            submitted["feedback_updated"]) == (True, True, False), submitted
    feedback = classroom.feedback[student]
    assert sorted(feedback) == sorted(name.replace(".ipynb", ".html")
                                      for name in classroom.fetched[student])
    where = check_notebooks()
    text = {name: html.unescape(re.sub(r"<[^>]+>", "", page)) for name, page in feedback.items()}
    missing = []
    for check, message in autograded_failures(classroom.course, student).items():
        name = where[check].replace(".ipynb", ".html")
        page = feedback[name]
        first_line = message.split(": ", 1)[1].splitlines()[0]  # the exception's value
        if f'href="#{check}"' not in page or first_line not in text[name]:
            missing.append(f"{where[check]}: {check}: {first_line!r}")
    assert missing == [], f"{student}'s feedback lacks these checks or messages"
    graded = scores(classroom.course, student)
    for name in feedback:
        shown = re.findall(r"Score: ([\d.]+) / ([\d.]+)", text[name])
        notebook_checks = [c for c, n in where.items() if n == name.replace(".html", ".ipynb")]
        total = sum(graded[c][0] for c in notebook_checks), sum(graded[c][1] for c in notebook_checks)
        assert shown and tuple(map(float, shown[0])) == total, (name, shown, total)


def test_two_students_editing_their_notebook_6_each_get_their_own_model_in_notebook_11(classroom):
    mistake = MISTAKES["planted-06"]
    exercise_model = classroom.before["planted-06"]
    assert "NotImplementedError" in exercise_model
    assert classroom.before["worked"] == exercise_model  # both began with the exercise edition
    mine, theirs = classroom.after["planted-06"], classroom.after["worked"]
    assert mistake["new"] in mine and mistake["old"] not in mine, \
        f"planted-06's notebook 11 does not run their notebook 6 ({mistake['new']!r}):\n{mine}"
    assert mistake["old"] in theirs and "NotImplementedError" not in theirs, \
        f"worked's notebook 11 does not run their notebook 6 ({mistake['old']!r}):\n{theirs}"


def test_every_server_runs_with_the_classrooms_hub_configuration(classroom):
    """classroom/jupyterhub_config.py's settings reach the learners' kernels."""
    for student, environment in classroom.kernel_environment.items():
        assert (environment["JUPYTERHUB_USER"], environment["JUPYTERHUB_DEFAULT_URL"]) == \
            (student, "/lab")
        assert [environment[name] for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                               "MKL_NUM_THREADS")] == ["1", "1", "1"]


def test_a_students_token_opens_their_own_server_only(classroom):
    assert classroom.own_token_answers == {STUDENTS[0]: 200, STUDENTS[1]: 403}


def test_nothing_is_written_into_the_installed_course(classroom):
    after = course_snapshot()
    before = classroom.course_before
    assert {"new": sorted(after.keys() - before.keys()),
            "changed": sorted(path for path in after.keys() & before.keys()
                              if after[path] != before[path]),
            "removed": sorted(before.keys() - after.keys())} == \
        {"new": [], "changed": [], "removed": []}
    assert [path.exists() for path in ELSEWHERE] == classroom.elsewhere_before


def test_the_hub_stops_every_process_it_started_each_with_its_files_in_the_test_folder(classroom):
    hub = classroom.hub
    left = hub.stop()
    assert left == [], f"still running after the hub stopped: {left}"
    seen = list(hub.processes().values())
    kinds = [" ".join(Path(word).name for word in process["cmdline"][:3]) for process in seen]
    assert sum("configurable-http-proxy" in kind for kind in kinds) == 1, kinds
    assert sum("jupyterhub-singleuser" in kind for kind in kinds) == 1 + len(STUDENTS), kinds
    assert sum("ipykernel_launcher" in " ".join(p["cmdline"]) for p in seen) >= 2, kinds
    folder = str(classroom.folder)
    outside = [p for p in seen if not all(str(p[name]).startswith(folder)
                                          for name in ("HOME", "TMPDIR"))]
    assert outside == []


def test_the_docs_show_the_configuration_the_test_uses():
    """docs/classroom.md shows each Python file of classroom/ whole, as it is (no second copy to
    drift)."""
    docs = CLASSROOM_DOCS.read_text(encoding="utf-8")
    shown = sorted((ROOT / "classroom").rglob("*.py"))
    assert len(shown) == 4, shown
    for path in shown:
        assert f"```python\n{path.read_text(encoding='utf-8')}```" in docs, path.name
