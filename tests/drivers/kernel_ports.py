"""A kernel that lost its port: a failure that starting again fixes, told apart from others.

jupyter_client chooses a new kernel's five TCP ports by binding port 0 and closing the socket;
the kernel binds them a moment later. Another process can take one in between (jupyter_client
issue 487: its port cache only knows the ports of its own process). The kernel then dies with
"Address already in use" before it answers, nbgrader reports an error for that submission, and
grades the others. Run again, `nbgrader autograde` grades only the submissions it has not
graded. Measured on a 2-core machine: 1 run in 20 autograding one submission (12 kernels) while
another process started kernels and opened connections nonstop; once in the project's CI, where
other tests start kernels at the same time. docs/classroom.md tells teachers the same.

The same can happen to any kernel the suite starts. Those of a Jupyter server (JupyterLab, the
hub's learners) are started again by the server itself, or by the drivers; nbval's and
nbclient's, and nbgrader's commands, are run again here (`again_if_a_kernel_lost_its_port`,
`install`).
"""
import functools

LOST_ITS_PORT = "Address already in use"
DIED_BEFORE_ANSWERING = ("Kernel died before replying to kernel_info", "Kernel didn't respond in")
RERUNS = 2  # at most, of autograde or a kernel's start: rare once, rarer twice in a row


def a_kernel_lost_its_port(output):
    """Whether nbgrader's output shows a kernel that died because another process took one of its
    ports before it could bind it."""
    return LOST_ITS_PORT in output and any(sign in output for sign in DIED_BEFORE_ANSWERING)


class KernelLostItsPort(RuntimeError):
    """An nbgrader command that failed because a kernel it started lost its port (raised by those
    who run the command, with its output, when `a_kernel_lost_its_port` says so)."""


started_again = []  # what ran again in this process (every test of an xdist worker), and why


def again_if_a_kernel_lost_its_port(start):
    """`start` (what starts kernels: nbval's `start_new_kernel`, a run of nbclient, an nbgrader
    command), made to run again, at most RERUNS times, if it raised KernelLostItsPort or said
    that its kernel died or stayed silent before its first answer. nbval and nbclient send the
    kernel's own output to /dev/null, so there the cause cannot be read: a kernel that cannot
    start for any other reason fails the same way every time, and the last failure is raised."""
    @functools.wraps(start)
    def again(*args, **kwargs):
        for attempt in range(RERUNS + 1):
            try:
                return start(*args, **kwargs)
            except RuntimeError as error:
                died = isinstance(error, KernelLostItsPort) or any(
                    sign in str(error) for sign in DIED_BEFORE_ANSWERING)
                if attempt == RERUNS or not died:
                    raise
                started_again.append(f"{start.__qualname__}: {error}")
    return again


def install():
    """nbval's kernels start again if one lost its port (conftest.py, and
    `-p drivers.kernel_ports`)."""
    import nbval.kernel
    if not hasattr(nbval.kernel.start_new_kernel, "__wrapped__"):
        nbval.kernel.start_new_kernel = again_if_a_kernel_lost_its_port(
            nbval.kernel.start_new_kernel)


def pytest_configure(config):
    """As a pytest plugin: `python -m pytest -p drivers.kernel_ports` with tests/ on the path."""
    install()
