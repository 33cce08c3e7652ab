import matplotlib
import pytest

matplotlib.use("Agg")  # figures in unit tests are inspected, never shown


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")
