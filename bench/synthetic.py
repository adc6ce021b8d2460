"""Generate synthetic awesome lists in the real list's Markdown format (for benchmarks and tests).

The list has the survey's heading skeleton (both numbering styles: ``##### 1.Title`` and
``#### 1.Title``, a heading with extra spaces, a ``(new!)`` flag) and *n* entries spread
round-robin over the leaf sections, each a unique paper with a unique fake arXiv id (some in the
``pdf``, ``vN`` and ``doi.org/10.48550/arXiv.*`` forms), a few project pages and IEEE Xplore links,
and ``(YYYY)!`` markers.  With ``duplicates=k`` the first *k* papers are listed a second time in
another section under another arXiv link form, so the build merges them.

Usage::

    python bench/synthetic.py 10000 -o /tmp/list10k      # writes /tmp/list10k/README.md
"""

from __future__ import annotations

import argparse
from pathlib import Path

# (level, heading text, is a leaf that holds entries)
SKELETON: tuple[tuple[int, str, bool], ...] = (
    (1, "Awesome Papers Merging Generative AI and Reinforcement Learning in Robotics", False),
    (2, "Generative Tools for RL", False),
    (3, "Base Model", False),
    (3, "Task", False),
    (4, "Reward Signal", False),
    (5, "1.Learning reward functions with LLMs", True),
    (5, "2.VLMs for reward learning", True),
    (5, "3.Reward learning with diffusion models", True),
    (5, "4.Learning rewards from video prediction", True),
    (4, "State Representation", False),
    (5, "1.Learning representations from videos", True),
    (5, "2.Foundation world models for model-based RL", True),
    (4, "  Planning & Exploration", False),
    (5, "1.LLMs for exploration", True),
    (5, "2.VLMs for exploration", True),
    (5, "3.LLMs for planning", True),
    (5, "4.Diffusion models for planning and exploration", True),
    (2, "RL for Generative Policies ", False),
    (3, "RL Pre-Training ", False),
    (4, "1.Transformer Policy", True),
    (4, "2.Diffusion Policy", True),
    (3, "Generative Policy RL Fine-Tuning", True),
    (3, "Policy Distillation", True),
    (3, "Policy Safety (new!)", True),
)
WORDS = (
    "Learning",
    "Reward",
    "Diffusion",
    "Policy",
    "Language",
    "Vision",
    "Robotic",
    "Manipulation",
    "World",
    "Model",
    "Exploration",
    "Planning",
    "Transformer",
    "Offline",
    "Fine-Tuning",
    "Video",
)


def arxiv_id(index: int) -> str:
    """Return the unique fake arXiv id of paper *index* (``YYMM.NNNNN``, new style).

    >>> arxiv_id(0), arxiv_id(99998), arxiv_id(99999)
    ('2001.00001', '2001.99999', '2002.00001')
    """
    month, number = divmod(index, 99999)
    return f"{20 + month // 12:02d}{month % 12 + 1:02d}.{number + 1:05d}"


def paper_link(index: int, form: int | None = None) -> str:
    """Return the listed link of paper *index*; *form* picks the arXiv link style."""
    if form is None:
        if index % 50 == 7:
            return f"https://synthetic-project-{index}.github.io/"
        if index % 50 == 13:
            return f"https://ieeexplore.ieee.org/abstract/document/{20000000 + index}"
        form = index % 5
    ident = arxiv_id(index)
    return (
        f"https://arxiv.org/abs/{ident}",
        f"https://arxiv.org/pdf/{ident}",
        f"https://doi.org/10.48550/arXiv.{ident}",
        f"https://arxiv.org/abs/{ident}v2",
        f"https://arxiv.org/pdf/{ident}v1.pdf",
    )[form % 5]


def paper_title(index: int) -> str:
    """Return a readable, unique title for paper *index*."""
    a, b, c = (WORDS[(index // k) % len(WORDS)] for k in (1, 7, 49))
    return f"Synthetic {a} {b} for {c} Agents {index}"


def entry_line(index: int, leaf_level: int, form: int | None = None) -> str:
    """Return one bullet of the list (indented like the real list's level-4 leaves)."""
    indent = "  " if leaf_level == 4 else ""
    marker = f"({2023 + index % 3})! " if index % 3 else ""
    return f"{indent}- {marker}{paper_title(index)} [[paper]]({paper_link(index, form)})"


def generate_list(papers: int, duplicates: int = 0) -> str:
    """Return the Markdown of a list with *papers* unique papers (+ *duplicates* repeats)."""
    leaves = [i for i, (_, _, leaf) in enumerate(SKELETON) if leaf]
    buckets: dict[int, list[str]] = {i: [] for i in leaves}
    for index in range(papers):
        leaf = leaves[index % len(leaves)]
        buckets[leaf].append(entry_line(index, SKELETON[leaf][0]))
    for index in range(min(duplicates, papers)):
        leaf = leaves[(index + 1) % len(leaves)]
        buckets[leaf].append(entry_line(index, SKELETON[leaf][0], form=index + 1))
    out: list[str] = []
    for i, (level, text, _leaf) in enumerate(SKELETON):
        out.append(f"{'#' * level} {text}")
        out.append("")
        if i == 0:
            out += ["A synthetic list in the format of the survey's awesome list.", ""]
        if buckets.get(i):
            out += [*buckets[i], ""]
    return "\n".join(out)


def write_list(directory: Path, papers: int, duplicates: int = 0) -> Path:
    """Write ``README.md`` with a synthetic list into *directory* and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "README.md"
    path.write_text(generate_list(papers, duplicates), encoding="utf-8")
    return path


def main() -> None:
    """Write a synthetic list from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("papers", type=int, help="number of unique papers")
    parser.add_argument("-o", "--output", type=Path, required=True, help="output directory")
    parser.add_argument("--duplicates", type=int, default=0, help="papers listed twice")
    args = parser.parse_args()
    path = write_list(args.output, args.papers, args.duplicates)
    print(f"wrote {path} ({args.papers} papers, {args.duplicates} duplicates)")


if __name__ == "__main__":
    main()
