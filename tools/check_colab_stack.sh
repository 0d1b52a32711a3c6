#!/usr/bin/env bash
# Run the notebooks and the model tests on Google Colab's library versions.
#
# Builds a fresh virtual environment from colab-stack.txt alone (Colab's pip freeze for the
# packages the course uses; tensorflow-cpu for tensorflow, the same TensorFlow without GPU
# support), adds nbval for the tests and what the notebooks install for themselves in Colab
# (ipycanvas, notebook 11's runtimes; with --no-deps, as they do there), installs the course's
# package with --no-deps, then executes every notebook with nbval and checks that every
# committed model loads and scores its recorded accuracy.
#
# Usage: bash tools/check_colab_stack.sh [PYTHON]   (default python3; Colab runs Python 3.13)
# The environment lives in .venv-colab/ (ignored by git) and is rebuilt on every run.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${1:-python3}"
rm -rf .venv-colab
"$python" -m venv .venv-colab
. .venv-colab/bin/activate
python -m pip install --quiet --upgrade pip
sed 's/^tensorflow==/tensorflow-cpu==/' colab-stack.txt >.venv-colab/colab-stack.txt
python -m pip install --quiet -r .venv-colab/colab-stack.txt
nbval=$(grep '^nbval==' requirements.txt)
python -m pip install --quiet -c .venv-colab/colab-stack.txt "$nbval"
# What the notebooks install for themselves in Colab (ipycanvas in 08, the runtimes in 11): the
# pinned packages of their Setup cells' `%pip install -q --no-deps` lines, installed the same way.
own=$(python - <<'EOF'
import json, pathlib, re

for path in sorted(pathlib.Path("notebooks").glob("*.ipynb")):
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        for line in re.findall(r"%pip install -q --no-deps (.*)", "".join(cell["source"])):
            print(" ".join(word for word in line.split() if "==" in word))
EOF
)
python -m pip install --quiet --no-deps $own
python -m pip install --quiet --no-deps -e .
python --version
python -m pip list --format=freeze | grep -iE '^(tensorflow[-_]cpu|keras|numpy|ipywidgets|ipykernel|ipython)=='
python -m pytest -p no:cacheprovider --nbval --nbval-current-env --nbval-cell-timeout=900 \
    -o addopts="" notebooks tests/test_models.py tests/test_course_modules.py
