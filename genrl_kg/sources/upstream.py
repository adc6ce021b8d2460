"""The upstream files: a local copy, or a checksummed download of the pinned commit."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from genrl_kg import settings
from genrl_kg.atomic import write_atomically
from genrl_kg.errors import SourceError
from genrl_kg.http import BodyTooLargeError, HttpClient
from genrl_kg.settings import DATA_DIR

__all__ = [
    "LOCAL_COPY",
    "MAX_DOWNLOAD_BYTES",
    "PIN_FILE",
    "Pin",
    "SourceSet",
    "download_source",
    "load_pin",
    "local_source",
    "sha256_file",
]

log = logging.getLogger(__name__)

PIN_FILE = DATA_DIR / "upstream.json"
URL_ENV = settings.UPSTREAM_URL_ENV
LOCAL_COPY = "local copy"
MAX_DOWNLOAD_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Pin:
    """The upstream commit the build downloads by default, with each file's SHA-256."""

    repository: str
    commit: str
    base_url: str
    list_name: str
    files: dict[str, str]
    date: str

    def url(self, name: str, base_url: str | None = None) -> str:
        """Return the download URL of *name* under *base_url* (default: the pinned one)."""
        base = base_url or settings.env(URL_ENV) or self.base_url
        base = base.format(repository=self.repository, commit=self.commit)
        return f"{base.rstrip('/')}/{name}"


@dataclass(frozen=True)
class SourceSet:
    """The list and the tables a build reads, with the commit they come from.

    *commit* is verified (pinned checksums, or git) or is :data:`LOCAL_COPY`; *date* is that
    commit's date, None when unknown; *provenance* says how the commit was established.
    """

    directory: Path
    commit: str
    list_path: Path
    table_paths: tuple[Path, ...]
    date: str | None = None
    provenance: str = "local copy"


def load_pin(path: Path | Traversable = PIN_FILE) -> Pin:
    """Read the pinned upstream commit from ``data/upstream.json``."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return Pin(
        data["repository"],
        data["commit"],
        data["base_url"],
        data["list"],
        data["files"],
        data["date"],
    )


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of the file at *path*."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pinned(directory: Path, pin: Pin) -> bool:
    """Tell whether *directory* holds every pinned file with its pinned checksum."""
    for name, expected in pin.files.items():
        path = directory / name
        if not path.is_file() or sha256_file(path) != expected:
            log.warning("%s: named after the pinned commit but %s differs from it", directory, name)
            return False
    return True


def _git_commit(directory: Path, files: list[Path]) -> tuple[str, str] | None:
    """Return (HEAD commit, its committer date) when *directory* is a clean git checkout."""
    if not (directory / ".git").exists():
        return None
    git = ["git", "-C", str(directory)]
    try:
        head = subprocess.run(
            [*git, "log", "-1", "--format=%H %cI"], capture_output=True, text=True, timeout=30
        )
        dirty = subprocess.run(
            [*git, "status", "--porcelain", "--", *(p.name for p in files)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode or dirty.returncode or dirty.stdout.strip() or " " not in head.stdout:
        return None
    commit, date = head.stdout.split()
    return commit, date


def local_source(directory: Path, commit: str | None = None, date: str | None = None) -> SourceSet:
    """Return the list and tables found in a local *directory*, with a commit only if verified.

    A folder named after the pinned commit must hold the pinned files (their checksums are
    checked); a clean git checkout gives its HEAD commit and date; anything else is a local
    copy, with no commit, URL or date invented for it. *commit* and *date*, when given, come
    from a caller that read them from git itself (the history).
    """
    if not directory.is_dir():
        raise SourceError(f"{directory}: source directory does not exist")
    list_path = directory / "README.md"
    if not list_path.is_file():
        candidates = sorted(directory.glob("*.md"))
        if not candidates:
            raise SourceError(f"{directory}: no list (README.md) in the source directory")
        list_path = candidates[0]
    tables = tuple(sorted(directory.glob("*.xlsx")))
    if commit is not None:
        return SourceSet(directory, commit, list_path, tables, date, "git history")
    pin = load_pin()
    if directory.name == pin.commit and _pinned(directory, pin):
        return SourceSet(directory, pin.commit, list_path, tables, pin.date, "pinned checksums")
    found = _git_commit(directory, [list_path, *tables])
    if found is not None:
        return SourceSet(directory, found[0], list_path, tables, found[1], "git checkout")
    return SourceSet(directory, LOCAL_COPY, list_path, tables, None, "local copy")


def _download(url: str, target: Path, expected: str, http: HttpClient) -> None:
    """Fetch *url* (retries, size cap), check its SHA-256, and write it atomically."""
    try:
        response = http.get(url)
    except BodyTooLargeError:
        raise SourceError(f"{url}: larger than {http.max_bytes} bytes") from None
    except SourceError as exc:
        raise SourceError(f"{url}: download failed ({exc})") from None
    if response.status_code != 200:
        raise SourceError(f"{url}: download failed with HTTP {response.status_code}")
    digest = hashlib.sha256(response.content).hexdigest()
    if digest != expected:
        raise SourceError(f"{url}: checksum mismatch (got {digest[:12]}…)")
    write_atomically(target, response.content)


def download_source(
    cache_dir: Path,
    pin: Pin | None = None,
    base_url: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> SourceSet:
    """Download the pinned files into *cache_dir* (reusing verified copies) and return them."""
    pin = pin or load_pin()
    target_dir = cache_dir / "upstream" / pin.commit
    target_dir.mkdir(parents=True, exist_ok=True)
    with HttpClient(max_bytes=MAX_DOWNLOAD_BYTES) as http:
        for name, expected in sorted(pin.files.items()):
            target = target_dir / name
            if target.is_file() and sha256_file(target) == expected:
                continue
            log.info("downloading %s", name)
            if progress:
                progress(name)
            _download(pin.url(name, base_url), target, expected, http)
    list_path = target_dir / pin.list_name
    tables = tuple(sorted(target_dir / n for n in pin.files if n.endswith(".xlsx")))
    return SourceSet(target_dir, pin.commit, list_path, tables, pin.date, "pinned checksums")
