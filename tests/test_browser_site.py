"""The course as a website (docs/website.md): built with that page's command
into a temporary folder, then opened in Chromium with every request that would leave the machine
blocked. Every page of the book must show every formula typeset by the site's own MathJax and
every figure, in the numbers its source holds, each figure with a description (alt text), and
pass the axe-core accessibility audit; the checker must fail on a broken page.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from functools import partial
from html import unescape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe

import helpers
from test_accessible_text import MARKDOWN
from test_exercises import cells, source

pytestmark = pytest.mark.browser

ROOT = helpers.ROOT
# docs/website.md's command, which the test runs with `--path-output` added (the site goes to a
# temporary folder instead of _build/).
BUILD_COMMAND = ".venv/bin/jupyter-book build . --config site/_config.yml --toc site/_toc.yml -W"
BUILD_SECONDS = 60
LOCAL_HOSTS = {"127.0.0.1", "localhost"}


def toc_pages():
    """The book's pages in order, as Sphinx names them: the TOC's root, then its chapters."""
    toc = yaml.safe_load((ROOT / "site" / "_toc.yml").read_text(encoding="utf-8"))
    return [toc["root"], *(chapter["file"] for chapter in toc["chapters"])]


PAGES = toc_pages()
GLOSSARY = "notebooks/glossary"


# ------------------------------------------------------------------------------------------------
# What each page must show, counted in its source
# ------------------------------------------------------------------------------------------------

def tokens(text):
    """Every token of a Markdown text, inline ones included."""
    def walk(items):
        for token in items:
            yield token
            yield from walk(token.children or [])
    return list(walk(MARKDOWN.parse(text)))


def expected_content(page):
    """How many formulas and images the page's source holds: formulas in its Markdown, images
    in its Markdown and the saved PNG outputs of its notebook (shown as they are, not re-run)."""
    notebook = ROOT / f"{page}.ipynb"
    if notebook.exists():
        its_cells = cells(notebook)
        texts = [source(cell) for cell in its_cells if cell["cell_type"] == "markdown"]
        pngs = sum("image/png" in output.get("data", {})
                   for cell in its_cells for output in cell.get("outputs", []))
    else:
        texts, pngs = [(ROOT / f"{page}.md").read_text(encoding="utf-8")], 0
    found = [token.type for text in texts for token in tokens(text)]
    return {"formulas": sum(kind.startswith("math") for kind in found),
            "images": found.count("image") + pngs}


# ------------------------------------------------------------------------------------------------
# The site, built and served
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built_site(tmp_path_factory):
    """docs/website.md's build command, output in a temporary folder; (its HTML folder, seconds
    taken)."""
    output = tmp_path_factory.mktemp("website")
    program, *arguments = BUILD_COMMAND.split()
    program = shutil.which(Path(program).name, path=Path(sys.executable).parent)  # this venv's
    # No byte code written into site/; any HTTP(S) client honouring the proxy variables fails.
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "NO_PROXY": "", "no_proxy": "",
                   **{name: "http://127.0.0.1:9" for name in
                      ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")}}
    start = time.monotonic()
    result = subprocess.run([program, *arguments, "--path-output", str(output)], cwd=ROOT,
                            env=environment, capture_output=True, text=True, check=False,
                            timeout=4 * BUILD_SECONDS)
    seconds = time.monotonic() - start
    assert result.returncode == 0, (f"the website did not build (exit {result.returncode}; -W "
                                    f"makes a warning an error):\n{result.stdout[-3000:]}"
                                    f"\n{result.stderr[-3000:]}")
    return output / "_build" / "html", seconds


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # pytest shows a failure's messages; the log is noise
        pass


@pytest.fixture(scope="module")
def site_url(built_site):
    """The built site, served by Python's HTTP server on this machine only."""
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 partial(QuietHandler, directory=str(built_site[0])))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join()


def is_local(url):
    url = urlparse(url)
    return url.scheme in {"file", "data", "blob", "about"} or url.hostname in LOCAL_HOSTS


class Watched:
    """While in use, what `page` asks for: every request for something outside this machine
    (which the context's proxy blocks), local requests that failed, and script errors."""

    def __init__(self, page):
        self.page = page
        self.blocked, self.failed, self.script_errors = [], [], []
        self.listeners = {"request": self.on_request, "response": self.on_response,
                          "requestfailed": self.on_failure, "pageerror": self.on_script_error}

    def __enter__(self):
        for event, listener in self.listeners.items():
            self.page.on(event, listener)
        return self

    def __exit__(self, *exception):
        # Leaving the page ends its requests while still watched: an event that comes late is
        # not blamed on the next page.
        self.page.goto("about:blank")
        for event, listener in self.listeners.items():
            self.page.remove_listener(event, listener)

    def on_request(self, request):
        if not is_local(request.url):
            self.blocked.append(request.url)

    def on_response(self, response):
        if response.status >= 400:
            self.failed.append(f"{response.url} (HTTP {response.status})")

    def on_failure(self, request):
        if is_local(request.url):
            self.failed.append(f"{request.url} ({request.failure})")

    def on_script_error(self, error):
        self.script_errors.append(str(error))


@pytest.fixture(scope="module")
def tab(browser):
    """One tab of one browser context for the module. Every request for another machine goes
    to a proxy on a port of this machine where nothing listens, so it fails there (cheaper than
    intercepting every request). No service workers: every request is the tab's."""
    with socket.socket() as closed_port:
        closed_port.bind(("127.0.0.1", 0))  # held, never listening: connections are refused
        proxy = {"server": f"http://127.0.0.1:{closed_port.getsockname()[1]}",
                 "bypass": ",".join(LOCAL_HOSTS)}
        # 1280 pixels wide: a common laptop window, where the site's column is 688 pixels, the
        # widest a figure may be to be shown unshrunk (test_figures_accessible.py).
        context = browser.new_context(proxy=proxy, service_workers="block",
                                      viewport={"width": 1280, "height": 720})
        yield context.new_page()
        context.close()


# ------------------------------------------------------------------------------------------------
# The checker
# ------------------------------------------------------------------------------------------------

# After MathJax's first typesetting and the fonts it asked for: what the page shows.
PAGE_STATE = r"""async () => {
    if (window.MathJax && MathJax.startup) await MathJax.startup.promise;  // absent if not loaded
    await document.fonts.ready;
    const article = document.querySelector("article.bd-article");
    const text = (element) => element.textContent.trim().slice(0, 80);
    const prose = article.cloneNode(true);  // the text a reader sees, less code and formulas
    prose.querySelectorAll("pre, code, mjx-container").forEach((element) => element.remove());
    return {
        formulas: article.querySelectorAll(".math").length,
        untypeset: [...document.querySelectorAll(".math")]
            .filter((math) => !math.querySelector("mjx-container")).map(text),
        tex_errors: [...document.querySelectorAll("mjx-merror")]
            .map((error) => error.getAttribute("data-mjx-error") || text(error)),
        raw_tex: prose.textContent.match(/\\\(|\\\[|\$\$|\$[^$\s][^$]*\$/g) || [],
        images: article.querySelectorAll("img").length,
        not_shown: [...document.images]
            .filter((image) => !(image.complete && image.naturalWidth > 0))
            .map((image) => image.getAttribute("src")),
        // A figure wider than the column is shrunk to fit, and its text with it (below 9 pt).
        shrunk: [...article.querySelectorAll("img")]
            .filter((image) => image.naturalWidth > 0 && image.clientWidth < image.naturalWidth)
            .map((image) => `${image.getAttribute("src")} at ${image.clientWidth} of `
                 + `${image.naturalWidth} pixels`),
        fonts_failed: [...document.fonts].filter((font) => font.status === "error")
            .map((font) => font.family),
    };
}"""


# The accessibility audit: axe-core (bundled with axe-playwright-python, injected into the page,
# nothing fetched), its default rules (WCAG 2.x A and AA, and best practices). A page fails on a
# violation of impact "serious" or "critical", of the course's content or the book's
# configuration. Violations of the upstream theme that configuration cannot fix are listed in
# THEME_VIOLATIONS, each by rule and selector with its upstream issue (docs/website.md,
# "Accessibility of the website"): none today.
AXE_SCRIPT = Axe().axe_script
AXE_IMPACTS = ("serious", "critical")
THEME_VIOLATIONS = {  # (axe rule, CSS selector of the elements it may flag): upstream issue
}

# axe's colour-contrast rule costs milliseconds per text element, and a notebook page holds
# thousands of alike ones (the tokens of its code). It checks one element of each kind of text:
# the same tags, classes and inline styles on its way up the page, colour, size and weight (so
# the same colours on the same background); one the site checked already, on this page or an
# earlier one (`seen`), is not checked again. Every other rule checks every element.
AXE_AUDIT = r"""async ({seen, impacts, ignored}) => {
    const known = new Set(seen), kinds = [];
    const hasText = (element) => [...element.childNodes]
        .some((node) => node.nodeType === Node.TEXT_NODE && node.data.trim());
    const step = (element) => [element.localName, ...[...element.classList].sort()].join(".")
        + (element.getAttribute("style") ? `[${element.getAttribute("style")}]` : "");
    for (const element of document.body.querySelectorAll("*")) {
        element.removeAttribute("data-axe-sample");
        if (!hasText(element)) continue;
        const path = [];
        for (let up = element; up && up !== document.body; up = up.parentElement) {
            const plain = ["section", "div", "span"].includes(up.localName) && !up.classList.length
                && !up.getAttribute("style");
            if (!plain) path.push(step(up));
        }
        const style = getComputedStyle(element);
        const kind = [path.join("<"), style.color, style.fontSize, style.fontWeight].join("|");
        if (known.has(kind)) continue;
        known.add(kind);
        kinds.push(kind);
        element.setAttribute("data-axe-sample", "");
    }
    axe.configure({rules: [{id: "color-contrast", selector: "[data-axe-sample]"}]});
    // No preload: axe would fetch the style sheets again, resolving their @import against the
    // page instead of the sheet (basic.css, a 404); only css-orientation-lock needs them.
    const results = await axe.run(document, {resultTypes: ["violations"], preload: false});
    const found = [];
    for (const violation of results.violations) {
        for (const node of violation.nodes) {
            const element = document.querySelector(node.target.join(" "));
            const theirs = ignored.some(([rule, selector]) => rule === violation.id
                && element && element.closest(selector));
            found.push({rule: violation.id, impact: node.impact || violation.impact,
                        help: violation.help, target: node.target.join(" "),
                        html: node.html.slice(0, 160),
                        serious: impacts.includes(node.impact || violation.impact) && !theirs});
        }
    }
    return {kinds, found};
}"""


def axe_audit(tab, seen):
    """Every violation axe finds on the open page (a dict each); adds to `seen` the kinds of
    text whose colour contrast it checked."""
    tab.evaluate(AXE_SCRIPT)
    result = tab.evaluate(AXE_AUDIT, {"seen": sorted(seen), "impacts": list(AXE_IMPACTS),
                                      "ignored": [list(key) for key in THEME_VIOLATIONS]})
    seen.update(result["kinds"])
    return result["found"]


def check_page(tab, url, expected, audit=None):
    """Open `url` with the network blocked; fail naming the page and everything wrong with it:
    a formula not typeset or in error, raw TeX left in the text, a figure missing or not shown,
    a request that had to leave the machine or failed, a script error, and, given `audit` (the
    set of kinds of text already checked, see AXE_AUDIT), a serious or critical accessibility
    problem that axe finds."""
    with Watched(tab) as watched:
        tab.goto(url, wait_until="load")
        state = tab.evaluate(PAGE_STATE)
        violations = [] if audit is None else axe_audit(tab, audit)
    serious = [f"{v['rule']} ({v['impact']}: {v['help']}) at {v['target']}: {v['html']}"
               for v in violations if v["serious"]]
    checks = {  # message: whether it applies
        f"{state['formulas']} formulas, but its source has {expected['formulas']}":
            state["formulas"] != expected["formulas"],
        f"formulas not typeset: {state['untypeset'][:5]}": state["untypeset"],
        f"TeX errors: {state['tex_errors'][:5]}": state["tex_errors"],
        f"raw TeX in the text: {state['raw_tex'][:5]}": state["raw_tex"],
        f"{state['images']} images, but its source has {expected['images']}":
            state["images"] != expected["images"],
        f"images not shown: {state['not_shown']}": state["not_shown"],
        f"figures shrunk to fit the column: {state['shrunk']}": state["shrunk"],
        f"fonts not loaded: {state['fonts_failed']}": state["fonts_failed"],
        f"requests blocked (they would leave the machine): {watched.blocked}": watched.blocked,
        f"requests failed: {watched.failed}": watched.failed,
        f"script errors: {watched.script_errors}": watched.script_errors,
        "accessibility problems (axe):\n    " + "\n    ".join(serious): serious,
    }
    problems = [message for message, applies in checks.items() if applies]
    assert not problems, f"{url}:\n  " + "\n  ".join(problems)


# ------------------------------------------------------------------------------------------------
# Tests
# ------------------------------------------------------------------------------------------------

def test_the_website_page_documents_the_build_command():
    page = (ROOT / "docs" / "website.md").read_text(encoding="utf-8")
    assert BUILD_COMMAND in page, f"docs/website.md should give the site's command: {BUILD_COMMAND}"


def test_every_page_of_docs_is_a_page_of_the_site():
    """The README, the site's home page, links to every page of docs/ (test_repository.py): each
    is a page of the site too, not a link turned into its text."""
    missing = [page.relative_to(ROOT).with_suffix("").as_posix()
               for page in sorted((ROOT / "docs").glob("*.md"))]
    missing = [page for page in missing if page not in PAGES]
    assert not missing, f"pages of docs/ missing from site/_toc.yml: {missing}"


def test_the_site_builds_in_under_a_minute_with_every_asset_its_own(built_site):
    html, seconds = built_site
    assert seconds < BUILD_SECONDS, f"the website took {seconds:.0f} s to build"
    missing = [page for page in PAGES if not (html / f"{page}.html").is_file()]
    assert not missing, f"pages of site/_toc.yml not built: {missing}"
    # What a page loads by itself (scripts, styles, images, frames), outside the site.
    external = re.compile(r"<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)=[\"']"
                          r"(?:[a-z]+:)?//[^\"']*", re.IGNORECASE)
    built = [path for path in html.rglob("*.html") if BROKEN not in path.name]  # not broken_copy's
    loaded = {f"{path.relative_to(html)}: {match}" for path in built
              for match in external.findall(path.read_text(encoding="utf-8"))}
    assert not loaded, "pages load assets from outside the site:\n" + "\n".join(sorted(loaded))


def test_the_home_page_is_the_readme_opened_from_the_files_too(tab, built_site):
    """docs/website.md's other way to view the site: opening index.html from the disk, no
    server."""
    html = built_site[0]
    title = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()[0].lstrip("# ")
    tab.goto((html / "index.html").as_uri(), wait_until="load")
    # Jupyter Book's index.html sends the browser on to the TOC's root page.
    tab.wait_for_url((html / f"{PAGES[0]}.html").as_uri(), timeout=5000)
    heading = tab.locator("article h1").first.inner_text()
    assert heading.strip().rstrip("#").strip() == title, f"the home page's title is {heading!r}"
    check_page(tab, (html / f"{PAGES[0]}.html").as_uri(), expected_content(PAGES[0]))


@pytest.fixture(scope="module")
def contrast_checked():
    """The kinds of text whose colour contrast axe checked on the pages opened so far."""
    return set()


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_its_formulas_and_figures_offline_and_passes_axe(
        tab, site_url, contrast_checked, page):
    check_page(tab, f"{site_url}{page}.html", expected_content(page), audit=contrast_checked)


# What a screen reader says for a figure without a description: JupyterLab's and nbconvert's
# placeholder, or myst-nb's default, the image's file name.
NO_DESCRIPTION = "No description has been provided for this image"


def test_every_image_has_a_description(built_site):
    """Each figure's alt text comes from its cell's metadata (tools/set_figure_alt_text.py
    writes the texts of site/figure_alt_text.json there)."""
    problems = []
    for page in PAGES:
        text = (built_site[0] / f"{page}.html").read_text(encoding="utf-8")
        if NO_DESCRIPTION in text:
            problems.append(f"{page}: {NO_DESCRIPTION!r}")
        for image in re.findall(r"<img\b[^>]*>", text):
            alt = re.search(r'\balt="([^"]*)"', image)
            source = re.search(r'\bsrc="([^"]*)"', image)
            alt = unescape(alt.group(1)).strip() if alt else ""
            source = unescape(source.group(1)) if source else ""
            if not alt or alt in {source, Path(source).name} or alt == NO_DESCRIPTION:
                problems.append(f"{page}: {source} has no description (alt {alt!r})")
    assert not problems, ("images without a description (run `python "
                          "tools/set_figure_alt_text.py`):\n" + "\n".join(problems))


def first_page_with_formulas_and_images():
    return next(page for page in PAGES
                if all(count > 0 for count in expected_content(page).values()))


# Broken copies of a page, next to it (its relative links still work): each must be caught.
def first_formula_replaced(tex):
    return lambda html: re.sub(r"\\\(.*?\\\)", lambda _: rf"\({tex}\)", html, count=1)


DEFECTS = {  # defect: (edit of the page's HTML, what the checker must say)
    "TeX error": (first_formula_replaced(r"x^2^3"), "TeX errors"),
    "unbalanced braces": (first_formula_replaced(r"\frac{1}{2"), "formulas not typeset"),
    "figure file missing": (lambda html: re.sub(r'(<img [^>]*src="[^"]+)"', r'\1.gone"', html,
                                                count=1),
                            "images not shown"),
    "figure left out": (lambda html: re.sub(r"<img [^>]*>", "", html, count=1),
                        "images, but its source"),
    "figure shrunk": (lambda html: re.sub(r"<img ", '<img style="width: 100px" ', html, count=1),
                        "figures shrunk"),
    "MathJax from a CDN": (lambda html: re.sub(r'src="[^"]*mathjax/tex-chtml\.js[^"]*"',
                                               'src="https://cdn.jsdelivr.net/npm/mathjax@3/es5/'
                                               'tex-chtml.js"', html, count=1),
                           "requests blocked"),
}


@pytest.mark.parametrize("defect", DEFECTS)
def test_the_checker_fails_on_a_broken_page(tab, built_site, site_url, defect):
    page = first_page_with_formulas_and_images()
    edit, complaint = DEFECTS[defect]
    copy = broken_copy(built_site[0], page, defect, edit)
    with pytest.raises(AssertionError, match=complaint):
        check_page(tab, f"{site_url}{copy}", expected_content(page))


BROKEN = ".broken-"  # in the name of a negative test's page, beside the built pages


def broken_copy(html, page, defect, edit):
    """The page's HTML with `edit` applied, written beside it (so its relative links still work);
    returns its file name."""
    original = (html / f"{page}.html").read_text(encoding="utf-8")
    broken = edit(original)
    assert broken != original, f"the {defect!r} edit changed nothing in {page}.html"
    copy = f"{page}{BROKEN}{defect.replace(' ', '-')}.html"
    (html / copy).write_text(broken, encoding="utf-8")
    return copy


def in_article(pattern, replacement):
    """An edit of the first match of `pattern` in the page's article (not its theme)."""
    def edit(html):
        start = html.index("<article")
        return html[:start] + re.sub(pattern, replacement, html[start:], count=1)
    return edit


AXE_DEFECTS = {  # defect: (edit of the glossary's HTML, the axe rule that must fail it)
    "pale text": (in_article(r"<p>", '<p style="color: #c8c8c8">'), "color-contrast"),
    "link without a name": (in_article(r"<p>", '<p><a href="01_introduction.html"></a>'),
                            "link-name"),
    "image without alt text": (in_article(r"<p>", '<p><img src="../_static/nothing.png">'),
                               "image-alt"),
}


@pytest.mark.parametrize("defect", AXE_DEFECTS)
def test_the_axe_audit_fails_on_an_inaccessible_page(tab, built_site, site_url, defect):
    page = GLOSSARY  # no formulas, no figures; quick to audit
    edit, rule = AXE_DEFECTS[defect]
    copy = broken_copy(built_site[0], page, defect, edit)
    with pytest.raises(AssertionError, match=rf"accessibility problems \(axe\):[\s\S]*{rule}"):
        check_page(tab, f"{site_url}{copy}", expected_content(page), audit=set())
