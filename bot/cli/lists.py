"""`paperbot list import | export | show | section-remove`: the shared list from the command
line."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli.common import CliError, opened_store, pick_workspace
from bot.cli.list_publish import add_publish_parser, publish
from digest.list_styles import AUTO, STYLES

if TYPE_CHECKING:
    from config import Settings
    from digest.list_document import ReadResult
    from digest.list_import import ImportReport
    from digest.models import WorkspaceSettings

MAX_SHOWN = 20
CLI_USER = "command line"  # who removed a section, as its history says
MAX_TITLE = 200  # the column's width


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `list`."""
    lists = commands.add_parser("list", help="the shared list", description="The shared list.")
    actions = lists.add_subparsers(dest="list_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="export the list")
    export.add_argument(
        "--format", choices=("md", "json", "bibtex"), default="md", help="what to write (md)"
    )
    export.add_argument("--style", choices=STYLES, help="Markdown style (default: the workspace's)")
    export.add_argument("--workspace", help="workspace (guild or team) id")
    export.add_argument("--output", "-o", type=Path, help="write to this file")
    imported = actions.add_parser(
        "import", help="add a Markdown list (any known style) to the workspace's list"
    )
    imported.add_argument("file", type=Path, help="the Markdown file")
    imported.add_argument(
        "--style",
        choices=(AUTO, *STYLES),
        default=AUTO,
        help="how the file is written, and the list's style from now on (default: auto, read "
        "from the file; it becomes the list's style on a first import only)",
    )
    imported.add_argument(
        "--title",
        help="the list's title from now on (default: the file's title on a first import, "
        "else the title kept)",
    )
    imported.add_argument("--workspace", help="workspace (guild or team) id")
    imported.add_argument("--dry-run", action="store_true", help="read and report, change nothing")
    imported.add_argument(
        "--fetch", action="store_true", help="then fetch the new papers' records from arXiv"
    )
    enrich = actions.add_parser(
        "enrich",
        help="fetch the records of the list's papers from arXiv",
        description="Fetch the arXiv records of the papers the list's entries name (200 ids a "
        "request, PAPERBOT_ARXIV_DELAY_SECONDS apart): abstracts, authors, categories, dates "
        "and the venue of the comment. A venue the list states is kept; differences are "
        "reported, and told to the admins in the review channel.",
    )
    enrich.add_argument("--workspace", help="workspace (guild or team) id")
    enrich.add_argument(
        "--refresh", action="store_true", help="every paper on the list, not only the stubs"
    )
    add_publish_parser(actions)
    show = actions.add_parser("show", help="print the list's sections and entries")
    show.add_argument("--workspace", help="workspace (guild or team) id")
    show.add_argument("--all", action="store_true", help="every entry, not the last few")
    remove = actions.add_parser(
        "section-remove",
        help="remove an empty section of the list",
        description="Remove a section that holds no entries, with the empty sections below it. "
        "A section that still holds entries stays: move them first (/paper list-move in chat). "
        "Its row stays as history: entries taken off the list and nominations approved into it "
        "still name it.",
    )
    remove.add_argument("section", help='the section\'s path, like "Training / Distributed"')
    remove.add_argument("--workspace", help="workspace (guild or team) id")


async def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run one `list` action."""
    actions = {
        "export": _export,
        "import": _import,
        "show": _show,
        "enrich": _enrich,
        "section-remove": _remove_section,
    }
    if args.list_command == "publish":
        return await publish(args, settings)
    action = actions[args.list_command]
    return await action(args, settings)


async def _export(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from digest.bibtex import bibtex_document
    from digest.list_markdown import StyleError
    from digest.lists import export_json, export_markdown, load_list

    async with opened_store(settings) as store, store.unit() as unit:
        workspace = await pick_workspace(unit, args.workspace, settings)
        view = await load_list(unit, workspace.id, workspace.settings.list_title)
    written = f"{len(view.entries)} entries"
    if args.format == "md":
        try:
            text = export_markdown(view, args.style or workspace.settings.list_style)
        except StyleError as exc:
            raise CliError(str(exc)) from exc
    elif args.format == "json":
        text = export_json(view)
    else:
        bibtex = bibtex_document(view)
        text = bibtex.text
        # One record a paper: entries that list a paper twice share its record.
        shared = ""
        if bibtex.shared:
            lists = "entry lists" if bibtex.shared == 1 else "entries list"
            shared = f" ({bibtex.shared} {lists} a paper another entry already wrote)"
        written = f"{bibtex.records} BibTeX records for {len(view.entries)} entries{shared}"
    if args.output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(args.output.write_text, text, encoding="utf-8")
        print(f"wrote {written} to {args.output}")
    return 0


def _print_read(read: ReadResult) -> None:
    for problem in read.problems:
        print(f"  line {problem.line}: {problem.reason}: {problem.text[:100]}")
    for duplicate in read.duplicates:
        lines = ", ".join(str(n) for n in duplicate.lines)
        print(f"  duplicate ({duplicate.reason}), lines {lines}: {duplicate.title[:80]}")
    if read.skipped_sections:
        print("  sections without entries, left out: " + "; ".join(read.skipped_sections))
    for unchecked in read.unchecked:
        print(f"  not checked: {unchecked}")


def _print_report(report: ImportReport) -> None:
    print(
        f"added {report.added} entries, {report.sections} new sections, "
        f"{report.stubs} papers not yet in the database (stubs until ingestion fetches them)"
    )
    for already in report.already_listed:
        print(
            f"  line {already.line}: already on the list under {already.section}: "
            f"{already.title[:80]}"
        )


async def _import(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from digest.clock import SystemClock
    from digest.list_import import ListImportError, import_list, read_list_file

    if args.title is not None and not 0 < len(args.title.strip()) <= MAX_TITLE:
        raise CliError(f"--title takes 1 to {MAX_TITLE} characters")
    try:
        read = await asyncio.to_thread(read_list_file, args.file, args.style)
    except ListImportError as exc:
        raise CliError(str(exc)) from exc
    document = read.document
    print(
        f"{args.file}: {read.style} style, “{document.title}”, {len(document.sections)} sections, "
        f"{len(document.items)} entries, {len(read.problems)} lines not read, "
        f"{len(read.duplicates)} duplicates"
    )
    _print_read(read)
    if args.dry_run:
        return 0
    async with opened_store(settings) as store, store.unit() as unit:
        workspace = await pick_workspace(unit, args.workspace, settings)
        first = not await unit.lists.entries(workspace.id)
        try:
            report = await import_list(unit, workspace.id, read, SystemClock().now())
        except ListImportError as exc:
            raise CliError(str(exc)) from exc
        current = workspace.settings
        first = first and report.added > 0
        title, title_why = _chosen_title(args.title, document.title, current, first)
        style, style_why = _chosen_style(args.style, read.style, current, first)
        if (title, style) != (current.list_title, current.list_style):
            await unit.workspaces.update_settings(
                workspace.id, replace(current, list_style=style, list_title=title)
            )
    _print_report(report)
    print(f"list title: “{title}” ({title_why}); style: {style} ({style_why})")
    if args.fetch:
        from bot.cli.list_enrich import enrich

        return await enrich(settings, args.workspace, refresh=False)
    return 0


def _chosen_title(
    given: str | None, read: str, current: WorkspaceSettings, first: bool
) -> tuple[str, str]:
    """The list's title after an import, and why: --title, else the file's on a first import
    (unless an admin already chose one), else the one it had."""
    from digest.models import WorkspaceSettings

    if given is not None:
        return given.strip(), "--title"
    if first and current.list_title == WorkspaceSettings().list_title and read:
        return read[:MAX_TITLE], "from this file, the first imported"
    return current.list_title, "kept; --title sets another"


def _chosen_style(
    given: str, read: str, current: WorkspaceSettings, first: bool
) -> tuple[str, str]:
    """The list's style after an import, and why: --style, else the file's on a first import,
    else the one it had."""
    from digest.list_markdown import check_style

    if given != AUTO:
        return check_style(given), "--style"
    if first:
        return check_style(read), "read from this file, the first imported"
    return current.list_style, f"kept, this file is {read}; --style sets another"


async def _enrich(args: argparse.Namespace, settings: Settings) -> int:
    from bot.cli.list_enrich import enrich

    return await enrich(settings, args.workspace, args.refresh)


async def _show(args: argparse.Namespace, settings: Settings) -> int:
    from digest.list_view import section_paths
    from digest.lists import SECTION_SEPARATOR

    async with opened_store(settings) as store, store.unit() as unit:
        workspace = await pick_workspace(unit, args.workspace, settings)
        sections = await unit.lists.sections(workspace.id)
        entries = await unit.lists.entries(workspace.id)
    paths = section_paths(sections)
    print(
        f"{workspace.settings.list_title} ({workspace.settings.list_style} style), "
        f"{len(entries)} entries"
    )
    for section in sections:
        inside = [e for e in entries if e.section_id == section.id]
        depth = len(paths[section.id]) - 1
        print("  " * depth + f"{SECTION_SEPARATOR.join(paths[section.id])} ({len(inside)})")
        shown = inside if args.all else inside[-MAX_SHOWN:]
        if len(shown) < len(inside):
            print("  " * (depth + 1) + f"… {len(inside) - len(shown)} earlier entries")
        for entry in shown:
            where = entry.paper_id or entry.external_url or "no link"
            venue = f" [{entry.venue}]" if entry.venue else ""
            print("  " * (depth + 1) + f"#{entry.id} {entry.title}{venue} ({where})")
    return 0


async def _remove_section(args: argparse.Namespace, settings: Settings) -> int:
    from bot.command_words import unquoted
    from digest.clock import SystemClock
    from digest.lists import (
        ListError,
        SectionNotEmpty,
        describe_removed_section,
        remove_section,
    )

    async with opened_store(settings) as store, store.unit() as unit:
        workspace = await pick_workspace(unit, args.workspace, settings)
        try:
            path, below = await remove_section(
                unit, workspace.id, unquoted(args.section), CLI_USER, SystemClock().now()
            )
        except SectionNotEmpty as exc:
            raise CliError(
                f"section “{exc.path}” still holds {exc.holding}, so it stays; move them to "
                "another section first (/paper list-move in chat), then remove it"
            ) from exc
        except ListError as exc:
            raise CliError(str(exc).replace("`/paper list`", "`paperbot list show`")) from exc
    print(f"removed {describe_removed_section(path, below)} from the list of {workspace.name}")
    return 0
