"""`make bench`: Dealbook under load at `small` and `large`, against the ceiling of the machine.

For each scale: build (or reuse) the database, start Dealbook with its production server
(gunicorn, 2 workers) on loopback, warm it, and drive every scenario with wrk from a second
process at concurrency 8 for a fixed time. Then measure the ceiling — a minimal WSGI app
returning 2 KB of JSON under the same server and load tool. Results go to
bench/results/<date>-<engine>.json and the summary table of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"
DOC = ROOT / "docs" / "benchmarks.md"
PORT, CEILING_PORT = 8765, 8766
CONNECTIONS, THREADS, WORKERS = 8, 2, 2
WARM_SECONDS = 5
READS = [
    "deal_list",
    "deal_list_manager",
    "deal_detail",
    "board",
    "board_manager",
    "account_page",
    "account_page_manager",
    "search",
    "home_manager",
]
WRITES = ["create_deal", "move_stage"]
# The acceptance: share of the ceiling's requests/s per scenario.
TARGETS = {"deal_detail": 0.10, "create_deal": 0.03, "move_stage": 0.03}
DEFAULT_TARGET = 0.05
P99_LIMIT_MS = 150.0
RSS_LIMIT_MIB = 300.0


def log(message: str) -> None:
    print(f"[bench {dt.datetime.now(dt.UTC):%H:%M:%S}] {message}", flush=True)


def environment(scale: str) -> tuple[str, dict[str, str]]:
    env = {**os.environ, "DEALBOOK_QUERY_COUNT_HEADER": "1", "LOG_LEVEL": "ERROR"}
    env.setdefault("SECRET_KEY", "dealbook-bench-only")
    url = os.environ.get("DATABASE_URL", "")
    if url:
        parts = urlsplit(url)
        env["DATABASE_URL"] = urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{scale}"))
        return "postgresql", env
    DATA.mkdir(parents=True, exist_ok=True)
    env["SQLITE_PATH"] = str(DATA / f"{scale}.sqlite3")
    env.pop("DATABASE_URL", None)
    return "sqlite", env


def run(command: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, cwd=ROOT, check=True, text=True, **kwargs)


def ensure_database(engine: str, env: dict[str, str]) -> None:
    if engine == "postgresql":
        import psycopg

        parts = urlsplit(env["DATABASE_URL"])
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as connection:
            name = parts.path.lstrip("/")
            exists = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')


def deal_count(env: dict[str, str]) -> int:
    out = run(
        [
            str(BIN / "dealbook"),
            "shell",
            "-c",
            "from dealbook.pipeline.models import Deal; print(Deal.objects.count())",
        ],
        env,
        capture_output=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


BENCH_DEAL_NAME = "Bench deal 压测商机"  # the deals create_deal makes (bench/prepare.py)


def build(scale: str, engine: str, env: dict[str, str]) -> dict:
    ensure_database(engine, env)
    run([str(BIN / "dealbook"), "migrate", "-v0"], env)
    existing = deal_count(env)
    if existing:
        log(f"{scale}: reusing the {engine} database ({existing:,} deals); refreshing statistics")
        # Migrations since the build may have added indexes the planner knows nothing of; on
        # PostgreSQL, a vacuum too (quick where nothing changed): migrations that rebuild a
        # roll-up leave dead rows behind when autovacuum is off, as on this machine.
        # The deals earlier runs created go first (with their history, contacts and roll-up
        # counts, as a deletion takes them): every run reads the data as generated.
        removed = run(
            [
                str(BIN / "dealbook"),
                "shell",
                "-c",
                "from dealbook.pipeline.models import Deal; "
                f"print(Deal.objects.filter(name={BENCH_DEAL_NAME!r}).delete()[0])",
            ],
            env,
            capture_output=True,
        )
        count = removed.stdout.strip().splitlines()[-1]
        log(f"{scale}: removed the {count} rows earlier runs created")
        refresh = "VACUUM (ANALYZE)" if engine == "postgresql" else "ANALYZE"
        run(
            [
                str(BIN / "dealbook"),
                "shell",
                "-c",
                f"from django.db import connection; connection.cursor().execute('{refresh}')",
            ],
            env,
        )
        return {"reused": True, "deals": existing}
    log(f"{scale}: generating the {engine} database (dealbook generate --scale {scale})")
    started = time.monotonic()
    run([str(BIN / "dealbook"), "generate", "--scale", scale], env)
    seconds = time.monotonic() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "reused": False,
        "deals": deal_count(env),
        "build_seconds": round(seconds, 1),
        "generator_peak_rss_mib": round(peak_mib, 1),
    }


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback only
                return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def ensure_port_free(url: str) -> None:
    """Refuse to start when something already listens where the server is to listen: a server
    left over from an earlier run (or started by hand) would answer the health check and be
    measured instead, with its own code and database."""
    parts = urlsplit(url)
    with socket.socket() as probe:
        if probe.connect_ex((parts.hostname or "127.0.0.1", parts.port or 80)) == 0:
            raise SystemExit(
                f"bench: something already listens on {parts.hostname}:{parts.port}; stop it "
                "first, or its answers would be measured instead of this run's server."
            )


def start_server(command: list[str], env: dict[str, str], url: str) -> subprocess.Popen:
    ensure_port_free(url)
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(url)
    if process.poll() is not None:
        raise SystemExit(f"bench: the server exited (status {process.returncode}): {command}")
    return process


def stop_server(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def worker_peak_rss_mib(master_pid: int) -> list[float]:
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master_pid}$", text, re.M):
            match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
            if match:
                peaks.append(round(int(match.group(1)) / 1024, 1))
    return sorted(peaks)


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(number) * UNITS[unit], 2)


def wrk(url: str, seconds: int, env: dict[str, str], script: bool = True) -> dict:
    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script:
        command += ["-s", str(ROOT / "bench" / "wrk.lua")]
    out = subprocess.run(
        [*command, url],
        env={**env, "BENCH_THREADS": str(THREADS)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non_2xx.group(1)) if non_2xx else 0) + (
        sum(map(int, socket.groups())) if socket else 0
    )
    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99_ms": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": errors,
    }


def queries_per_request(base: str, token: str, line: str) -> int | None:
    method, path, body = [*line.rstrip("\n").split("\t"), ""][:3]
    request = urllib.request.Request(  # noqa: S310 - loopback only
        base + path,
        method=method,
        data=body.encode() or None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback only
            return int(response.headers.get("X-DB-Queries", "-1"))
    except urllib.error.HTTPError as error:
        log(f"  {method} {path}: HTTP {error.code} {error.read()[:200]!r}")
        return None


def usual(counts: list[int]) -> int | None:
    """The most frequent count (the smaller one on a tie), None for no samples."""
    if not counts:
        return None
    return max(set(counts), key=lambda count: (counts.count(count), -count))


def bench_scale(
    scale: str, seconds: int, write_seconds: int, only: frozenset[str] = frozenset()
) -> dict:
    engine, env = environment(scale)
    data = build(scale, engine, env)
    requests_dir = DATA / f"requests-{engine}-{scale}"
    prepared = json.loads(
        run(
            [str(BIN / "python"), "bench/prepare.py", str(requests_dir)], env, capture_output=True
        ).stdout
    )
    base = f"http://127.0.0.1:{PORT}"
    server = start_server(
        [str(BIN / "dealbook"), "serve", "--port", str(PORT), "--workers", str(WORKERS)],
        env,
        f"{base}/healthz",
    )
    scenarios = {}
    try:
        for name in READS + WRITES:
            if only and name not in only:
                continue
            spec = prepared["scenarios"][name]
            token = prepared["tokens"][spec["persona"]]
            lines = Path(spec["file"]).read_text(encoding="utf-8").splitlines()
            if not lines:
                log(f"{scale}: {name}: no records to request, skipped")
                continue
            # Queries per request: what most of ten requests of the first lines cost. A
            # token's last use is written at most once a minute (one more query on whichever
            # request does it), so the most of the samples is not the page's own count. Writes
            # read theirs from the last line, which the load never reaches.
            samples = [lines[-1]] if name in WRITES else [lines[i % len(lines)] for i in range(10)]
            counts = [queries_per_request(base, token, line) for line in samples]
            queries = usual([c for c in counts if c is not None])
            load_env = {**os.environ, "BENCH_REQUESTS": spec["file"], "BENCH_TOKEN": token}
            if name == "move_stage":
                load_env["BENCH_ONCE"] = "1"  # a move carries its version: never resend one
            if name in READS:
                # Warm: the same load, unmeasured, so every record the run cycles through
                # has been read once (page cache, SQLite's and PostgreSQL's buffers).
                wrk(base, WARM_SECONDS, load_env)
            figures = wrk(base, write_seconds if name in WRITES else seconds, load_env)
            scenarios[name] = {
                "persona": spec["persona"],
                "queries_per_request": queries,
                **figures,
            }
            log(
                f"{scale}: {name}: {figures['requests_per_second']:.0f} req/s, "
                f"p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
                f"{figures['errors']} errors, {queries} queries/request"
            )
        rss = worker_peak_rss_mib(server.pid)
    finally:
        stop_server(server)
    return {
        "engine": engine,
        "scale": scale,
        "data": data,
        "scenarios": scenarios,
        "worker_peak_rss_mib": rss,
        "manager_team_size": prepared["manager_team_size"],
    }


def ceiling(seconds: int) -> dict:
    base = f"http://127.0.0.1:{CEILING_PORT}"
    server = start_server(
        [
            str(BIN / "gunicorn"),
            "--chdir",
            str(ROOT / "bench"),
            "ceiling:app",
            "--bind",
            f"127.0.0.1:{CEILING_PORT}",
            "--workers",
            str(WORKERS),
        ],
        dict(os.environ),
        f"{base}/",
    )
    try:
        return wrk(f"{base}/", seconds, dict(os.environ), script=False)
    finally:
        stop_server(server)


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_tool": subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split(
            "\n"
        )[0],
    }


def verdict(result: dict) -> list[str]:
    """The issue's acceptance lines, checked on the large run."""
    failures = []
    top = result["ceiling"]["requests_per_second"]
    large = result["runs"].get("large", {})
    for name, figures in large.get("scenarios", {}).items():
        base = name.removesuffix("_manager")
        target = TARGETS.get(base, DEFAULT_TARGET)
        share = figures["requests_per_second"] / top
        figures["ratio_to_ceiling"] = round(share, 4)
        if share < target:
            failures.append(f"{name}: {share:.1%} of the ceiling < {target:.0%}")
        if name in READS and figures["p99_ms"] >= P99_LIMIT_MS:
            failures.append(f"{name}: p99 {figures['p99_ms']} ms >= {P99_LIMIT_MS} ms")
        if figures["errors"]:
            failures.append(f"{name}: {figures['errors']} errors")
    small = result["runs"].get("small", {}).get("scenarios", {})
    for name, figures in large.get("scenarios", {}).items():
        if (
            name in small
            and name in READS
            and small[name]["queries_per_request"] != figures["queries_per_request"]
        ):
            failures.append(
                f"{name}: {small[name]['queries_per_request']} queries at small, "
                f"{figures['queries_per_request']} at large"
            )
    for rss in large.get("worker_peak_rss_mib", []):
        if rss >= RSS_LIMIT_MIB:
            failures.append(f"worker peak RSS {rss} MiB >= {RSS_LIMIT_MIB} MiB")
    build = large.get("data", {})
    if not build.get("reused") and build.get("build_seconds", 0) >= 900:
        failures.append(f"large built in {build['build_seconds']} s >= 900 s")
    return failures


def write_doc(result: dict, path: Path) -> None:
    start, end = (
        "<!-- bench:latest:" + result["engine"] + " -->",
        "<!-- /bench:latest:" + result["engine"] + " -->",
    )
    top = result["ceiling"]["requests_per_second"]
    rows = [
        "| scenario | persona | scale | req/s | share of ceiling | p50 ms | p99 ms | errors "
        "| queries/request |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for scale, run_result in result["runs"].items():
        for name, f in run_result["scenarios"].items():
            rows.append(
                f"| {name} | {f['persona']} | {scale} | {f['requests_per_second']:.0f} | "
                f"{f['requests_per_second'] / top:.1%} | {f['p50_ms']} | {f['p99_ms']} | "
                f"{f['errors']} | {f['queries_per_request']} |"
            )
    rss = (
        result["runs"].get("large", result["runs"].get("small", {})).get("worker_peak_rss_mib", [])
    )
    block = "\n".join(
        [
            start,
            f"**{result['engine']}**, {result['date']} — ceiling {top:.0f} req/s "
            f"(p99 {result['ceiling']['p99_ms']} ms); worker peak RSS {rss} MiB; "
            f"raw figures: `{path.relative_to(ROOT)}`.",
            "",
            *rows,
            "",
            (
                "Acceptance: all lines hold."
                if not result["failures"]
                else "Acceptance lines that do not hold yet:\n\n"
                + "\n".join(f"- {f}" for f in result["failures"])
            ),
            end,
        ]
    )
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    DOC.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="small,large")
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "15")))
    parser.add_argument(
        "--write-seconds", type=int, default=int(os.environ.get("BENCH_WRITE_SECONDS", "8"))
    )
    parser.add_argument(
        "--only",
        default="",
        help="Comma-separated scenarios: a quick look while working, printed and not recorded.",
    )
    args = parser.parse_args()
    only = frozenset(filter(None, args.only.split(",")))
    if shutil.which("wrk") is None:
        print("make bench needs wrk (Debian: apt-get install wrk).", file=sys.stderr)
        return 2
    result = {
        "date": dt.datetime.now(dt.UTC).date().isoformat(),
        "machine": machine(),
        "connections": CONNECTIONS,
        "workers": WORKERS,
        "runs": {},
    }
    for scale in args.scales.split(","):
        run_result = bench_scale(scale, args.seconds, args.write_seconds, only)
        result["engine"] = run_result["engine"]
        result["runs"][scale] = run_result
    result["ceiling"] = ceiling(args.seconds)
    log(f"ceiling: {result['ceiling']['requests_per_second']:.0f} req/s")
    if only:
        for name, figures in result["runs"][scale]["scenarios"].items():
            share = figures["requests_per_second"] / result["ceiling"]["requests_per_second"]
            log(f"{name}: {share:.1%} of the ceiling")
        return 0
    result["failures"] = verdict(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{result['date']}-{result['engine']}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    write_doc(result, path)
    for failure in result["failures"]:
        log(f"NOT MET: {failure}")
    log(f"results: {path.relative_to(ROOT)}; summary: docs/benchmarks.md")
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
