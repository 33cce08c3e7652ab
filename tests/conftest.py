import os

# Two test workers share two cores, and each starts kernels, servers and a browser: BLAS thread
# pools of two threads per process would oversubscribe the cores (their spinning threads cost CPU
# and save no time). One thread per process, here and in every process the tests start.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import matplotlib  # noqa: E402 - after the thread settings, which apply when NumPy loads
import pytest  # noqa: E402

from drivers import kernel_ports  # noqa: E402

# A kernel nbval starts can lose one of its ports to another process (drivers/kernel_ports.py);
# start it again rather than fail the notebook's every cell.
kernel_ports.install()

matplotlib.use("Agg")  # figures in unit tests are inspected, never shown


# The test files that take longest, first (roughly; measured): pytest-xdist (--dist loadfile --no-loadscope-reorder,
# pyproject.toml) hands each worker whole files in this order, so the long ones start at once and
# the many short ones fill in around them; the suite then ends sooner on two cores.
LONGEST_FIRST = ["test_classroom_hub.py", "test_grading.py", "test_browser_lab.py",
                 "test_course_copies.py", "test_browser_site.py", "test_exercises.py", "test_tfds.py",
                 "11_training_the_model.ipynb"]


def pytest_collection_modifyitems(items):
    def rank(item):
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)  # stable: each file's tests keep their order


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


def required_program(what, names, advice):
    """Path of the first of `names` on PATH. Without any, the tests that need it are skipped on
    a developer's machine, and fail where `CI` is set (CI must run them): Chromium, JupyterHub's
    proxy."""
    import shutil
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    looked_for = " and ".join(f"`{name}`" for name in names)
    message = f"no {what} found (looked for {looked_for} on PATH); {advice}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


# ---------------------------------------------------------------------------------------------
# Browser tests (pytest-playwright): the system's Chromium, never a downloaded browser.
# ---------------------------------------------------------------------------------------------

def system_chromium():
    """Path of the system's Chromium (Debian's `chromium` package), for the browser tests."""
    return required_program("Chromium", ("chromium", "chromium-browser"),
                            "install Debian's package: apt-get install -y chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": system_chromium(),
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}
