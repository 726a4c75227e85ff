"""Faults, tested rather than promised: an import killed at random moments,
and several processes writing to one SQLite file at once. Both are about
SQLite files (``db_path``); PostgreSQL's concurrent sessions have their own
tests."""

from __future__ import annotations

import csv
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from altar.cli import cli
from altar.instrument import current_codebook
from altar.synthetic import scaled_rows

ROWS = 3000  # a few seconds of import on a loaded two-core machine
TRIALS = 5
SEED = 20210304


@pytest.fixture(scope="module")
def large_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("large") / "cohort.csv"
    rows = list(scaled_rows(current_codebook(), ROWS, seed=SEED))
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _import_process(db: Path, csv_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("ALTAR_DB", "ALTAR_USER")}
    return subprocess.Popen(
        [sys.executable, "-m", "altar", "--db", str(db), "import", str(csv_path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_writing(process: subprocess.Popen, wal: Path, timeout: float = 120) -> float:
    """Seconds until the import starts writing its write-ahead log. An import
    keeps its pages in memory until COMMIT, so the log fills only at the end:
    the commit, then the checkpoint into the file as the process exits."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if wal.exists() and wal.stat().st_size > 0:
            return time.monotonic() - started
        if process.poll() is not None:
            pytest.fail(f"the import ended without writing: {process.stderr.read().decode()}")  # type: ignore[union-attr]
        time.sleep(0.005)
    pytest.fail("the import did not start writing")


def test_an_import_killed_at_any_moment_leaves_all_or_nothing(
    db_path, fresh_db, large_csv, run, query
):
    """Trials alternate between a kill at a random moment while the file is
    read and checked, and a kill at a random moment of the commit or the
    checkpoint that follows it."""
    rng = random.Random(SEED)
    reading_time = None
    outcomes = []
    for trial in range(TRIALS):
        target = db_path if trial == 0 else fresh_db()
        wal = Path(f"{target}-wal")
        process = _import_process(target, large_csv)
        if reading_time is None or trial % 2 == 0:
            reading_time = _wait_for_writing(process, wal)
            time.sleep(rng.uniform(0, 0.1 + 0.25 * trial))  # the later, the likelier the checkpoint
        else:
            time.sleep(rng.uniform(0.3, 1.0) * reading_time)
        alive = process.poll() is None
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        if not alive:  # finished first: it must have finished well
            assert process.returncode == 0, process.stderr.read()  # type: ignore[union-attr]
        check = run(["--db", target, "check"])
        assert check.exit_code == 0, f"trial {trial}: {check.output}"
        stored = query("SELECT count(*) FROM cases", db=target)[0][0]
        assert stored in (0, ROWS), f"trial {trial}: {stored} of {ROWS} rows stored"
        answers = query("SELECT count(*) FROM answer", db=target)[0][0]
        assert answers == 0 if stored == 0 else answers > 40 * ROWS
        outcomes.append((trial % 2 == 0, alive, stored))
    # Otherwise the test proved nothing about a crash in the middle of writing.
    assert any(writing and alive for writing, alive, _ in outcomes), outcomes
    assert any(not writing and alive and stored == 0 for writing, alive, stored in outcomes), (
        outcomes
    )


# --- concurrency --------------------------------------------------------------------

WORKERS = 4
CASES_EACH = 4
ROUNDS = 2


def _answers(worker: int, case: int, round_: int) -> dict[str, str]:
    """A distinct, known set of answers for each write."""
    values = ("yes", "suspected", "no", "unknown")
    book = current_codebook()
    binary = [i.code for i in book.items if i.type == "binary"]
    return {
        code: values[(worker + case + round_ + n) % 4]
        for n, code in enumerate(binary[: 6 + round_ * 4])
    }


def _worker(db: str, worker: int, folder: str, results) -> None:  # type: ignore[no-untyped-def]
    """One practitioner's session: add cases, then amend each twice."""
    runner = CliRunner()
    env = {"ALTAR_DB": None, "ALTAR_USER": f"worker{worker}", "VISUAL": None, "EDITOR": None}
    done = []

    def altar(*args: str) -> None:
        result = runner.invoke(cli, ["--db", db, *args], env=env, prog_name="altar")
        done.append((args, result.exit_code, result.output))

    for case in range(CASES_EACH):
        altar(
            "case",
            "add",
            f"W{worker}-{case}",
            "--authority",
            "dudley",
            "--stratum",
            "community",
            "--screened-on",
            "2021-03-04",
        )
    for round_ in range(ROUNDS):
        for case in range(CASES_EACH):
            form = Path(folder) / f"w{worker}-{case}-{round_}.txt"
            lines = [f"{code}: {value}" for code, value in _answers(worker, case, round_).items()]
            form.write_text("\n".join(lines) + "\n", encoding="utf-8")
            altar("screening", "enter", f"W{worker}-{case}", "--from", str(form))
            altar("case", "list", "--format", "json")  # a reader among the writers
    results.put((worker, done))


def test_several_processes_writing_at_once_lose_nothing(db_path, tmp_path, query):
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    workers = [
        context.Process(target=_worker, args=(str(db_path), w, str(tmp_path), results))
        for w in range(WORKERS)
    ]
    for process in workers:
        process.start()
    outcomes = dict(results.get(timeout=300) for _ in workers)
    for process in workers:
        process.join(timeout=60)
        assert process.exitcode == 0
    for worker, done in outcomes.items():
        for args, exit_code, output in done:
            assert "locked" not in output, f"worker {worker}: {args}: {output}"
            assert exit_code == 0, f"worker {worker}: {args}: {output}"
    stored: dict[tuple[str, str], str] = {
        (ref, code): value
        for ref, code, value in query(
            "SELECT c.case_ref, a.item_code, a.value FROM answer a "
            "JOIN screening s ON s.id = a.screening_id JOIN cases c ON c.id = s.case_id"
        )
    }
    expected_log = 0
    for worker in range(WORKERS):
        for case in range(CASES_EACH):
            ref = f"W{worker}-{case}"
            final = {**_answers(worker, case, 0), **_answers(worker, case, 1)}
            assert {code: v for (r, code), v in stored.items() if r == ref} == final
            first, second = _answers(worker, case, 0), _answers(worker, case, 1)
            expected_log += len(first) + sum(first.get(code) != v for code, v in second.items())
    inserts = query("SELECT count(*) FROM change_log WHERE action = 'insert' AND entity = 'case'")
    assert inserts == [(WORKERS * CASES_EACH,)]
    updates = query("SELECT count(*) FROM change_log WHERE action = 'update' AND entity = 'answer'")
    assert updates == [(expected_log,)]
    actors = query("SELECT DISTINCT actor FROM change_log ORDER BY actor")
    assert actors == [(f"worker{w}",) for w in range(WORKERS)]
