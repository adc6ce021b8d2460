"""Tests for genrl_kg.identifiers."""

from __future__ import annotations

import pyoxigraph
import pytest
import rdflib

from genrl_kg.identifiers import (
    LinkId,
    check_iri,
    classify_link,
    normalize_doi,
    normalize_title,
    paper_path,
    parse_arxiv_id,
    slugify,
    wikidata_doi,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://arxiv.org/abs/2303.04137", ("2303.04137", None)),
        ("http://arxiv.org/abs/2303.04137v3", ("2303.04137", 3)),
        ("https://www.arxiv.org/abs/2303.04137/", ("2303.04137", None)),
        ("https://arxiv.org/pdf/2409.03402", ("2409.03402", None)),
        ("https://arxiv.org/pdf/2409.03402v1", ("2409.03402", 1)),
        ("https://arxiv.org/pdf/2409.03402.pdf", ("2409.03402", None)),
        ("https://arxiv.org/pdf/2409.03402v2.pdf", ("2409.03402", 2)),
        ("https://arxiv.org/html/2501.08259v1", ("2501.08259", 1)),
        ("https://export.arxiv.org/abs/2501.08259?context=cs", ("2501.08259", None)),
        ("https://doi.org/10.48550/arXiv.2103.00020", ("2103.00020", None)),
        ("https://dx.doi.org/10.48550/ARXIV.2103.00020", ("2103.00020", None)),
        ("doi:10.48550/arXiv.2103.00020", ("2103.00020", None)),
        ("arXiv:2410.16411", ("2410.16411", None)),
        ("arXiv preprint arXiv:2410.16411v2", ("2410.16411", 2)),
        ("2303.04137", ("2303.04137", None)),
        ("0704.0001", ("0704.0001", None)),
        ("hep-th/9901001", ("hep-th/9901001", None)),
        ("https://arxiv.org/abs/hep-th/9901001v2", ("hep-th/9901001", 2)),
        ("https://arxiv.org/abs/math.GT/0309136", ("math/0309136", None)),
    ],
)
def test_parse_arxiv_id_accepts_every_form(text: str, expected: tuple[str, int | None]) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://example.org/abs/2303.04137",
        "https://doi.org/10.1109/ICRA57147.2024.10610665",
        "2313.04137",  # month 13
        "see 2303.04137",  # a bare id must stand alone
        "",
    ],
)
def test_parse_arxiv_id_rejects_non_arxiv(text: str) -> None:
    assert parse_arxiv_id(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1109/ICRA57147.2024.10610665", "10.1109/icra57147.2024.10610665"),
        ("https://doi.org/10.1109/ICRA57147.2024.10610665", "10.1109/icra57147.2024.10610665"),
        ("http://dx.doi.org/10.1177/0278364917714338", "10.1177/0278364917714338"),
        ("doi.org/10.1609/aaai.v38i12.29215", "10.1609/aaai.v38i12.29215"),
        ("DOI: 10.1007/S00521-025-11156-Y", "10.1007/s00521-025-11156-y"),
        ("https://doi.org/10.1000%2Fabc", "10.1000/abc"),
        ("https://example.org/10.1000/abc", None),
        ("not a doi", None),
    ],
)
def test_normalize_doi(text: str, expected: str | None) -> None:
    assert normalize_doi(text) == expected


def test_wikidata_doi_is_upper_case_and_rejects_non_dois() -> None:
    assert wikidata_doi("doi:10.1007/s00521-025-11156-y") == "10.1007/S00521-025-11156-Y"
    with pytest.raises(ValueError, match="not a DOI"):
        wikidata_doi("https://example.org/")


@pytest.mark.parametrize(
    ("url", "kind", "value", "canonical"),
    [
        (
            "https://arxiv.org/pdf/2305.13122v2.pdf",
            "arxiv",
            "2305.13122",
            "https://arxiv.org/abs/2305.13122",
        ),
        (
            "https://doi.org/10.48550/arXiv.2310.12921",
            "arxiv",
            "2310.12921",
            "https://arxiv.org/abs/2310.12921",
        ),
        (
            "https://doi.org/10.1109/ICRA57147.2024.10610665",
            "doi",
            "10.1109/icra57147.2024.10610665",
            "https://doi.org/10.1109/icra57147.2024.10610665",
        ),
        (
            "https://link.springer.com/article/10.1007/s00521-025-11156-y",
            "doi",
            "10.1007/s00521-025-11156-y",
            "https://doi.org/10.1007/s00521-025-11156-y",
        ),
        (
            "https://openreview.net/pdf?id=6P88DMUDvH",
            "openreview",
            "6P88DMUDvH",
            "https://openreview.net/forum?id=6P88DMUDvH",
        ),
        (
            "https://openreview.net/forum?id=zRb7IWkTZAU&noteId=abc",
            "openreview",
            "zRb7IWkTZAU",
            "https://openreview.net/forum?id=zRb7IWkTZAU",
        ),
        (
            "https://ieeexplore.ieee.org/abstract/document/11080043",
            "ieee",
            "11080043",
            "https://ieeexplore.ieee.org/document/11080043",
        ),
        (
            "https://ieeexplore.ieee.org/document/11080043/",
            "ieee",
            "11080043",
            "https://ieeexplore.ieee.org/document/11080043",
        ),
        (
            "https://openaccess.thecvf.com/content/ICCV2025/html/Lu_GWM_X_ICCV_2025_paper.html",
            "cvf",
            "ICCV2025/Lu_GWM_X_ICCV_2025",
            "https://openaccess.thecvf.com/content/ICCV2025/html/Lu_GWM_X_ICCV_2025_paper.html",
        ),
        (
            "http://openaccess.thecvf.com/content_CVPR_2019/papers/A_B_CVPR_2019_paper.pdf",
            "cvf",
            "CVPR2019/A_B_CVPR_2019",
            "http://openaccess.thecvf.com/content_CVPR_2019/papers/A_B_CVPR_2019_paper.pdf",
        ),
        (
            "https://proceedings.mlr.press/v202/li23ad.html",
            "pmlr",
            "v202/li23ad",
            "https://proceedings.mlr.press/v202/li23ad.html",
        ),
        (
            "https://proceedings.mlr.press/v202/li23ad/li23ad.pdf",
            "pmlr",
            "v202/li23ad",
            "https://proceedings.mlr.press/v202/li23ad.html",
        ),
        (
            "https://papers.nips.cc/paper_files/paper/2018/hash/"
            "2de5d16682c3c35007e4e92982f1a2ba-Abstract.html",
            "neurips",
            "2018/2de5d16682c3c35007e4e92982f1a2ba",
            "https://papers.nips.cc/paper_files/paper/2018/hash/"
            "2de5d16682c3c35007e4e92982f1a2ba-Abstract.html",
        ),
        (
            "https://proceedings.neurips.cc/paper/2020/file/"
            "4c5bcfec8584af0d967f1ab10179ca4b-Paper.pdf",
            "neurips",
            "2020/4c5bcfec8584af0d967f1ab10179ca4b",
            "https://proceedings.neurips.cc/paper/2020/file/"
            "4c5bcfec8584af0d967f1ab10179ca4b-Paper.pdf",
        ),
        (
            "https://policyagnosticrl.github.io/#:~:text=We%20introduce%20Policy,and",
            "web",
            "policyagnosticrl.github.io",
            "https://policyagnosticrl.github.io/",
        ),
        (
            "https://www.mdpi.com/2673-2688/6/6/115?utm_source=x&page=2",
            "web",
            "mdpi.com/2673-2688-6-6-115-page-2",
            "https://mdpi.com/2673-2688/6/6/115?page=2",
        ),
        (
            "https://somsagar07.github.io/RoboMD/",
            "web",
            "somsagar07.github.io/robomd",
            "https://somsagar07.github.io/RoboMD",
        ),
    ],
)
def test_classify_link(url: str, kind: str, value: str, canonical: str) -> None:
    assert classify_link(url) == LinkId(kind, value, canonical)


def test_classify_link_web_long_paths_stay_distinct() -> None:
    base = "https://example.org/" + "segment/" * 30
    first, second = classify_link(base + "a"), classify_link(base + "b")
    assert first.value != second.value
    assert len(first.value) < 160


@pytest.mark.parametrize("url", ["Large_Table.xlsx", "mailto:a@b.org", "ftp://x.org/a"])
def test_classify_link_rejects_non_http(url: str) -> None:
    with pytest.raises(ValueError, match="not an absolute http"):
        classify_link(url)


GOOD_IRIS = [
    "https://policyagnosticrl.github.io/#:~:text=We%20introduce%20Policy-2.Agnostic%20RL,and%20x.",
    "https://example.org/a,b;c=d?x=1&y=2",
    "https://example.org/caf%C3%A9",
    "https://example.org/café",
    "https://openreview.net/pdf?id=6P88DMUDvH",
]
BAD_IRIS = [
    ("https://example.org/a b", "' '"),
    ("https://example.org/a>b", "'>'"),
    ("https://example.org/a<b", "'<'"),
    ('https://example.org/a"b', "'\"'"),
    ("https://example.org/a{b}", "'{'"),
    ("https://example.org/a|b", "'|'"),
    ("https://example.org/a\\b", "'\\\\\\\\'"),
    ("https://example.org/a^b", "'\\^'"),
    ("https://example.org/a`b", "'`'"),
    ("https://example.org/a\tb", "'\\\\t'"),
    ("https://example.org/a\u00a0b", "'\\\\xa0'"),
    ("https://example.org/a%zzb", "percent"),
    ("https://example.org/#a#b", "rejected"),
    ("relative/path.html", "not absolute"),
    ("", "empty"),
]


@pytest.mark.parametrize("iri", GOOD_IRIS)
def test_check_iri_accepts_legal_iris(iri: str) -> None:
    assert check_iri(iri) == iri


@pytest.mark.parametrize(("iri", "reason"), BAD_IRIS)
def test_check_iri_rejects_unsafe_iris(iri: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        check_iri(iri)


def test_checked_iris_survive_turtle_and_pyoxigraph() -> None:
    graph = rdflib.Graph()
    for index, iri in enumerate(GOOD_IRIS):
        graph.add((rdflib.URIRef(check_iri(iri)), rdflib.RDFS.label, rdflib.Literal(index)))
    turtle = graph.serialize(format="turtle")
    parsed = {
        str(t.subject.value) for t in pyoxigraph.parse(turtle, format=pyoxigraph.RdfFormat.TURTLE)
    }
    assert parsed == set(GOOD_IRIS)


def test_rejected_iri_would_break_turtle_export() -> None:
    """The check exists because rdflib lets these through and then fails the export."""
    graph = rdflib.Graph()
    graph.add((rdflib.URIRef("https://example.org/a b"), rdflib.RDFS.label, rdflib.Literal(1)))
    with pytest.raises(Exception):  # noqa: B017 - whatever rdflib raises, the export fails
        graph.serialize(format="turtle")


@pytest.mark.parametrize(
    ("text", "max_len", "expected"),
    [
        ("Planning & Exploration", 80, "planning-exploration"),
        ("  --Ça ne fait rien!-- ", 80, "ca-ne-fait-rien"),
        ("VLMs for reward learning", 80, "vlms-for-reward-learning"),
        ("abcdefghij klm", 8, "abcdefgh"),
        ("one two three", 9, "one-two"),
        ("日本語", 80, ""),
    ],
)
def test_slugify(text: str, max_len: int, expected: str) -> None:
    assert slugify(text, max_len) == expected
    assert len(slugify(text, max_len)) <= max_len


def test_normalize_title_equates_listing_variants() -> None:
    a = "Vision-Language Models are Zero-Shot Reward Models for Reinforcement Learning"
    b = "Vision language models are zero-shot reward models for reinforcement learning"
    assert normalize_title(a) == normalize_title(b)
    assert normalize_title("ﬁne\u00a0tuning:  “RL”") == "fine tuning rl"
    assert normalize_title("Diffusion Policy") != normalize_title("Diffusion Policies")


def test_paper_path_keeps_slashes_and_encodes_unsafe_characters() -> None:
    assert paper_path(classify_link("https://arxiv.org/abs/2303.04137v1")) == "arxiv/2303.04137"
    doi = classify_link("https://doi.org/10.1109/ICRA57147.2024.10610665")
    assert paper_path(doi) == "doi/10.1109/icra57147.2024.10610665"
    odd = LinkId("doi", "10.1000/a b#c?d<e>%", "https://doi.org/")
    path = paper_path(odd)
    assert path == "doi/10.1000/a%20b%23c%3Fd%3Ce%3E%25"
    assert check_iri("https://w3id.org/genrl-kg/paper/" + path)


@pytest.mark.parametrize(
    "text",
    [
        "https://arxiv.org/abs/1706.\uff10\uff13\uff17\uff16\uff12",  # fullwidth digits
        "https://arxiv.org/abs/1706.\u0660\u0663\u0667\u0666\u0662",  # Arabic-Indic digits
        "https://arxiv.org/abs/\u0661\u0667\u0660\u0666.03762",
        "1706.\uff10\uff13\uff17\uff16\uff12",
        "arXiv:1706.\u0660\u0663\u0667\u0666\u0662",
        "https://arxiv.org/abs/hep-th/\uff19\uff19\uff10\uff11\uff10\uff10\uff11",
        "https://arxiv.org/abs/2303.04137v\uff12",
    ],
)
def test_unicode_digits_are_never_an_arxiv_id(text: str) -> None:
    result = parse_arxiv_id(text)
    assert result is None or result == ("2303.04137", None)
    if result is None and text.startswith("https://"):
        assert classify_link(text).kind == "web"


@pytest.mark.parametrize(
    "text",
    [
        "https://doi.org/10.\uff11\uff11\uff10\uff19/x",
        "10.\u0661\u0661\u0660\u0669/abc",
        "https://ieeexplore.ieee.org/document/\uff11\uff12\uff13",
    ],
)
def test_unicode_digits_are_never_a_doi_or_ieee_id(text: str) -> None:
    assert normalize_doi(text) is None
    if text.startswith("https://"):
        assert classify_link(text).kind == "web"


def test_kelvin_sign_does_not_match_an_ascii_letter() -> None:
    # Under re.IGNORECASE without re.ASCII, "\u212a" (KELVIN SIGN) matches "k".
    assert parse_arxiv_id("https://arxiv.org/abs/\u212ah-th/9901001") is None


@pytest.mark.parametrize(
    ("iri", "bad"),
    [
        ("https://example.org/caf\u00e9\u200b", "'\\\\u200b' at position 24"),
        ("https://example.org/\u00e9\u0085x", "'\\\\x85' at position 21"),
        ("https://example.org/\u00e9 x\u00a0", "' ' at position 21"),
    ],
)
def test_check_iri_names_the_first_bad_character_in_unicode_iris(iri: str, bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        check_iri(iri)
