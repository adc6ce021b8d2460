"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
UPSTREAM_COMMIT = "3a091cc571bb16dd9e20809563b2fb788c90ed79"


@pytest.fixture(scope="session")
def upstream_dir() -> Path:
    """Return the pinned upstream snapshot in ../shared/upstream/<commit>, or skip when absent."""
    path = (PROJECT_ROOT / ".." / "shared" / "upstream" / UPSTREAM_COMMIT).resolve()
    if not (path / "README.md").is_file():
        pytest.skip(f"upstream snapshot not found at {path} (needs ../shared/upstream/<commit>)")
    return path
