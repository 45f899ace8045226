"""Benchmark: how long `paperbot --help` takes, and the idle memory of `paperbot run --console`.

Side by side, alternating so that the load of a shared machine falls on both alike: the bare
interpreter starting (`python -c "import argparse"`, the baseline), `paperbot --help` of this
checkout, and, with --ref, that of another checkout (the code before a change). Each is the best
of --repeat runs; the ratio to the baseline turns a loaded machine's figure into an idle one's
(--idle-baseline: the baseline's time on this machine when idle). Then `paperbot run --console`
on a scratch SQLite database, once it asks for the first command, is left idle five seconds
and its resident memory read from /proc. Run from the repository root:

    .venv/bin/python benchmarks/startup.py [--repeat 15] [--ref ../main] [--idle-baseline 0.025]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IDLE_SECONDS = 5.0
PROMPT = b"> "


def _command(checkout: Path, *args: str) -> tuple[list[str], dict[str, str]]:
    """`paperbot ARGS` run from a checkout's sources, with this interpreter."""
    # the first entry of sys.path is the working folder: run from outside every checkout
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    code = "import sys; from bot.__main__ import main; sys.exit(main())"
    return [sys.executable, "-c", code, *args], env


def _seconds(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, cwd="/")
    return time.perf_counter() - start


def _idle_rss(checkout: Path) -> tuple[int, int]:
    """(resident, peak resident) kB of `paperbot run --console` idle after start-up."""
    with tempfile.TemporaryDirectory() as folder:
        command, env = _command(checkout, "run", "--console")
        env["PAPERBOT_DATABASE_URL"] = f"sqlite+aiosqlite:///{folder}/bench.db"
        process = subprocess.Popen(
            command, env=env, cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            seen = b""
            while PROMPT not in seen:  # started: the console asks for the first command
                chunk = process.stdout.read1(4096)
                if not chunk:
                    raise RuntimeError(f"paperbot run --console ended: {seen[-500:]!r}")
                seen += chunk
            time.sleep(IDLE_SECONDS)
            status = Path(f"/proc/{process.pid}/status").read_text(encoding="utf-8")
        finally:
            process.stdin.close()  # end of input: the console says goodbye and stops
            process.wait(timeout=60)
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def main() -> int:
    """Time the runs side by side and print them with their ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--ref", type=Path, help="another checkout to compare (before)")
    parser.add_argument(
        "--idle-baseline", type=float, help="the baseline's seconds on this machine when idle"
    )
    args = parser.parse_args()
    runs: dict[str, tuple[list[str], dict[str, str]]] = {
        "baseline (python -c 'import argparse')": (
            [sys.executable, "-c", "import argparse"],
            dict(os.environ),
        ),
        "paperbot --help": _command(ROOT, "--help"),
    }
    if args.ref:
        runs["paperbot --help (--ref)"] = _command(args.ref.resolve(), "--help")
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(args.repeat):
        for name, (command, env) in runs.items():
            best[name] = min(best[name], _seconds(command, env))
    baseline = next(iter(best.values()))
    scale = args.idle_baseline / baseline if args.idle_baseline else None
    for name, seconds in best.items():
        idle = f"   idle-equivalent {seconds * scale:6.3f} s" if scale else ""
        print(f"{name:<40} {seconds:6.3f} s   {seconds / baseline:5.1f}x baseline{idle}")
    checkouts = {"this checkout": ROOT} | ({"--ref": args.ref.resolve()} if args.ref else {})
    for name, checkout in checkouts.items():
        rss, peak = _idle_rss(checkout)
        print(
            f"paperbot run --console, started and idle {IDLE_SECONDS:.0f} s ({name}): "
            f"RSS {rss / 1024:.0f} MB (peak {peak / 1024:.0f} MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
