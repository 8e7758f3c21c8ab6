"""Measure the pipeline: wall time and peak memory of the generator, `dbt build` and the export.

Usage: python scripts/benchmark.py [--events 1000000 ...] [--seed 7] [--work-dir DIR]

Each step runs as its own process, as a user runs it; peak memory is the largest resident set
(VmHWM in /proc, Linux only) sampled every 50 ms, so a peak shorter than that can be missed.
It prints one line per step and size, and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent


def _peak_resident_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None


def run_step(command: list[str], environment: dict[str, str]) -> tuple[float, int]:
    """Run a command; return its wall time in seconds and peak resident memory in MiB."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    peak_kib = 0
    while process.poll() is None:
        peak_kib = max(peak_kib, _peak_resident_kib(process.pid) or 0)
        time.sleep(0.05)
    output = process.stdout.read() if process.stdout else ""
    elapsed = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"step failed with exit code {process.returncode}: {' '.join(command)}\n{output[-4000:]}")
    return elapsed, peak_kib // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="numbers of generated action rows, one run each (default: 100000 1000000)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default: 7)")
    parser.add_argument("--work-dir", type=Path, help="folder for the DuckDB files (default: a temporary folder)")
    parser.add_argument("--memory-limit", default="200MB",
                        help="DuckDB memory_limit for dbt, as in the profile (default: 200MB)")
    arguments = parser.parse_args()

    work_dir = arguments.work_dir or Path(tempfile.mkdtemp(prefix="hybrid-benchmark-"))
    work_dir.mkdir(parents=True, exist_ok=True)
    profiles_dir = work_dir / "profiles"
    profiles_dir.mkdir(exist_ok=True)
    (profiles_dir / "profiles.yml").write_text((REPO_ROOT / "profiles.yml.example").read_text())

    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}; work dir {work_dir}")
    print(f"{'events':>12}  {'step':<10} {'seconds':>9} {'peak MiB':>9}")
    for events in arguments.events:
        duckdb_path = work_dir / f"matomo_{events}.duckdb"
        environment = dict(
            os.environ,
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            HYBRID_DUCKDB_PATH=str(duckdb_path),
            HYBRID_DUCKDB_MEMORY_LIMIT=arguments.memory_limit,
        )
        environment.pop("DBT_TARGET", None)
        steps = [
            ("generate", [sys.executable, "-m", "generator", "--events", str(events), "--seed",
                          str(arguments.seed), "--prefix", "matomo_", "--output", str(duckdb_path)]),
            ("dbt build", [str(BIN_DIR / "dbt"), "build", "--profiles-dir", str(profiles_dir),
                           "--target-path", str(work_dir / "target"), "--log-path", str(work_dir / "logs"),
                           "--vars", "{app_database_enabled: true}"]),
            ("export", [sys.executable, "-m", "export", "--profiles-dir", str(profiles_dir),
                        "--output", str(work_dir / f"processed_data_{events}")]),
        ]
        for name, command in steps:
            seconds, peak_mib = run_step(command, environment)
            print(f"{events:>12,}  {name:<10} {seconds:>9.1f} {peak_mib:>9}", flush=True)
        print(f"{events:>12,}  {'file':<10} {duckdb_path.stat().st_size / 2**20:>9.1f} MiB on disk", flush=True)


if __name__ == "__main__":
    main()
