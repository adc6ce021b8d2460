"""The explorer's SPARQL: one fixed pattern per filter; values only ever bound as terms.

A query's text depends only on *which* filters are in use, never on their values: each filter's
variable (``?category``, ``?code``, ``?since`` ...) is bound by the worker's substitutions, and
pyoxigraph asks for every substituted variable to be projected, so each query selects (and
groups by) the variables it binds. Facet counts are computed the usual faceted way: the counts
of one facet are taken with every *other* filter in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from genrl_kg.namespace import TAXONOMY_SCHEME

__all__ = [
    "BASE_MODEL_BRANCH",
    "FACETS",
    "MODALITY_BRANCH",
    "PAIRING",
    "TEXT_FILTER",
    "Facet",
    "count_query",
    "rows_query",
    "where_clause",
]

PREFIXES = """PREFIX genrl: <https://w3id.org/genrl-kg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
BASE_MODEL_BRANCH = TAXONOMY_SCHEME + "/base-model"
MODALITY_BRANCH = TAXONOMY_SCHEME + "/modality"
# As the saved query taxonomy-tree counts: papers filed under the concept or below it; the Base
# Model and Modality branches hold no sections and count their dimension's papers that have a
# base model (with a modality profile, for Modality).
CATEGORY = f"""{{ ?paper dcterms:subject ?c_below . ?paper a genrl:Paper .
    ?c_below skos:broader* ?category . }}
  UNION {{ VALUES ?category {{ <{BASE_MODEL_BRANCH}> }}
    ?category skos:broader ?c_dimension .
    ?paper a genrl:Paper ; genrl:baseModel ?c_model ; dcterms:subject ?c_filed .
    ?c_filed skos:broader* ?c_dimension . }}
  UNION {{ VALUES ?category {{ <{MODALITY_BRANCH}> }}
    ?category skos:broader ?c_dimension .
    ?paper a genrl:Paper ; genrl:baseModel ?c_model ; dcterms:subject ?c_filed .
    ?c_filed skos:broader* ?c_dimension .
    ?c_profile a genrl:ModalityProfile ; genrl:modelType ?c_model .
    FILTER EXISTS {{ ?c_profile genrl:inputModality|genrl:outputModality ?c_modality }} }}"""
LISTED_YEAR = """OPTIONAL { ?paper genrl:firstListed ?l_first }
  OPTIONAL { ?paper genrl:yearAdded ?l_added }
  BIND (COALESCE(YEAR(?l_first), xsd:integer(STR(?l_added))) AS ?listedYear)"""
PUBLISHED_YEAR = """OPTIONAL { ?paper dcterms:issued ?y_issued }
  OPTIONAL { ?paper genrl:arxivMonth ?y_month }
  OPTIONAL { ?paper genrl:yearAdded ?y_added }
  BIND (COALESCE(YEAR(?y_issued), xsd:integer(SUBSTR(STR(?y_month), 1, 4)),
                 xsd:integer(STR(?y_added))) AS ?pubYear)"""
# The survey matrix's rule (saved query task-by-base-model), used whenever a query has both an
# RL task and a base model, so a matrix cell and its filter count the same papers.
PAIRING = """FILTER (EXISTS { ?t_leaf genrl:aboutBaseModel ?baseModel }
          || NOT EXISTS { ?t_leaf genrl:aboutBaseModel ?t_own . ?paper genrl:baseModel ?t_own }
          || NOT EXISTS { ?paper dcterms:subject ?t_about . ?t_about genrl:aboutBaseModel ?baseModel })"""
TEXT_FILTER = """FILTER EXISTS { ?paper dcterms:title|dcterms:abstract ?q_text .
    FILTER (CONTAINS(LCASE(STR(?q_text)), LCASE(STR(?q)))) }"""


@dataclass(frozen=True)
class Facet:
    """A filter: the pattern binding its value variable, and the test applied when it is given."""

    name: str
    value: str  # the variable the pattern binds (counted by)
    pattern: str
    test: str = ""  # extra FILTER using ?{name}; empty when the pattern binds ?{name} itself


FACETS = {
    "category": Facet("category", "category", CATEGORY),
    "baseModel": Facet("baseModel", "baseModel", "?paper genrl:baseModel ?baseModel ."),
    "task": Facet(
        "task", "task", "?paper dcterms:subject ?t_leaf . ?t_leaf genrl:aboutRLTask ?task ."
    ),
    "modality": Facet(
        "modality",
        "modality",
        "?paper genrl:baseModel ?m_model . ?m_profile a genrl:ModalityProfile ; "
        "genrl:modelType ?m_model ; genrl:inputModality|genrl:outputModality ?modality .",
    ),
    "code": Facet("code", "code", "?paper genrl:codeAvailability ?code ."),
    "setting": Facet("setting", "setting", "?paper genrl:evaluationSetting ?setting ."),
    "dataset": Facet("dataset", "dataset", "?paper genrl:usesDataset ?dataset ."),
    "model": Facet("model", "model", "?paper genrl:usesFoundationModel ?model ."),
    "since": Facet("since", "listedYear", LISTED_YEAR, "FILTER (?listedYear >= ?since)"),
    "year": Facet("year", "pubYear", PUBLISHED_YEAR, "FILTER (?pubYear = ?year)"),
}


def where_clause(filters: Iterable[str], group: str | None = None) -> str:
    """Return the WHERE body keeping the papers that pass *filters*, binding facet *group*'s value.

    >>> print(where_clause(['code']))
    ?paper a genrl:Paper .
      ?paper genrl:codeAvailability ?code .
    """
    active = set(filters) - ({group} if group else set())
    used = active | ({group} if group else set())
    # the category union types ?paper in each branch: joined with '?paper a genrl:Paper'
    # outside it, it ran eight times slower
    parts = [CATEGORY] if "category" in used else ["?paper a genrl:Paper ."]
    for name, facet in FACETS.items():
        if name in used and name != "category":
            parts.append(facet.pattern)
        if name in active and facet.test:
            parts.append(facet.test)
    if "q" in active:
        parts.append(TEXT_FILTER)
    if {"task", "baseModel"} <= used:
        parts.append(PAIRING)
    return "\n  ".join(parts)


def _bound(filters: Iterable[str], group: str | None) -> list[str]:
    """Return the variables substituted in a query: the filters in use, less the counted one."""
    return [f"?{name}" for name in (*FACETS, "q") if name in set(filters) and name != group]


def count_query(filters: Iterable[str], group: str) -> str:
    """Return the query counting papers per value of facet *group* under the other *filters*.

    For ``category`` the values include concepts outside the taxonomy's scheme (a join with
    ``skos:inScheme`` made the query ten times slower): keep only the vocabulary's concepts.
    """
    filters = list(filters)
    value = f"?{FACETS[group].value}"
    bound = " ".join(_bound(filters, group))
    return (
        f"{PREFIXES}SELECT {bound} {value} (COUNT(DISTINCT ?paper) AS ?papers)\n"
        f"WHERE {{\n  {where_clause(filters, group)}\n  FILTER (BOUND({value}))\n}}\n"
        f"GROUP BY {bound} {value}\nORDER BY {value}\n"
    )


def rows_query(filters: Iterable[str]) -> str:
    """Return the query listing the papers that pass *filters*, one row each, with table facts.

    Columns after the bound variables: paper, paperTitle, arxiv, link, published, listed, added,
    availability, repository, models (base-model IRIs separated by spaces).
    """
    filters = list(filters)
    bound = " ".join(_bound(filters, None))
    return f"""{PREFIXES}SELECT {bound} ?paper (MIN(?t) AS ?paperTitle) (MIN(?a) AS ?arxiv)
  (MIN(?u) AS ?link) (MIN(?py) AS ?published) (MIN(?first) AS ?listed) (MIN(?a_added) AS ?added)
  (MIN(?c) AS ?availability) (MIN(?repo) AS ?repository)
  (GROUP_CONCAT(DISTINCT STR(?bm); separator=" ") AS ?models)
WHERE {{
  {{ SELECT DISTINCT {bound} ?paper WHERE {{
  {where_clause(filters)}
  }} }}
  OPTIONAL {{ ?paper dcterms:title ?t }}
  OPTIONAL {{ ?paper genrl:arxivId ?a }}
  OPTIONAL {{ ?paper schema:url ?u }}
  OPTIONAL {{ ?paper genrl:firstListed ?first }}
  OPTIONAL {{ ?paper genrl:yearAdded ?a_added }}
  OPTIONAL {{ ?paper genrl:codeAvailability ?c }}
  OPTIONAL {{ ?paper schema:codeRepository ?repo }}
  OPTIONAL {{ ?paper genrl:baseModel ?bm }}
  OPTIONAL {{ ?paper dcterms:issued ?y_issued }}
  OPTIONAL {{ ?paper genrl:arxivMonth ?y_month }}
  BIND (COALESCE(YEAR(?y_issued), xsd:integer(SUBSTR(STR(?y_month), 1, 4)),
                 xsd:integer(STR(?a_added))) AS ?py)
}}
GROUP BY {bound} ?paper
"""
