# The course's part of a JupyterHub's configuration: what a classroom of this course needs from
# the hub, whichever way the hub is installed. The hub's own configuration chooses how people log
# in and where their servers run; this file adds only the course's needs (docs/classroom.md):
# - The Littlest JupyterHub: copy it to /opt/tljh/config/jupyterhub_config.d/classroom.py.
# - Zero to JupyterHub: the helm values say the same in Z2JH's own terms (singleuser.defaultUrl,
#   singleuser.extraEnv), since Z2JH sets the servers' environment itself.
# tests/test_classroom_hub.py starts a hub with this very file, adding only what a test on one
# machine needs (local accounts, ports, temporary folders).
c = get_config()  # noqa: F821 (defined by JupyterHub when it reads this file)

# Learners land in JupyterLab, whose Assignments panel (nbgrader) fetches the exercise edition,
# submits it and fetches the feedback.
c.Spawner.default_url = "/lab"
# Many learners share a machine's cores: one BLAS thread per kernel. NumPy's default, a thread
# per core in every kernel, makes each learner's training slower, not faster, once several
# learners train at once (their threads compete for the same cores).
c.Spawner.environment.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                              "MKL_NUM_THREADS": "1"})
