"""HTML -> ordered visible text blocks.

One parse (BeautifulSoup + lxml) and one iterative walk over the tree. Text is gathered the way
a browser lays it out: inline elements (span, strong, a inside a p...) add to the current run of
text; entering or leaving a block-level element (p, li, div, h2, td...) ends the run and emits it
as one `Block`. So a Wix page whose text sits 20 divs deep yields each text once, from its
innermost block container, and sibling bullets or sibling divs never run into each other.

The walk keeps an explicit stack (no Python recursion), so 10,000-deep nesting is fine.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable

from bs4 import BeautifulSoup
from bs4.element import NavigableString, PreformattedString, Tag

from checker.records import Block

__all__ = ["decode_html", "extract_blocks", "blocks_text"]

# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)"""
    rb"""|^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""",
    re.I,
)
# WHATWG: these labels mean windows-1252 in HTML (latin-1 would turn \x93 into a C1 control).
_AS_CP1252 = {"latin_1", "iso8859_1", "ascii", "cp1252"}


def _codec(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in ("x-user-defined",):
        return None
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    norm = name.replace("-", "_")
    if norm in _AS_CP1252:
        return "cp1252"
    return name


def _strict(body: bytes, enc: str | None) -> str | None:
    if not enc:
        return None
    try:
        return body.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def _detect(body: bytes) -> tuple[str, str] | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with requests
        return None
    try:
        matches = list(from_bytes(body))
    except Exception:  # noqa: BLE001 - detection must never break extraction
        return None
    if not matches:
        return None
    best = matches[0]
    # Ties are common on short Western pages (cp1250 vs cp1252...): prefer windows-1252, the
    # usual real encoding of a page that mis-declares itself.
    for m in matches:
        if (m.chaos, m.coherence) != (best.chaos, best.coherence):
            break
        if _codec(m.encoding) == "cp1252":
            best = m
            break
    text = str(best)
    enc = _codec(best.encoding) or best.encoding
    if enc != "cp1252":
        alt = _strict(body, "cp1252")
        if alt is not None and alt == text:
            enc = "cp1252"
    return text, enc


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding_used).

    Order: a BOM wins over all; then the declared charset (HTTP header) if the bytes decode
    strictly with it; then a <meta charset> / <meta http-equiv content-type> (or an XML
    declaration's encoding) in the first 4 KB if they decode strictly with it; then strict
    UTF-8; then detection with charset_normalizer (ties go to windows-1252); then utf-8 with
    errors='replace'. UTF-16/32 labels are ignored on bytes without NULs (ASCII-compatible).
    A windows-1252 page declared as UTF-8 still reads right (strict utf-8 fails, so it falls
    through).
    """
    if not body:
        return "", "utf-8"
    if isinstance(body, str):  # be forgiving
        return body, "utf-8"
    for bom, enc in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(enc, errors="replace"), enc

    enc = _codec(declared)
    if enc and enc.startswith(("utf-16", "utf-32")) and b"\x00" not in body[:4096]:
        enc = None  # an ASCII-compatible body cannot be UTF-16: the label is wrong
    text = _strict(body, enc)
    if text is not None:
        return text, enc  # type: ignore[return-value]

    m = _META_CHARSET.search(body[:4096])
    if m:
        enc = _codec((m.group(1) or m.group(2)).decode("ascii", "ignore"))
        if enc and enc.startswith(("utf-16", "utf-32")):
            enc = "utf-8"  # a meta tag readable as ASCII cannot be telling the truth about UTF-16
        text = _strict(body, enc)
        if text is not None:
            return text, enc  # type: ignore[return-value]

    text = _strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"

    found = _detect(body)
    if found is not None:
        return found
    return body.decode("utf-8", errors="replace"), "utf-8"


# --------------------------------------------------------------------------------------------
# Extraction
# --------------------------------------------------------------------------------------------

_DROP = frozenset(
    {
        "script", "style", "template", "svg", "math", "iframe", "frame", "frameset", "object",
        "embed", "canvas", "audio", "video", "source", "track", "link", "base",
        "input", "select", "datalist", "param",
    }
)  # fmt: skip

# Elements that are part of their parent's line of text. Everything else is a block boundary.
_INLINE = frozenset(
    {
        "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "blink", "cite", "code", "data", "del",
        "dfn", "em", "font", "i", "ins", "kbd", "mark", "nobr", "q", "rb", "rp", "rt", "rtc",
        "ruby", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt",
        "u", "var", "wbr", "br", "img", "area", "map", "meter", "progress", "output", "slot",
        "picture",
    }
)  # fmt: skip
# Tags that name a block better than its generic container (innermost wins, except that an
# <a> never overrides an enclosing semantic tag: a link in a bullet is a bullet).
_SEMANTIC = frozenset(
    {
        "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "dt", "dd", "blockquote",
        "figcaption", "caption", "label", "summary", "button", "pre", "address", "legend",
        "option", "textarea", "title",
    }
)  # fmt: skip
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_REGION_TAGS = {
    "header": "header",
    "nav": "nav",
    "main": "main",
    "aside": "aside",
    "footer": "footer",
}
_REGION_ROLES = {
    "banner": "header",
    "navigation": "nav",
    "main": "main",
    "complementary": "aside",
    "contentinfo": "footer",
}
_CLASS_REGIONS = (
    (
        re.compile(r"^(?:(?:site|page|global|main|wixui|the|bottom)[-_]?)?footer$|^colophon$"),
        "footer",
    ),
    (re.compile(r"^(?:(?:site|global|main|top|wixui)[-_]?)?header$|^masthead$|^topbar$"), "header"),
    (
        re.compile(
            r"^(?:(?:site|main|primary|global|top|wixui|mobile)[-_]?)?(?:nav|navbar|navigation|menu)$"
            r"|^breadcrumbs?$"
        ),
        "nav",
    ),
    (
        re.compile(
            r"^(?:(?:site|page|main|right|left|primary|secondary)[-_]?)?sidebar$|^widget[-_]area$"
        ),
        "aside",
    ),
)
_STYLE_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_WS = re.compile(r"[\s\u200b\u2060\ufeff]+")
_SOFT = re.compile(r"[\xad]")

# Region sources: default (nothing said), class (a class/id token), explicit (tag or ARIA role)
_SRC_DEFAULT, _SRC_CLASS, _SRC_EXPLICIT = 0, 1, 2


def _clean(text: str) -> str:
    if "\xad" in text:
        text = _SOFT.sub("", text)
    return _WS.sub(" ", text).strip()


def _class_region(attrs: dict) -> str | None:
    tokens: list[str] = []
    cls = attrs.get("class")
    if cls:
        tokens.extend(cls if isinstance(cls, list) else str(cls).split())
    ident = attrs.get("id")
    if ident:
        tokens.append(str(ident))
    for tok in tokens:
        tok = tok.lower()
        for rx, region in _CLASS_REGIONS:
            if rx.match(tok):
                return region
    return None


def _attr_str(attrs: dict, key: str) -> str:
    v = attrs.get(key)
    if v is None:
        return ""
    if isinstance(v, list):
        return " ".join(v)
    return str(v)


class _Walker:
    """Gathers runs of inline text and emits them as blocks."""

    __slots__ = ("blocks", "buf", "buf_state", "pending", "outline", "seen_meta")

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.buf: list[str] = []
        self.buf_state: tuple[str, str, bool] | None = None  # (tag, region, hidden)
        self.pending: list[tuple[str, str, bool]] = []  # alt texts waiting for the run to end
        self.outline: list[tuple[int, str]] = []  # (level, text) of the open headings
        self.seen_meta: set[str] = set()

    def path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.outline)

    def emit(self, text: str, tag: str, region: str, hidden: bool) -> None:
        level = _HEADINGS.get(tag)
        if level is not None:
            outline = self.outline
            while outline and outline[-1][0] >= level:
                outline.pop()
            self.blocks.append(Block(text, tag, self.path(), region, hidden))
            outline.append((level, text))
        else:
            self.blocks.append(Block(text, tag, self.path(), region, hidden))

    def flush(self) -> None:
        if self.buf:
            text = _clean("".join(self.buf))
            state = self.buf_state
            self.buf = []
            self.buf_state = None
            if text and state is not None:
                self.emit(text, state[0], state[1], state[2])
        if self.pending:
            pending = self.pending
            self.pending = []
            for alt, region, hidden in pending:
                self.emit(alt, "img", region, hidden)

    def add(self, text: str, tag: str, region: str, hidden: bool) -> None:
        if self.buf_state is None:
            if not text.strip() or not _clean(text):
                return  # whitespace before any text: nothing to start a run with
            self.buf_state = (tag, region, hidden)
        self.buf.append(text)


def _parse(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "lxml")


def extract_blocks(html: str | bytes) -> list[Block]:
    """Visible text blocks of an HTML page, in document order (see the module docstring)."""
    if isinstance(html, bytes | bytearray):
        html, _ = decode_html(bytes(html))
    if not html or not html.strip():
        return []
    try:
        soup = _parse(html)
    except Exception:  # noqa: BLE001 - lxml can refuse pathological input; fall back to text
        text = _clean(re.sub(r"<[^>]*>", " ", html))
        return [Block(text, "body")] if text else []
    w = _Walker()
    _walk(soup, w)
    w.flush()
    return w.blocks


# Stack frames: (node, tag_label, label_is_semantic, region, region_src, hidden, in_head)
# An exit marker is a frame whose node is None: it ends the current run; its second field, when
# not None, is the heading outline to restore (headings in a nav, an aside or a hidden popup do
# not become the section of the text that follows them).
def _walk(soup: BeautifulSoup, w: _Walker) -> None:
    stack: list[tuple] = []
    push = stack.append
    pop = stack.pop
    for child in reversed(soup.contents):
        push((child, "div", False, "main", _SRC_DEFAULT, False, False))

    add = w.add
    flush = w.flush
    while stack:
        node, label, sem, region, rsrc, hidden, in_head = pop()
        if node is None:
            flush()
            if label is not None:
                w.outline = label
            continue
        cls = type(node)
        if cls is not Tag:
            if not in_head and (
                cls is NavigableString
                or (isinstance(node, NavigableString) and not isinstance(node, PreformattedString))
            ):
                add(str(node), label, region, hidden)
            continue

        name = node.name
        if not name:
            continue
        name = name.lower()
        attrs = node.attrs

        # --- head: only <title> and description metas -------------------------------------
        if name == "title":
            text = _clean(node.get_text())
            if text:
                flush()
                w.emit(text, "title", "header", False)
            continue
        if name == "meta":
            _meta(attrs, w)
            continue
        if name == "head":
            for child in reversed(node.contents):
                push((child, label, sem, "header", _SRC_EXPLICIT, hidden, True))
            continue
        if in_head:
            continue  # link, script, style, base, noscript... in <head>

        if name in _DROP:
            continue

        if name in ("img", "area"):
            alt = attrs.get("alt")
            if alt:
                alt = _clean(_attr_str(attrs, "alt"))
                if alt:
                    h = hidden or _is_hidden(attrs)
                    if w.buf_state is None and not w.buf:
                        w.emit(alt, "img", region, h)
                    else:
                        w.pending.append((alt, region, h))
            continue
        if name == "br":
            if w.buf_state is not None:
                w.buf.append(" ")
            continue

        # --- state for this element --------------------------------------------------------
        new_hidden = hidden
        if not hidden and (_is_hidden(attrs) or (name == "dialog" and "open" not in attrs)):
            new_hidden = True
        new_region, new_rsrc = region, rsrc
        r = _REGION_TAGS.get(name)
        if r is None:
            role = attrs.get("role")
            if role:
                tokens = _attr_str(attrs, "role").lower().split()
                r = _REGION_ROLES.get(tokens[0]) if tokens else None
        scoped = new_hidden != hidden
        if r is not None:
            new_region, new_rsrc = r, _SRC_EXPLICIT
            scoped = scoped or r in ("nav", "aside")
        elif ("class" in attrs or "id" in attrs) and (rsrc != _SRC_EXPLICIT or region == "main"):
            cr = _class_region(attrs)
            if cr is not None and (rsrc != _SRC_EXPLICIT or cr in ("aside", "nav")):
                new_region, new_rsrc = cr, _SRC_CLASS
                scoped = scoped or cr in ("nav", "aside")

        inline = name in _INLINE
        if name in _SEMANTIC:
            new_label, new_sem = name, True
        elif name == "a":
            new_label, new_sem = (label, True) if sem else ("a", True)
        elif inline:
            new_label, new_sem = label, sem
        else:
            new_label, new_sem = (label, True) if sem else (name, False)

        if name == "noscript":
            new_hidden = True
            inner = _noscript_children(node)
            flush()
            push((None, None, False, region, rsrc, hidden, False))
            for child in reversed(inner):
                push((child, new_label, new_sem, new_region, new_rsrc, True, False))
            continue

        boundary = (not inline) or new_hidden != hidden or new_region != region
        if boundary:
            flush()
            push((None, list(w.outline) if scoped else None, False, region, rsrc, hidden, False))

        children = node.contents
        if name == "details" and "open" not in attrs:
            # collapsed: only the <summary> shows
            for child in reversed(children):
                if type(child) is Tag and child.name == "summary":
                    push((child, new_label, new_sem, new_region, new_rsrc, new_hidden, False))
                else:
                    push((child, new_label, new_sem, new_region, new_rsrc, True, False))
            continue
        for child in reversed(children):
            push((child, new_label, new_sem, new_region, new_rsrc, new_hidden, False))


def _is_hidden(attrs: dict) -> bool:
    if not attrs:
        return False
    if "hidden" in attrs:
        return True
    ah = attrs.get("aria-hidden")
    if ah is not None and _attr_str(attrs, "aria-hidden").strip().lower() == "true":
        return True
    style = attrs.get("style")
    return bool(style) and _STYLE_HIDDEN.search(_attr_str(attrs, "style")) is not None


def _meta(attrs: dict, w: _Walker) -> None:
    key = (_attr_str(attrs, "name") or _attr_str(attrs, "property")).strip().lower()
    if key not in ("description", "og:description"):
        return
    text = _clean(_attr_str(attrs, "content"))
    if not text or text in w.seen_meta:
        return
    w.seen_meta.add(text)
    w.flush()
    w.emit(text, "meta", "header", False)


def _noscript_children(node: Tag) -> list:
    """Children of a <noscript>; re-parsed when the parser kept its markup as raw text."""
    contents = node.contents
    if contents and all(
        isinstance(c, NavigableString) and not isinstance(c, PreformattedString) for c in contents
    ):
        raw = "".join(str(c) for c in contents)
        if "<" in raw:
            try:
                frag = _parse(raw)
            except Exception:  # noqa: BLE001
                return list(contents)
            body = frag.body
            if body is not None:
                return list(body.contents)
            return list(frag.contents)
    return list(contents)


def blocks_text(blocks: Iterable[Block]) -> tuple[str, list[tuple[int, int]]]:
    """Join block texts with "\\n" into one string; return it and each block's (start, end)."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for b in blocks:
        text = b.text
        if parts:
            pos += 1  # the "\n" separator
        spans.append((pos, pos + len(text)))
        parts.append(text)
        pos += len(text)
    return "\n".join(parts), spans
