"""The Turtle export of the pinned snapshot is byte-identical across engine changes.

The hash was first taken from the export before the build moved from rdflib graphs to
pyoxigraph quads, and the moved engine reproduced it exactly (the same offline build, arXiv
asked in offline mode, no SOURCE_DATE_EPOCH). A change of the graph's content must update it
on purpose, in the same commit, saying why. History of the value:

- 832574cb...: the rdflib engine and the pyoxigraph engine alike.
- 06276dcb...: ontology terms for the history, per-paper facts and OpenAlex (graph/ontology
  and its void:triples only; every other quad unchanged).
- 4757f869...: graph/facts (each paper's base models, arXiv month and modalities, with their
  evidence: 2,334 quads added), eleven checked Wikidata alignments in graph/links (86 quads
  added), genrl:evidenceValue typed rdf:Property; no quad of list, tables or arxiv changed.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from genrl_kg.build import ArxivOptions, BuildOptions, run_build
from genrl_kg.export import export_store
from genrl_kg.sources.upstream import local_source
from genrl_kg.store import open_store

PINNED_TURTLE_SHA256 = "4757f8694229a5ebde90e4fef59751d0a7b291f21bf705a1f350080681da61e2"


@pytest.mark.upstream
def test_pinned_snapshot_turtle_is_unchanged(
    upstream_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    options = BuildOptions(cache_dir=tmp_path / "cache", arxiv=ArxivOptions(offline=True))
    run_build(local_source(upstream_dir), tmp_path / "store", options)
    out = io.BytesIO()
    export_store(open_store(tmp_path / "store"), "turtle", out)
    assert hashlib.sha256(out.getvalue()).hexdigest() == PINNED_TURTLE_SHA256
