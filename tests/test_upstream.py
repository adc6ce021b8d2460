"""Downloading the pinned upstream files from a local HTTP server, with checksums and a cache."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import fake_servers
import pytest
from fake_servers import FakeResponse, FakeServer, closed_port_url
from test_build_cli import assert_one_error, run_cli, synthetic

from genrl_kg import settings
from genrl_kg.errors import SourceError
from genrl_kg.sources import upstream
from genrl_kg.sources.upstream import Pin, download_source, load_pin, local_source, sha256_file

fake_server = fake_servers.fake_server  # the fixture

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _files() -> dict[str, bytes]:
    """Return a small fixture upstream: a list and two 'tables' (bytes only, never parsed here)."""
    return {
        "README.md": synthetic.generate_list(12).encode(),
        "A_Table.xlsx": b"PK\x03\x04 fake table A " * 50,
        "B_Table.xlsx": bytes(range(256)) * 20,
    }


def _pin(files: dict[str, bytes]) -> Pin:
    return Pin(
        repository="example/awesome-list",
        commit=COMMIT,
        base_url="http://127.0.0.1:9/{repository}/{commit}",  # never used: tests pass base_url
        list_name="README.md",
        files={name: hashlib.sha256(data).hexdigest() for name, data in files.items()},
        date="2025-01-01",
    )


def _serve(server: FakeServer, files: dict[str, bytes], prefix: str = "/raw") -> str:
    for name, data in files.items():
        server.route(
            f"{prefix}/{name}", FakeResponse(body=data, content_type="application/octet-stream")
        )
    return server.url_for(prefix + "/")


def _cache_names(cache: Path) -> list[str]:
    folder = cache / "upstream" / COMMIT
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def test_first_download_fetches_every_file_then_cache_is_used(
    fake_server: FakeServer, tmp_path: Path
) -> None:
    """Every pinned file is fetched once, with our User-Agent; a second run makes no request."""
    files = _files()
    pin = _pin(files)
    base = _serve(fake_server, files)
    sources = download_source(tmp_path / "cache", pin=pin, base_url=base)
    assert sorted(r.path for r in fake_server.requests) == sorted(f"/raw/{n}" for n in files)
    assert all(r.headers.get("user-agent") == settings.USER_AGENT for r in fake_server.requests)
    assert all(r.method == "GET" for r in fake_server.requests)
    assert sources.commit == COMMIT
    assert sources.list_path.read_bytes() == files["README.md"]
    assert [p.name for p in sources.table_paths] == ["A_Table.xlsx", "B_Table.xlsx"]
    for name, data in files.items():
        assert (sources.directory / name).read_bytes() == data
    assert _cache_names(tmp_path / "cache") == sorted(files)  # no partial files left

    fake_server.clear()
    again = download_source(tmp_path / "cache", pin=pin, base_url=base)
    assert fake_server.requests == []
    assert again == sources


def test_tampered_cache_file_is_downloaded_again(fake_server: FakeServer, tmp_path: Path) -> None:
    """A cached file whose checksum no longer matches is fetched again, and only that one."""
    files = _files()
    pin = _pin(files)
    base = _serve(fake_server, files)
    sources = download_source(tmp_path / "cache", pin=pin, base_url=base)
    (sources.directory / "A_Table.xlsx").write_bytes(b"tampered")
    fake_server.clear()
    download_source(tmp_path / "cache", pin=pin, base_url=base)
    assert [r.path for r in fake_server.requests] == ["/raw/A_Table.xlsx"]
    assert (sources.directory / "A_Table.xlsx").read_bytes() == files["A_Table.xlsx"]


def test_corrupted_download_is_refused(fake_server: FakeServer, tmp_path: Path) -> None:
    """A file failing its checksum raises SourceError naming it; nothing is kept under its name."""
    files = _files()
    pin = _pin(files)
    served = dict(files, **{"B_Table.xlsx": files["B_Table.xlsx"][:-1] + b"X"})
    base = _serve(fake_server, served)
    with pytest.raises(SourceError) as info:
        download_source(tmp_path / "cache", pin=pin, base_url=base)
    message = str(info.value)
    assert "B_Table.xlsx" in message and "checksum" in message
    assert "\n" not in message
    assert "B_Table.xlsx" not in _cache_names(tmp_path / "cache")
    assert not [n for n in _cache_names(tmp_path / "cache") if n.startswith(".")]


def test_server_down_is_a_clean_error(tmp_path: Path) -> None:
    """A refused connection raises SourceError naming the URL, with nothing cached."""
    files = _files()
    base = closed_port_url("/raw/")
    with pytest.raises(SourceError, match=r"download failed") as info:
        download_source(tmp_path / "cache", pin=_pin(files), base_url=base)
    assert base.rstrip("/") in str(info.value)
    assert _cache_names(tmp_path / "cache") == []


def test_not_found_is_a_clean_error(fake_server: FakeServer, tmp_path: Path) -> None:
    """HTTP 404 for a pinned file raises SourceError naming the file and the status."""
    files = _files()
    served = {k: v for k, v in files.items() if k != "README.md"}
    base = _serve(fake_server, served)
    with pytest.raises(SourceError, match=r"README\.md.*HTTP 404"):
        download_source(tmp_path / "cache", pin=_pin(files), base_url=base)
    assert "README.md" not in _cache_names(tmp_path / "cache")


def test_oversized_download_is_refused(
    fake_server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A body over the size limit is refused while streaming; no partial file remains."""
    monkeypatch.setattr(upstream, "MAX_DOWNLOAD_BYTES", 1000)
    files = {"README.md": b"x" * 200_000}
    base = _serve(fake_server, files)
    with pytest.raises(SourceError, match=r"README\.md: larger than 1000 bytes"):
        download_source(tmp_path / "cache", pin=_pin(files), base_url=base)
    assert _cache_names(tmp_path / "cache") == []


def test_base_url_from_environment(
    fake_server: FakeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GENRL_KG_UPSTREAM_URL sets the base URL when none is given; {commit} is filled in."""
    files = _files()
    _serve(fake_server, files, prefix=f"/mirror/{COMMIT}")
    monkeypatch.setenv(upstream.URL_ENV, fake_server.url_for("/mirror/{commit}"))
    download_source(tmp_path / "cache", pin=_pin(files))
    assert {r.path for r in fake_server.requests} == {f"/mirror/{COMMIT}/{n}" for n in files}


def test_pin_file_is_consistent() -> None:
    """data/upstream.json pins a commit, names its list among the files, with SHA-256 digests."""
    pin = load_pin()
    assert len(pin.commit) == 40 and int(pin.commit, 16) >= 0
    assert pin.list_name in pin.files
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in pin.files.values())
    assert pin.url("README.md", "http://h/x/").endswith("/x/README.md")


@pytest.mark.upstream
def test_pin_matches_the_shared_snapshot(upstream_dir: Path) -> None:
    """The pinned checksums are those of the snapshot in ../shared (so the download can verify)."""
    pin = load_pin()
    assert upstream_dir.name == pin.commit
    for name, digest in pin.files.items():
        assert sha256_file(upstream_dir / name) == digest, name
    assert local_source(upstream_dir).commit == pin.commit


def _build_from(base: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run ``genrl-kg build`` with no --source, downloading from *base* into tmp_path."""
    return run_cli(
        "build",
        "--store",
        tmp_path / "store",
        "--cache",
        tmp_path / "cache",
        "--no-enrich",
        "--upstream-url",
        base,
    )


@pytest.mark.upstream
def test_build_downloads_from_upstream_url(
    fake_server: FakeServer, upstream_dir: Path, tmp_path: Path
) -> None:
    """``genrl-kg build`` without --source downloads the pinned files and builds from them."""
    pin = load_pin()
    base = _serve(fake_server, {n: (upstream_dir / n).read_bytes() for n in pin.files}, "/gh")
    store = tmp_path / "store"
    proc = _build_from(base, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert sorted(r.path for r in fake_server.requests) == sorted(f"/gh/{n}" for n in pin.files)
    info = json.loads((store / "build.json").read_text())
    assert info["commit"] == pin.commit
    assert info["unique_papers"] > 200
    local = tmp_path / "cache" / "upstream" / pin.commit / "README.md"
    assert local.read_bytes() == (upstream_dir / "README.md").read_bytes()


def test_build_download_failure_is_one_line(fake_server: FakeServer, tmp_path: Path) -> None:
    """A failing download in ``genrl-kg build`` is one error line naming the file; no store made."""
    base = fake_server.url_for("/empty/")  # every file 404s
    store = tmp_path / "store"
    proc = _build_from(base, tmp_path)
    assert_one_error(proc, "HTTP 404", fake_server.url)
    assert not (store / "current").exists()
