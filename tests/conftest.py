import matplotlib
import pytest

matplotlib.use("Agg")  # figures in unit tests are inspected, never shown


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# Browser tests (pytest-playwright): the system's Chromium, never a downloaded browser.
# ---------------------------------------------------------------------------------------------

def system_chromium():
    """Path of the system's Chromium (Debian's `chromium` package). Without one, browser tests
    are skipped on a developer's machine, and fail where `CI` is set (CI must run them)."""
    import os
    import shutil
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    message = ("no Chromium found (looked for `chromium` and `chromium-browser` on PATH); "
               "install Debian's package: apt-get install -y chromium")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": system_chromium(),
            "args": ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]}
