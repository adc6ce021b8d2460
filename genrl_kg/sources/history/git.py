"""Run git as a subprocess: find it, check a repository, clone a URL into the cache."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from genrl_kg.errors import SourceError
from genrl_kg.settings import USER_AGENT

__all__ = [
    "CLONE_TIMEOUT",
    "GIT_TIMEOUT",
    "CatFile",
    "cache_name",
    "cat_file",
    "find_git",
    "git_env",
    "is_remote",
    "open_repository",
    "run_git",
]

LOG = logging.getLogger(__name__)
GIT_TIMEOUT = 120.0
CLONE_TIMEOUT = 300.0
_REMOTE_RE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|[\w.-]+@[\w.-]+:)")
_CONFIG = ("-c", "core.quotepath=off", "-c", "log.showSignature=false", "-c", "color.ui=never")
_DROPPED_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_NAMESPACE",
)


def is_remote(source: str | Path) -> bool:
    """Return True if *source* is a URL (``https://…``, ``ssh://…``, ``git@host:…``).

    >>> is_remote("https://github.com/a/b"), is_remote("git@github.com:a/b.git"), is_remote("up")
    (True, True, False)
    """
    return isinstance(source, str) and bool(_REMOTE_RE.match(source))


def cache_name(url: str) -> str:
    """Return the cache folder name for a clone of *url*: a readable tail and a hash.

    >>> name = cache_name("https://user:secret@github.com/a/b.git")
    >>> name.rsplit("-", 1)[0], name == cache_name("https://github.com/a/b.git")
    ('github.com-a-b.git', True)
    """
    url = _redact(url)
    tail = re.sub(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", "", url)
    tail = tail.rsplit("@", 1)[-1]
    tail = re.sub(r"[^A-Za-z0-9._]+", "-", tail).strip("-.")[-60:]
    return f"{tail or 'repo'}-{hashlib.sha1(url.encode()).hexdigest()[:10]}"


def _redact(url: str) -> str:
    """Return *url* without a password or token in its user part.

    >>> _redact("https://user:tok@host/x")
    'https://host/x'
    """
    return re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]*@", r"\1", url)


def find_git() -> str:
    """Return the path of the git program, or raise SourceError if it is not installed."""
    git = shutil.which("git")
    if git is None:
        raise SourceError(
            "git is not installed (no 'git' on PATH); reading a list's history needs it"
        )
    return git


def git_env() -> dict[str, str]:
    """Return the environment for git: no prompts, C locale, no inherited repository overrides.

    >>> env = git_env()
    >>> env["GIT_TERMINAL_PROMPT"], "GIT_DIR" in env
    ('0', False)
    """
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_OPTIONAL_LOCKS="0")
    if "GIT_SSH" not in env and "GIT_SSH_COMMAND" not in env:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    return env


def _last_line(stderr: bytes) -> str:
    """Return git's last non-empty stderr line without its ``fatal:`` prefix."""
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    line = lines[-1] if lines else "no message"
    return re.sub(r"^(fatal|error):\s*", "", line)


def _run(
    git: str, args: Sequence[str], cwd: Path, what: str, timeout: float
) -> tuple[int, bytes, bytes]:
    """Run git and return (exit code, stdout, stderr); kill its process group on timeout."""
    command = [git, *_CONFIG, "-c", f"http.userAgent={USER_AGENT}", *args]
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=git_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise SourceError(f"{what}: git {args[0]} timed out after {timeout:g} s") from None
    return proc.returncode, out, err


def run_git(
    git: str, args: Sequence[str], cwd: Path, what: str, timeout: float = GIT_TIMEOUT
) -> bytes:
    """Run ``git args`` in *cwd* and return its stdout; raise SourceError naming *what* on failure."""
    code, out, err = _run(git, args, cwd, what, timeout)
    if code != 0:
        raise SourceError(f"{what}: git {args[0]} failed ({_last_line(err)})")
    return out


def _check_repository(git: str, path: Path) -> None:
    """Raise SourceError unless *path* is the top folder of a git work tree or a bare repository."""
    if not path.is_dir():
        raise SourceError(f"{path}: history folder does not exist")
    args = ["rev-parse", "--is-bare-repository", "--show-cdup"]
    code, out, err = _run(git, args, path, str(path), GIT_TIMEOUT)
    if code != 0:
        reason = _last_line(err)
        if "not a git repository" in reason:
            raise SourceError(f"{path}: not a git repository")
        raise SourceError(f"{path}: cannot read the git repository ({reason})")
    lines = out.decode().splitlines()
    if lines[:1] == ["false"] and len(lines) > 1 and lines[1].strip():
        top = (path / lines[1].strip()).resolve()
        raise SourceError(f"{path}: not the top of a git repository (its top is {top})")


def _clone(git: str, url: str, cache_dir: Path, timeout: float) -> Path:
    """Clone *url* (bare) into *cache_dir*, or refresh an earlier clone; return its folder."""
    shown = _redact(url)
    target = cache_dir / "history" / cache_name(url)
    if (target / "HEAD").is_file():
        fetch = ["fetch", "--quiet", "--prune", "origin", "+refs/heads/*:refs/heads/*"]
        code, _, err = _run(git, fetch, target, shown, timeout)
        if code != 0:
            LOG.warning("%s: cannot refresh (%s); using the cached clone", shown, _last_line(err))
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        code, _, err = _run(
            git, ["clone", "--bare", "--quiet", "--", url, str(partial)], cache_dir, shown, timeout
        )
    except SourceError:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    if code != 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise SourceError(f"{shown}: cannot clone ({_last_line(err)})")
    partial.rename(target)
    LOG.info("cloned %s into %s", shown, target)
    return target


def open_repository(
    source: str | Path, cache_dir: Path | None = None, timeout: float = CLONE_TIMEOUT
) -> Path:
    """Return a local repository for *source*: a folder as is, a URL or bundle cloned into the cache."""
    git = find_git()
    path = Path(source)
    if is_remote(source) or path.is_file():
        if cache_dir is None:
            raise SourceError(f"{source}: a cache directory is needed to clone it")
        url = str(source) if is_remote(source) else str(path.resolve())
        return _clone(git, url, cache_dir, timeout)
    _check_repository(git, path)
    return path


class CatFile:
    """One ``git cat-file --batch`` process answering object requests one at a time."""

    def __init__(self, git: str, repository: Path) -> None:
        self.repository = repository
        self.proc = subprocess.Popen(
            [git, "cat-file", "--batch"],
            cwd=repository,
            env=git_env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )

    def read(self, oid: str, max_bytes: int | None = None) -> tuple[bytes, int]:
        """Return (content, size) of object *oid*; the content is empty when over *max_bytes*."""
        stdin, stdout = self.proc.stdin, self.proc.stdout
        assert stdin is not None and stdout is not None
        stdin.write(oid.encode() + b"\n")
        stdin.flush()
        header = stdout.readline().split()
        if len(header) != 3:
            raise SourceError(f"{self.repository}: object {oid} is missing from the repository")
        size = int(header[2])
        if max_bytes is None or size <= max_bytes:
            return stdout.read(size + 1)[:-1], size
        remaining = size + 1
        while remaining > 0 and (chunk := stdout.read(min(1 << 20, remaining))):
            remaining -= len(chunk)
        return b"", size

    def close(self) -> None:
        """Close the pipes and wait for the process to end."""
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()
        self.proc.wait()


@contextmanager
def cat_file(git: str, repository: Path) -> Iterator[CatFile]:
    """Run one ``git cat-file --batch`` in *repository* for the duration of the block."""
    reader = CatFile(git, repository)
    try:
        yield reader
    finally:
        reader.close()
