"""An installed wheel carries the migrations and templates that sit at the top
of the checkout, and works away from the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"building the wheel failed:\n{result.stderr[-3000:]}")
    return next(out.glob("altar-*.whl"))


def test_wheel_contains_migrations_templates_and_codebook(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "altar/_migrations/env.py" in names
    assert any(n.startswith("altar/_migrations/versions/") and n.endswith(".py") for n in names)
    assert "altar/_templates/README.md" in names
    assert "altar/instrument/codebooks/altar-screening_v1.yaml" in names
    assert any(n.startswith("altar/data/baselines/") and n.endswith(".yaml") for n in names)


def test_installed_wheel_initialises_and_imports_away_from_the_checkout(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(wheel),
        ],
        check=True,
    )
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    env.pop("ALTAR_DB", None)

    def altar(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "altar", *args],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import altar.resources as r; print(r.migrations_dir())"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert where.stdout.strip().startswith(str(target)), where.stdout + where.stderr
    init = altar("init")
    assert init.returncode == 0, init.stderr
    assert (work / "altar.db").exists()
    template = altar("template", "csv")
    assert template.stdout.startswith("case_ref,authority,stratum")
