"""What a learner gets back, and the teacher's view of a class.

- nbgrader's per-notebook feedback pages, finished: formulas typeset offline (MathJax from the
  sphinx-mathjax-offline package, copied beside the pages), messages wrapped instead of cut off,
  each figure with the alt text its cell carries, and no path of the teacher's machine.
- summary.html beside them: the learner's total, each check by name with its points and the first
  line of its message, and what happened to the submission (grading_notes.json).
- class_summary.html at the course's root: one row per learner, for the teacher.
"""
import html
import json
import re
import shutil
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

from course.notebooks import COURSE_NOTEBOOKS

NOTES_FILE = "grading_notes.json"
MATHJAX_FOLDER = "mathjax"
WRAP_CSS = """<style>
/* the course: a check's message wraps, so that its likely cause is never cut off */
div.output_area pre, div.output_subarea pre, pre { white-space: pre-wrap; overflow-wrap: anywhere; }
/* links that read as links: underlined, in a blue with enough contrast on white */
a, a:visited { color: #0645ad; text-decoration: underline; }
/* nbgrader's check headings (white on blue) and code comments, with enough contrast (WCAG AA) */
.panel-primary > .panel-heading { background-color: #245580; border-color: #245580; }
.nbgrader_cell .panel-heading .pull-right a, .nbgrader_cell .panel-heading a:visited { color: #fff; }
</style>"""
CODE_BACKGROUND = (0xF5, 0xF5, 0xF5)  # nbconvert's code cells
MATHJAX_CONFIG = """<script>
window.MathJax = {tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], processEscapes: true},
                  svg: {fontCache: 'global'}};
</script>
<script defer src="mathjax/tex-svg-full.js"></script>"""
FIGURE_WITHOUT_TEXT = "A figure drawn by the notebook (no description was given for it)."


class FiguresWithAltText(Preprocessor):
    """Each image output gets the alt text its cell carries (metadata.mystnb.image.alt, set in
    the worked edition and released with it), or says plainly that it has none."""

    def preprocess_cell(self, cell, resources, index):
        alt = (((cell.get("metadata") or {}).get("mystnb") or {}).get("image") or {}).get("alt")
        for output in cell.get("outputs", []):
            if any(key.startswith("image/") for key in (output.get("data") or {})):
                output.setdefault("metadata", {})["alt"] = alt or FIGURE_WITHOUT_TEXT
        return cell, resources


def mathjax_file():
    """tex-svg-full.js of the sphinx-mathjax-offline package: MathJax 3 with every TeX extension
    in one file (2.3 MB), so that nothing is loaded later (\\boldsymbol, for one), no fonts."""
    from importlib.metadata import PackageNotFoundError, distribution
    try:
        found = distribution("sphinx-mathjax-offline").locate_file(
            "sphinx-mathjax-offline/static/mathjax/tex-svg-full.js")
    except PackageNotFoundError:
        raise RuntimeError("feedback pages need MathJax from the package sphinx-mathjax-offline: "
                           "pip install -r requirements-teacher.txt") from None
    return Path(found)


def finish_pages(folder, course_root):
    """nbgrader's feedback pages in `folder`: offline formulas, wrapped messages, no paths."""
    folder = Path(folder)
    (folder / MATHJAX_FOLDER).mkdir(exist_ok=True)
    shutil.copyfile(mathjax_file(), folder / MATHJAX_FOLDER / mathjax_file().name)
    for page in folder.glob("*.html"):
        if page.name == "summary.html":
            continue
        text = page.read_text(encoding="utf-8")
        text = re.sub(r"<script[^>]*>[^<]*MathJax\.Hub\.Config.*?</script>", "", text, flags=re.DOTALL)
        text = re.sub(r"<script[^>]*src=\"https?://[^\"]*mathjax[^\"]*\"[^>]*>\s*</script>", "",
                      text, flags=re.IGNORECASE)
        text = text.replace("</head>", f"{WRAP_CSS}\n{MATHJAX_CONFIG}\n</head>", 1)
        text = re.sub(r"<html(?![^>]*\blang=)", '<html lang="en"', text, count=1)  # for screen readers
        text = scrub(text, course_root)
        text = readable_code_colours(text)
        page.write_text(text, encoding="utf-8")


def readable_code_colours(text):
    """The syntax colours of code (`.highlight .k { color: #008000 }` ...) darkened where they
    fall below WCAG AA's contrast of 4.5 on the code's background (pygments' default style has
    four such colours)."""
    def darker(digits):
        digits = digits if len(digits) == 6 else "".join(digit * 2 for digit in digits)  # #a2f
        colour = [int(digits[i:i + 2], 16) for i in (0, 2, 4)]
        while _contrast(colour, CODE_BACKGROUND) < 4.6:
            colour = [int(part * 0.9) for part in colour]
        return "color: #" + "".join(f"{part:02x}" for part in colour)
    return re.sub(r"(\.highlight [^{}]*\{[^{}]*?)color: ?#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})\b",
                  lambda found: found.group(1) + darker(found.group(2)), text)


def _contrast(one, other):
    def luminance(colour):
        linear = [(c / 255) / 12.92 if c / 255 <= 0.03928 else ((c / 255 + 0.055) / 1.055) ** 2.4
                  for c in colour]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    lighter, darker = sorted((luminance(one), luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def scrub(text, course_root):
    """No path of the teacher's machine: the course's root (and the home folder) left out."""
    for path in {str(Path(course_root).resolve()), str(Path(course_root))}:
        text = text.replace(path + "/", "").replace(path, "the course")
    return re.sub(r"/(?:home|root|srv|Users)/[^\s\"'<>]*?/(?=[\w.-]+\.ipynb)", "", text)


def checks_of(autograded_folder, grades):
    """[(notebook, check name, score, max, first line, waiting for a manual grade)] of a
    submission, in the course's order; each written answer (written.py) after its notebook's
    checks. `grades`: {grade id: (score, max score, notebook, waiting)} from the gradebook."""
    rows = []
    for name in COURSE_NOTEBOOKS:
        path = Path(autograded_folder) / name
        if not path.is_file():  # not handed in, or unreadable: its checks count, at 0
            from course.checks.framework import CHECKS
            order = [f"check_{check}" for check in CHECKS]
            rows += [(name, grade_id.removeprefix("check_"), grade[0], grade[1],
                      "✗ not graded: this notebook was not handed in, or could not be read", False)
                     for grade_id, grade in sorted(grades.items(), key=lambda item: order.index(item[0])
                                                   if item[0] in order else len(order))
                     if grade[2] == name.removesuffix(".ipynb")]
            continue
        written = []
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            grading = (cell.get("metadata") or {}).get("nbgrader") or {}
            if not grading.get("grade") or grading.get("grade_id") not in grades:
                continue
            score, maximum, _, waiting = grades[grading["grade_id"]]
            if grading.get("solution"):  # a written answer, graded by hand
                written.append((name, grading["grade_id"], None if waiting else score, maximum,
                                written_line(score, maximum, waiting), waiting))
                continue
            rows.append((name, grading["grade_id"].removeprefix("check_"), score, maximum,
                         first_line(cell.get("outputs", [])), False))
        rows += written
    return rows


def written_line(score, maximum, waiting):
    """What a written answer's row says."""
    if waiting:
        return "· written answer: not graded yet (your teacher grades it by hand)"
    if score is None or score == 0:
        return "✗ written answer: no points (not answered, or graded 0 by your teacher)"
    return f"{'✓' if score >= maximum else '·'} written answer: graded by your teacher"


def first_line(outputs):
    for output in outputs:
        if output.get("output_type") == "error":
            return (output.get("evalue") or output.get("ename") or "").strip().splitlines()[0:1][0] \
                if (output.get("evalue") or output.get("ename")) else "✗"
    for output in outputs:
        text = "".join(output.get("text", "")) if output.get("output_type") == "stream" else ""
        for line in text.splitlines():
            if line.startswith(("✓", "✗", "·")):
                return line
    return "✓ (no message)"


def write_summary(folder, student, assignment, rows, notes, penalty=0.0):
    """summary.html in the learner's feedback folder; `penalty`: points off for lateness. While
    written answers wait for the teacher's grade, the total says "so far" and how many wait."""
    total, maximum = sum(row[2] or 0 for row in rows) - penalty, sum(row[3] for row in rows)
    waiting = sum(1 for row in rows if row[5])
    heading = result_line(total, maximum, waiting)
    body = [f"<h1>{html.escape(heading)}</h1>",
            (f"<p>Assignment <code>{html.escape(assignment)}</code>, learner "
             f"<code>{html.escape(student)}</code>. Each check below links to its notebook's page, "
             f"which shows the whole message.</p>")]
    if waiting:
        body.append(f"<p>Not your final result: your teacher has yet to grade {_answers(waiting)} "
                    f"by hand (their points are not counted above).</p>")
    if notes:
        body.append("<h2>What happened to your submission</h2><ul>"
                    + "".join(f"<li>{html.escape(note)}</li>" for note in notes) + "</ul>")
    written = any(row[1].startswith("written_") for row in rows)
    body.append(f"<h2>Every check{' and written answer' if written else ''}</h2><table><thead><tr>"
                f"<th scope='col'>Notebook</th><th scope='col'>Check</th><th scope='col'>Points</th>"
                f"<th scope='col'>Message</th></tr></thead><tbody>")
    for notebook, check, score, most, line, waits in rows:
        page = notebook.replace(".ipynb", ".html")
        points = f"– / {most:g}" if waits else f"{(score or 0):g} / {most:g}"
        body.append(f"<tr><td><a href='{page}'>{html.escape(notebook.removesuffix('.ipynb'))}</a></td>"
                    f"<td><code>{html.escape(check)}</code></td><td class='points'>{points}</td>"
                    f"<td>{html.escape(line)}</td></tr>")
    body.append("</tbody></table>")
    (Path(folder) / "summary.html").write_text(_page(heading, body), encoding="utf-8")
    return total, maximum


def result_line(total, maximum, waiting=0):
    """"Your result: 44 of 44 points", or while written answers wait for a grade "Your result so
    far: 44 of 73 points (29 written answers not graded yet)"."""
    if not waiting:
        return f"Your result: {total:g} of {maximum:g} points"
    return f"Your result so far: {total:g} of {maximum:g} points ({_answers(waiting)} not graded yet)"


def _answers(count):
    return f"{count} written answer{'' if count == 1 else 's'}"


def write_class_summary(root, assignment, learners):
    """class_summary.html: [(student, total, maximum, notes, written answers waiting for a
    grade)] as one table for the teacher."""
    body = [f"<h1>Class summary: {html.escape(assignment)}</h1>",
            ("<p>Each learner's total and what happened to their submission (their feedback's "
             "summary.html says the same to them).</p>")]
    if any(learner[4] for learner in learners):
        body.append("<p>A total marked \"so far\" is not final: written answers wait for your "
                    "grade (the Formgrader's Manual Grading; rubric.md has the model answers). "
                    "Then run <code>nbgrader generate_feedback --force</code> again.</p>")
    body.append("<table><thead><tr><th scope='col'>Learner</th><th scope='col'>Points</th>"
                "<th scope='col'>What happened</th></tr></thead><tbody>")
    for student, total, maximum, notes, waiting in sorted(learners):
        said = "<br>".join(html.escape(note) for note in notes) or "nothing unusual"
        points = f"{total:g} / {maximum:g}" + (f" so far ({_answers(waiting)} to grade)" if waiting else "")
        body.append(f"<tr><td>{html.escape(student)}</td><td class='points'>{points}</td><td>{said}</td></tr>")
    body.append("</tbody></table>")
    (Path(root) / "class_summary.html").write_text(_page(f"Class summary: {assignment}", body),
                                                   encoding="utf-8")


def _page(title, body):
    return ("<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title>"
            "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;"
            "line-height:1.5;color:#1a1a1a}table{border-collapse:collapse;width:100%}"
            "th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top;"
            "overflow-wrap:anywhere}td.points{white-space:nowrap}a{color:#0645ad}</style>"
            "</head><body><main>" + "\n".join(body) + "</main></body></html>\n")
