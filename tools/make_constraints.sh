#!/usr/bin/env bash
# Regenerate constraints.txt: install paperbot with its test extra into a scratch venv at the
# newest versions pyproject.toml allows, and write down every version installed.
#   bash tools/make_constraints.sh
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
python3 -m venv "$scratch/venv"
"$scratch/venv/bin/pip" install -q '.[test]'
{
  echo "# The exact versions paperbot is installed with (Dockerfile, .ci/run, the README's"
  echo "# commands: pip install -c constraints.txt ...). Regenerate: bash tools/make_constraints.sh"
  "$scratch/venv/bin/pip" list --format=freeze --exclude paperbot --exclude pip \
    | sort --ignore-case
} > constraints.txt
echo "wrote constraints.txt ($(grep -vc '^#' constraints.txt) packages)"
