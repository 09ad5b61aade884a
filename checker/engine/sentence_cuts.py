"""Over-long "sentences" cut into pieces of bounded length, before any per-sentence work.

Text without sentence punctuation (a keyword-stuffed footer, minified copy, a one-paragraph
page) is one sentence as long as its block, and the per-sentence stages (context triggers and
scopes, quoted mentions, the therapies a cue looks for in its sentence) cost about the
sentence's length for every cue in it: quadratic in the block. A piece of at most MAX_CHARS
characters bounds that cost, so the whole page stays linear. Normal prose never reaches the
limit, so its sentences are untouched.

A cut goes after a clause or list separator (a comma, semicolon, bar, bullet or dash, followed
by white space: not the hyphen of "image-guided") where one lies in the last half of the
window; else at the last white space; else at the last token boundary. A single token longer
than the window (no boundary inside it) is left whole.

Imports only numpy (no other engine module: nlp.py calls it).
"""

from __future__ import annotations

import numpy

# the longest piece: above the longest sentence of the real-text set (445 characters), so real
# clinic prose is never cut; a block without sentence marks is
MAX_CHARS = 600
SEPARATORS = frozenset({",", ";", "|", "•", "·", "/", "-", "–", "—", ":", "…"})


def cut_long_sentences(
    start: numpy.ndarray,
    idx: numpy.ndarray,
    length: numpy.ndarray,
    separator: numpy.ndarray,
    gap: numpy.ndarray,
    no_start: numpy.ndarray,
    max_chars: int = MAX_CHARS,
) -> numpy.ndarray:
    """`start` (sentence-start flags per token) with extra starts so that no sentence spans
    more than `max_chars` characters where a token boundary allows. `separator` flags the
    tokens after which a cut is preferred, `gap` those followed by white space, `no_start`
    those that may not open a piece (spaces, closing quotes). Linear: each token is read at
    most about twice."""
    n = len(start)
    if n < 2:
        return start
    ends = idx + length
    sent_starts = numpy.flatnonzero(start)
    bounds = numpy.append(sent_starts, n)
    spans = ends[bounds[1:] - 1] - idx[bounds[:-1]]
    long_ones = numpy.flatnonzero(spans > max_chars)
    if not len(long_ones):
        return start
    out = start.copy()
    # plain lists: the walk below reads single items, which numpy makes slow
    lists = (idx.tolist(), ends.tolist(), separator.tolist(), gap.tolist(), no_start.tolist())
    for k in long_ones:
        _cut_one(out, int(bounds[k]), int(bounds[k + 1]), lists, max_chars)
    return out


def _cut_one(
    out: numpy.ndarray,
    a: int,
    b: int,
    lists: tuple[list, list, list, list, list],
    max_chars: int,
) -> None:
    """Cut tokens a..b-1 (one sentence) into pieces; writes the new starts into `out`. A cut
    at k opens a piece with token k, so the piece before it ends with token k-1."""
    idx, ends, separator, gap, no_start = lists
    min_chars = max_chars // 2
    cur = a
    while ends[b - 1] - idx[cur] > max_chars:
        limit = idx[cur] + max_chars
        best = [-1, -1, -1]  # after a separator, at white space, at any boundary
        k = cur + 1
        while k < b and ends[k - 1] <= limit:
            if not no_start[k]:
                best[2] = k
                if gap[k - 1]:
                    best[1] = k
                if separator[k - 1] and gap[k - 1] and idx[k] - idx[cur] >= min_chars:
                    best[0] = k
            k += 1
        chosen = next((x for x in best if x > 0), -1)
        if chosen < 0:  # no boundary inside the window: the next token that may open a piece
            while k < b and no_start[k]:
                k += 1
            if k >= b:
                return
            chosen = k
        out[chosen] = True
        cur = chosen
