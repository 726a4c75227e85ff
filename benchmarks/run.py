"""Speed and memory of altar at national scale, each against its floor.

Not part of the test suite. For each cohort size it generates a synthetic
CSV file, then times, each in a fresh process with its peak memory:

- ``altar import`` against the floor: the same rows read with the csv
  module and inserted with plain sqlite3 ``executemany`` into an equivalent
  database (the same tables, constraints and indexes, made by ``altar
  init``), with no validation, scoring or change log;
- ``altar stats --json --by stratum`` against the floor: one hand-written
  SQL aggregate over the same data;
- the same ``altar stats`` against pandas tallying the CSV ``altar export``
  writes of the same cases (benchmarks/pandas_tallies.py), its cells read
  as categories and, as "text", as strings; the three run in turn three
  times, each given as its median, and their common numbers checked to
  agree;
- ``altar report regional --format html`` (the regional report);
- the web caseload: a lead signing in to ``altar serve``'s application
  and opening the first page of every case (``/cases``), as a browser would.

First, start-up: ``altar --help`` and ``altar stats --help`` as a user
starts them (the console script), the median of five runs each.

Usage:
    .venv/bin/python benchmarks/run.py                 # 10,000 100,000 1,000,000
    .venv/bin/python benchmarks/run.py 10000 100000    # chosen sizes

Targets (issues 3 and 7), on a 2-core machine: import of 100,000 within 4x
of its floor and under 60 s; stats within 3x of its floor and under 5 s;
peak memory under 500 MB at 1,000,000 cases for import and stats; the
caseload page (issue 9: a lead's first page of cases) under 5 s at 100,000;
(issue 20) start-up under 0.3 s, and stats faster than pandas.
The table it prints goes in the README with the machine it ran on.
"""

from __future__ import annotations

import csv
import json
import math
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from altar.capture.exporter import export_header
from altar.instrument import current_codebook
from altar.synthetic import scaled_rows

ALTAR = [sys.executable, "-m", "altar"]
# The console script beside this Python, as a user starts altar.
ALTAR_SCRIPT = str(Path(sys.executable).with_name("altar"))
PANDAS_TALLIES = Path(__file__).with_name("pandas_tallies.py")
STARTUP_RUNS = 5
PANDAS_RUNS = 3
COUNT_ITEMS = [item.code for item in current_codebook().items if item.type == "count"]

# What a researcher would write by hand for the binary and count tallies.
STATS_FLOOR_SQL = """
SELECT c.stratum, a.item_code, a.value, a.count, COUNT(*)
FROM answer a JOIN screening s ON s.id = a.screening_id JOIN cases c ON c.id = s.case_id
GROUP BY c.stratum, a.item_code, a.value, a.count
"""

# The floor import: the file's rows straight into altar's tables.
IMPORT_FLOOR = r"""
import csv, sqlite3, sys
db, path, count_items = sys.argv[1], sys.argv[2], set(sys.argv[3].split(","))
con = sqlite3.connect(db, isolation_level=None)
for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
    con.execute(f"PRAGMA {pragma}")
authority = dict(con.execute("SELECT code, id FROM authority"))
version = con.execute("SELECT max(id) FROM instrument_version").fetchone()[0]
CASES = "INSERT INTO cases (id, case_ref, authority_id, stratum, cohort, sex, ethnicity, age, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
SCREENINGS = "INSERT INTO screening (id, case_id, instrument_version_id, screened_on, screened_by, status, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)"
ANSWERS = "INSERT INTO answer (screening_id, item_code, value, count) VALUES (?,?,?,?)"
con.execute("BEGIN")
with open(path, newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    items = [c for c in reader.fieldnames if c not in ("case_ref", "authority", "stratum", "cohort", "sex",
             "ethnicity", "age", "screened_on", "screened_by", "instrument_version")]
    cases, screenings, answers = [], [], []
    for n, row in enumerate(reader, start=1):
        age = None if row["age"] == "unknown" else int(row["age"])
        cases.append((n, row["case_ref"], authority[row["authority"]], row["stratum"], row["cohort"], row["sex"],
                      row["ethnicity"], age, "2026-01-01", "2026-01-01"))
        screenings.append((n, n, version, row["screened_on"], None, "complete", "2026-01-01", "2026-01-01"))
        for code in items:
            cell = row[code]
            if code in count_items:
                answers.append((n, code, None, int(cell) if cell.isdigit() else None))
            else:
                answers.append((n, code, cell or "unknown", None))
        if n % 2000 == 0:
            for sql, batch in ((CASES, cases), (SCREENINGS, screenings), (ANSWERS, answers)):
                con.executemany(sql, batch)
                batch.clear()
    for sql, batch in ((CASES, cases), (SCREENINGS, screenings), (ANSWERS, answers)):
        con.executemany(sql, batch)
con.execute("COMMIT")
"""


# The lead's first page of cases through the real application (Flask's test
# client speaks WSGI as waitress does), after a real sign-in.
CASELOAD = r"""
import sys
from bs4 import BeautifulSoup
from altar.db import connect
from altar.web import create_app
client = create_app(connect(sys.argv[1])).test_client()
page = client.get("/sign-in").get_data(as_text=True)
token = BeautifulSoup(page, "html.parser").find("input", attrs={"name": "csrf_token"})["value"]
signed = client.post("/sign-in", data={"name": "bench", "password": sys.argv[2], "csrf_token": token})
assert signed.status_code == 302, signed.status_code
response = client.get("/cases")
assert response.status_code == 200 and "Page 1 of" in response.get_data(as_text=True), response.status_code
"""
BENCH_PASSWORD = "timing the caseload page"


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    cpu: float = 0.0  # user + system seconds: what a busy machine does not inflate


def timed(args: list[str], stdin: str | None = None) -> Run:
    """Run a command; its wall time and peak resident memory (from wait4)."""
    start = time.perf_counter()
    process = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stdin=subprocess.PIPE if stdin else None, text=True
    )
    if stdin:
        process.stdin.write(stdin)  # type: ignore[union-attr]
        process.stdin.close()  # type: ignore[union-attr]
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(args)}")
    # ru_maxrss is in KiB on Linux
    return Run(seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)


def median(runs: list[Run]) -> Run:
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def startup() -> dict[str, float]:
    """Median wall time of each help command, as a user starts it."""
    return {
        " ".join(["altar", *args]): statistics.median(
            timed([ALTAR_SCRIPT, *args]).seconds for _ in range(STARTUP_RUNS)
        )
        for args in (["--help"], ["stats", "--help"])
    }


def tallies_spec() -> dict[str, object]:
    """What pandas_tallies.py tallies, read from the codebook as altar does."""
    book = current_codebook()
    return {
        "binary": [item.code for item in book.items if item.type == "binary"],
        "counts": {item.code: list(item.thresholds) for item in book.items if item.type == "count"},
        "scores": {
            score.code: {
                "components": [list(c.any_of) for c in score.components],
                "bands": list(score.bands),
            }
            for score in book.scores
        },
    }


def check_agreement(altar_args: list[str], pandas_args: list[str]) -> None:
    """Refuse a comparison of two programs that do not compute the same numbers."""
    ours, theirs = (
        json.loads(subprocess.run(args, capture_output=True, check=True).stdout)
        for args in (altar_args, pandas_args)
    )

    def same(path: str, a: object, b: object) -> None:
        if isinstance(b, dict):
            for key, value in b.items():
                same(f"{path}.{key}", a[key], value)  # type: ignore[index]
        elif isinstance(b, list):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):  # type: ignore[call-overload]
                same(f"{path}[{i}]", x, y)
        elif not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):  # type: ignore[arg-type]
            raise SystemExit(f"altar stats and pandas disagree at {path}: {a} != {b}")

    same("", ours, theirs)


def write_cohort(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=export_header(), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(scaled_rows(current_codebook(), n, seed=1))


def measure(n: int, folder: Path) -> dict[str, Run | None]:
    data, db, floor_db = (
        folder / f"cohort_{n}.csv",
        folder / f"altar_{n}.db",
        folder / f"floor_{n}.db",
    )
    write_cohort(data, n)
    for target in (db, floor_db):
        timed([*ALTAR, "--db", str(target), "init"])
    results: dict[str, Run | None] = {
        "import": timed([*ALTAR, "--db", str(db), "import", str(data)]),
        "import_floor": timed(
            [sys.executable, "-c", IMPORT_FLOOR, str(floor_db), str(data), ",".join(COUNT_ITEMS)]
        ),
        "stats_floor": timed(
            [
                sys.executable,
                "-c",
                f"import sqlite3; sqlite3.connect({str(db)!r}).execute({STATS_FLOOR_SQL!r}).fetchall()",
            ]
        ),
        **stats_against_pandas(db, folder),
        "report": timed(
            [
                *ALTAR,
                "--db",
                str(db),
                "report",
                "regional",
                "--format",
                "html",
                "--out",
                str(folder / "reports"),
            ]
        ),
    }
    timed(
        [*ALTAR, "--db", str(db), "user", "add", "bench", "--role", "admin"],
        stdin=f"{BENCH_PASSWORD}\n" * 2,
    )
    results["caseload"] = timed([sys.executable, "-c", CASELOAD, str(db), BENCH_PASSWORD])
    for path in (data, db, floor_db):
        path.unlink()
    return results


def stats_against_pandas(db: Path, folder: Path) -> dict[str, Run | None]:
    export, spec = folder / "export.csv", folder / "tallies.json"
    timed([*ALTAR, "--db", str(db), "export", "--out", str(export)])
    spec.write_text(json.dumps(tallies_spec()), encoding="utf-8")
    altar = [*ALTAR, "--db", str(db), "stats", "--json", "--by", "stratum"]
    pandas = [sys.executable, str(PANDAS_TALLIES), str(export), str(spec)]
    commands = {"stats": altar, "pandas": pandas, "pandas_text": [*pandas, "text"]}
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for _ in range(PANDAS_RUNS):  # in turn, so a busy moment falls on each
        for name, args in commands.items():
            runs[name].append(timed(args))
    check_agreement(altar, commands["pandas"])
    check_agreement(altar, commands["pandas_text"])
    export.unlink()
    return {name: median(r) for name, r in runs.items()}


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {platform.system()} {platform.release()}"
    )


def table(rows: dict[int, dict[str, Run | None]]) -> str:
    def s(run: Run | None) -> str:
        return "n/a" if run is None else f"{run.seconds:.1f} s"

    def ratio(a: Run | None, b: Run | None) -> str:
        return "n/a" if a is None or b is None else f"{a.seconds / b.seconds:.2f}x"

    def mb(run: Run | None) -> str:
        return "n/a" if run is None else f"{run.peak_mb:.0f} MB"

    lines = [
        "| cases | import | floor | ratio | import peak | stats --json | floor | ratio | stats peak "
        "| pandas | vs pandas | pandas, text | vs text | report | caseload page | page peak |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, r in rows.items():
        lines.append(
            f"| {n:,} | {s(r['import'])} | {s(r['import_floor'])} | {ratio(r['import'], r['import_floor'])} "
            f"| {mb(r['import'])} | {s(r['stats'])} | {s(r['stats_floor'])} | {ratio(r['stats'], r['stats_floor'])} "
            f"| {mb(r['stats'])} | {s(r.get('pandas'))} | {ratio(r['stats'], r.get('pandas'))} "
            f"| {s(r.get('pandas_text'))} | {ratio(r['stats'], r.get('pandas_text'))} "
            f"| {s(r['report'])} | {s(r.get('caseload'))} | {mb(r.get('caseload'))} |"
        )
    return "\n".join(lines)


def main(sizes: list[int]) -> None:
    started = startup()
    rows = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            rows[n] = measure(n, Path(folder))
            print(f"done: {n:,} cases", file=sys.stderr)
    print(f"Machine: {machine()}\n")
    print(
        f"Start-up, median of {STARTUP_RUNS}: "
        + ", ".join(f"`{command}` {seconds:.2f} s" for command, seconds in started.items())
        + "\n"
    )
    print(table(rows))
    for n, r in rows.items():
        print(
            f"\nCPU seconds at {n:,} cases (the same medians): "
            + ", ".join(f"{name} {r[name].cpu:.2f}" for name in ("stats", "pandas", "pandas_text"))  # type: ignore[union-attr]
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000])
