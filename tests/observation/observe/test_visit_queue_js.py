"""The offline queue's own unit tests (tests/js/visit_queue.test.js) run under Node."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def test_visit_queue_unit_tests_pass_under_node():
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true and Node.js is missing: the queue's unit tests cannot run.")
        pytest.skip("Node.js is not installed")

    result = subprocess.run(  # noqa: S603 - a fixed command line
        [node, "--test", str(ROOT / "tests" / "js")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "# fail 0" in result.stdout
