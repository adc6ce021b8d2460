"""The built wheel, installed into a fresh venv and run from outside the checkout, works.

The wheel is built from a copy of the checkout without build isolation (no download), and
installed into a fresh virtual environment with ``--no-deps``; the dependencies come from the
test's own environment through a ``.pth`` line, which adds their folder to ``sys.path`` but does
not run the editable install's finder that lives there. Every command then runs with the
working directory outside the checkout, so nothing can be found through it.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT
from test_queries import FIXTURE_LIST

pytestmark = pytest.mark.slow

SHIPPED = ("ontology", "queries", "data")
_IGNORED = shutil.ignore_patterns(".git", ".venv", "node_modules", "*.egg-info", "__pycache__")
_TOP_LEVEL_IGNORED = {"build", "dist", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _ignore(folder: str, names: list[str]) -> set[str]:
    """Skip what a checkout holds but a source tree does not (build output only at the top)."""
    ignored = set(_IGNORED(folder, names))
    if Path(folder) == PROJECT_ROOT:
        ignored |= _TOP_LEVEL_IGNORED & set(names)
    return ignored


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.mark.parametrize("name", SHIPPED)
def test_top_level_folders_are_the_shipped_ones(name: str) -> None:
    """ontology/, queries/ and data/ where people edit them hold exactly what the package ships."""
    top, shipped = PROJECT_ROOT / name, PROJECT_ROOT / "genrl_kg" / name
    assert _files(shipped), f"genrl_kg/{name} is empty"
    assert _files(top) == _files(shipped)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """Build the wheel and install it into a fresh venv; yield (venv bin dir, wheel path)."""
    root = tmp_path_factory.mktemp("wheel")
    shutil.copytree(PROJECT_ROOT, root / "src", symlinks=True, ignore=_ignore)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(root / "dist"),
            str(root / "src"),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next((root / "dist").glob("genrl_kg-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    target = next((root / "venv" / "lib").glob("python3*/site-packages"))
    (target / "deps.pth").write_text(site.getsitepackages()[0] + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(root / "venv" / "bin" / "python"),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    yield root / "venv" / "bin", wheel


def test_wheel_holds_what_the_product_reads(installed: tuple[Path, Path]) -> None:
    """The wheel carries the ontology, the shapes, every saved query and the curated data."""
    names = set(zipfile.ZipFile(installed[1]).namelist())
    for name in SHIPPED:
        for path in (PROJECT_ROOT / "genrl_kg" / name).iterdir():
            assert f"genrl_kg/{name}/{path.name}" in names


def _run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GENRL_KG_", "PYTHON"))}
    env["GENRL_KG_CACHE"] = str(cwd / "cache")
    return subprocess.run(
        [str(bin_dir / "genrl-kg"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_installed_commands_run_outside_the_checkout(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    """build, queries, query, export and serve work from the installed wheel alone."""
    bin_dir = installed[0]
    probe = subprocess.run(
        [str(bin_dir / "python"), "-c", "import genrl_kg; print(genrl_kg.__file__)"],
        cwd=tmp_path,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(probe.stdout.strip()).is_relative_to(bin_dir.parent)
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "README.md").write_text(FIXTURE_LIST, encoding="utf-8")
    store = str(tmp_path / "store")
    built = _run(bin_dir, tmp_path, "build", "--source", "source", "--offline", "--store", store)
    assert built.returncode == 0, built.stderr
    listed = _run(bin_dir, tmp_path, "queries")
    shipped = {p.name.removesuffix(".rq") for p in (PROJECT_ROOT / "queries").glob("*.rq")}
    assert shipped and all(name in listed.stdout for name in shipped)
    counted = _run(
        bin_dir, tmp_path, "query", "papers-per-category", "--format", "json", "--store", store
    )
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout)["results"]["bindings"]
    exported = _run(
        bin_dir, tmp_path, "export", "--format", "turtle", "-o", "g.ttl", "--store", store
    )
    assert exported.returncode == 0, exported.stderr
    assert "genrl:Paper" in (tmp_path / "g.ttl").read_text(encoding="utf-8")
    _check_serve(bin_dir, tmp_path, store)


def _check_serve(bin_dir: Path, cwd: Path, store: str) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GENRL_KG_", "PYTHON"))}
    proc = subprocess.Popen(
        [str(bin_dir / "genrl-kg"), "serve", "--store", store, "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/api/queries"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    body = json.loads(response.read())
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.2)
        assert "papers-per-category" in json.dumps(body)
    finally:
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
