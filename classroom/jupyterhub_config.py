# The course's part of a JupyterHub's configuration: what a classroom of this course needs from
# the hub, whichever way the hub is installed. The hub's own configuration chooses how people log
# in and where their servers run; this file adds only the course's needs (docs/classroom.md):
# - The Littlest JupyterHub: copy it to /opt/tljh/config/jupyterhub_config.d/classroom.py.
# - Zero to JupyterHub: put it in the helm values' hub.extraConfig (docs/classroom.md shows how).
# tests/test_classroom_hub.py and tests/test_classroom_roles.py start hubs with this very file,
# adding only what a test on one machine needs (accounts, ports, temporary folders).
import os

c = get_config()  # noqa: F821 (defined by JupyterHub when it reads this file)

# Where the course is installed for everyone's servers (docs/classroom.md): the folder of the
# learners' install, whose classroom/ holds the servers' Jupyter settings.
COURSE = os.environ.get("COURSE_FOLDER", "/srv/course")

# Learners land in JupyterLab, whose Assignments panel (nbgrader) fetches the exercise edition,
# submits it and fetches the feedback (classroom/learners/ chooses their first page).
c.Spawner.default_url = "/lab"
# Many learners share a machine's cores: one BLAS thread per kernel. NumPy's default, a thread
# per core in every kernel, makes each learner's training slower, not faster, once several
# learners train at once (their threads compete for the same cores).
c.Spawner.environment.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                              "MKL_NUM_THREADS": "1"})


def course_settings(spawner):
    """Every server reads classroom/servers/; a learner's also classroom/learners/, which turns
    nbgrader's teacher tools off. Teachers are the hub's admins (TLJH: `--admin NAME`)."""
    folders = [f"{COURSE}/classroom/servers"]
    if not spawner.user.admin:
        folders.insert(0, f"{COURSE}/classroom/learners")
    earlier = spawner.environment.get("JUPYTER_CONFIG_PATH")  # first: it takes precedence
    spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": os.pathsep.join(
        ([earlier] if earlier else []) + folders)}


c.Spawner.pre_spawn_hook = course_settings
