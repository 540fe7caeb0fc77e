"""The counting package stands alone: it imports without Flask, SQLAlchemy or the app, and its
command line gives what `flask --app wsgi tally` gives."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.pabulib_files import DATA

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("flask", "flask_babel", "werkzeug", "jinja2", "sqlalchemy", "app", "click")


def python(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True)


def test_the_package_imports_alone():
    code = (
        "import sys\n"
        "import counting, counting.tally, counting.mes, counting.mes_run, counting.pabulib, counting.explain\n"
        "import counting.__main__\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    done = python("-c", code)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.replace("'", '"')))
    assert "counting" in loaded
    assert not loaded & set(FORBIDDEN)


@pytest.mark.parametrize("rule", ["greedy", "mes"])
@pytest.mark.parametrize("name", ["Netherlands_Assen_2024", "Poland_Krakow_2018_Bienczyce"])
def test_python_m_counting_prints_what_flask_tally_prints(app, name, rule):
    path = str(DATA / f"{name}.pb")
    runner = app.test_cli_runner()
    for extra in ([], ["--json"]):
        ours = python("-m", "counting", path, "--rule", rule, *extra)
        assert ours.returncode == 0, ours.stderr
        flask = runner.invoke(args=["tally", path, "--rule", rule, *extra])
        assert flask.exit_code == 0
        assert ours.stdout == flask.output


def test_assen_json_and_certificate_by_the_command_line():
    """Assen's official outcome (META: equalshares/add1) is the add1 part; the greedy fill adds "7"."""
    done = python("-m", "counting", str(DATA / "Netherlands_Assen_2024.pb"), "--rule", "mes", "--json", "--certificate")
    out = json.loads(done.stdout)
    assert out["selected"][-1] == "7" and out["budget"] == 100000
    certificate = out["certificate"]
    assert certificate["funded"] == out["selected"][:-1]
    assert certificate["reason"] in ("exhaustive", "next_overspends")


def test_a_bad_file_is_a_message_not_a_traceback(tmp_path):
    path = tmp_path / "bad.pb"
    path.write_text(
        "META\nkey;value\nbudget;ten\nvote_type;approval\nPROJECTS\nproject_id;cost\nVOTES\nvoter_id;vote\n"
    )
    done = python("-m", "counting", str(path), "--rule", "greedy")
    assert done.returncode == 1
    assert "budget is not a number" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["f.pb", "--rule", "greedy"],
        ["--rule", "mes", "f.pb", "--json"],
        ["--rule=mes-add1", "--certificate", "f.pb", "--json"],
        ["f.pb", "--json", "--json", "--rule", "greedy"],
        ["--ru", "greedy", "f.pb"],  # argparse's abbreviations
        ["f.pb", "--rule", "mes", "--rule", "greedy"],  # the last one counts
        ["-", "--rule", "greedy"],  # a path argparse takes
    ],
)
def test_the_usual_command_lines_are_read_as_argparse_reads_them(argv):
    from counting.__main__ import _parsed, read_arguments

    assert read_arguments(argv) == _parsed(argv)


@pytest.mark.parametrize("argv", [["f.pb"], ["f.pb", "--rule", "best"], ["f.pb", "g.pb", "--rule", "mes"], ["--help"]])
def test_other_command_lines_get_argparse_help_or_errors(argv, capsys):
    from counting.__main__ import read_arguments

    with pytest.raises(SystemExit):
        read_arguments(argv)
    printed = capsys.readouterr()
    assert "usage: python -m counting" in printed.out + printed.err
