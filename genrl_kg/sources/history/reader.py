"""Read a list's git history (one ``git log`` and one ``git cat-file --batch``) and check out versions."""

from __future__ import annotations

import logging
import os
import re
import shutil
from datetime import datetime
from pathlib import Path

from genrl_kg.errors import SourceError
from genrl_kg.sources.awesome_list import MAX_BYTES
from genrl_kg.sources.history.git import (
    CLONE_TIMEOUT,
    CatFile,
    cat_file,
    find_git,
    open_repository,
    run_git,
)
from genrl_kg.sources.history.records import History, ListVersion, TableFile

__all__ = ["TABLE_SUFFIX", "checkout_version", "decode_list", "find_version", "read_history"]

LOG = logging.getLogger(__name__)
TABLE_SUFFIX = ".xlsx"
_LOG_FORMAT = "%x1e%H%x1f%T%x1f%aI%x1f%cI%x1f%an%x1f%s%x1f%B"
_TRAILER_RE = re.compile(r"^Upstream-Commit:\s*([0-9a-fA-F]{7,64})\s*$", re.MULTILINE)
_HEX_RE = re.compile(r"^[0-9a-f]{4,64}$")
_FILE_MODES = (b"100644", b"100755")


def decode_list(data: bytes) -> tuple[str, str | None]:
    """Decode list bytes as read_list does (UTF-8, BOM dropped); return (text, problem or None).

    >>> decode_list(b"\\xef\\xbb\\xbf# A\\n")
    ('# A\\n', None)
    >>> decode_list(b"# \\xff\\n")
    ('# \\ufffd\\n', 'not UTF-8 text (byte 0xff at offset 2)')
    """
    if (nul := data.find(b"\x00")) >= 0:
        return "", f"binary file, not Markdown (NUL byte at offset {nul})"
    skip = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[skip:].decode("utf-8"), None
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        problem = f"not UTF-8 text (byte 0x{data[offset]:02x} at offset {offset})"
        return data[skip:].decode("utf-8", "replace"), problem


def _tree_files(tree: bytes, hash_bytes: int) -> dict[str, str]:
    """Return {name: blob id} of the regular files in a raw git tree object."""
    files: dict[str, str] = {}
    pos = 0
    while pos < len(tree):
        space = tree.index(b" ", pos)
        nul = tree.index(b"\x00", space)
        mode, name = tree[pos:space], tree[space + 1 : nul]
        oid = tree[nul + 1 : nul + 1 + hash_bytes]
        pos = nul + 1 + hash_bytes
        if mode in _FILE_MODES:
            files[name.decode("utf-8", "surrogateescape")] = oid.hex()
    return files


def _log(git: str, repository: Path, list_name: str) -> list[list[str]]:
    """Return the fields of every first-parent commit that changed the list or a table."""
    what = f"{repository}"
    if not run_git(git, ["rev-list", "--max-count=1", "--all"], repository, what).strip():
        raise SourceError(f"{repository}: the repository has no commits, so no {list_name} history")
    paths = [f":(top,literal){list_name}", f":(top,glob)*{TABLE_SUFFIX}"]
    args = ["log", "--first-parent", "--reverse", f"--format={_LOG_FORMAT}", "HEAD", "--", *paths]
    out = run_git(git, args, repository, what).decode("utf-8", "replace")
    return [record.split("\x1f", 6) for record in out.split("\x1e")[1:]]


def _version(
    fields: list[str],
    files: dict[str, str],
    blob: str | None,
    previous: str | None,
    decoded: tuple[str, str | None] | None,
) -> ListVersion:
    """Build a ListVersion from ``git log`` fields, the commit's files and the decoded list."""
    commit, _tree, author_date, committer_date, author, subject, body = fields
    trailers = _TRAILER_RE.findall(body)
    names = sorted(n for n in files if n.lower().endswith(TABLE_SUFFIX))
    return ListVersion(
        commit=commit,
        upstream_commit=trailers[-1].lower() if trailers else None,
        author_date=datetime.fromisoformat(author_date),
        committer_date=datetime.fromisoformat(committer_date),
        author=author,
        subject=subject,
        readme=decoded[0] if decoded else None,
        readme_blob=blob,
        tables=tuple(TableFile(name, files[name]) for name in names),
        list_changed=blob is not None and blob != previous,
        decode_error=decoded[1] if decoded else None,
    )


def _decoded(cat: CatFile, blob: str) -> tuple[str, str | None]:
    """Read and decode the list blob *blob*, or name why it cannot be read."""
    data, size = cat.read(blob, MAX_BYTES)
    if size > MAX_BYTES:
        return "", f"list file is {size} bytes, over the {MAX_BYTES}-byte limit"
    return decode_list(data)


def read_history(
    source: str | Path,
    list_name: str = "README.md",
    *,
    cache_dir: Path | None = None,
    timeout: float = CLONE_TIMEOUT,
) -> History:
    """Read every first-parent commit that changed *list_name* or a table, oldest first."""
    if "/" in list_name or "\\" in list_name or list_name in ("", ".", ".."):
        raise SourceError(f"{list_name!r}: the list must be a file at the top of the repository")
    repository = open_repository(source, cache_dir, timeout)
    git = find_git()
    commits = _log(git, repository, list_name)
    versions: list[ListVersion] = []
    texts: dict[str, tuple[str, str | None]] = {}
    previous: str | None = None
    with cat_file(git, repository) as cat:
        for fields in commits:
            files = _tree_files(cat.read(fields[1])[0], len(fields[0]) // 2)
            blob = files.get(list_name)
            if blob is not None and blob not in texts:
                texts[blob] = _decoded(cat, blob)
                if texts[blob][1]:
                    LOG.warning("%s at %s: %s", list_name, fields[0][:7], texts[blob][1])
            decoded = texts[blob] if blob is not None else None
            versions.append(_version(fields, files, blob, previous, decoded))
            previous = blob
    if not any(v.readme is not None for v in versions):
        raise SourceError(f"{repository}: no {list_name} in the git history")
    return History(repository, list_name, versions[-1].commit, tuple(versions))


def find_version(history: History, ref: str) -> ListVersion:
    """Return the version whose hash or upstream hash starts with *ref* (at least 4 hex digits)."""
    wanted = ref.strip().lower()
    if not _HEX_RE.match(wanted):
        raise SourceError(f"{ref!r}: not a commit hash (4 to 64 hex digits)")
    found = {
        v.commit: v
        for v in history.versions
        if v.commit.startswith(wanted) or (v.upstream_commit or "").startswith(wanted)
    }
    if not found:
        raise SourceError(
            f"{ref}: no commit in the history of {history.list_name} in {history.repository} "
            "has this hash or upstream hash"
        )
    if len(found) > 1:
        shown = ", ".join(sorted(c[:10] for c in found))
        raise SourceError(f"{ref}: ambiguous commit prefix (matches {shown})")
    return next(iter(found.values()))


def checkout_version(history: History | str | Path, ref: str, target_dir: Path) -> ListVersion:
    """Write the list and the tables of version *ref* into *target_dir* (absent or empty)."""
    if not isinstance(history, History):
        history = read_history(history)
    version = find_version(history, ref)
    if version.readme_blob is None:
        raise SourceError(f"{ref}: commit {version.short()} has no {history.list_name}")
    target_dir = Path(target_dir)
    if target_dir.exists() and (not target_dir.is_dir() or any(target_dir.iterdir())):
        raise SourceError(f"{target_dir}: checkout folder exists and is not empty")
    partial = target_dir.with_name(f".{target_dir.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    blobs = [(history.list_name, version.readme_blob), *((t.name, t.blob) for t in version.tables)]
    try:
        with cat_file(find_git(), history.repository) as cat:
            for name, blob in blobs:
                (partial / _safe_name(name)).write_bytes(cat.read(blob)[0])
        if target_dir.exists():
            target_dir.rmdir()
        partial.rename(target_dir)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return version


def _safe_name(name: str) -> str:
    """Return *name* if it is a plain file name, else raise SourceError.

    >>> _safe_name("Diffusion policies Table.xlsx")
    'Diffusion policies Table.xlsx'
    """
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise SourceError(f"{name!r}: not a plain file name; refusing to write it")
    return name
