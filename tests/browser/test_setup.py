"""Without Chromium, a run that includes the browser tests stops at once and
says how to install it (it does not fail test by test, nor skip silently)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _pytest(*args):
    env = {**os.environ, "CHROMIUM_PATH": "/nonexistent/chromium"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_missing_chromium_stops_the_run_with_the_install_command():
    result = _pytest("tests/browser/test_reading.py", "-q")
    output = result.stdout + result.stderr
    assert result.returncode == 4, output
    assert "not installed at /nonexistent/chromium" in output
    assert "apt-get install -y chromium" in output
    assert "passed" not in output
    assert "failed" not in output


def test_missing_chromium_does_not_stop_a_run_without_browser_tests():
    result = _pytest("tests/browser/test_reading.py", "-q", "-m", "not browser")
    output = result.stdout + result.stderr
    assert "apt-get install" not in output
    assert "deselected" in output
