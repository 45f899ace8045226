#!/usr/bin/env bash
# Install every dependency at the lowest version pyproject.toml allows (build backend included)
# into a scratch venv and run the fast tests there: a lower bound that installs but does not
# work fails here. Not part of .ci/run (it downloads old releases and takes several minutes).
#   bash tools/check_min_versions.sh [SCRATCH_DIR]     (default: a new temporary folder)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${1:-$(mktemp -d)}"
minimums="$scratch/minimums.txt"

python3 -m venv "$scratch/venv"
python3 - "$minimums" <<'PY'
"""Write NAME==LOWEST for every requirement of the project, its test extra and its build."""
import re
import sys
import tomllib

with open("pyproject.toml", "rb") as f:
    project = tomllib.load(f)
requirements = [
    *project["build-system"]["requires"],
    *project["project"]["dependencies"],
    *project["project"]["optional-dependencies"]["test"],
]
lines = []
for requirement in requirements:
    match = re.match(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?\s*(.*)$", requirement)
    assert match, requirement
    name, spec = match.groups()
    lowest = re.search(r"(?:>=|==)\s*([^,\s]+)", spec)
    if lowest is None:
        sys.exit(f"{requirement!r} has no lower bound")
    lines.append(f"{name}=={lowest.group(1)}")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
echo "lowest versions allowed ($minimums):"
sed 's/^/  /' "$minimums"

pip="$scratch/venv/bin/pip"
# The build backend at its minimum too, so the build runs without isolation in this venv.
"$pip" install -q -c "$minimums" setuptools wheel
"$pip" install -q --no-build-isolation -c "$minimums" -e '.[test]'
"$pip" list --format=freeze > "$scratch/installed.txt"
echo "installed: $scratch/installed.txt"
# The fast tests: all but those of several processes and of Discord shards, SQLite only.
"$scratch/venv/bin/pytest" -q -p no:cacheprovider -m "not postgres" -k "not postgresql" \
  --deselect tests/bot/test_several_processes.py --deselect tests/bot/discord/test_shards.py
