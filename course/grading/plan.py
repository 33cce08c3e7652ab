"""What a graded run of one notebook executes, and in which order: a plan made from the teacher's
source notebook (the worked edition) and the learner's submitted one.

- The course's own code cells come from the source, so that a setup cell the learner deleted or
  changed costs nothing; of those, only the ones a graded check needs run (the model's cells
  always; a training run or a figure only when a later cell reads what it makes).
- Each exercise is the learner's solution cell, found by its nbgrader id; when that cell is an
  untouched stub (or gone) and another cell of the learner's defines the same names (a copy of
  the cell, which nbgrader strips of its id), that cell is the answer.
- Cells the learner added run only their imports, functions and classes: a helper function of
  theirs counts, a long experiment of theirs costs no grading time.
- Every graded check cell runs as the source has it, hidden cases included; one the learner
  deleted is put back into the notebook, where nbgrader grades it.

Each step says where its outputs go: the index of the submitted notebook's cell, or None.
"""
import ast
import copy
import dataclasses
import re
import symtable

CHECK_CALL = re.compile(r"""helpers\.check\(\s*["']([\w]+)["']""")
SOLUTION_REGION = re.compile(r"([ \t]*)### BEGIN SOLUTION\n.*?### END SOLUTION\n?", re.DOTALL)
GOING_FURTHER, PROGRESS, MODEL = "going-further", "progress", "model"
SET_ASIDE = "course_copy_of"  # a copied exercise cell that submission.prepare set aside


@dataclasses.dataclass
class Step:
    kind: str            # "given", "solution", "extra" or "check"
    source: str
    label: str           # how a message names the cell: "the cell with `def sigmoid(z):`"
    cell: int | None     # the submitted notebook's cell that shows its outputs
    grade_id: str = ""   # a solution's or a check's nbgrader id


@dataclasses.dataclass
class Plan:
    steps: list
    notes: list          # what happened to the submission, one sentence each, for the learner
    notebook: dict       # the submitted notebook, with any deleted check cell put back


def source_of(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def nbgrader_of(cell):
    return (cell.get("metadata") or {}).get("nbgrader") or {}


def tags_of(cell):
    return (cell.get("metadata") or {}).get("tags") or []


def released(source):
    """The cell as the learner's edition has it: each solution region a stub."""
    return SOLUTION_REGION.sub(lambda found: f"{found.group(1)}# YOUR CODE HERE\n"
                                             f"{found.group(1)}raise NotImplementedError()\n", source)


def is_stub(source, worked_source):
    """The learner's cell is the released stub, untouched (spacing aside)."""
    squeeze = lambda text: re.sub(r"\s+", "", text)
    return squeeze(source) == squeeze(released(worked_source))


def first_line(source):
    lines = [line.strip() for line in source.splitlines() if line.strip() and not line.strip().startswith("#")]
    definitions = [line for line in lines if re.match(r"(def|class) ", line)]
    line = (definitions or lines or ["an empty cell"])[0]
    return line if len(line) <= 50 else line[:47] + "..."


def label(source):
    return f"the cell with `{first_line(source)}`"


def stored_names(source):
    """Names a cell's top level gives a value or changes (`LogisticModel.record = ...` changes
    LogisticModel), with its imports, functions and classes."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        for part in ast.walk(node):
            if isinstance(part, ast.Name) and isinstance(part.ctx, ast.Store):
                names.add(part.id)
            elif isinstance(part, (ast.Attribute, ast.Subscript)) and isinstance(part.ctx, ast.Store):
                root = part.value
                while isinstance(root, (ast.Attribute, ast.Subscript)):
                    root = root.value
                if isinstance(root, ast.Name):
                    names.add(root.id)
    return names


def read_names(source):
    """The notebook's names a cell reads: at its top level, and inside its functions and classes
    the ones that are not their own (they read the notebook's names when called). A cell that
    does not compile reads nothing: it fails where it stands."""
    try:
        table = symtable.symtable(source, "cell", "exec")
    except SyntaxError:
        return set()
    names, scopes = set(), [table]
    while scopes:
        scope = scopes.pop()
        scopes.extend(scope.get_children())
        for symbol in scope.get_symbols():
            top = scope.get_type() == "module"
            if symbol.is_referenced() and (top or symbol.is_global()):
                names.add(symbol.get_name())
    return names


def definitions(source, assignments=False):
    """What a cell defines, at its own lines (tracebacks point at the learner's line): imports,
    functions, classes, a piece attached to a class (`LogisticModel.sigmoid = staticmethod(...)`)
    and names given a constant (`LIMIT = 500.0`), or with `assignments` any name given a value
    at the top level (`_TABLE = pickle.loads(...)`: a model cell's module-level values). Everything else is
    blanked (a print, a loop, a training run), even on a line it shares with a kept statement
    (`import helpers; helpers.check("sigmoid")` keeps `import helpers`). A cell that does not
    compile stays as it is, to fail where it stands."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines(True)
    kept = [""] * len(lines)
    for node in tree.body:
        if not (_defines(node) or (assignments and isinstance(node, (ast.Assign, ast.AnnAssign)))):
            continue
        segment = ast.get_source_segment(source, node)
        if node.lineno == node.end_lineno and segment and not getattr(node, "decorator_list", None):
            line = node.lineno - 1
            kept[line] = f"{kept[line]}; {segment}" if kept[line] else segment
            continue
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        for number in range(start - 1, node.end_lineno):
            kept[number] = lines[number].rstrip("\n")
    return "".join(line + "\n" for line in kept)


def _literal(value):
    try:
        ast.literal_eval(value)
    except ValueError:
        return False
    return True


def _defines(node):
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return True
    if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        attached = all(isinstance(target, ast.Attribute) for target in targets)
        return attached or _literal(node.value)
    return False


def check_name(source):
    found = CHECK_CALL.search(source)
    return found.group(1) if found else None


def make(source_notebook, submitted_notebook, needs_of):
    """The Plan of a graded run. `needs_of(check name)` gives the names a check takes from the
    notebook (course/checks' registry)."""
    notebook = copy.deepcopy(submitted_notebook)
    source_cells = [cell for cell in source_notebook["cells"] if cell.get("cell_type") == "code"]
    notes = []
    # The submitted notebook's code cells: graded ones by id, the others by cell id and source.
    copies, by_cell_id, by_source = {}, {}, {}
    for index, cell in enumerate(notebook["cells"]):
        if cell.get("cell_type") != "code":
            continue
        grade_id = nbgrader_of(cell).get("grade_id")
        if grade_id and (nbgrader_of(cell).get("solution") or nbgrader_of(cell).get("grade")):
            copies.setdefault(grade_id, []).append(index)
        if cell.get("id"):
            by_cell_id.setdefault(cell["id"], index)
        by_source.setdefault(re.sub(r"\s+", "", source_of(cell)), index)
    known_ids = {cell.get("id") for cell in source_cells}
    known_sources = {re.sub(r"\s+", "", source_of(cell)) for cell in source_cells} | \
                    {re.sub(r"\s+", "", released(source_of(cell))) for cell in source_cells}
    by_grade_id = {grade_id: indexes[0] for grade_id, indexes in copies.items()}
    claimed = {index for indexes in copies.values() for index in indexes}
    # The learner's own cells: code cells of the submission that are no cell of the course.
    extras = [index for index, cell in enumerate(notebook["cells"])
              if cell.get("cell_type") == "code" and index not in claimed
              and not (cell.get("metadata") or {}).get(SET_ASIDE)
              and not nbgrader_of(cell).get("grade_id")
              and not (cell.get("id") in known_ids and cell.get("id"))
              and re.sub(r"\s+", "", source_of(cell)) not in known_sources]

    def shown_in(cell):
        if cell.get("id") in by_cell_id:
            return by_cell_id[cell["id"]]
        return by_source.get(re.sub(r"\s+", "", source_of(cell)))

    steps = []
    used_extras = set()
    put_back = []  # deleted check cells: (the submitted cell they go after, the cell)
    for cell in source_cells:
        grading = nbgrader_of(cell)
        if GOING_FURTHER in tags_of(cell) or PROGRESS in tags_of(cell):
            continue  # optional tasks are not graded; progress() reads files, not the grade
        grade_id = grading.get("grade_id", "")
        if grading.get("solution"):
            steps.append(_solution_step(cell, grade_id, notebook, by_grade_id, extras, used_extras, notes))
        elif grading.get("grade"):
            name = check_name(source_of(cell))
            if grade_id not in by_grade_id:
                index = _put_back(cell, steps, put_back)
                notes.append(f"The check cell of {name or grade_id} was missing from your notebook: "
                             f"it was put back and graded as if you had kept it.")
            else:
                index = by_grade_id[grade_id]
            steps.append(Step("check", source_of(cell), f"the check of {name or grade_id}", index, grade_id))
        elif grading.get("grade_id") and str(grade_id).startswith("check_"):
            continue  # an ungraded check (an optional task's)
        else:
            steps.append(Step("given", source_of(cell), label(source_of(cell)), shown_in(cell), grade_id))
    # the learner's own cells, before the course's cell that follows them in their notebook
    for index in extras:
        if index in used_extras:
            continue
        source = definitions(source_of(notebook["cells"][index]))
        following = [step for step in steps if step.cell is not None and step.cell > index]
        at = steps.index(following[0]) if following else len(steps)
        steps.insert(at, Step("extra", source, label(source_of(notebook["cells"][index])), None))
    _insert(notebook, put_back, steps)
    return Plan(_needed(steps, needs_of, source_cells), notes, notebook)


def _solution_step(cell, grade_id, notebook, by_grade_id, extras, used_extras, notes):
    worked = source_of(cell)
    mine = by_grade_id.get(grade_id)
    answer = source_of(notebook["cells"][mine]) if mine is not None else None
    if answer is None or is_stub(answer, worked):
        wanted = stored_names(definitions(worked)) or stored_names(worked)
        twins = [index for index in extras if index not in used_extras
                 and wanted and wanted <= stored_names(source_of(notebook["cells"][index]))]
        if twins:
            used_extras.add(twins[-1])
            copied = source_of(notebook["cells"][twins[-1]])
            notes.append(f"Your answer to {grade_id} was in a copy of its cell ({label(copied)}), "
                         f"not in the exercise's own cell: it was graded from the copy. Next time, "
                         f"write in the exercise's cell and delete the copies.")
            return Step("solution", copied, label(copied), twins[-1], grade_id)
        if answer is None:
            notes.append(f"The exercise cell of {grade_id} was missing from your notebook: it was "
                         f"graded as not written.")
            return Step("solution", released(worked), label(worked), None, grade_id)
    return Step("solution", answer, label(answer), mine, grade_id)


PUT_BACK = "put back"  # a step's cell, until _insert gives it its index


def _put_back(cell, steps, put_back):
    """A copy of the source's check cell, to go after the submitted cell of the last step so far
    that has one; its step's cell is set by _insert once every cell is in place."""
    shown = [step.cell for step in steps if isinstance(step.cell, int)]
    restored = copy.deepcopy(cell)
    restored["outputs"], restored["execution_count"] = [], None
    put_back.append(((max(shown) + 1) if shown else None, restored))
    return (PUT_BACK, len(put_back) - 1)


def _insert(notebook, put_back, steps):
    """Insert the put-back cells, and give every step the index of its cell in the result."""
    cells = notebook["cells"]
    before = {}  # the original index a put-back cell goes before (None: the end) -> [its number]
    for number, (at, _) in enumerate(put_back):
        before.setdefault(at if at is not None and at < len(cells) else None, []).append(number)
    moved, placed, result = {}, {}, []
    for index, cell in enumerate(cells + [None]):
        for number in before.get(index if cell is not None else None, []):
            placed[number] = len(result)
            result.append(put_back[number][1])
        if cell is not None:
            moved[index] = len(result)
            result.append(cell)
    cells[:] = result
    for step in steps:
        if isinstance(step.cell, tuple):
            step.cell = placed[step.cell[1]]
        elif step.cell is not None:
            step.cell = moved[step.cell]


def _needed(steps, needs_of, source_cells):
    """The steps a graded run needs: every solution, check and learner's cell, the model's cells,
    and each course cell that gives a value to a name that a needed step after it reads."""
    model_sources = {source_of(cell) for cell in source_cells if MODEL in tags_of(cell)}
    read_later, kept = set(), []
    for step in reversed(steps):
        if step.kind == "given" and step.source not in model_sources \
                and not (stored_names(step.source) & read_later):
            continue
        if step.kind == "check":
            name = check_name(step.source)
            read_later |= set(needs_of(name)) if name else set()
        read_later |= read_names(step.source)
        kept.append(step)
    return kept[::-1]
