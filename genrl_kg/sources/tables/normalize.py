"""Pure helpers that split and normalise the text of table cells (no RDF)."""

from __future__ import annotations

import re

__all__ = [
    "BENCHMARK_ALIASES",
    "FOUNDATION_MODEL_ALIASES",
    "NULL_VALUES",
    "category_hint",
    "extract_benchmarks",
    "fold_space",
    "is_null",
    "parse_framework",
    "split_foundation_models",
    "split_tags",
]

NULL_VALUES = frozenset({"", "n/a", "na", "none", "not specified", "-", "--", "unknown"})

# Foundation models: (canonical name, pattern); earlier patterns win overlapping matches.
FOUNDATION_MODEL_ALIASES: tuple[tuple[str, str], ...] = (
    ("MiniGPT-4", r"\bmini[\s-]?gpt[\s-]?4\b"),
    ("GPT-4V", r"\bgpt[\s-]?4[\s-]?(?:v\b|vision\b)"),
    ("GPT-4", r"\bgpt[\s-]?4(?![\d.])"),
    ("GPT-3.5", r"\b(?:chat[\s-]?gpt|gpt[\s-]?3\.5(?:[\s-]?turbo(?:-\d+)?)?)(?![\d.])"),
    ("GPT-3", r"\bgpt[\s-]?3(?![\d.])"),
    ("GPT-2", r"\bgpt[\s-]?2(?![\d.])"),
    ("GPT-J", r"\bgpt[\s-]?j\b"),
    ("InstructGPT", r"\binstruct[\s-]?gpt\b"),
    ("FLAN-T5", r"\bflan[\s-]?t5\b"),
    ("FLAN", r"\bflan\b"),
    ("LaMDA", r"\blamb?da\b"),
    ("PaLM", r"\bpalm\b"),
    ("CLIP", r"\bclip\b"),
    ("ResNet-50", r"\bresnet[\s-]?50\b"),
    ("MoCo", r"\bmoco\b"),
    ("S3D", r"\bs3d\b"),
    ("Gemini", r"\bgemini\b"),
    ("InstructBLIP", r"\binstruct[\s-]?blip\b"),
    ("Vicuna-7B", r"\bvicuna[\s-]?7b\b"),
    ("Llama-2-7B", r"\bllama[\s-]?2[\s-]?7b\b"),
    ("Code Llama", r"\bcode[\s-]?llama\b"),
    ("Prismatic VLM", r"\bprismatic\b(?:\s+vlms?\b)?"),
)

# Environments, benchmarks and datasets named in `Dataset` / `Simulation or Real Exp` cells.
BENCHMARK_ALIASES: tuple[tuple[str, str], ...] = (
    ("Multi-Agent MuJoCo", r"\b(?:ma|multi[\s-]?agent)[\s-]?mujoco\b"),
    ("MuJoCo", r"\bmujoco\b"),
    ("D4RL", r"\bd4rl\b"),
    ("Maze2D", r"\bmaze[\s-]?2d\b"),
    ("AntMaze", r"\bant[\s-]?maze\b"),
    ("Multi2D", r"\bmulti[\s-]?2d\b"),
    ("Meta-World", r"\bmeta[\s-]?world\b"),
    ("Franka Kitchen", r"\bfranka[\s-]?kitchen\b"),
    ("PyBullet", r"\bpybullet\b"),
    ("CARLA", r"\bcarla\b"),
    ("CALVIN", r"\bcalvin\b"),
    ("CLEVR-Robot", r"\bclevr[\s-]?robot\b"),
    ("DeepMind Control Suite", r"\b(?:deepmind|dm)[\s-]?control(?:[\s-]?suite)?\b|\bdmc\b"),
    ("DeepMind Lab", r"\b(?:deepmind|dm)[\s-]?lab\b"),
    ("Atari", r"\batari\b"),
    ("Brax", r"\bbrax\b"),
    ("NeoRL", r"\bneorl\b"),
    ("Fetch", r"\bfetch(?:[\s-]?environments?|reach|push|pick\w*|slide)\b"),
    ("Multi-Agent Particle Environment", r"\bmulti[\s-]?agent particle\b|\bmpe\b"),
    ("SMAC", r"\bsmac\b|\bstarcraft(?: ii)? multi[\s-]?agent challenge\b"),
    ("Kuka Block Stacking", r"\bkuka block stacking\b"),
    ("Robomimic", r"\brobomimic\b"),
    ("Isaac Gym", r"\bisaac[\s-]?gym\b"),
    ("ALFRED", r"\balfred\b"),
    ("CookingWorld", r"\bcookingworld\b"),
    ("BabyAI-Text", r"\bbabyai[\s-]?text\b"),
    ("BabyAI", r"\bbabyai\b"),
    ("Crafter", r"\bcrafter\b"),
    ("Housekeep", r"\bhousekeep\b"),
    ("Hanabi", r"\bhanabi\b"),
    ("ManiSkill2", r"\bmaniskill[\s-]?2\b"),
    ("Ego4D", r"\bego[\s-]?4d\b"),
    ("EPIC-KITCHENS", r"\bepic[\s-]?kitchens?\b"),
    ("HowTo100M", r"\bhow[\s-]?to[\s-]?100m\b"),
    ("Minecraft", r"\bminecraft\b"),
    ("Habitat", r"\bhabitat\b"),
    ("Playhouse", r"\bplayhouse\b"),
    ("CarRacing", r"\bcar[\s-]?racing(?:-v\d)?\b"),
    ("VizDoom TakeCover", r"\bdoom[\s-]?take[\s-]?cover(?:-v\d)?\b"),
    ("Open X-Embodiment", r"\bopen[\s-]?x[\s-]?embodiment\b|\boxe\b"),
    ("Something-Something V2", r"\bsomething[\s-]?something(?:[\s-]?v2)?\b|\bssv2\b"),
    ("RoboNet", r"\brobonet\b"),
    ("RLBench", r"\brlbench\b"),
    ("CartPole", r"\bcart[\s-]?pole\b(?![\s-]+(?:balance|swingup))"),
    ("LunarLander", r"\blunar[\s-]?lander\b"),
    ("MuSHR", r"\bmushr\b"),
    ("Procgen", r"\bprocgen\b"),
    ("RGB Stacking", r"\brgb[\s-]?stacking\b"),
    ("NetHack Learning Environment", r"\bnethack\b"),
    ("Montezuma's Revenge", r"\bmontezuma[\u2019']?s revenge\b"),
    ("Waymo Open Dataset", r"\bwaymo\b"),
    ("MMLU", r"\bmmlu\b"),
    ("BridgeData", r"\bbridge[\s-]?data(?:set)?\b"),
    ("CIFAR-10", r"\bcifar[\s-]?10\b"),
    ("ImageNet", r"\bimagenet\b"),
    ("LAION", r"\blaion\b"),
    ("NBA dataset", r"\bnba dataset\b"),
)

_COMPILED_MODELS = tuple(
    (name, re.compile(p, re.IGNORECASE)) for name, p in FOUNDATION_MODEL_ALIASES
)
_COMPILED_BENCHMARKS = tuple((name, re.compile(p, re.IGNORECASE)) for name, p in BENCHMARK_ALIASES)
_LIST_SPLIT = re.compile(r"\s*(?:[,;]|\band\b|&)\s*", re.IGNORECASE)
_PAREN_TAIL = re.compile(r"^(?P<outer>[^()]+?)\s*-?\s*\((?P<inner>[^()]+)\)\s*$")


def fold_space(text: str) -> str:
    """Collapse runs of whitespace and trim.

    >>> fold_space("  World   Model ")
    'World Model'
    """
    return " ".join(text.split())


def is_null(text: str | None) -> bool:
    """Tell whether a cell means 'nothing' (empty, N/A, Not specified).

    >>> is_null(" N/A "), is_null("Yes")
    (True, False)
    """
    return text is None or fold_space(text).casefold() in NULL_VALUES


def _find_aliases(text: str, table: tuple[tuple[str, re.Pattern[str]], ...]) -> list[str]:
    """Return canonical names found in *text*, in order; earlier patterns win overlaps."""
    spans: list[tuple[int, int, str]] = []
    for name, pattern in table:
        for match in pattern.finditer(text):
            start, end = match.span()
            if not any(start < e and s < end for s, e, _ in spans):
                spans.append((start, end, name))
    return [name for _, _, name in sorted(spans)]


def _unique(items: list[str]) -> tuple[str, ...]:
    """Drop duplicates, keeping first occurrences."""
    return tuple(dict.fromkeys(items))


def split_tags(text: str | None) -> tuple[str, ...]:
    """Split a `Taxonomy` cell into trimmed, whitespace-folded tags.

    >>> split_tags("World Model,LLM, VLM")
    ('World Model', 'LLM', 'VLM')
    >>> split_tags("Transformer Model  ,LLM")
    ('Transformer Model', 'LLM')
    """
    if is_null(text):
        return ()
    assert text is not None
    return _unique([fold_space(t) for t in text.split(",") if fold_space(t)])


def split_foundation_models(text: str | None) -> tuple[str, ...]:
    """Split a `Base Model` cell into canonical model names; unknown names are kept trimmed.

    >>> split_foundation_models("GPT 3.5 and GPT 4")
    ('GPT-3.5', 'GPT-4')
    >>> split_foundation_models("ChatGPT (gpt-3.5-turbo-0301)")
    ('GPT-3.5',)
    >>> split_foundation_models("GPT-3, FLAN and LAMBDA")
    ('GPT-3', 'FLAN', 'LaMDA')
    >>> split_foundation_models("CLIP with ResNet 50 backbone, Natural Language System")
    ('CLIP', 'ResNet-50', 'Natural Language System')
    >>> split_foundation_models("N/A")
    ()
    """
    if is_null(text):
        return ()
    assert text is not None
    names: list[str] = []
    for part in _LIST_SPLIT.split(text):
        part = fold_space(part)
        if is_null(part):
            continue
        found = _find_aliases(part, _COMPILED_MODELS)
        names.extend(found or [part])
    return _unique(names)


def extract_benchmarks(text: str | None) -> tuple[str, ...]:
    """Return the known environments/benchmarks/datasets named in *text*, canonical and in order.

    >>> extract_benchmarks("Simulation (Maze2D, Gym-MuJoCo, FrankaKitchen)")
    ('Maze2D', 'MuJoCo', 'Franka Kitchen')
    >>> extract_benchmarks("ManiSkill2, MetaWorld, MuJoCo; MA Mujoco")
    ('ManiSkill2', 'Meta-World', 'MuJoCo', 'Multi-Agent MuJoCo')
    >>> extract_benchmarks("Various real-world robotic tasks")
    ()
    """
    if is_null(text):
        return ()
    assert text is not None
    return _unique(_find_aliases(text, _COMPILED_BENCHMARKS))


def _is_acronym_of(acronym: str, name: str) -> bool:
    """Tell whether *acronym* (<= 2 words) shares >= 2 capitals with *name*'s initials."""
    if len(acronym.split()) > 2 or "," in acronym:
        return False
    capitals = [c for c in acronym if c.isupper()]
    initials = {w[0].upper() for w in re.split(r"[\s\-]+", name) if w}
    return len(capitals) >= 2 and len(set(capitals) & initials) >= 2


def parse_framework(text: str | None) -> tuple[str, str | None]:
    """Split a `Framework` cell into (name, acronym or None).

    >>> parse_framework("Language Reward Modulated Pretraining (LAMP)")
    ('Language Reward Modulated Pretraining', 'LAMP')
    >>> parse_framework("VLM-CaR (Code as Reward)")
    ('VLM-CaR', None)
    >>> parse_framework("LLM Prior Policy with Regularized RL-(Instruct-RL)")
    ('LLM Prior Policy with Regularized RL', 'Instruct-RL')
    >>> parse_framework("Genie (ST-Transformer)")
    ('Genie', None)
    >>> parse_framework("Decision Diffuser ")
    ('Decision Diffuser', None)
    """
    if is_null(text):
        return ("", None)
    assert text is not None
    folded = fold_space(text)
    match = _PAREN_TAIL.match(folded)
    if not match:
        return (folded, None)
    outer = match["outer"].strip().rstrip("-").strip()
    inner = match["inner"].strip()
    if len(outer.split()) >= 2 and _is_acronym_of(inner, outer):
        return (outer, inner)
    return (outer, None)


_CATEGORY_RULES: tuple[tuple[str, tuple[frozenset[str], ...]], ...] = (
    (
        "diffusion-policy",
        (frozenset({"diffusion", "policy"}), frozenset({"diffusion", "policies"})),
    ),
    (
        "transformer-policy",
        (frozenset({"transformer", "policy"}), frozenset({"transformer", "policies"})),
    ),
    ("llm", (frozenset({"large", "language"}), frozenset({"llm"}), frozenset({"llms"}))),
    ("vlm", (frozenset({"vision", "language"}), frozenset({"vlm"}), frozenset({"vlms"}))),
    ("diffusion-model", (frozenset({"diffusion"}),)),
    ("world-model", (frozenset({"world"}), frozenset({"worldmodel"}), frozenset({"wm"}))),
    ("video-prediction-model", (frozenset({"video"}),)),
)


def category_hint(stem: str) -> tuple[str, ...]:
    """Guess which base-model categories a table is about from its file name, by keywords.

    >>> category_hint("Large_Language_Models_for_RL_Table")
    ('llm',)
    >>> category_hint("World_Models_and_Video_Prediction_Models_for_RL_Table")
    ('world-model', 'video-prediction-model')
    >>> category_hint("RL_for_Diffusion_Policy_Table"), category_hint("VLM_RL_Summary")
    (('diffusion-policy',), ('vlm',))
    """
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", stem)
    words = set(re.split(r"[\s_\-.]+", spaced.casefold()))
    found: list[str] = []
    for slug, alternatives in _CATEGORY_RULES:
        if any(alt <= words for alt in alternatives):
            if slug == "diffusion-model" and "diffusion-policy" in found:
                continue
            found.append(slug)
    return tuple(found)
