"""Property-based fuzzing of extract, check_text and check_html (hypothesis): arbitrary Unicode
(lone surrogates, controls, bidi marks, zero-width joiners), arbitrary bytes as HTML, and the
shapes hostile pages take (deep nesting, huge attributes, giant single words, a table of 10,000
cells). Invariants: no exception; every offset inside the text; every finding's sentence is the
text at its offsets (with its white space runs shown as single spaces, as the engine prints
every sentence) and its claim lies inside that text; the same input gives the same findings.

Runs are derandomized (the same examples in every CI run) and bounded: a few hundred examples
in all, no per-example deadline (the first call builds the pipeline)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.engine.check import check_html, check_text
from checker.engine.extract import blocks_text, extract_blocks

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# pieces that reach the claim stages (therapy, cue, condition) mixed with hostile characters
WORDS = [
    "stem cell",
    "Stem Cell",
    "injections",
    "regenerate",
    "damaged discs",
    "cure",
    "back pain",
    "epidural",
    "steroid",
    "100% success rate",
    "guaranteed",
    "FDA approved",
    "not",
    "may",
    "PRP",
    "exosomes",
    "for weeks",
    "months",
    "?",
    ".",
    "!",
    ",",
    ";",
    ":",
    "\n",
    " ",
    "  ",
    '"',
    "'",
    "(",
    ")",
    "-",
    "—",
    "•",
    "✔",
    "1.",
    "Dr.",
    "e.g.",
    "…",
    "|",
]
ODD = [
    "\ud800",
    "\udfff",
    "\udc80",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
    "\ufeff",
    "\ufffd",
    "\u0301",
    "\u0130",
    "\u1e9e",
    "ß",
    "ﬁ",
    "İ",
    "\U0001f600",
    "\u00a0",
    "\u3000",
    "é",
    "ا",
    "עברית",
    "中文",
]
any_char = st.characters(exclude_categories=())  # every code point, surrogates included
mixed = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(ODD), st.text(any_char, max_size=8)),
    max_size=60,
).map("".join)
texts = st.one_of(st.text(any_char, max_size=300), mixed)


def _assert_invariants(report, text: str) -> None:
    assert report.text == text
    n = len(text)
    for f in report.findings:
        assert 0 <= f.start <= f.end <= n, (f.start, f.end, n)
        assert f.sentence == " ".join(text[f.start : f.end].split())
        assert 0 <= f.claim_start <= f.claim_end <= n
        assert " ".join(f.claim.split()) in " ".join(text[f.claim_start : f.claim_end].split())


def _same(a, b) -> bool:
    return [f.to_dict() for f in a.findings] == [f.to_dict() for f in b.findings]


@FUZZ
@given(texts)
def test_check_text_any_unicode(text: str) -> None:
    report = check_text(text)
    _assert_invariants(report, text)
    assert _same(report, check_text(text))


@FUZZ
@given(mixed)
def test_check_html_any_unicode_string(text: str) -> None:
    html = f"<html><head><title>{text[:40]}</title></head><body><p>{text}</p><li>{text}</li>"
    report = check_html(html)
    _assert_invariants(report, report.text)
    assert _same(report, check_html(html))


@FUZZ
@given(st.binary(max_size=2000))
def test_check_html_any_bytes(data: bytes) -> None:
    report = check_html(data)
    _assert_invariants(report, report.text)
    assert _same(report, check_html(data))


tags = st.sampled_from(
    [
        "div",
        "p",
        "li",
        "ul",
        "td",
        "tr",
        "table",
        "h1",
        "h2",
        "span",
        "b",
        "a",
        "details",
        "noscript",
        "script",
        "style",
        "main",
        "footer",
    ]
)


@st.composite
def html_trees(draw) -> str:
    """Random (often unbalanced) markup around claim-like text and odd characters."""
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(tags)
        kind = draw(st.integers(0, 3))
        attr = draw(
            st.sampled_from(
                [
                    "",
                    " hidden",
                    ' style="display:none"',
                    ' aria-hidden="true"',
                    ' class="x"',
                    ' title="' + "\ud800" + '"',
                ]
            )
        )
        if kind == 0:
            parts.append(f"<{tag}{attr}>")
        elif kind == 1:
            parts.append(f"</{tag}>")
        else:
            parts.append(draw(mixed))
    return "".join(parts)


@FUZZ
@given(html_trees())
def test_extract_and_check_html_random_markup(html: str) -> None:
    blocks = extract_blocks(html)
    text, spans = blocks_text(blocks)
    assert len(spans) == len(blocks)
    for b, (s, e) in zip(blocks, spans, strict=True):
        assert 0 <= s <= e <= len(text) and text[s:e] == b.text
    report = check_html(html, prefilter=False)  # the full path, whose text is the extract's
    assert report.text == text
    _assert_invariants(report, text)
    quick = check_html(html)  # the prefiltered path: skipped (no text), or the same report
    assert quick.text == "" and not quick.findings or _same(quick, report)


# -- the shapes of hostile pages, each once (they are large; the properties above are random)
CLAIM = "Our stem cell injections regenerate damaged discs and end your back pain."


def _check_page(html: str) -> None:
    report = check_html(html)
    _assert_invariants(report, report.text)
    assert _same(report, check_html(html))


def test_deep_nesting() -> None:
    _check_page("<div>" * 5000 + f"<p>{CLAIM}</p>" + "</div>" * 5000)
    _check_page("<b><i>" * 3000 + CLAIM)  # never closed


def test_huge_attributes() -> None:
    big = "x" * 2_000_000
    _check_page(f'<html><body><p title="{big}" data-x="{big}">{CLAIM}</p><img alt="{big[:50000]}">')


def test_giant_single_words() -> None:
    word = "stemcell" * 50_000  # 400 KB without a space
    report = check_text(f"{word} {CLAIM} {word}")
    _assert_invariants(report, report.text)
    assert any(f.is_flag for f in report.findings)
    _check_page(f"<p>{'a' * 1_000_000}</p><p>{CLAIM}</p>")


def test_table_of_ten_thousand_cells() -> None:
    def cell(r: int, c: int) -> str:
        return CLAIM if c == r else f"level {r}-{c}: ${c * 10}"

    rows = "".join(
        "<tr>" + "".join(f"<td>{cell(r, c)}</td>" for c in range(100)) + "</tr>" for r in range(100)
    )
    report = check_html(f"<table>{rows}</table>")
    _assert_invariants(report, report.text)
    assert report.text.count("\n") == 9_999  # every cell is its own block
    assert sum(f.is_flag for f in report.findings) == 100


def test_lone_surrogates_are_checked_not_crashed_on() -> None:
    text = f"\ud800{CLAIM}\udfff\n{CLAIM[:24]}\udc80{CLAIM[24:]}"
    report = check_text(text)
    _assert_invariants(report, text)
    assert sum(f.is_flag for f in report.findings) == 2
    # checked as if each surrogate were U+FFFD: the same findings at the same offsets
    replaced = check_text(
        text.replace("\ud800", "\ufffd").replace("\udfff", "\ufffd").replace("\udc80", "\ufffd")
    )
    assert [(f.start, f.end, f.rule) for f in report.findings] == [
        (f.start, f.end, f.rule) for f in replaced.findings
    ]
    assert "\udc80" in report.findings[1].sentence  # the caller's own text is quoted
