"""Sphinx extension for the course's website: makes the links of the README, the pages of docs/
and the notebooks, written for GitHub and JupyterLab, resolve in the book, so that the build stays free of
warnings and a warning means a link that is really broken.

- The glossary marks each term with a raw HTML anchor, `<a id="test"></a>`, which MyST does not
  know as a target: `glossary.md#test` would warn "local id not found" although the browser
  finds the anchor. These anchors are registered as targets of their page.
- The README and the pages of docs/ link to files and folders of the repository that are no
  pages of the site (`exercises/`, `data/README.md`, `../tests/`): such a link becomes its text (which names the path), instead
  of a warning and a link to nowhere. A link to a path that does not exist still warns.
"""
import re
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

HTML_ANCHOR = re.compile(r"""<a\s+(?:[^>]*\s)?id=["']([^"']+)["']""")


def register_html_anchors(app, doctree):
    """Make every `<a id="...">` of a page a target MyST resolves `page.md#id` links to."""
    slugs = app.env.metadata[app.env.docname].setdefault("myst_slugs", {})
    for raw in doctree.findall(nodes.raw):
        if "html" in raw.get("format", "").split():
            for anchor in HTML_ANCHOR.findall(raw.astext()):
                # (line, id in the HTML, text of an implicit link): as MyST stores a heading.
                slugs.setdefault(anchor, (raw.line, anchor, anchor))


def unlink_repository_paths(app, doctree):
    """Replace a MyST link to an existing repository path that is not a page by its text."""
    env = app.env
    for ref in list(doctree.findall(addnodes.pending_xref)):
        if ref.get("reftype") != "myst":
            continue
        target = ref["reftarget"]
        if ref.get("refdomain") == "doc":
            # MyST makes a `doc` link only to a file that exists: here, one left out of the site.
            other_file = target not in env.found_docs
        else:  # an unresolved target: an anchor, a label, or a folder such as `exercises/`
            other_file = Path(env.relfn2path(target, env.docname)[1]).is_dir()
        if other_file:
            ref.replace_self(ref.children)


def setup(app):
    app.connect("doctree-read", register_html_anchors)
    app.connect("doctree-read", unlink_repository_paths)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
