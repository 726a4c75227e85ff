"""Benchmark: `altar stats --json --by stratum` against a hand-written SQL
aggregate over the same data (the floor), in one run.

Not part of the test suite. Usage:
    .venv/bin/python benchmarks/stats_bench.py [N_CASES]   (default 100000)

Target (issue 3): within 3x of the floor and under 5 s for 100,000 cases on
a 2-core machine.
"""

from __future__ import annotations

import csv
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from altar.capture.exporter import export_header
from altar.instrument import current_codebook
from altar.synthetic import scaled_rows

FLOOR_SQL = """
SELECT c.stratum, a.item_code, a.value, COUNT(*)
FROM answer a JOIN screening s ON s.id = a.screening_id JOIN cases c ON c.id = s.case_id
WHERE a.value IS NOT NULL
GROUP BY c.stratum, a.item_code, a.value
"""


def altar(db: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "altar", "--db", str(db), *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db, data = Path(folder) / "bench.db", Path(folder) / "cohort.csv"
        with data.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=export_header(), extrasaction="ignore")
            writer.writeheader()
            writer.writerows(scaled_rows(current_codebook(), n, seed=1))
        altar(db, "init")
        import_s = altar(db, "import", str(data))
        stats_s = altar(db, "stats", "--json", "--by", "stratum")
        # The floor: the one aggregate the tallies cannot avoid, plus process start.
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import sqlite3; sqlite3.connect({str(db)!r}).execute({FLOOR_SQL!r}).fetchall()"],
                       check=True)  # fmt: skip
        floor_s = time.perf_counter() - start
        print(f"cases: {n}")
        print(f"import:             {import_s:8.2f} s")
        print(f"altar stats --json: {stats_s:8.2f} s")
        print(f"hand-written SQL:   {floor_s:8.2f} s")
        print(f"ratio:              {stats_s / floor_s:8.2f}x  (target: <= 3x and < 5 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
