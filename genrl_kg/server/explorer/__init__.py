"""The explorer at ``/``: the taxonomy tree, facets, the paper table, charts and exports.

- :mod:`~genrl_kg.server.explorer.vocabulary`: the values a filter can take, by slug.
- :mod:`~genrl_kg.server.explorer.selection`: URL parameters, checked and bound as RDF terms.
- :mod:`~genrl_kg.server.explorer.sparql`: one fixed SPARQL pattern per filter.
- :mod:`~genrl_kg.server.explorer.service`: rows, facet and tree counts from the query workers.
- :mod:`~genrl_kg.server.explorer.routes`: ``/api/explore``, ``/api/charts``,
  ``/api/papers.csv``, ``/api/papers.bib`` and ``/feed.atom``.
"""

from __future__ import annotations

__all__: list[str] = []
