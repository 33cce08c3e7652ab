"""Runs a notebook's grading plan (plan.py) in a process of its own, and guards the checks.

The process is a fork of nbgrader's, which has already imported NumPy, the course and its
checks, so a notebook's run starts in milliseconds, and its memory is its own: learner code that
loops, exits or patches things changes nothing in the process that writes the gradebook. Each step runs with a time limit; the whole notebook with another, after which the
process is killed and the steps not reached fail with a message saying so.

The guard: before each check, whatever the learner's code replaced in NumPy, the course's modules
or Python's builtins is put back, and `helpers` is the course's module again; a change made while
the check ran (by the learner's function, called by the check) fails that check.
"""
import builtins
import contextlib
import io
import multiprocessing
import os
import re
import signal
import sys
import time
import traceback
import types
from multiprocessing.connection import Connection
from pathlib import Path

import matplotlib

# Before pyplot: figures are drawn to no screen. Set for this process only, not through the
# environment (MPLBACKEND), which every process started later from this one would inherit: a
# test run that imported this module once had its notebooks' kernels draw no inline figure.
matplotlib.use("Agg")
import matplotlib.pyplot  # noqa: E402, F401 - loaded once here, so that no notebook's run pays for it
import numpy as np
import numpy.linalg
import numpy.random
import numpy.testing

import helpers
from course import checks
from course import notebooks as course_notebooks
from course.checks import framework
from course.grading import hidden  # noqa: F401 - loaded before the guard's snapshot, so guarded
from course.grading import plan as plans

STEP_SECONDS = 10.0      # one cell of the plan; a check also has its own, shorter limit
PATIENCE = STEP_SECONDS + 2.0  # a step still running after this has caught its time limit: killed
GUARDED_PREFIXES = ("numpy", "course", "helpers", "builtins", "math", "contextlib", "io")
CHANGED_NOTE = ("Your code replaced {names}; grading put the originals back before each check "
                "(a notebook must not change NumPy or the course's checks).")


_MISSING = object()


class Guard:
    """A snapshot of the modules checks rely on, to put back and to compare with."""

    def __init__(self):
        self.modules = {name: module for name, module in sys.modules.items()
                        if isinstance(module, types.ModuleType) and name.split(".")[0] in
                        {prefix.split(".")[0] for prefix in GUARDED_PREFIXES}}
        self.contents = {name: dict(vars(module)) for name, module in self.modules.items()}
        self.code = {(name, key): value.__code__ for name, module in self.modules.items()
                     if name.startswith(("course", "helpers"))
                     for key, value in vars(module).items() if isinstance(value, types.FunctionType)}

    def changes(self):
        """'numpy.allclose', 'helpers.check', ...: what differs from the snapshot."""
        found = []
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                found.append(name)
                continue
            now, then = vars(module), self.contents[name]
            found += [f"{name}.{key}" for key, value in then.items()
                      if key not in now or now[key] is not value]
        found += [f"{name}.{key}.__code__" for (name, key), code in self.code.items()
                  if self.contents[name][key].__code__ is not code]
        return sorted(set(found) - {"builtins._", "builtins.__IPYTHON__"})

    def restore(self):
        for name, module in self.modules.items():
            sys.modules[name] = module
            now = vars(module)
            for key, value in self.contents[name].items():
                if now.get(key, _MISSING) is not value:
                    try:
                        setattr(module, key, value)
                    except (AttributeError, TypeError):
                        now[key] = value
        for (name, key), code in self.code.items():
            self.contents[name][key].__code__ = code


def _no_stop(model_class):
    """check_earlier_exercises while grading: each check is graded on its own, so a later
    notebook does not stop at its first cell for an earlier notebook's mistake."""


def _learner_traceback(error, labels):
    """The learner's lines of the traceback, and the error: never a line of the course's code."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename in labels]
    lines = [f"  {frame.filename}, line {frame.lineno}: {(frame.line or '').strip()}" for frame in frames]
    return lines + [f"{type(error).__name__}: {error}"]


def _check_name(step):
    """The check a check step runs, as its messages name it (plan.py labels it so)."""
    return step["label"].removeprefix("the check of ")


def _run_step(step, namespace, guard, labels, noted):
    """Run one step; (stdout, stderr, error or None) where error is (ename, evalue, traceback)."""
    out, err = io.StringIO(), io.StringIO()
    if step["kind"] == "check":
        changed = guard.changes()
        noted.update(changed)
        guard.restore()
        namespace["helpers"] = helpers
    error = None
    try:
        code = compile(step["source"], step["label"], "exec")
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), \
                framework._time_limit(STEP_SECONDS, {"fired": False}):
            exec(code, namespace)  # noqa: S102 - running the notebook is the point
    except framework.TookTooLong:
        error = ("TookTooLong", f"stopped after {STEP_SECONDS:g} s: a loop that never ends?",
                 [f"TookTooLong: {step['label']} ran for more than {STEP_SECONDS:g} s and was stopped"])
    except BaseException as raised:  # KeyboardInterrupt and SystemExit too: the learner's
        lines = ([f"{type(raised).__name__}: {raised}"] if isinstance(raised, checks.CheckFailed)
                 else _learner_traceback(raised, labels))
        error = (type(raised).__name__, str(raised), lines)
    if step["kind"] == "check":
        tampered = guard.changes()
        if tampered:
            guard.restore()
            message = (f"✗ {_check_name(step)}: your code changed {', '.join(tampered)} while the check ran, so "
                       f"the check cannot be trusted and counts as failed. A notebook's code must "
                       f"not replace NumPy's functions or the course's checks.")
            error = ("CheckFailed", message, [f"CheckFailed: {message}"])
    return out.getvalue(), err.getvalue(), error


def run_plan(steps, folder, reference, connection, known=None, notebook=""):
    """The child's work: each step's (stdout, stderr, error), sent as soon as it is known. The
    steps in `known` ({step: result} of an earlier run: its checks, and the steps that never
    ended or ended its process) are not run again."""
    known = known or {}
    said = []  # sentences for the learner: a model built from the course's notebooks instead
    _grade_on_own_code(reference, notebook, said)
    os.chdir(folder)
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["COURSE_REFERENCE_NOTEBOOKS"] = str(reference)
    framework.check_earlier_exercises = helpers.check_earlier_exercises = _no_stop
    guard = Guard()
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    labels = {step["label"] for step in steps}
    # the learner's answers, for a hidden case that runs an answer's cell again on other inputs
    namespace["__graded_sources__"] = {step["grade_id"]: step["source"] for step in steps
                                       if step["kind"] == "solution"}
    noted = set()  # what the learner's cells replaced before a check
    for number, step in enumerate(steps):
        if number in known:
            if step["kind"] != "check":  # stopped before: its definitions, for the steps after it
                _quietly(plans.definitions(step["source"]), step["label"], namespace)
            continue
        connection.send(("running", number))
        connection.send((number, _run_step(step, namespace, guard, labels, noted)))
    connection.send(("notes", sorted(noted)))
    connection.send(("said", said))
    connection.send(("done", None))


def _quietly(source, label, namespace):
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()), \
                framework._time_limit(STEP_SECONDS, {"fired": False}):
            exec(compile(source, label, "exec"), namespace)  # noqa: S102
    except BaseException:  # noqa: BLE001 - its own result, kept from the earlier run, says what went wrong
        pass


def _grade_on_own_code(reference, notebook, said):
    """Each notebook's checks judge that notebook's code alone:

    - `model_from_notebooks` runs only what the learner's saved model cells define and assign
      (no loop or print left in a cell of notebook 6 runs again, and slows, every later notebook);
    - when those cells cannot build the model (a notebook missing, unreadable or broken), the
      course's model is used instead and a sentence says so: a later notebook's checks do not
      fail for an earlier notebook's mistake, which costs its own checks already."""
    tagged = course_notebooks._tagged
    course_notebooks._tagged = lambda code_cells, tag: [
        (number, plans.definitions(source, assignments=True) if tag == "model" else source)
        for number, source in tagged(code_cells, tag)]
    build = helpers.model_from_notebooks

    def model_from_notebooks(through=max(course_notebooks.MODEL_NOTEBOOKS), notebooks_dir=None):
        try:
            return build(through, notebooks_dir)
        except Exception as error:  # noqa: BLE001 - said to the learner, in a sentence
            cause = str(error).splitlines()[0] if str(error) else type(error).__name__
            cause = re.sub(r":? looked for it in \S+", "", cause)
            cause = re.sub(r"(?:/[^\s/]+)+/(?=\d\d_)", "", cause)  # no path of the grader's machine
            found = re.search(r"(\d\d_\w+\.ipynb)(.*)", cause)
            said.append((notebook, f"{found.group(1)}{found.group(2)}" if found else cause))
            return build(through, reference)
    helpers.model_from_notebooks = model_from_notebooks


NEVER_ENDED, ENDED_PROCESS = "never ended", "ended the process"
WHY = {NEVER_ENDED: (f"ran for more than {PATIENCE:g} s without stopping, even when asked to (a "
                     f"loop that never ends, around a `try` that catches every exception?)"),
       ENDED_PROCESS: "ended the grading's process (os._exit, or a crash of Python itself)"}


def _stopped(step, why):
    """The result of a step that never ended, or that ended its process, in an earlier run."""
    if step["kind"] == "check":
        message = f"✗ {_check_name(step)}: the check never finished: your code {WHY[why]}. It counts as failed."
        return "", "", ("CheckFailed", message, [f"CheckFailed: {message}"])
    message = f"{step['label']} {WHY[why]}, and was stopped"
    return "", "", ("TookTooLong" if why == NEVER_ENDED else "ProcessEnded", message,
                    [f"Stopped: {message}"])


STOPPED = ("TookTooLong", "ProcessEnded")  # a step's errors that a new run does not repeat


def grade(steps, folder, reference, seconds, notebook=""):
    """Run `steps` (dicts: kind, source, label) in a fresh process in `folder`; the results, one
    per step ((stdout, stderr, error) or None when the time ran out first), the names of what
    the learner's cells replaced before a check (CHANGED_NOTE says it to the learner), and
    [(notebook, cause)] when the learner's notebooks could not build the model.

    A step still running PATIENCE seconds after it started (code that catches the time limit's
    exception and loops on) has its process killed; a new process then runs the plan again
    without it, leaving out the checks already graded, so one endless loop costs its own step
    and PATIENCE seconds, not the rest of the notebook. All of it within `seconds`."""
    results, notes, said = [None] * len(steps), [], []
    deadline = time.monotonic() + seconds
    while True:
        known = {number: result for number, result in enumerate(results) if result is not None
                 and (steps[number]["kind"] == "check" or (result[2] or ("",))[0] in STOPPED)}
        (stopped, why), (replaced, sentences) = _run_once(steps, folder, reference, deadline, known,
                                                          results, notebook)
        notes = sorted(set(notes) | set(replaced))
        said = said or sentences
        if stopped is None or time.monotonic() >= deadline:
            return results, notes, said
        results[stopped] = _stopped(steps[stopped], why)


def _run_once(steps, folder, reference, deadline, known, results, notebook):
    """One process's run of the plan, its results written into `results`; ((the step it was
    stopped in, or None, and why), its notes)."""
    arguments = (steps, str(folder), str(reference))
    if hasattr(os, "fork"):  # a fork of this process, which has NumPy and the checks loaded
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run the plan, say everything, and leave without cleaning up
            os.close(reading)
            try:
                run_plan(*arguments, Connection(writing, readable=False), known, notebook)
            finally:
                os._exit(0)
        os.close(writing)
        receiving = Connection(reading, writable=False)
        stop = lambda: (os.kill(pid, signal.SIGKILL), os.waitpid(pid, 0))
        wait = lambda: os.waitpid(pid, 0)
    else:  # Windows: a new Python process, slower, the same results
        context = multiprocessing.get_context("spawn")
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=run_plan, args=(*arguments, sending, known, notebook), daemon=True)
        process.start()
        sending.close()
        stop, wait = (lambda: (process.kill(), process.join(5))), (lambda: process.join(5))
    notes, said, finished, running, stopped = [], [], False, None, (None, None)
    try:
        while (left := deadline - time.monotonic()) > 0:
            if not receiving.poll(min(left, PATIENCE) if running is not None else left):
                stopped = (running, NEVER_ENDED) if running is not None and left > PATIENCE else stopped
                break
            try:
                key, value = receiving.recv()
            except EOFError:  # the process ended (os._exit, a crash) before it said it was done
                stopped = (running, ENDED_PROCESS)
                break
            if key == "done":
                finished = True
                break
            if key == "running":
                running = value
            elif key == "notes":
                notes = value
            elif key == "said":
                said = value
            else:
                results[key], running = value, None
    finally:
        (wait if finished else stop)()
        receiving.close()
    return stopped, (notes, said)


def reference_folder(course_root, source_directory, assignment):
    return Path(course_root, source_directory, assignment).resolve()


np  # noqa: B018 - imported for the guard's snapshot (with numpy.linalg, .random, .testing)
