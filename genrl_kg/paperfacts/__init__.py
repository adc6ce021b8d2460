"""Facts about each paper read from its own evidence: base models, arXiv month, code links."""

from __future__ import annotations

from genrl_kg.paperfacts.base_model import (
    ABSTRACT_CONFIDENCE,
    METHODS,
    SECTION_CONFIDENCE,
    TABLE_TAG_CONFIDENCE,
    TITLE_CONFIDENCE,
    BaseModelAssignment,
    PaperEvidenceInput,
    SectionEvidence,
    TableTagEvidence,
    make_paper_evidence,
    make_section_evidence,
    make_table_tag_evidence,
    resolve_base_models,
)
from genrl_kg.paperfacts.code_links import ORIGINS, CodeLink, find_code_links, normalize_code_url
from genrl_kg.paperfacts.dates import arxiv_month
from genrl_kg.paperfacts.vocabulary import (
    VOCABULARY_FILE,
    Vocabulary,
    VocabularyEntry,
    VocabularyMatch,
    compile_phrase,
    load_default_vocabulary,
    load_vocabulary,
)

__all__ = [
    "ABSTRACT_CONFIDENCE",
    "METHODS",
    "ORIGINS",
    "SECTION_CONFIDENCE",
    "TABLE_TAG_CONFIDENCE",
    "TITLE_CONFIDENCE",
    "VOCABULARY_FILE",
    "BaseModelAssignment",
    "CodeLink",
    "PaperEvidenceInput",
    "SectionEvidence",
    "TableTagEvidence",
    "Vocabulary",
    "VocabularyEntry",
    "VocabularyMatch",
    "arxiv_month",
    "compile_phrase",
    "find_code_links",
    "load_default_vocabulary",
    "load_vocabulary",
    "make_paper_evidence",
    "make_section_evidence",
    "make_table_tag_evidence",
    "normalize_code_url",
    "resolve_base_models",
]
