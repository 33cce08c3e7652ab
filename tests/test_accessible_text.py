"""Readable at a glance, and by a screen reader: the course's texts (README.md, the worked
notebooks' Markdown cells and the glossary) have headings in order, links whose text says where
they go, and every figure of the notebooks has a description (alt text) for the website.
"""
import json
import re

import pytest
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

import helpers
from test_exercises import cells, load_tool, source

ROOT = helpers.ROOT
# The Markdown the website (MyST, Jupyter Book's dollarmath) and JupyterLab read, with `$...$`
# and `$$...$$` formulas, so that a `#` in a formula or a code block is never taken for a heading.
MARKDOWN = MarkdownIt("commonmark").enable("table").use(dollarmath_plugin)


def course_texts():
    """{file: [(where, Markdown)]}: README.md, each worked notebook's Markdown cells, the glossary,
    the pages of docs/."""
    texts = {"README.md": [("", (ROOT / "README.md").read_text(encoding="utf-8"))]}
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        texts[f"notebooks/{path.name}"] = [(f"cell {index}", source(cell))
                                           for index, cell in enumerate(cells(path))
                                           if cell["cell_type"] == "markdown"]
    for path in [*sorted((ROOT / "notebooks").glob("*.md")), *sorted((ROOT / "docs").glob("*.md"))]:
        texts[path.relative_to(ROOT).as_posix()] = [("", path.read_text(encoding="utf-8"))]
    return texts


TEXTS = course_texts()


def place(where, token):
    line = f"line {token.map[0] + 1}" if token.map else ""
    return ", ".join(part for part in (where, line) if part)


# ---- Headings ----------------------------------------------------------------------------------

def heading_problems(parts):
    """What is wrong with the outline of one document, given as [(where, Markdown)]: its first
    heading must be its only `#`, and no heading may skip a level on the way down (`##` then
    `####`); going back up any number of levels is fine."""
    problems, previous, titles = [], 0, 0
    for where, text in parts:
        tokens = MARKDOWN.parse(text)
        for index, token in enumerate(tokens):
            if token.type != "heading_open":
                continue
            level, title = int(token.tag[1]), tokens[index + 1].content
            if previous == 0 and level != 1:
                problems.append(f"{place(where, token)}: the first heading, {title!r}, is "
                                f"{token.markup}, not the title's #")
            if level == 1:
                titles += 1
                if previous:
                    problems.append(f"{place(where, token)}: a second # title, {title!r}")
            elif previous and level > previous + 1:
                problems.append(f"{place(where, token)}: {title!r} is {token.markup} right after "
                                f"a level-{previous} heading (skips a level)")
            previous = level
    if titles == 0:
        problems.append("no # title")
    return problems


@pytest.mark.parametrize("text, complaint", [
    ("## Section\n\n# Title\n", "the first heading"),
    ("# Title\n\n## A\n\n#### B\n", "skips a level"),
    ("# Title\n\n# Another\n", "a second # title"),
    ("Only prose, and `# not a heading` in code.\n", "no # title"),
])
def test_the_heading_check_fails_on_a_bad_outline(text, complaint):
    assert any(complaint in problem for problem in heading_problems([("", text)]))


def test_the_heading_check_accepts_a_good_outline():
    text = "# Title\n\n## A\n\n### A.1\n\n#### A.1.a\n\n## B\n\n```python\n# a comment\n```\n"
    assert heading_problems([("", text)]) == []


# ---- Link texts --------------------------------------------------------------------------------

# Texts that say nothing of where a link goes (WCAG 2.4.4, "Link Purpose (In Context)").
VAGUE_LINK_TEXTS = {"here", "click here", "this", "this link", "link", "this page", "more",
                    "read more", "see here", "there", "page", "website", "this notebook"}
URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)", re.IGNORECASE)
HTML_LINK = re.compile(r"<a\s[^>]*\bhref\s*=[^>]*>(.*?)</a\s*>", re.IGNORECASE | re.DOTALL)


def link_problems(parts):
    """Links of a document whose text is vague ("here") or a bare URL (an autolink `<https://...>`
    included), as Markdown links and as HTML `<a href>`."""
    problems = []
    for where, text in parts:
        links = []
        for token in MARKDOWN.parse(text):
            children = token.children or []
            for index, child in enumerate(children):
                if child.type != "link_open":
                    continue
                words, end = [], index + 1
                while children[end].type != "link_close":
                    words.append(children[end].content or " ")
                    end += 1
                links.append((place(where, token), "".join(words), child.attrs.get("href", ""),
                              child.markup == "autolink"))
        links += [(where, re.sub(r"<[^>]+>", "", match.group(1)), "", False)
                  for match in HTML_LINK.finditer(text)]
        for position, words, href, autolink in links:
            label = " ".join(words.split()).strip(" .,:;!?").lower()
            if autolink or URL.match(label):
                problems.append(f"{position}: the link text is a bare address, {words!r}")
            elif label in VAGUE_LINK_TEXTS or not label:
                problems.append(f"{position}: the link text {words!r} says nothing of where it "
                                f"goes ({href})")
    return problems


@pytest.mark.parametrize("text", [
    "See [here](glossary.md#loss).", "[Click here](https://example.org) to read on.",
    "The data: <https://example.org/mnist>.", "[https://example.org](https://example.org)",
    'Read <a href="glossary.md">this</a>.', "[](glossary.md)",
])
def test_the_link_check_fails_on_a_vague_link(text):
    assert link_problems([("", text)])


def test_the_link_check_accepts_descriptive_links():
    text = ("The [learning rate](glossary.md#learning-rate), [Task 8](08_update_parameters.ipynb) "
            "and [the MNIST data set](https://example.org/mnist); `[here](x)` in code is no link.")
    assert link_problems([("", text)]) == []


# ---- The course's texts ------------------------------------------------------------------------

CHECKS = {"headings in order": heading_problems, "link texts that say where they go": link_problems}


@pytest.mark.parametrize("check", CHECKS)
@pytest.mark.parametrize("name", TEXTS)
def test_every_text_of_the_course_passes(name, check):
    problems = CHECKS[check](TEXTS[name])
    assert not problems, f"{name}, {check}:\n  " + "\n  ".join(problems)


# ---- Figures' alt text -------------------------------------------------------------------------

def alt_text_tool():
    return load_tool("set_figure_alt_text")


def test_every_figure_has_an_alt_text_ready_for_its_cell():
    """site/figure_alt_text.json gives each figure cell of the worked notebooks exactly one text,
    and the notebooks hold it (a figure added, the first line of a figure's cell edited, or a
    text edited without running the tool, shows up here)."""
    changed, problems = alt_text_tool().apply(ROOT)  # reads only: nothing is written
    assert not problems, ("site/figure_alt_text.json does not fit the notebooks:\n  "
                          + "\n  ".join(problems))
    stale = sorted(path.name for path in changed)
    assert stale == [], "alt texts differ from site/figure_alt_text.json: run tools/set_figure_alt_text.py"


def test_the_alt_texts_describe_the_figures():
    texts = json.loads((ROOT / "site" / "figure_alt_text.json").read_text(encoding="utf-8"))
    problems = []
    for notebook, entries in texts.items():
        for entry in entries:
            alt = entry["alt"].strip()
            sentences = len(re.findall(r"[.!?](?:\s|$)", alt))
            if not 40 <= len(alt) <= 400 or sentences > 2:
                problems.append(f"{notebook}, {entry['cell_first_line']!r}: {len(alt)} characters,"
                                f" {sentences} sentences (one or two, of 40 to 400 characters)")
            if re.match(r"(?:an? )?(?:image|picture|figure|graph|plot) of\b", alt, re.IGNORECASE):
                problems.append(f"{notebook}: {alt[:40]!r}... (a screen reader already says "
                                f"it is an image)")
    assert not problems, "\n".join(problems)
