"""One package per upstream source; each yields frozen dataclasses and knows nothing of RDF."""

__all__: list[str] = []
