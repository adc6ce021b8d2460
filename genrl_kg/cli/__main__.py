"""Run the command line as ``python -m genrl_kg.cli``."""

from genrl_kg.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
