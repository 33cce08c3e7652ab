"""A kernel that lost its port: the one failure of `nbgrader autograde` that running it again
fixes, told apart from every other.

jupyter_client chooses a new kernel's five TCP ports by binding port 0 and closing the socket;
the kernel binds them a moment later. Another process can take one in between (jupyter_client
issue 487: its port cache only knows the ports of its own process). The kernel then dies with
"Address already in use" before it answers, nbgrader reports an error for that submission, and
grades the others. Run again, `nbgrader autograde` grades only the submissions it has not
graded. Measured on a 2-core machine: 1 run in 20 autograding one submission (12 kernels) while
another process started kernels and opened connections nonstop; once in the project's CI, where
other tests start kernels at the same time. docs/classroom.md tells teachers the same.
"""

LOST_ITS_PORT = "Address already in use"
DIED_BEFORE_ANSWERING = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")
RERUNS = 2  # of autograde, at most; each failure this way is rare, two in a row rarer


def a_kernel_lost_its_port(output):
    """Whether nbgrader's output shows a kernel that died because another process took one of its
    ports before it could bind it."""
    return LOST_ITS_PORT in output and any(sign in output for sign in DIED_BEFORE_ANSWERING)
