# JupyterLab as the course starts it. README.md's command runs `jupyter lab` with
# JUPYTER_CONFIG_PATH set to this folder, which makes Jupyter read this file on top of the
# learner's own configuration. (Jupyter never reads configuration from the folder it is started
# in, since jupyter_core 4.11.2; `--config=jupyter_server_config.py` would read this file instead
# of the learner's and the system's own jupyter_server_config files, not in addition to them.)
# A classroom's hub points its servers at it through classroom/servers/; servers started
# otherwise (nbgrader, the tests' own) do not read it.
from pathlib import Path

HERE = Path(__file__).resolve().parent
c = get_config()  # noqa: F821 - given by Jupyter when it reads this file

# A notebook opened and not edited stays unmarked: notebooks are served with the version of
# Python their kernel will report (course/lab.py says why).
c.ServerApp.contents_manager_class = "course.lab.ContentsManager"

# No "Would you like to get notified about official Jupyter news?" pop-up, and no news fetched:
# the setting's default becomes "Never" (a learner can still turn it on in the Settings Editor).
# news_url=None alone does not stop the question in JupyterLab 4.
c.LabApp.app_settings_dir = str(HERE / "course" / "lab_settings")  # its overrides.json
c.LabApp.news_url = None

# A kernel idle for 20 minutes with no notebook open on it is shut down: a notebook closed
# without "Close and Shut Down Notebook" does not keep ~100 MB for the rest of the session.
# Kernels with a notebook open (cull_connected=False) and busy kernels are never shut down.
c.MappingKernelManager.cull_idle_timeout = 20 * 60
c.MappingKernelManager.cull_interval = 60
c.MappingKernelManager.cull_connected = False
c.MappingKernelManager.cull_busy = False
