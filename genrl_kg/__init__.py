"""genrl-kg: a knowledge graph of generative AI and reinforcement learning in robotics."""

__all__ = ["__version__"]

__version__ = "0.1.0"
