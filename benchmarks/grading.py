"""What grading a class with nbgrader costs on this machine (run by hand; not a test).

    .venv/bin/python benchmarks/grading.py [--processes N] [--quick] [--keep]

In a temporary course folder (nbgrader_config.py and notebooks/, the worked edition, copied
there; removed at the end unless --keep), the teacher's commands release the exercise edition
(`nbgrader generate_assignment notebooks --force`) and grade submissions of the worked edition's
notebooks 02-12, each `nbgrader autograde notebooks --student <id> --force` a process of its own
with one BLAS thread (OPENBLAS/OMP/MKL_NUM_THREADS=1). Measured:

1. One complete submission, graded REPEATS times: the CPU seconds (user + sys) of nbgrader and
   the processes it waits for (grading forks one per notebook) and the wall time, median and
   range; against the CPU seconds of `nbgrader --version`, nbgrader's own start-up. Its total
   in the gradebook must be 44 of 44.
2. A submission whose `share_of_ones` (notebook 03) never returns and swallows every exception:
   the wall time of its grading, and its total (43 of 44 expected: only that check fails).
3. A class of CLASS_SIZE complete submissions graded N at a time (default: os.cpu_count()):
   the wall time from the first start to the last end, the CPU seconds of them all, and whether
   every one has 44 of 44; a student whose command fails (the shared SQLite gradebook locked?)
   is graded once more, and the retries are counted. Then the same class one at a time (N = 1),
   unless --quick. Last, every submission so far (the class and measures 1-2's two) in one
   `nbgrader autograde notebooks --force`, the documented command, which starts nbgrader once.

It prints a report and exits with status 0.
"""
import argparse
import concurrent.futures
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = "notebooks"
BIN = Path(sys.executable).parent
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
REPEATS = 3
CLASS_SIZE = 30
FULL_MARKS = 44
ENDLESS_LOOP = """\
def share_of_ones(labels):
    while True:
        try:
            while True:
                pass
        except BaseException:
            continue
"""


def nbgrader(course, *args):
    """(wall s, CPU s, exit status, output) of one nbgrader command, run in `course`. The CPU is
    that of the children this process has waited for meanwhile: exact when nothing else runs."""
    env = dict(os.environ, **ONE_THREAD, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env,
                          capture_output=True, text=True)
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, done.returncode, done.stdout + done.stderr


def autograde(course, student):
    return nbgrader(course, "autograde", ASSIGNMENT, "--student", student, "--force")


def submit(course, student, changes=None):
    """submitted/<student>/notebooks/: the worked edition's 02-12, cells changed as {grade_id: source}."""
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    for path in sorted((course / ASSIGNMENT).glob("*.ipynb")):
        if path.name.startswith("01_"):
            continue
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if changes and grade_id in changes:
                cell["source"] = changes[grade_id]
        (folder / path.name).write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")


def total(course, student):
    """(score, max score) of the student's submission in the gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        grades = [grade for notebook in gradebook.find_submission(ASSIGNMENT, student).notebooks
                  for grade in notebook.grades]
        return sum(grade.score or 0 for grade in grades), sum(grade.max_score for grade in grades)


def spread(values):
    return f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f})"


def failed(output):
    return output.strip().splitlines()[-1][:200] if output.strip() else "(no output)"


def measure_submission(course):
    print(f"1. One complete submission (notebooks 02-12), graded {REPEATS} times with --force")
    submit(course, "complete")
    startup = [nbgrader(course, "--version")[1] for _ in range(REPEATS)]
    runs = [autograde(course, "complete") for _ in range(REPEATS)]
    for wall, cpu, status, output in runs:
        if status:
            print(f"   autograde failed (exit {status}): {failed(output)}")
    cpu, startup_cpu = statistics.median(run[1] for run in runs), statistics.median(startup)
    print(f"   CPU (user + sys, with the children): {spread([run[1] for run in runs])}")
    print(f"   wall: {spread([run[0] for run in runs])}")
    print(f"   nbgrader --version, CPU: {spread(startup)}")
    print(f"   -> {cpu:.2f} CPU s per submission, of which {startup_cpu:.2f} s is nbgrader starting")
    print("   gradebook: %g of %g\n" % total(course, "complete"))


def measure_endless_loop(course):
    print("2. A submission whose share_of_ones (notebook 03) never ends and catches every exception")
    submit(course, "endless_loop", {"share_of_ones": ENDLESS_LOOP})
    wall, cpu, status, output = autograde(course, "endless_loop")
    if status:
        print(f"   autograde failed (exit {status}): {failed(output)}")
    print(f"   wall {wall:.2f} s, CPU {cpu:.2f} s; gradebook: %g of %g (expected 43 of 44)\n"
          % total(course, "endless_loop"))


def grade_class(course, students, processes):
    """(wall s, CPU s, retries, failures) of grading `students`, at most `processes` at a time."""
    retries, failures, locked = [], [], []

    def one(student):
        status, output = autograde(course, student)[2:]
        if status or "database is locked" in output:
            locked.append("database is locked" in output)
            retries.append(student)
            status, output = autograde(course, student)[2:]
            if status or "database is locked" in output:
                failures.append(f"{student}: {failed(output)}")

    before, start = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=processes) as pool:
        list(pool.map(one, students))
    wall, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, retries, sum(locked), failures


def measure_class(course, processes, quick):
    students = [f"class_{number:02d}" for number in range(1, CLASS_SIZE + 1)]
    print(f"3. A class of {CLASS_SIZE} complete submissions, one nbgrader process per student")
    for student in students:
        submit(course, student)
    for n in [processes] if quick or processes == 1 else [processes, 1]:
        load = os.getloadavg()[0]
        wall, cpu, retries, locked, failures = grade_class(course, students, n)
        totals = [total(course, student) for student in students]
        full = sum(score == FULL_MARKS and most == FULL_MARKS for score, most in totals)
        print(f"   {n} at a time: wall {wall:.1f} s ({wall / CLASS_SIZE:.2f} s per submission), "
              f"CPU {cpu:.1f} s in all; load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(f"      {full} of {CLASS_SIZE} have {FULL_MARKS} of {FULL_MARKS}; retried {len(retries)} "
              f"({locked} with 'database is locked'){': ' + ', '.join(retries) if retries else ''}")
        for failure in failures:
            print(f"      failed twice: {failure}")
        if full < CLASS_SIZE:
            print(f"      totals: {', '.join('%g/%g' % pair for pair in totals)}")
    # The documented command as it is: one nbgrader for the whole class (its start-up paid once).
    wall, cpu, status, output = nbgrader(course, "autograde", ASSIGNMENT, "--force")
    full = sum(total(course, student) == (FULL_MARKS, FULL_MARKS) for student in students)
    print(f"   in one `nbgrader autograde {ASSIGNMENT} --force` (every student so far): wall {wall:.1f} s, "
          f"CPU {cpu:.1f} s; the class: {full} of {CLASS_SIZE} have {FULL_MARKS} of {FULL_MARKS}"
          + (f"; FAILED: {failed(output)}" if status else ""))
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=os.cpu_count())
    parser.add_argument("--quick", action="store_true", help="no sequential run of the class")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course folder")
    options = parser.parse_args()
    import nbgrader as nbgrader_package

    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, {platform.platform()}; Python {platform.python_version()}, "
          f"nbgrader {nbgrader_package.__version__}; load average "
          f"{' '.join(f'{value:.2f}' for value in load)} before\n")
    course = Path(tempfile.mkdtemp(prefix="grading-benchmark-"))
    try:
        shutil.copy2(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / ASSIGNMENT, course / ASSIGNMENT,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        wall, _, status, output = nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
        print(f"generate_assignment: {wall:.1f} s" + (f", FAILED: {failed(output)}" if status else "") + "\n")
        measure_submission(course)
        measure_endless_loop(course)
        measure_class(course, options.processes, options.quick)
    finally:
        if options.keep:
            print(f"course folder kept: {course}")
        else:
            shutil.rmtree(course, ignore_errors=True)
    print(f"load average {' '.join(f'{value:.2f}' for value in os.getloadavg())} after")


if __name__ == "__main__":
    main()
