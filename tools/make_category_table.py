"""Derive digest/data/arxiv_categories.json from arXiv's taxonomy (../shared/data/taxonomy).

Keeps only what rules need: category ids with their names and archives, the archives, and the
aliases (arXiv's CATEGORY_ALIASES plus the old archive names of retired categories). Test and
invalid groups are left out. Run from the repository root:

    python tools/make_category_table.py [path/to/arxiv_taxonomy.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared" / "data" / "taxonomy" / "arxiv_taxonomy.json"
TARGET = ROOT / "digest" / "data" / "arxiv_categories.json"
SKIPPED_GROUPS = {"grp_test", "grp_bad"}


def derive(taxonomy: dict[str, Any]) -> dict[str, Any]:
    """The compact table: archives, categories (name, archive, active) and aliases."""
    archives = {
        key: value["full_name"]
        for key, value in taxonomy["ARCHIVES"].items()
        if value.get("in_group") not in SKIPPED_GROUPS
    }
    categories: dict[str, list[Any]] = {}
    aliases: dict[str, str] = {}
    for key, value in taxonomy["CATEGORIES"].items():
        archive = value["in_archive"]
        if archive not in archives:
            continue
        active = bool(value.get("is_active", True))
        categories[key] = [value["full_name"], archive, active]
        if not active and value.get("alt_name"):
            # a retired category (cmp-lg) lives on under its new name (cs.CL)
            aliases[key] = value["alt_name"]
    for alias, canonical in taxonomy["CATEGORY_ALIASES"].items():
        aliases[alias] = canonical
    return {
        "source": "arXiv/arxiv-base taxonomy (MIT), derived by tools/make_category_table.py",
        "archives": dict(sorted(archives.items())),
        "categories": dict(sorted(categories.items())),
        "aliases": dict(sorted(aliases.items())),
    }


def main() -> int:
    """Read the taxonomy, write the table."""
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    if not source.is_file():
        print(f"{source} is absent; pass the path of arxiv_taxonomy.json", file=sys.stderr)
        return 1
    table = derive(json.loads(source.read_text(encoding="utf-8")))
    TARGET.write_text(json.dumps(table, indent=0, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}: {len(table['categories'])} categories, {len(table['aliases'])} aliases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
