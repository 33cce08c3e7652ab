"""The course as nbgrader grades it, for the drivers' users (tests and benchmarks/): the
assignment's name, a cell's source and nbgrader metadata, the worked solutions pasted into the
exercise edition, and the teacher's nbgrader commands as docs/teaching.md and docs/classroom.md give
them.
"""
import re
import shlex

# The assignment: the worked edition's folder, notebooks/, which nbgrader releases as the
# exercise edition (nbgrader_config.py, classroom/nbgrader_config.py).
ASSIGNMENT = "notebooks"


def source(cell):
    return "".join(cell["source"])


def grading(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def paste_solutions(exercise_source, worked_source):
    """The exercise cell with each `# YOUR CODE HERE` stub replaced by the worked solution's lines."""
    regions = re.findall(r"[ \t]*### BEGIN SOLUTION\n(.*?)[ \t]*### END SOLUTION\n?",
                         worked_source, re.S)
    # (an optional task's demonstration is released as a comment: course/editions.py)
    stubs = list(re.finditer(r"[ \t]*# YOUR CODE HERE\n[ \t]*(?:raise NotImplementedError\(\)|# \(optional\))\n?",
                             exercise_source))
    assert len(regions) == len(stubs), (len(regions), len(stubs), exercise_source)
    for stub, region in reversed(list(zip(stubs, regions))):
        exercise_source = exercise_source[:stub.start()] + region + exercise_source[stub.end():]
    return exercise_source


def nbgrader_commands(path, heading):
    """The `nbgrader` command lines of the bash blocks in the section `## <heading>` of the
    markdown file `path`, in order, each as its arguments."""
    section = path.read_text(encoding="utf-8").split(f"## {heading}", 1)[1].split("\n## ", 1)[0]
    return [shlex.split(line, comments=True)[1:]
            for block in re.findall(r"```bash\n(.+?)\n\s*```", section, re.S)
            for line in map(str.strip, block.splitlines()) if line.startswith("nbgrader ")]
