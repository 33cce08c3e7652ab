"""Drivers of the Jupyter programs the course runs in, for the tests and for benchmarks/: they
import no test module (tests/test_repository.py checks), so a benchmark can import them alone.

- lab.py: JupyterLab in a real browser (Chromium, through Playwright); lab.js, the script it
  adds to the page; `copy_course`, `free_port`.
- hub.py: a real JupyterHub on this machine, driven over HTTP (the classroom).
- kernel_ports.py: a kernel that lost one of its TCP ports, started again (nbval's, nbclient's,
  nbgrader's, the hub's); also a pytest plugin, `-p drivers.kernel_ports`.
- grading.py: the course as nbgrader grades it: the assignment, a cell's nbgrader metadata, the
  worked solutions pasted into the exercise edition, the documented nbgrader commands.

Import them with tests/ on sys.path (pytest puts it there; benchmarks/ do it themselves):
`from drivers.hub import Hub`.
"""
