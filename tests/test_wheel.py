"""The wheel that ``pip install git+URL`` builds holds, installs and imports the whole package.

Colab installs the course with ``pip install git+URL``: pip clones the repository and builds a
wheel from the clone, so only the files that the build finds reach the learner. The test here
does the same from a clean clone of the committed ``HEAD`` (what CI checks out), compares the
wheel's files with ``git ls-files digitrec``, installs it (not editable) into a fresh virtual
environment and imports every module there, from a folder outside the repository. The fresh
environment borrows the test environment's libraries through ``PYTHONPATH``, which does not read
``.pth`` files, so the editable install of the checkout stays invisible to it.
"""

import ast
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from helpers import ROOT, pyproject
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

#: Import names whose distribution on PyPI is called otherwise.
DISTRIBUTION_OF = {
    "PIL": "pillow",
    "sklearn": "scikit-learn",
    "IPython": "ipython",
    "ai_edge_litert": "ai-edge-litert",
}


def run(command, **kwargs):
    """Run ``command``; on failure, fail the test with the end of what it printed."""
    done = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    said = f"{' '.join(map(str, command))}:\n{done.stdout}{done.stderr}"
    assert done.returncode == 0, said[-4000:]
    return done.stdout


@pytest.fixture(scope="module")
def clean_clone(tmp_path_factory):
    """A ``git clone`` of the repository's committed ``HEAD``."""
    clone = tmp_path_factory.mktemp("clone") / "digit-recognition"
    run(["git", "clone", "-q", "--no-hardlinks", str(ROOT), str(clone)])
    return clone


@pytest.fixture(scope="module")
def wheel(clean_clone, tmp_path_factory):
    """The wheel pip builds from the clean clone, as ``pip install git+URL`` builds it."""
    dist = tmp_path_factory.mktemp("dist")
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist]
    run([*pip_wheel, str(clean_clone)])
    (found,) = dist.glob("digitrec-*.whl")
    return found


def test_the_wheel_holds_every_file_of_the_package(wheel, clean_clone):
    tracked = run(["git", "ls-files", "digitrec"], cwd=clean_clone).split()
    packed = [name for name in zipfile.ZipFile(wheel).namelist() if name.startswith("digitrec/")]
    assert sorted(packed) == sorted(tracked)


def test_the_installed_wheel_imports_every_module(wheel, tmp_path):
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    pip_install = [sys.executable, "-m", "pip", "--python", python, "install", "-q"]
    run([*pip_install, "--no-deps", "--no-index", str(wheel)])
    code = (
        "import importlib, pkgutil, digitrec\n"
        "names = [m.name for m in pkgutil.walk_packages(digitrec.__path__, 'digitrec.')]\n"
        "for name in names:\n"
        "    if not name.endswith('.__main__'):  # importing it runs the command line\n"
        "        importlib.import_module(name)\n"
        "print(digitrec.__file__, len(names))\n"
    )
    libraries = sysconfig.get_paths()["purelib"]  # numpy, keras ... of the test environment
    env = {"PYTHONPATH": libraries, "PATH": "/usr/bin:/bin", "KERAS_BACKEND": "tensorflow"}
    location, count = run([python, "-c", code], cwd=tmp_path, env=env).split()
    assert Path(location).is_relative_to(venv), f"digitrec imported from {location}"
    modules = [path for path in (ROOT / "digitrec").rglob("*.py") if path.name != "__init__.py"]
    assert int(count) == len(modules) + len(list((ROOT / "digitrec").rglob("*/__init__.py")))


def imported_distributions():
    """The distributions (canonical names) of the third-party modules that ``digitrec`` imports."""
    found = set()
    for path in (ROOT / "digitrec").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "digitrec" and top not in sys.stdlib_module_names:
                    found.add(canonicalize_name(DISTRIBUTION_OF.get(top, top)))
    return found


def test_every_imported_library_is_declared():
    project = pyproject()["project"]
    declared = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        declared += extra
    names = {canonicalize_name(Requirement(line).name) for line in declared}
    assert imported_distributions() - names == set()
