"""Changing a publish target option by option, as `/paper settings publish` and the CLI do."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import time
from pathlib import PurePosixPath

from digest.list_markdown import StyleError, check_style
from digest.publish_state import FORMATS, TRIGGERS, PublishTarget
from digest.publishing import PublishError

OPTIONS = ("repo", "branch", "path", "format", "style", "when", "github")
_REMOTE = re.compile(r"^(?:https?|ssh|git)://|^[\w.-]+@[\w.-]+:")
_GITHUB_REPO = re.compile(r"^[\w.-]+/[\w.-]+$")
_BRANCH = re.compile(r"^(?!/)(?!.*(?:\.\.|//|@\{|\.lock$|/$))[\w./-]{1,200}$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s]+@", re.IGNORECASE)


def without_credentials(text: str) -> str:
    """`text` with the user:password@ of every URL in it replaced by `***@`."""
    return _URL_CREDENTIALS.sub(r"\g<scheme>***@", text)


def is_remote(repository: str) -> bool:
    """True for a remote URL (https, ssh, git, `user@host:path`), False for a local path."""
    return bool(_REMOTE.match(repository.strip()))


def check_file_path(path: str) -> str:
    """A file path inside the repository; PublishError if it leaves it or names `.git`."""
    parts = PurePosixPath(path.strip().replace("\\", "/")).parts
    if not parts or parts[0] == "/" or ".." in parts or ".git" in parts:
        raise PublishError(f"{path!r} is not a file path inside the repository")
    return "/".join(parts)


def _when(target: PublishTarget, value: str) -> PublishTarget:
    words = value.lower().split()
    if not words or words[0] not in TRIGGERS:
        raise PublishError(f"when takes {', '.join(TRIGGERS)} (daily with a time, like 06:00)")
    if words[0] != "daily":
        return replace(target, trigger=words[0], daily_at=None)
    found = _TIME.match(words[1]) if len(words) == 2 else None
    if found is None or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise PublishError("daily takes a time of day, like `daily 06:00`")
    return replace(target, trigger="daily", daily_at=time(int(found.group(1)), int(found.group(2))))


def change_option(target: PublishTarget, option: str, value: str) -> PublishTarget:
    """The target with one option changed; PublishError saying what is wrong otherwise."""
    value = value.strip()
    if not value:
        raise PublishError(f"give {option} a value")
    if option == "repo":
        return replace(target, repository=value)
    if option == "branch":
        if not _BRANCH.match(value):
            raise PublishError(f"{value!r} is not a branch name")
        return replace(target, branch=value)
    if option == "path":
        return replace(target, path=check_file_path(value))
    if option == "format":
        if value.lower() not in FORMATS:
            raise PublishError(f"format takes {', '.join(FORMATS)}")
        return replace(target, format=value.lower())
    if option == "style":
        if value.lower() in ("default", "list"):
            return replace(target, style=None)
        try:
            return replace(target, style=check_style(value.lower()))
        except StyleError as exc:
            raise PublishError(str(exc)) from exc
    if option == "when":
        return _when(target, value)
    if option == "github":
        if value.lower() in ("off", "none", "auto"):
            return replace(target, github_repo=None)
        if not _GITHUB_REPO.match(value):
            raise PublishError("github takes a repository as owner/name, or off")
        return replace(target, github_repo=value)
    raise PublishError(f"unknown publish option {option!r}; options: {', '.join(OPTIONS)}")


def describe_target(target: PublishTarget) -> str:
    """One line: where and how the list is published."""
    when = f"daily {target.daily_at:%H:%M}" if target.daily_at else target.trigger
    style = f", {target.style} style" if target.style else ""
    github = f", pull requests on {target.github_repo}" if target.github_repo else ""
    return (
        f"{without_credentials(target.repository)} branch {target.branch}, file {target.path} "
        f"({target.format}{style}), when: {when}{github}"
    )
