"""Tests for checker.engine.extract: HTML -> visible text blocks."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from checker.engine.extract import blocks_text, decode_html, extract_blocks
from checker.records import Block

PAGES = Path(__file__).parent / "data" / "devset" / "pages"
GOLD = [json.loads(line) for line in (PAGES / "gold.jsonl").read_text("utf-8").splitlines() if line]
GOLD_TEXTS = [(g["page"], g["text"]) for g in GOLD if "text" in g]
PAGE_FILES = sorted(PAGES.glob("*.html"))

_cache: dict[str, list[Block]] = {}


def page_blocks(name: str) -> list[Block]:
    if name not in _cache:
        _cache[name] = extract_blocks((PAGES / name).read_bytes())
    return _cache[name]


def ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def texts(html) -> list[str]:
    return [b.text for b in extract_blocks(html)]


def by_text(blocks: list[Block], needle: str) -> Block:
    found = [b for b in blocks if needle in b.text]
    assert found, f"{needle!r} not in {[b.text for b in blocks]}"
    return found[0]


# ------------------------------------------------------------------------------ dev set gold


def test_gold_file_is_loaded():
    assert len(PAGE_FILES) == 8
    assert len(GOLD_TEXTS) >= 100
    assert {p for p, _ in GOLD_TEXTS} <= {f.name for f in PAGE_FILES}


@pytest.mark.parametrize(
    ("page", "text"), GOLD_TEXTS, ids=[f"{p[:2]}-{i}" for i, (p, _) in enumerate(GOLD_TEXTS)]
)
def test_gold_text_found(page, text):
    blocks = page_blocks(page)
    if any(text in b.text for b in blocks):
        return
    joined, _ = blocks_text(blocks)
    assert text in ws(joined), f"gold sentence missing from {page}: {text!r}"


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name[:2])
def test_dev_pages_have_no_code_or_duplicates(path):
    blocks = page_blocks(path.name)
    assert blocks
    joined, _ = blocks_text(blocks)
    for junk in (
        "function(",
        "window.dataLayer",
        "viewerModel",
        '{"@context"',
        "@media",
        "addEventListener",
        "<div",
        "<p>",
    ):
        assert junk not in joined, junk
    # nested containers never emit the same long text twice
    long_texts = [b.text for b in blocks if len(b.text) > 60]
    assert len(long_texts) == len(set(long_texts))
    for b in blocks:
        assert b.text == ws(b.text) and b.text
        assert b.region in ("header", "nav", "main", "aside", "footer")


def test_dev_page_features():
    wix = page_blocks("01_elevate_regenerative_wix.html")
    assert wix[0].tag == "title" and wix[0].region == "header"
    assert wix[1].tag == "meta"
    h1 = by_text(wix, "Live Without Back Pain")
    assert h1.tag == "h1" and h1.heading_path == ()
    hero = by_text(wix, "Wharton’s jelly injections repair damaged discs")
    assert hero.tag == "p" and hero.heading_path == ("Live Without Back Pain",)
    assert by_text(wix, "Spinal Decompression").region == "nav"
    assert by_text(wix, "Disclaimer: These statements").region == "footer"
    # collapsed <details>: question visible, answer hidden
    assert not by_text(wix, "Is this treatment experimental?").hidden
    assert by_text(wix, "Wharton’s jelly therapy is not experimental").hidden
    # four bullets, four blocks
    bullets = [b for b in wix if b.heading_path[-1:] == ("What To Expect",)]
    assert len(bullets) >= 4

    ns = page_blocks("02_harbourside_cellular_noscript.html")
    noscript_h1 = by_text(ns, "Cell therapy for back and joint pain")
    assert noscript_h1.tag == "h1" and noscript_h1.hidden
    assert by_text(ns, "Stem cell therapy is a proven alternative to spinal fusion.").hidden
    ticks = [b for b in ns if b.tag == "li" and b.hidden]
    assert len(ticks) >= 3
    assert not by_text(ns, "Frequently asked questions").hidden

    trial = page_blocks("05_restore_disc_trial_recruitment.html")
    assert by_text(trial, "Why this research matters").region == "aside"


# ------------------------------------------------------------------------------ structure

BLOCK_CASES = [
    (
        "bullets",
        "<ul><li>First bullet</li><li>Second bullet</li></ul>",
        ["First bullet", "Second bullet"],
    ),
    ("unclosed li", "<ul><li>One<li>Two<li>Three</ul>", ["One", "Two", "Three"]),
    (
        "sibling divs",
        "<div><div>Alpha text</div><div>Beta text</div><div><span>Gamma</span></div></div>",
        ["Alpha text", "Beta text", "Gamma"],
    ),
    (
        "wix deep",
        "<div>" * 20 + "<span><span><span>Deep claim here.</span></span></span>" + "</div>" * 20,
        ["Deep claim here."],
    ),
    ("mixed div", "<div>Intro <div>Child</div> tail</div>", ["Intro", "Child", "tail"]),
    (
        "inline is one block",
        "<p>We <strong>cure</strong> <em>back</em> pain<sup>1</sup> with "
        "<a href=x>stem cells</a>.</p>",
        ["We cure back pain1 with stem cells."],
    ),
    ("br is a space", "<p>line one<br>line two<br/>three</p>", ["line one line two three"]),
    (
        "entities and spaces",
        "<p>caf&eacute;&nbsp;&nbsp; A\u00a0B\u200b C &amp; &lt;D&gt;\n\t “quoted” — dash</p>",
        ["café A B C & <D> “quoted” — dash"],
    ),
    ("table", "<table><tr><th>Head</th><td>Cell one</td></tr></table>", ["Head", "Cell one"]),
    ("dl", "<dl><dt>Term</dt><dd>Definition</dd></dl>", ["Term", "Definition"]),
    (
        "img alt",
        '<div><img src=a.jpg alt="A spine model"><p>Text</p></div>',
        ["A spine model", "Text"],
    ),
    (
        "img in p stays out of the sentence",
        '<p>Before <img alt="pic"> after.</p>',
        ["Before after.", "pic"],
    ),
    (
        "dropped",
        "<script>var x=1</script><style>p{}</style><template><p>T</p></template>"
        "<svg><text>S</text></svg><iframe>I</iframe><!-- comment --><p>Kept</p>",
        ["Kept"],
    ),
    (
        "json-ld",
        '<script type="application/ld+json">{"name":"Clinic"}</script><p>Body</p>',
        ["Body"],
    ),
    ("empty", "", []),
    ("whitespace", "  \n ", []),
    ("plain text", "just text", ["just text"]),
]


@pytest.mark.parametrize(
    ("html", "expected"), [c[1:] for c in BLOCK_CASES], ids=[c[0] for c in BLOCK_CASES]
)
def test_blocks(html, expected):
    assert texts(html) == expected


def test_link_text_only_once():
    blocks = extract_blocks(
        '<p>Read <a href="/x">our results</a> now.</p>'
        '<div><a href="/b"><div><span>Book now</span></div></a></div>'
    )
    assert [b.text for b in blocks] == ["Read our results now.", "Book now"]
    assert [b.tag for b in blocks] == ["p", "a"]


def test_tags():
    html = (
        "<title>T</title><meta name=description content='Desc'>"
        "<meta property='og:description' content='OG desc'>"
        "<h2>H</h2><p>P</p><ul><li>L</li></ul><blockquote>Q</blockquote>"
        "<figure><figcaption>F</figcaption></figure><button>B</button><label>Lab</label>"
        "<details open><summary>S</summary><p>D</p></details>"
    )
    got = [(b.tag, b.text) for b in extract_blocks(html)]
    assert got == [
        ("title", "T"),
        ("meta", "Desc"),
        ("meta", "OG desc"),
        ("h2", "H"),
        ("p", "P"),
        ("li", "L"),
        ("blockquote", "Q"),
        ("figcaption", "F"),
        ("button", "B"),
        ("label", "Lab"),
        ("summary", "S"),
        ("p", "D"),
    ]


def test_head_except_title_and_meta_is_dropped():
    html = (
        "<html><head><title>Page title</title><meta name='keywords' content='kw'>"
        "<style>.a{}</style><script>x()</script><noscript><img src=p alt='pixel'></noscript>"
        "</head><body><p>Body</p></body></html>"
    )
    assert texts(html) == ["Page title", "Body"]
    blocks = extract_blocks(html)
    assert blocks[0].region == "header"


# ------------------------------------------------------------------------------ headings


def test_heading_paths():
    html = (
        "<h1>A</h1><p>p1</p><h2>B</h2><p>p2</p><h3>C</h3><p>p3</p>"
        "<h2>D</h2><p>p4</p><h1>E</h1><p>p5</p>"
    )
    got = {b.text: b.heading_path for b in extract_blocks(html)}
    assert got == {
        "A": (),
        "p1": ("A",),
        "B": ("A",),
        "p2": ("A", "B"),
        "C": ("A", "B"),
        "p3": ("A", "B", "C"),
        "D": ("A",),
        "p4": ("A", "D"),
        "E": (),
        "p5": ("E",),
    }


def test_heading_text_is_collapsed_and_nested_in_divs():
    html = "<div><div><h2><span>Why</span> <b>us</b>?</h2></div></div><div><p>Because.</p></div>"
    blocks = extract_blocks(html)
    assert blocks[0].text == "Why us?"
    assert blocks[1].heading_path == ("Why us?",)


def test_hidden_popup_and_aside_headings_do_not_leak():
    html = (
        "<h1>Main</h1><aside><h2>Side</h2><p>in side</p></aside><p>after aside</p>"
        "<div hidden><h2>Offer</h2><p>in offer</p></div><p>after offer</p>"
    )
    got = {b.text: b.heading_path for b in extract_blocks(html)}
    assert got["in side"] == ("Main", "Side")
    assert got["after aside"] == ("Main",)
    assert got["in offer"] == ("Main", "Offer")
    assert got["after offer"] == ("Main",)


# ------------------------------------------------------------------------------ regions

REGION_CASES = [
    ("<header><p>x</p></header>", "header"),
    ("<nav><ul><li>x</li></ul></nav>", "nav"),
    ("<aside><p>x</p></aside>", "aside"),
    ("<footer><p>x</p></footer>", "footer"),
    ("<main><p>x</p></main>", "main"),
    ("<p>x</p>", "main"),
    ("<div role=banner><p>x</p></div>", "header"),
    ("<div role=navigation><p>x</p></div>", "nav"),
    ("<div role=complementary><p>x</p></div>", "aside"),
    ("<div role=contentinfo><p>x</p></div>", "footer"),
    ("<div class='site-footer'><p>x</p></div>", "footer"),
    ("<div id='SITE_FOOTER'><div><p>x</p></div></div>", "footer"),
    ("<div class='wrap sidebar'><p>x</p></div>", "aside"),
    ("<div class='menu'><a href=/>x</a></div>", "nav"),
    ("<main><div class='sidebar'><p>x</p></div></main>", "aside"),
    ("<footer><div class='inner'><main><p>x</p></main></div></footer>", "main"),
    ("<main><header class='entry-header'><h1>x</h1></header></main>", "header"),
    ("<main><div class='card-header'><p>x</p></div></main>", "main"),
]


@pytest.mark.parametrize(("html", "region"), REGION_CASES)
def test_regions(html, region):
    blocks = extract_blocks(html)
    assert [b.region for b in blocks] == [region]


# ------------------------------------------------------------------------------ hidden

HIDDEN_CASES = [
    ("<div hidden><p>secret</p></div>", True),
    ("<div aria-hidden='true'><p>secret</p></div>", True),
    ("<div aria-hidden='false'><p>secret</p></div>", False),
    ("<div style='display: none'><p>secret</p></div>", True),
    ("<div style='color:red;DISPLAY:NONE'><span>secret</span></div>", True),
    ("<div style='visibility:hidden'><p>secret</p></div>", True),
    ("<div style='display:block'><p>secret</p></div>", False),
    ("<noscript><p>secret</p></noscript>", True),
    ("<details><summary>Q?</summary><p>secret</p></details>", True),
    ("<details open><summary>Q?</summary><p>secret</p></details>", False),
    ("<dialog><p>secret</p></dialog>", True),
    ("<p>secret</p>", False),
]


@pytest.mark.parametrize(("html", "hidden"), HIDDEN_CASES)
def test_hidden(html, hidden):
    blocks = extract_blocks(html)
    secret = by_text(blocks, "secret")
    assert secret.hidden is hidden
    for b in blocks:
        if b.text == "Q?":
            assert not b.hidden  # the summary of a collapsed <details> shows


def test_hidden_inline_span_is_its_own_block():
    blocks = extract_blocks("<p>Shown <span style='display:none'>tucked away</span> text</p>")
    assert [(b.text, b.hidden) for b in blocks] == [
        ("Shown", False),
        ("tucked away", True),
        ("text", False),
    ]


def test_noscript_markup_becomes_blocks():
    html = (
        "<body><div id=app></div><noscript><main><h1>Title</h1><p>Para one.</p>"
        "<ul><li>Bullet A</li><li>Bullet B</li></ul></main></noscript><p>Visible</p></body>"
    )
    blocks = extract_blocks(html)
    assert [(b.tag, b.text, b.hidden) for b in blocks] == [
        ("h1", "Title", True),
        ("p", "Para one.", True),
        ("li", "Bullet A", True),
        ("li", "Bullet B", True),
        ("p", "Visible", False),
    ]
    assert blocks[1].heading_path == ("Title",)


def test_noscript_parsed_as_raw_text_is_reparsed():
    # parsers that keep <noscript> content as one string (scripting on): it must still become
    # proper, hidden blocks
    from bs4.element import NavigableString

    from checker.engine import extract

    soup = BeautifulSoup("<body><noscript>x</noscript><p>After</p></body>", "lxml")
    soup.noscript.clear()
    soup.noscript.append(NavigableString("<h2>Raw head</h2><p>Raw <b>para</b></p>"))
    w = extract._Walker()
    extract._walk(soup, w)
    w.flush()
    assert [(b.tag, b.text, b.hidden) for b in w.blocks] == [
        ("h2", "Raw head", True),
        ("p", "Raw para", True),
        ("p", "After", False),
    ]


# ------------------------------------------------------------------------------ robustness


def test_deep_div_nesting():
    t = time.perf_counter()
    blocks = extract_blocks("<div>" * 10000 + "deep text" + "</div>" * 10000)
    assert [b.text for b in blocks] == ["deep text"]
    assert time.perf_counter() - t < 10


def test_deep_span_nesting_unclosed():
    blocks = extract_blocks("<span>" * 10000 + "deep text")
    assert [b.text for b in blocks] == ["deep text"]
    assert extract_blocks("<span>" * 10000) == []


def test_deep_mixed_nesting():
    html = ("<div><p><span><b>" * 3000) + "x"
    assert "x" in texts(html)


MALFORMED = [
    "<p>unclosed <b>bold <i>italic</p><p>next",
    "<div><p>a</div></p></span></li>b",
    "<<<>>> <p <p>> &bogus; &#xZZ; &#99999999;",
    "<table><tr><td>cell<td>cell2</table></table></td>",
    "<html><html><body><body><p>twice</p>",
    "</p></div></html>",
    "<p>nul\x00char\x0bvt</p>",
    "<!-- unterminated comment <p>x</p>",
    "<script>never closed <p>x</p>",
    "<p title='unterminated>text</p>",
    "\ufeff<p>bom in str</p>",
    "<?xml version='1.0' encoding='utf-8'?><html xmlns='http://www.w3.org/1999/xhtml'><p>x</p></html>",
]


@pytest.mark.parametrize("html", MALFORMED)
def test_malformed_never_raises(html):
    blocks = extract_blocks(html)
    for b in blocks:
        assert isinstance(b, Block) and b.text
    extract_blocks(html.encode("utf-8", "surrogatepass"))


def test_malformed_keeps_text():
    assert texts("<p>unclosed <b>bold <i>italic</p><p>next") == ["unclosed bold italic", "next"]
    assert "cell2" in texts("<table><tr><td>cell<td>cell2</table></table></td>")


def test_random_bytes_never_raise():
    import random

    rng = random.Random(7)
    alphabet = b"<>/ =\"'!-abcdiplu&;#x\x00\xe9\x93\n"
    for _ in range(100):
        extract_blocks(bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 400))))
        extract_blocks(rng.randbytes(rng.randint(0, 400)))


@pytest.mark.slow
def test_five_megabyte_page_is_fast():
    bodies = []
    for f in PAGE_FILES:
        raw = f.read_text("utf-8")
        bodies.append(raw.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0])
    one = "".join(bodies)
    html = "<html><body>" + one * (5_000_000 // len(one) + 1) + "</body></html>"
    assert len(html) > 5_000_000
    t = time.perf_counter()
    BeautifulSoup(html, "lxml").get_text()
    base = time.perf_counter() - t
    t = time.perf_counter()
    blocks = extract_blocks(html.encode("utf-8"))
    ours = time.perf_counter() - t
    assert len(blocks) > 10000
    assert ours < 3 * base + 2, (ours, base)


# ------------------------------------------------------------------------------ blocks_text


def test_blocks_text_offsets():
    blocks = extract_blocks("<h1>Title</h1><p>One  two.</p><ul><li>Three</li></ul>")
    text, spans = blocks_text(blocks)
    assert text == "Title\nOne two.\nThree"
    assert [text[s:e] for s, e in spans] == [b.text for b in blocks]
    assert blocks_text([]) == ("", [])


def test_blocks_text_on_dev_page():
    blocks = page_blocks("03_st_aldric_spine_patient_education.html")
    text, spans = blocks_text(blocks)
    assert len(spans) == len(blocks)
    assert all(text[s:e] == b.text for (s, e), b in zip(spans, blocks, strict=True))


# ------------------------------------------------------------------------------ decoding

DECODE_CASES = [
    # (body, declared, expected text, expected encoding)
    (
        "cp1252 declared utf-8",
        b"<p>caf\xe9 \x93quoted\x94</p>",
        "utf-8",
        "<p>café “quoted”</p>",
        "cp1252",
    ),
    ("cp1252 undeclared", b"<p>caf\xe9 \x93quoted\x94</p>", None, "<p>café “quoted”</p>", "cp1252"),
    ("utf-8 declared", "<p>café “q”</p>".encode(), "utf-8", "<p>café “q”</p>", "utf-8"),
    ("utf-8 undeclared", "<p>café “q”</p>".encode(), None, "<p>café “q”</p>", "utf-8"),
    ("latin-1 label means cp1252", b"<p>\x93q\x94</p>", "ISO-8859-1", "<p>“q”</p>", "cp1252"),
    ("unknown label", b"<p>ok</p>", "no-such-charset", "<p>ok</p>", "utf-8"),
    ("utf-16 label on ascii", b"<p>ok</p>", "utf-16", "<p>ok</p>", "utf-8"),
    (
        "meta charset",
        b'<html><head><meta charset="windows-1252"></head><p>caf\xe9</p>',
        None,
        '<html><head><meta charset="windows-1252"></head><p>café</p>',
        "cp1252",
    ),
    (
        "meta http-equiv",
        b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"><p>\xa4</p>',
        None,
        '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15"><p>€</p>',
        "iso8859-15",
    ),
    (
        "header beats meta",
        b'<meta charset="iso-8859-15"><p>\xa4</p>',
        "windows-1252",
        '<meta charset="iso-8859-15"><p>¤</p>',
        "cp1252",
    ),
    (
        "lying meta falls through",
        '<meta charset="utf-8"><p>café</p>'.encode("cp1252"),
        None,
        '<meta charset="utf-8"><p>café</p>',
        "cp1252",
    ),
    (
        "utf-8 BOM beats header",
        b"\xef\xbb\xbf<p>caf\xc3\xa9</p>",
        "windows-1252",
        "<p>café</p>",
        "utf-8",
    ),
    ("utf-16 BOM", "\ufeff<p>café</p>".encode("utf-16-le"), "utf-8", "<p>café</p>", "utf-16-le"),
    ("utf-16be BOM", "\ufeff<p>café</p>".encode("utf-16-be"), None, "<p>café</p>", "utf-16-be"),
    ("empty", b"", None, "", "utf-8"),
]


@pytest.mark.parametrize(
    ("body", "declared", "text", "encoding"),
    [c[1:] for c in DECODE_CASES],
    ids=[c[0] for c in DECODE_CASES],
)
def test_decode_html(body, declared, text, encoding):
    got_text, got_enc = decode_html(body, declared)
    assert got_text == text
    assert got_enc == encoding


def test_decode_detects_cyrillic():
    body = "<p>Привет, это клиника. Мы лечим спину и суставы без операции.</p>".encode("cp1251")
    text, enc = decode_html(body)
    assert "Привет" in text and enc == "cp1251"


def test_decode_never_raises_on_garbage():
    import random

    rng = random.Random(3)
    for _ in range(50):
        text, enc = decode_html(
            rng.randbytes(rng.randint(1, 300)), rng.choice([None, "utf-8", "x"])
        )
        assert isinstance(text, str) and enc


def test_bytes_input_is_decoded():
    blocks = extract_blocks(b"<p>caf\xe9 \x93quoted\x94</p>")
    assert [b.text for b in blocks] == ["café “quoted”"]
    blocks = extract_blocks(b'<meta charset="windows-1252"><p>Se\xf1or</p>')
    assert [b.text for b in blocks] == ["Señor"]
    blocks = extract_blocks("\ufeff<p>Ça va</p>".encode("utf-16-le"))
    assert [b.text for b in blocks] == ["Ça va"]
