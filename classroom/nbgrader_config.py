# nbgrader's configuration for everyone on a classroom's JupyterHub: teacher and learners alike
# (docs/classroom.md says where it goes on each kind of hub). It names the course and the
# exchange, the folder through which the teacher releases the exercise edition and collects the
# learners' work, and through which the learners fetch it, submit it and fetch their feedback.
# The course's own nbgrader_config.py, at the root of the teacher's clone of the repository,
# adds where the assignment's source is (docs/teaching.md, "Grading with nbgrader").
c = get_config()  # noqa: F821 (defined by nbgrader and Jupyter when they read this file)

c.CourseDirectory.course_id = "logistic-regression-numpy"
# Everyone must be able to write here (`chmod 777`, made once by an administrator). On a hub
# whose learners each have a machine or container of their own (Zero to JupyterHub), it must be
# a volume they all share (docs/classroom.md).
c.Exchange.root = "/srv/nbgrader/exchange"
