"""The prefilter is lossless: every page it skips yields no finding on the full path.

Checked on the bench's mixed corpus, the dev pages, the samples and the real-text pages (read
from ../shared/realdev at run time, never copied), on markup variants of every page with
findings (words split by inline tags and comments, letters written as character references,
soft hyphens, upper case), and for typo matching: every misspelling the matcher accepts makes
a page pass. It must also skip: a prefilter that passes everything is useless.
"""

from __future__ import annotations

import html as htmlmod
import json
import re
import shutil
from functools import cache
from pathlib import Path

import pytest

from bench.corpus import mixed_pages
from checker.engine.check import check_html, check_text
from checker.engine.nlp import pipeline
from checker.engine.prefilter import SKIPPED, page_view, prefilter_for

ROOT = Path(__file__).resolve().parent.parent
REALDEV = ROOT.parent / "shared" / "realdev" / "pages.jsonl"


@cache
def pf():
    return prefilter_for()


def _pages(folder: Path) -> list[tuple[str, str]]:
    return [
        (p.name, p.read_bytes().decode("utf-8", "replace")) for p in sorted(folder.rglob("*.htm*"))
    ]


@cache
def corpus_pages() -> tuple[tuple[str, str], ...]:
    pages = _pages(ROOT / "tests" / "data" / "devset" / "pages") + _pages(ROOT / "samples")
    pages += [
        (f"mixed-{i}-{kind}", html)
        for i, (kind, html) in enumerate(mixed_pages(60, seed=3, incidental=0.1))
    ]
    return tuple(pages)


def _lossless(name: str, html: str) -> tuple[bool, bool]:
    """(passed, has findings on the full path); fails when a skipped page has a finding."""
    passed = pf().may_find(html)
    full = check_html(html, prefilter=False).findings
    assert passed or not full, f"{name}: skipped, but the full path finds {full[0].sentence!r}"
    return passed, bool(full)


def test_skipped_pages_of_the_corpora_yield_no_findings():
    outcomes = [_lossless(name, html) for name, html in corpus_pages()]
    assert sum(found for _, found in outcomes) >= 10  # the corpora do hold findings
    offtopic = [
        o for (name, _), o in zip(corpus_pages(), outcomes, strict=True) if "offtopic" in name
    ]
    skipped = sum(not passed for passed, _ in offtopic)
    assert skipped >= 0.8 * len(offtopic), f"only {skipped} of {len(offtopic)} off-topic skipped"


def test_check_html_uses_the_prefilter_and_says_so():
    page = next(
        html for name, html in corpus_pages() if "offtopic" in name and not pf().may_find(html)
    )
    report = check_html(page)
    assert report.findings == () and report.reason == SKIPPED and report.text == ""
    clinic = next(html for name, html in corpus_pages() if name.endswith("-clinic"))
    assert check_html(clinic).findings == check_html(clinic, prefilter=False).findings != ()


@pytest.mark.skipif(
    not REALDEV.is_file(), reason="../shared/realdev/pages.jsonl is not beside the checkout"
)
def test_skipped_real_pages_yield_no_findings():
    rows = [
        json.loads(line)
        for line in REALDEV.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    assert rows
    for row in rows:
        text = row["text"]
        if not pf().may_find_text(text):
            found = check_text(text, prefilter=False).findings
            assert not found, f"real page {row['id']}: skipped, but the full path finds some"
        html = "".join(f"<p>{htmlmod.escape(line)}</p>\n" for line in text.split("\n"))
        _lossless(f"real page {row['id']} as HTML", html)


# -- markup that keeps the text but hides its words from a naive scan
_TEXT = re.compile(r">([^<]+)<")
_WORD = re.compile(r"[A-Za-z]{4,}")


def _in_text(html: str, change) -> str:
    """Apply `change` to every word of 4+ letters between tags (scripts and styles included:
    they are not visible, so nothing is lost there)."""
    return _TEXT.sub(lambda m: ">" + _WORD.sub(lambda w: change(w.group()), m.group(1)) + "<", html)


VARIANTS = {
    "inline tag": lambda w: f"{w[:2]}<b>{w[2:]}</b>",
    "empty span": lambda w: f"{w[0]}<span></span>{w[1:-1]}<i></i>{w[-1]}",
    "comment": lambda w: f"{w[:3]}<!-- x -->{w[3:]}",
    "char refs": lambda w: "".join(f"&#{ord(c)};" if i % 2 else c for i, c in enumerate(w)),
    "named refs": lambda w: w.replace("e", "&#x65;").replace("a", "&#97"),
    "soft hyphen": lambda w: f"{w[:2]}&shy;{w[2:]}",
    "upper case": str.upper,
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_markup_variants_of_pages_with_findings_still_pass(variant: str):
    change = VARIANTS[variant]
    checked = 0
    for name, html in corpus_pages():
        if "offtopic" in name or not check_html(html, prefilter=False).findings:
            continue
        altered = _in_text(html, change)
        assert altered != html
        checked += 1
        _lossless(f"{name} ({variant})", altered)
        if checked >= 8:
            break
    assert checked >= 5


def test_hard_markup_cases():
    cases = [
        "<p>Our st<b>em</b> cells rebuild discs.</p>",
        "<p>Results<br>E<b>SI</b> relief lasts for years.</p>",
        "<p>Our &#115;tem cells rebuild discs.</p>",
        "<p>Our st&shy;em cells rebuild discs.</p>",
        "<p>Our stem<!-- note --> cells rebuild discs.</p>",
        "<p>Our stem<!--> cells rebuild discs.</p>",
        "<p>Our ster<i>iod</i> shots give permanent relief.</p>",
        '<img alt="Stem cell therapy regenerates your discs"><p>Book now.</p>',
        '<meta name="description" content="Stem cells regenerate discs."><p>Welcome.</p>',
        "<title>Stem cells regenerate discs</title><p>Welcome.</p>",
        "<p>Our STEM CELLS rebuild discs.</p>",
        "<p>5 < 10: our stem cells rebuild discs.</p>",
        "<p>Our “BMAC” injections regenerate discs.</p>",
        "<p>Our st<svg><text>x</text></svg>em cells rebuild discs.</p>",
        "<p>Our ste<select><option>x</option></select>roid shots give permanent relief.</p>",
        "<p>Intro.</p><plaintext><b>Our stem cells rebuild discs.</b>",
        "<noembed><b epidural x>Epidural steroid injections give permanent relief.</noembed>",
        "<xmp><b>Our stem cells rebuild discs.</b></xmp>",
    ]
    for html in cases:
        passed, found = _lossless(html, html)
        assert passed, html
    for html in (
        "<p>Hello world. We design resident surfaces.</p>",
        "<script>var stem_cells = 'regenerate discs';</script><p>Opening hours.</p>",
        "<style>.stem-cell{color:red}</style><p>Opening hours.</p>",
        "<!-- stem cells regenerate discs --><p>Opening hours.</p>",
    ):
        assert not pf().may_find(html), html


def test_text_cut_inside_a_character_is_no_error():
    cases = [
        "<p>" + "é" * 40 + "x<svg></svg>y Our stem cells rebuild discs.</p>",
        "<img alt=" + "é" * 3000 + "><p>Our stem cells rebuild discs.</p>",
        "<p>\udc80 Our stem cells rebuild discs.</p>",
    ]
    for html in cases:
        assert pf().may_find(html)


def test_a_construct_without_its_closer_keeps_the_text_after_it():
    for opener in ("<script>", "<style>", "<!--", "<title>", "<textarea>"):
        html = f"<p>one</p>{opener}<p>Our stem cells regenerate discs.</p>"
        assert "stem cells" in page_view(html)


# -- typo matching is covered
def _edits(word: str) -> set[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = set()
    for i in range(len(word) + 1):
        for c in letters:
            out.add(word[:i] + c + word[i:])
            if i < len(word):
                out.add(word[:i] + c + word[i + 1 :])
        if i < len(word):
            out.add(word[:i] + word[i + 1 :])
        if i < len(word) - 1:
            out.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    return out


def test_every_typo_the_matcher_accepts_makes_the_page_pass():
    matcher = pipeline().get_pipe("checker_therapies")
    terms = sorted({w for found in matcher.fuzzy.values() for w, _ in found})
    assert terms
    typos: set[str] = set()
    for term in terms:
        near = _edits(term)
        for w in sorted(near)[::60]:  # and some two edits away
            near |= {x for x in _edits(w) if len(x) >= 6}
        for w in near:
            if (
                len(w) >= 6
                and w[:2] in matcher.prefixes
                and w not in matcher.exact_words
                and matcher._best(w) is not None
            ):
                typos.add(w)
    assert len(typos) > 150
    for w in sorted(typos):
        cut = len(w) // 2
        for html in (
            f"<p>Our {w} treatment.</p>",
            f"<p>Our {w[:cut]}<b>{w[cut:]}</b> treatment.</p>",
            f"<li>Home</li><li>{w.capitalize()}</li>",
        ):
            assert pf().may_find(html), (w, html)
    # the typos are real: the full pipeline names a therapy for them
    sample = sorted(typos)[::25]
    doc = pipeline()(" . ".join(sample))
    assert {s.kb_id_ for s in doc.spans["therapies"]} == {"fuzzy"}
    assert len(doc.spans["therapies"]) == len(sample)


def test_an_alias_added_to_the_lexicons_flows_into_the_prefilter(tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(ROOT / "lexicons", pack)
    therapies = pack / "therapies.yaml"
    text = therapies.read_text(encoding="utf-8")
    therapies.write_text(
        text.replace("      - stem cell\n", "      - stem cell\n      - zorblatic pellet\n", 1),
        encoding="utf-8",
    )
    page = (
        "<h1>Zorblatic pellet clinic</h1>"
        "<p>Our zorblatic pellet treatment regenerates damaged discs.</p>"
    )
    assert not pf().may_find(page)
    edited = prefilter_for(str(pack))
    assert edited.may_find(page)
    assert check_html(page, lexicons_dir=str(pack)).findings


def test_pathological_markup_is_scanned_once_and_loses_nothing():
    """Openers with no closer, tags with no end, words glued by tags: each is read a bounded
    number of times (the figures are in bench/, not here), and the claim after it is kept."""
    claim = "<p>Our stem cells regenerate damaged discs.</p>"
    n = 3000
    for junk in (
        "-->" + "<script>" * n + "<!--",
        "<a " * n,
        "<!--" * n,
        '<a title="' * n,
        "<title>" * n,
        "<title><textarea>" * n + "</xmp>",
        "<b>ste</b>" * n,
        "<img alt='x " * n,
        "<!-- a -->" * n + "--!>",
    ):
        html = junk + claim
        assert "stem cells" in page_view(html) or "stem" in page_view(html), junk[:20]
        _lossless(junk[:20], html)


def test_every_element_the_extractor_drops_with_content_is_joined_across():
    from checker.engine import extract, prefilter

    void = {"source", "track", "link", "base", "input", "param", "embed", "frame"}
    raw = {"script", "style"}  # dropped whole by the view too
    assert set(extract._DROP) - raw - void <= set(prefilter.DROPPED)


def test_random_markup_never_raises_and_stays_lossless():
    import random

    rng = random.Random(13)
    pieces = ["<p>", "</p>", "<b>", "</b>", "<br>", "<!--", "-->", "<script>", "</script>",
              "<title>", "</title>", "<svg>", "</svg>", "&amp;", "&#115;", "&shy;", "&copy",
              "<a title=\"", "\"", "'", ">", "<", "é", "“", "\x00", "\udc80", " ", "\n",
              "stem", " cells", "ster", "oid", "ESI", " regenerate", " discs.", "epidural",
              " shots", " give permanent relief.", "massage"]
    for i in range(400):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        passed = pf().may_find(html)
        # (a lone surrogate is the full path's problem, not the prefilter's: spaCy rejects it)
        if (i % 10 == 0 or not passed) and "\udc80" not in html:
            _lossless(repr(html[:60]), html)
