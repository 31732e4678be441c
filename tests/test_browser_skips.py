"""Without a browser the browser tests skip with one reason; under CI they fail.

The browser tests are run by pytest in a child process, as `make test` runs them,
with NORTHSTAR_CHROMIUM pointing at a browser that does not exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _run_browser_tests(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    env["NORTHSTAR_CHROMIUM"] = str(tmp_path / "no-such-chromium")
    if ci:
        env["CI"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", str(TESTS / "test_browser.py"), "-q", "-rs",
                           "-p", "no:cacheprovider", "--basetemp", str(tmp_path / "run")],
                          capture_output=True, text=True, env=env, timeout=120)


def test_without_chromium_every_browser_test_skips_for_one_reason(tmp_path):
    result = _run_browser_tests(tmp_path, ci=False)
    summary = result.stdout.splitlines()[-1]
    assert result.returncode in (0, 5), result.stdout[-3000:]  # 5: pytest ran no test (run alone)
    assert re.fullmatch(r"1 skipped in .*", summary), summary  # the module, not test by test
    reasons = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(reasons) == 1 and "no chromium at" in reasons[0] and "apt-get install chromium" in reasons[0], reasons


def test_under_ci_a_missing_chromium_fails(tmp_path):
    result = _run_browser_tests(tmp_path, ci=True)
    assert result.returncode == 1, result.stdout[-3000:]
    assert "skipped" not in result.stdout.splitlines()[-1]
    assert "CI must run the browser tests" in result.stdout
