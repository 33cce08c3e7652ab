"""Grading a class's submissions with nbgrader: what the course adds to nbgrader's own steps.

nbgrader runs each submitted notebook in a Jupyter kernel, in the learner's own code's process,
and grades the cells it finds. The course replaces that one step (nbgrader_config.py):

- plan.py: what a graded run of a notebook executes: the course's own cells (from the teacher's
  source, so a deleted or edited setup cell costs nothing), the learner's solution cells (found by
  their nbgrader id, or in a copy of the cell), the functions of cells the learner added, and the
  graded checks, hidden cases included; cells no check needs (training runs, figures) are left out.
- worker.py: runs a plan in a fresh process forked from one that has already imported NumPy and
  the checks, with a time limit per cell and per notebook; before each check it puts back
  whatever the learner's code replaced (NumPy's functions, the course's checks) and afterwards
  refuses a check the learner's code tampered with while it ran.
- submission.py: what happened to a submission as the learner handed it in (a renamed notebook,
  a deleted or duplicated cell, a file saved by an older JupyterLab), in one sentence each, for the
  grading (a renamed notebook is graded under its own name), the learner's feedback, the teacher's
  summary and the learner's own check before handing in.
- hidden.py: the cases each graded check runs at grading time only (nbgrader's hidden tests),
  drawn from a seed that only the teacher's source holds, compared with the worked edition.
- steps.py: the nbgrader preprocessor and hooks that nbgrader_config.py plugs in.
- written.py: the concept questions as written answers the teacher grades by hand, when
  nbgrader_config.py's `c.WrittenAnswers.graded` is on (a generate_assignment step), and their
  model answers as the teacher's rubric.
- feedback.py: one page per learner: total, each check by name with its points and first line,
  and what happened to the submission; offline formulas, wrapped messages, figures' alt text.

steps.py, feedback.py and written.py need nbgrader and nbconvert, and are imported by
nbgrader_config.py and the grades export alone. The others need neither: hidden.py runs in the worked edition's check cells
(helpers.check_hidden), and submission.py's problems() ends helpers.progress() when a learner's
folder holds something a grader would have to work around.
"""
