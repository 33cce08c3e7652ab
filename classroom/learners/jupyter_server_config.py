# A learner's first page on the classroom's hub: the course they fetched (the folder notebooks/
# in their home), or, before they have fetched it, START-HERE.md (copied into their home), which
# says where the Assignments panel is. A setting of the server's own, which jupyterhub-singleuser
# prefers to the hub's default_url.
import shutil
from pathlib import Path

c = get_config()  # noqa: F821 (defined by Jupyter when it reads this file)

home = Path.home()
if (home / "notebooks").is_dir():
    c.ServerApp.default_url = "/lab/tree/notebooks"
else:
    if not (home / "START-HERE.md").exists():
        shutil.copyfile(Path(__file__).with_name("START-HERE.md"), home / "START-HERE.md")
    c.ServerApp.default_url = "/lab/tree/START-HERE.md"
