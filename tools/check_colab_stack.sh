#!/usr/bin/env bash
# Run the notebooks and the model tests on Google Colab's library versions.
#
# Builds a fresh virtual environment from colab-stack.txt alone (Colab's pip freeze for the
# packages the course uses; tensorflow-cpu for tensorflow, the same TensorFlow without GPU
# support), adds only what the tests need and Colab lacks (ipycanvas, nbval), the four runtimes
# that notebook 11 installs in Colab (with --no-deps, as it does there), installs the course's
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
ipycanvas=$(grep '^ipycanvas==' requirements.txt)
nbval=$(grep '^nbval==' requirements.txt)
python -m pip install --quiet -c .venv-colab/colab-stack.txt "$ipycanvas" "$nbval"
# What notebook 11 installs in Colab, the same way: its four runtimes, pinned, with --no-deps.
runtimes=$(grep -E '^(ai-edge-litert|onnx|onnxruntime|tf2onnx)==' requirements.txt)
python -m pip install --quiet --no-deps $runtimes
python -m pip install --quiet --no-deps -e .
python --version
python -m pip list --format=freeze | grep -iE '^(tensorflow[-_]cpu|keras|numpy|ipywidgets|ipykernel|ipython)=='
python -m pytest -p no:cacheprovider --nbval --nbval-current-env --nbval-cell-timeout=900 \
    -o addopts="" notebooks tests/test_models.py tests/test_course_modules.py
