"""requirements.txt, the tested environment and Google Colab's packages agree.

colab-stack.txt is Colab's pip freeze, restricted to the packages this course uses. Every package
that Colab ships is pinned, and tested, at Colab's version, except the few in LOCAL_ONLY, which
cannot serve locally. The installed versions are checked as well, so that a transitive
dependency drifting away from Colab fails here rather than in a learner's notebook.
"""

from importlib.metadata import PackageNotFoundError, version

import pytest
from helpers import ROOT
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

LOCAL_ONLY = {
    "ipywidgets": "7.x does not render widgets in JupyterLab 4; the course code reads 7 and 8",
    "widgetsnbextension": "comes with ipywidgets; 3.x belongs to ipywidgets 7",
    "ipykernel": "Colab runs its own front end on ipykernel 6; JupyterLab 4.6 needs ipykernel 7",
    "ipython": "ipykernel 7 needs IPython 9; Colab's 7.34 goes with its ipykernel 6",
    "traitlets": "ipykernel 7 needs traitlets >= 5.13; Colab has 5.7",
    "notebook": "Colab's classic front end; not installed locally (JupyterLab instead)",
    "torch": "Colab's 2.11.0+cpu is on PyTorch's index only; PyPI's 2.11.0 carries CUDA",
}
SAME_PACKAGE = {"tensorflow-cpu": "tensorflow"}  # the same TensorFlow, without GPU support


def canonical(name):
    name = canonicalize_name(name)
    return SAME_PACKAGE.get(name, name)


def requirements(path):
    """The requirement lines of a requirements file (no comments, options or editable installs)."""
    lines = [line.split(" #")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]


def exact_version(requirement):
    """The version of a ``name==version`` requirement, else None."""
    specs = list(requirement.specifier)
    return Version(specs[0].version) if len(specs) == 1 and specs[0].operator == "==" else None


def installed_version(name):
    """The installed version of `name` (tensorflow: also as tensorflow-cpu), else None."""
    for dist in [name, *[cpu for cpu, same in SAME_PACKAGE.items() if same == name]]:
        try:
            return Version(version(dist))
        except PackageNotFoundError:
            pass
    return None


COLAB = {canonical(r.name): exact_version(r) for r in requirements(ROOT / "colab-stack.txt")}
PINS = [(canonical(r.name), exact_version(r), r) for r in requirements(ROOT / "requirements.txt")]
PINNED_BY_COLAB = [
    (r.name, pin) for name, pin, r in PINS if name in COLAB and name not in LOCAL_ONLY
]
INSTALLED_FROM_COLAB = [
    name for name in COLAB if installed_version(name) is not None and name not in LOCAL_ONLY
]
PINS_HERE = [(r.name, pin) for _, pin, r in PINS if pin and (not r.marker or r.marker.evaluate())]


def test_colab_stack_lists_exact_versions():
    assert COLAB and all(COLAB.values()), COLAB


@pytest.mark.parametrize(("name", "pin"), PINNED_BY_COLAB, ids=[n for n, _ in PINNED_BY_COLAB])
def test_requirements_pin_colabs_version(name, pin):
    colab = COLAB[canonical(name)]
    assert pin == colab, f"requirements.txt pins {name} {pin}, Colab has {colab}"


@pytest.mark.parametrize("name", INSTALLED_FROM_COLAB)
def test_installed_version_is_colabs(name):
    """Also catches a package installed as a dependency of another and not pinned itself."""
    here = installed_version(name)
    assert here == COLAB[name], f"{name} {here} is installed, Colab has {COLAB[name]}"


@pytest.mark.parametrize("name", sorted(LOCAL_ONLY))
def test_local_only_exceptions_are_still_needed(name):
    """An exception whose package now matches Colab's version is stale: remove it."""
    assert name in COLAB, f"{name} is not in colab-stack.txt: remove it from LOCAL_ONLY"
    remove = f"{name} {COLAB[name]} would do: remove it from LOCAL_ONLY"
    assert COLAB[name] not in [pin for pinned, pin, _ in PINS if pinned == name], remove
    assert installed_version(name) != COLAB[name], remove


@pytest.mark.parametrize(("name", "pin"), PINS_HERE, ids=[n for n, _ in PINS_HERE])
def test_every_pin_is_installed(name, pin):
    """Each ``name==version`` line of requirements.txt whose markers hold here."""
    here = installed_version(name)
    # A local build label ("2.13.0+cpu", PyTorch's CPU wheel) is the same release as the pin.
    assert here is not None and Version(here.public) == pin, (
        f"requirements.txt pins {name} {pin}, {here} is installed"
    )
