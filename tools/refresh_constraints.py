"""Record in constraints.txt the exact versions a fresh install of requirements-test.txt gets.

    python3 tools/refresh_constraints.py

Makes a new virtual environment in a temporary folder, installs requirements-test.txt into it
(from the package index, as .ci/run does, without constraints), and writes its `pip freeze`
(the course itself left out) to constraints.txt, under a line naming the Python it was made
with: tests/test_repository.py checks the suite's environment against it on that Python.
Run it after changing a requirements file, run the tests (`.ci/run` installs with
`-c constraints.txt`), and commit constraints.txt with the change.
"""
import platform
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    with tempfile.TemporaryDirectory(prefix="constraints-") as folder:
        venv.create(folder, with_pip=True)
        python = Path(folder) / ("Scripts" if sys.platform == "win32" else "bin") / "python"
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(ROOT / "requirements-test.txt")],
                       cwd=ROOT, check=True)
        frozen = subprocess.run([str(python), "-m", "pip", "freeze", "--exclude-editable"], cwd=ROOT,
                                check=True, capture_output=True, text=True).stdout
        version = subprocess.run([str(python), "-c", "import platform; print(platform.python_version())"],
                                 check=True, capture_output=True, text=True).stdout.strip()
    lines = [line for line in frozen.splitlines() if line and not line.startswith("#")]
    header = (f"# The exact versions the suite passed with: python {version.rsplit('.', 1)[0]} "
              f"({platform.system()}). Made by tools/refresh_constraints.py; installed by .ci/run.")
    (ROOT / "constraints.txt").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    print(f"constraints.txt: {len(lines)} packages, Python {version}")


if __name__ == "__main__":
    main()
