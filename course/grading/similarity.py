"""Pairs of students whose answer cells are unusually alike, computed offline: information, never a score.

What is compared: per notebook, each student's answer cells (nbgrader solution cells of the
submitted notebook, in the release's order) joined into one document. Excluded before comparing:
- the starter code: the released notebook's version of the same cells (`def f(x):`, `# YOUR CODE
  HERE`, `raise NotImplementedError()`, any scaffolding the instructor gave) -- its fingerprints are
  removed from every document;
- the instructor's solution (the source notebook's version of those cells): two students who both
  wrote the expected answer have not copied each other (short answers often are exactly that);
- common code: a fingerprint found in the answers of more than `common_share` of the students who
  submitted the notebook (and more than 2) is the course's idiom (the API call the exercise teaches),
  not a copy: removed too (MOSS's `-m` option does the same).
A pair's similarity in one notebook is the share of both documents' remaining code that they have
in common, (shared_a + shared_b) / (tokens_a + tokens_b); over the notebooks both submitted, the
same sums taken together (so a notebook counts by its amount of code). 1.0: all the code that is not
starter or common code is shared; 0: nothing of 25 or more characters of normalized code is.

Why copydetect (https://github.com/blingenf/copydetect, MIT, on PyPI, pinned in requirements-ci.txt):
it implements winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003, the algorithm behind MOSS)
offline, in Python, on top of pygments' tokenizer, and normalizes the code first: variable, function
and class names become V/F/O, strings S, comments and whitespace go. A copy with renamed variables
and new formatting therefore fingerprints like the original, and short idioms below the noise
threshold (25 characters of normalized code) never match. What we use is its documented surface:
`CodeFingerprint` (its `hashes`, `hash_idx` and `token_coverage` attributes) and `compare_files`.
Two choices are ours: window size 1 (copydetect's default, noise = guarantee threshold = 25), which
keeps every k-gram, so the result does not depend on Python's per-process string hash seed and the
same class gives the same numbers in every run; and removing excluded fingerprints ourselves, from
`hash_idx` (copydetect's `boilerplate=` argument leaves repeated boilerplate k-grams in, because it
intersects a list with repeats under `assume_unique=True`).
"""

from __future__ import annotations

import base64
import io
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

NOISE = 25  # k: characters of normalized code in a fingerprint (copydetect's default noise threshold)
COMMON_SHARE = 0.5
SEPARATOR = "\n\n"


def answer_document(answers: dict[str, str], order: list[str]) -> str:
    """One student's answer cells of one notebook, in the release's order (`order`: grade_ids)."""
    ids = [g for g in order if g in answers] + sorted(g for g in answers if g not in order)
    return SEPARATOR.join(answers[g] for g in ids if answers[g].strip())


def _fingerprint(code: str, k: int):
    from copydetect import CodeFingerprint

    return CodeFingerprint("answers.py", k, 1, fp=io.StringIO(code), language="python")


def _exclude(print_, hashes: set, k: int) -> None:
    from copydetect.utils import get_token_coverage

    drop = print_.hashes & hashes
    if not drop:
        return
    print_.hashes = print_.hashes - drop
    print_.hash_idx = {h: i for h, i in print_.hash_idx.items() if h not in drop}
    print_.token_coverage = get_token_coverage(print_.hash_idx, k, len(print_.filtered_code))


@dataclass
class Pair:
    """Two students and how alike their answers are (a < b)."""

    a: str
    b: str
    score: float  # over the notebooks both submitted
    shared: float  # tokens of normalized code in common (mean of the two sides)
    tokens: float  # tokens compared (mean of the two sides)
    notebooks: dict[str, float] = field(default_factory=dict)  # "assignment/notebook" -> score


@dataclass
class ClassSimilarity:
    students: list[str]
    pairs: list[Pair]  # every pair with code to compare, most similar first
    notebooks: list[str]
    excluded: dict[str, dict] = field(default_factory=dict)  # notebook -> fingerprints left out, by kind
    k: int = NOISE
    common_share: float = COMMON_SHARE
    nothing_left: list[str] = field(default_factory=list)  # no code left once starter etc. are out

    def score(self, a: str, b: str) -> float | None:
        a, b = sorted((a, b))
        for pair in self.pairs:
            if (pair.a, pair.b) == (a, b):
                return pair.score
        return None

    def above(self, threshold: float) -> list[Pair]:
        return [p for p in self.pairs if p.score >= threshold]

    def matrix(self) -> list[list[float | None]]:
        index = {s: i for i, s in enumerate(self.students)}
        grid: list[list[float | None]] = [[None] * len(self.students) for _ in self.students]
        for pair in self.pairs:
            i, j = index[pair.a], index[pair.b]
            grid[i][j] = grid[j][i] = pair.score
        return grid


def compare_class(
    documents: dict[str, dict[str, str]],
    starters: dict[str, str] | None = None,
    solutions: dict[str, str] | None = None,
    *,
    k: int = NOISE,
    common_share: float = COMMON_SHARE,
) -> ClassSimilarity:
    """Pairwise similarity of the students' answers (see the module docstring).

    `documents`: notebook ("assignment/notebook") -> student -> answer document (answer_document);
    `starters`, `solutions`: notebook -> the released starter code / the instructor's solution of
    those cells, joined the same way. Their fingerprints are left out.
    """
    from copydetect import compare_files

    starters, solutions = starters or {}, solutions or {}
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    per_notebook: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    students = sorted({s for docs in documents.values() for s in docs})
    excluded, compared = {}, set()
    for notebook in sorted(documents):
        docs = {s: code for s, code in documents[notebook].items() if code.strip()}
        prints = {s: _fingerprint(code, k) for s, code in sorted(docs.items())}
        starter = _fingerprint(starters[notebook], k).hashes if starters.get(notebook) else set()
        solution = _fingerprint(solutions[notebook], k).hashes if solutions.get(notebook) else set()
        seen = Counter(h for p in prints.values() for h in p.hashes)
        limit = max(2, common_share * len(prints))
        common = {h for h, n in seen.items() if n > limit}
        excluded[notebook] = {
            "starter": len(starter),
            "solution": len(solution - starter),
            "common": len(common - starter - solution),
        }
        for p in prints.values():
            _exclude(p, starter | solution | common, k)
        names = [s for s in sorted(prints) if prints[s].token_coverage > 0]
        compared.update(names)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                pa, pb = prints[a], prints[b]
                if pa.hashes & pb.hashes:
                    overlap_a, (_, share_b), _ = compare_files(pa, pb)
                    shared_a, shared_b = float(overlap_a), float(share_b) * float(pb.token_coverage)
                else:
                    shared_a = shared_b = 0.0
                total = sums[(a, b)]
                total[0] += shared_a
                total[1] += shared_b
                total[2] += float(pa.token_coverage)
                total[3] += float(pb.token_coverage)
                per_notebook[(a, b)][notebook] = (shared_a + shared_b) / (
                    pa.token_coverage + pb.token_coverage
                )
    pairs = []
    for (a, b), (shared_a, shared_b, tokens_a, tokens_b) in sums.items():
        score = float((shared_a + shared_b) / (tokens_a + tokens_b))
        pairs.append(
            Pair(
                a,
                b,
                round(score, 4),
                float(shared_a + shared_b) / 2,
                float(tokens_a + tokens_b) / 2,
                {n: round(float(v), 4) for n, v in sorted(per_notebook[(a, b)].items())},
            )
        )
    pairs.sort(key=lambda p: (-p.score, p.a, p.b))
    left = [s for s in students if s not in compared]
    return ClassSimilarity(students, pairs, sorted(documents), excluded, k, common_share, left)


def heatmap_png(result: ClassSimilarity, threshold: float) -> str:
    """The student x student similarity matrix as a base64 PNG; pairs at or above `threshold` boxed."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    students = result.students
    n = len(students)
    grid = [[math.nan if v is None else v for v in row] for row in result.matrix()]
    size = min(12.0, 2.5 + 0.45 * n)
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    cmap = matplotlib.colormaps["viridis"].with_extremes(bad="#eeeeee")
    image = ax.imshow(grid, vmin=0.0, vmax=1.0, cmap=cmap)
    ticks = range(n)
    fontsize = 8 if n <= 30 else 5
    ax.set_xticks(ticks, students, rotation=90, fontsize=fontsize)
    ax.set_yticks(ticks, students, fontsize=fontsize)
    for i in range(n):
        for j in range(n):
            value = grid[i][j]
            if math.isnan(value):
                continue
            if value >= threshold:
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor="#c0392b", lw=2))
            if n <= 15:
                colour = "black" if value > 0.6 else "white"
                ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color=colour)
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.ax.axhline(threshold, color="#c0392b", lw=2)
    bar.set_label(f"answer similarity (boxed: >= {threshold:g})")
    ax.set_title(
        "Answer similarity per student pair\n"
        "(starter, solution and common code left out; grey: nothing to compare)",
        fontsize=9,
    )
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()
