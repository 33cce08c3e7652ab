"""JupyterLab as the course starts it (jupyter_server_config.py at the repository's root):
a notebook opened and not edited stays unmarked, not "unsaved".

Why a notebook would otherwise be marked unsaved the moment its kernel starts: JupyterLab writes
the kernel's `language_info` (from its kernel_info reply) into the notebook's metadata, and
compares it with the saved one as a whole (`setMetadata` skips only an equal value). ipykernel's
`language_info` carries the exact Python version (`sys.version.split()[0]`, e.g. "3.11.7"), which
no saved notebook can know in advance for every learner's Python. The course's notebooks save
every other field exactly as ipykernel reports it, and no version; `ContentsManager` below serves
each of them with the version filled in as the kernel will report it, so the kernel's value
equals the served one and nothing changes. On disk the notebooks stay as they are.

The kernel runs on the server's own Python: the notebooks' kernel is ipykernel's `python3`, whose
command is `python -m ipykernel_launcher ...`, and jupyter_client starts "python" as the server's
`sys.executable`. (A learner's own `python3` kernelspec for another Python would still differ:
then the notebook is marked unsaved, as before, and nothing else goes wrong.)
"""
import sys

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

# What ipykernel reports as `language_info["version"]` on this Python (ipykernel 6 and 7).
PYTHON_VERSION = sys.version.split()[0]


def with_kernel_language_version(notebook):
    """`notebook` (its JSON as a dict) with `language_info.version` set to this Python's version,
    when its kernel is ipykernel's python3; any other notebook unchanged. Returns it."""
    metadata = notebook.get("metadata", {})
    language = metadata.get("language_info")
    if (metadata.get("kernelspec", {}).get("name") == "python3"
            and isinstance(language, dict) and language.get("name") == "python"):
        language["version"] = PYTHON_VERSION
    return notebook


class ContentsManager(AsyncLargeFileManager):
    """Jupyter Server's default contents manager, serving notebooks with the kernel's
    `language_info.version` (see the module's docstring). Saving is unchanged."""

    async def get(self, path, content=True, type=None, format=None, **options):
        model = await super().get(path, content=content, type=type, format=format, **options)
        if model.get("type") == "notebook" and model.get("content"):
            with_kernel_language_version(model["content"])
        return model
