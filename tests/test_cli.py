"""The command line, ``python -m digitrec predict|read`` (digitrec.cli): answers, ``--json``, the
one-line errors and the exit statuses."""

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from digitrec import cli
from digitrec.preprocess import ImageError, to_mnist

SAMPLES = sorted((ROOT / "images").glob("sample_*.png"))
NUMBER = ROOT / "images" / "number_2026_blue_pen.png"
TOUCHING = ROOT / "images" / "number_3850_touching.png"


def true_digit(path):
    return int(re.match(r"sample_(\d)_", Path(path).name).group(1))


def run_module(*args, cwd=ROOT):
    """``python -m digitrec ARGS`` in a process of its own: the real entry point."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, "-m", "digitrec", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def run_cli(*args, cwd=ROOT):
    """``cli.main(ARGS)`` in this process, in ``cwd``: what ``run_module`` returns, without the
    seconds a new process spends importing TensorFlow (argparse's ``SystemExit`` is its status).
    """
    out, err, here = io.StringIO(), io.StringIO(), os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                status = cli.main([str(a) for a in args])
            except SystemExit as exit_:
                status = exit_.code
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


# ----- predict ---------------------------------------------------------------------------------


def library_message(name):
    """The message of the ImageError that ``to_mnist(name)`` raises (in the working directory)."""
    with pytest.raises(ImageError) as error:
        to_mnist(name)
    return str(error.value)


def test_cli_json_prints_the_right_digit_for_every_sample():
    result = run_cli("predict", *[p.relative_to(ROOT) for p in SAMPLES], "--json")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(p.relative_to(ROOT)) for p in SAMPLES]
    assert [line["digit"] for line in lines] == [true_digit(p) for p in SAMPLES]
    for line in lines:
        assert len(line["probabilities"]) == 10 and abs(sum(line["probabilities"]) - 1) < 1e-4
        assert line["probability"] == max(line["probabilities"])
        assert line["rejected"] is False, line["file"]
    assert "Traceback" not in result.stderr


def test_cli_human_readable_output():
    result = run_module("predict", "images/sample_4_black_pen.png")
    assert result.returncode == 0
    assert re.fullmatch(
        r"images/sample_4_black_pen\.png: 4 \(probability \d+\.\d%\)\n", result.stdout
    )


def test_cli_each_bad_input_gives_one_line_and_status_1(bad_images, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, words in bad_images.items():
        message = library_message(name)
        assert words in message, name
        result = run_cli("predict", name, "--json", cwd=tmp_path)
        assert result.returncode == 1, name
        (line,) = result.stdout.splitlines()
        assert json.loads(line) == {"file": name, "error": message}
        assert result.stderr == "", name
        human = run_cli("predict", name, cwd=tmp_path)
        assert human.returncode == 1, name
        assert human.stdout == "", name
        assert human.stderr == f"{name}: error: {message}\n"


def test_cli_bad_files_do_not_stop_the_others(bad_images, tmp_path):
    sample = ROOT / "images" / "sample_8_black_pen.png"
    result = run_cli("predict", "text.png", sample, "bomb.png", "--json", cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["file"] for line in lines] == ["text.png", str(sample), "bomb.png"]
    assert bad_images["text.png"] in lines[0]["error"]
    assert lines[1]["digit"] == 8 and "error" not in lines[1]
    assert bad_images["bomb.png"] in lines[2]["error"]


def test_cli_bad_model_is_one_line_and_status_1(tmp_path):
    (tmp_path / "model.keras").write_text("junk")
    result = run_cli(
        "predict", ROOT / "images" / "sample_8_black_pen.png", "--model", tmp_path / "model.keras"
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: cannot load the model model.keras")
    assert len(result.stderr.splitlines()) == 1


def test_cli_usage_errors_exit_2_and_failed_files_1():
    assert cli.EXIT_USAGE == 2 and cli.EXIT_FAILED == 1
    assert run_module().returncode == cli.EXIT_USAGE
    assert run_cli("predict").returncode == cli.EXIT_USAGE


# ----- read ------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", [(), ("--method", "segment")], ids=["ctc", "segment"])
def test_cli_reads_the_sample_number(method):
    result = run_cli("read", NUMBER.relative_to(ROOT), *method)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(
        r"images/number_2026_blue_pen\.png: 2026 \(4 digits, lowest probability "
        r"\d+\.\d%\)\n",
        result.stdout,
    )


def test_cli_json_and_bad_inputs_give_the_messages_of_predict(bad_images, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    names = list(bad_images)
    result = run_cli("read", NUMBER, *names, "--json", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == ""
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["file"] == str(NUMBER) and lines[0]["text"] == "2026"
    assert len(lines[0]["digits"]) == len(lines[0]["boxes"]) == 4
    for name, line in zip(names, lines[1:], strict=True):
        with pytest.raises(ImageError) as error:
            to_mnist(name)
        assert line == {"file": name, "error": str(error.value)}, name
        assert bad_images[name] in line["error"]
    human = run_cli("read", "text.png", cwd=tmp_path)
    assert human.returncode == 1 and human.stdout == ""
    assert re.fullmatch(r"text\.png: error: not an image file[^\n]*\n", human.stderr)


def test_cli_read_bad_model_is_one_line_and_status_1(tmp_path):
    (tmp_path / "model.keras").write_text("junk")
    result = run_cli("read", NUMBER, "--model", tmp_path / "model.keras")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: cannot load the model model.keras")
    assert len(result.stderr.splitlines()) == 1


def test_cli_reads_the_touching_sample_by_default_and_gives_boxes_in_json():
    result = run_cli("read", TOUCHING.relative_to(ROOT), "--json")
    assert result.returncode == 0, result.stderr
    line = json.loads(result.stdout)
    assert line["text"] == "3850" and len(line["boxes"]) == 4


def test_cli_refuses_an_unknown_method_with_a_usage_error():
    result = run_cli("read", NUMBER, "--method", "guess")
    assert result.returncode == 2 and result.stdout == ""
    assert "invalid choice: 'guess'" in result.stderr
