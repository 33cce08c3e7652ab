# Jupyter's settings for every server of a classroom's hub, the teacher's and the learners'
# (classroom/jupyterhub_config.py points each server's JUPYTER_CONFIG_PATH here).
from pathlib import Path

c = get_config()  # noqa: F821 (defined by Jupyter when it reads this file)

# The course's own JupyterLab settings, the repository's jupyter_server_config.py: notebooks open
# unmarked, no news pop-up, a kernel idle for 20 minutes with no notebook open on it shut down.
load_subconfig(str(Path(__file__).resolve().parents[2] / "jupyter_server_config.py"))  # noqa: F821

# JupyterLab's terminal: an interactive bash that keeps the environment the hub gave the server.
# Left to itself, a server started by a hub runs a login shell, whose /etc/profile resets PATH:
# `nbgrader` and `python` of the course's environment would be "command not found" there.
c.ServerApp.terminado_settings = {"shell_command": ["/bin/bash"]}

# A terminal with no input or output for an hour is closed (checked every 5 minutes), and a
# server with no kernel, no terminal and no request for an hour stops by itself (checked every
# minute): a learner who closed the browser does not keep their server for the rest of the term.
# Their files stay; logging in again starts a new server.
c.TerminalManager.cull_inactive_timeout = 60 * 60
c.ServerApp.shutdown_no_activity_timeout = 60 * 60
