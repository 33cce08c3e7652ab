"""drivers/kernel_ports.py: nbval's kernels start again when one lost its port (see there why)."""
import socket

import nbval.kernel
import pytest
from jupyter_client.connect import LocalPortCache

from drivers import kernel_ports


@pytest.fixture
def a_port_already_taken(monkeypatch):
    """The next kernel's first port is one another socket listens on: as if another process took
    it between jupyter_client choosing it and the kernel binding it. Only the first choice."""
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    cache = LocalPortCache.instance()
    choose = cache.find_available_port
    chosen = []

    def first_one_taken(ip):
        chosen.append(holder.getsockname()[1] if not chosen else choose(ip))
        return chosen[-1]

    monkeypatch.setattr(cache, "find_available_port", first_one_taken)
    yield chosen
    holder.close()


def test_nbval_starts_a_kernel_again_when_it_lost_its_port(a_port_already_taken):
    """conftest.py installs the wrapper; nbval's RunningKernel, as the notebooks' tests use it."""
    assert nbval.kernel.start_new_kernel.__wrapped__
    kernel = nbval.kernel.RunningKernel("python3", startup_timeout=30)
    try:
        assert kernel.kc.kernel_info(reply=True)["content"]["status"] == "ok"
        assert len(a_port_already_taken) > 5  # five ports chosen for the first kernel, then more
    finally:
        kernel.stop()


def test_without_it_the_kernel_dies_before_it_answers(a_port_already_taken):
    with pytest.raises(RuntimeError, match="Kernel died before replying|Kernel didn't respond"):
        nbval.kernel.start_new_kernel.__wrapped__(startup_timeout=30, kernel_name="python3")


def test_other_failures_are_not_retried(monkeypatch):
    calls = []

    def broken(**kwargs):
        calls.append(kwargs)
        raise RuntimeError("No such kernel named python4")

    with pytest.raises(RuntimeError, match="python4"):
        kernel_ports.again_if_a_kernel_lost_its_port(broken)(kernel_name="python4")
    assert len(calls) == 1
