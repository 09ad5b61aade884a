"""Crawl one clinic's own site, the pages most likely to carry therapy claims first.

Why: an audit has a page budget (max_pages) and a clinic's claims sit on its treatment,
conditions, FAQ, testimonial and pricing pages, not on its privacy policy. So links are scored
by relevance keywords in their text and path (lexicons/crawl.yaml) and visited best-first;
`/sitemap.xml` (bounded) adds pages the navigation hides. Only the start page's registrable
domain is crawled (a last-two-labels heuristic with a small multi-part suffix list such as
co.uk, com.au, com.mx - not the full Public Suffix List). Off-site links that matter to an
investigator (video, social, trial registries) are recorded in `leads`, never followed; links
not fetched on purpose (javascript:, mailto:, images, office files, duplicates...) are recorded in
`skipped`, so nothing disappears silently. PDFs on the clinic's site (brochures, price lists,
"outcome reports") are fetched and checked like pages; their links are not followed.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import yaml

from checker.engine.lexicons import resolve_directory
from checker.records import FetchResult
from checker.web.fetcher import Fetcher

CONFIG_NAME = "crawl.yaml"  # in the rule pack the engine uses (--lexicons / $CHECKER_LEXICONS)
SITEMAP_TYPES = ("application/xml", "text/xml", "application/x-xml", "text/plain")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_LINK_TEXT = 200
MAX_LINKS_PER_PAGE = 2000


@dataclass(frozen=True)
class CrawlConfig:
    """Thresholds and word lists from lexicons/crawl.yaml."""

    relevance_keywords: tuple[str, ...]
    skip_extensions: frozenset[str]
    skip_schemes: frozenset[str]
    tracking_params: tuple[str, ...]
    multi_part_suffixes: frozenset[str]
    leads: tuple[tuple[str, tuple[str, ...]], ...]
    sitemap_paths: tuple[str, ...] = ("/sitemap.xml",)
    sitemap_max_files: int = 4
    sitemap_max_urls: int = 500


def load_config(path: Path | None = None) -> CrawlConfig:
    """The crawl settings of `path`, or of the rule pack in use."""
    return _load_config(path or Path(resolve_directory()) / CONFIG_NAME)


@lru_cache(maxsize=4)
def _load_config(path: Path) -> CrawlConfig:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    sitemap = raw.get("sitemap") or {}
    return CrawlConfig(
        relevance_keywords=tuple(str(k).lower() for k in raw.get("relevance_keywords", ())),
        skip_extensions=frozenset(str(e).lower() for e in raw.get("skip_extensions", ())),
        skip_schemes=frozenset(str(s).lower() for s in raw.get("skip_schemes", ())),
        tracking_params=tuple(str(p).lower() for p in raw.get("tracking_params", ())),
        multi_part_suffixes=frozenset(str(s).lower() for s in raw.get("multi_part_suffixes", ())),
        leads=tuple(
            (kind, tuple(str(d).lower() for d in domains))
            for kind, domains in (raw.get("leads") or {}).items()
        ),
        sitemap_paths=tuple(sitemap.get("paths", ("/sitemap.xml",))),
        sitemap_max_files=int(sitemap.get("max_files", 4)),
        sitemap_max_urls=int(sitemap.get("max_urls", 500)),
    )


@dataclass(frozen=True)
class Lead:
    """An off-site link an investigator may want to follow up (not fetched)."""

    url: str
    kind: str  # video | social | trial_registry
    source_url: str
    text: str = ""


@dataclass(frozen=True)
class Skipped:
    """A link deliberately not fetched, and why."""

    url: str
    reason: str
    source_url: str


# -- URLs -----------------------------------------------------------------------------------------
def normalize_url(url: str, config: CrawlConfig | None = None) -> str | None:
    """Lowercase scheme and host, drop default port, fragment, userinfo and tracking parameters;
    keep the remaining query in its order (reordering can change what a server returns).
    None when not an http(s) URL with a host."""
    config = config or load_config()
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(k.lower(), config.tracking_params)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query, doseq=True), ""))


def _is_tracking(key: str, patterns: tuple[str, ...]) -> bool:
    return any(key.startswith(p[:-1]) if p.endswith("*") else key == p for p in patterns)


def registrable_domain(host: str | None, config: CrawlConfig | None = None) -> str:
    """eTLD+1 by heuristic: `www.clinic.co.uk` -> `clinic.co.uk`; IP literals are themselves."""
    config = config or load_config()
    host = (host or "").lower().rstrip(".")
    labels = host.split(".")
    if host.replace(".", "").isdigit() or ":" in host or len(labels) <= 2:
        return host
    keep = 3 if ".".join(labels[-2:]) in config.multi_part_suffixes else 2
    return ".".join(labels[-keep:])


def host_matches(host: str, domains: tuple[str, ...]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in domains)


def relevance(text: str, url: str, config: CrawlConfig | None = None) -> int:
    """How many relevance keywords the link text and URL path mention."""
    config = config or load_config()
    parts = urlsplit(url)
    path = (parts.path + " " + parts.query).lower().replace("-", " ").replace("_", " ")
    hay = f"{text.lower()} {path}"
    return sum(1 for k in config.relevance_keywords if k in hay)


# -- links ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RawLink:
    href: str
    text: str
    tag: str  # a | area | iframe | embed | source


_A_RE = re.compile(
    r"""<a\b[^>]*?\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>(.{0,400}?)</a""", re.I | re.S
)
_TAG_RE = re.compile(r"<[^>]*>")


def extract_links(html: str) -> list[RawLink]:
    """Anchors (crawl) and embedded media sources (leads) in document order; never raises.

    libxml2 drops content nested deeper than its limit (2048 with huge_tree), a cheap way to
    hide links; when a regex finds more anchors than the tree, the regex's anchors are used.
    """
    import lxml.html
    from lxml import etree

    try:
        doc = lxml.html.document_fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    except (etree.ParserError, ValueError):
        return _regex_links(html)
    links: list[RawLink] = []
    base = next((b.get("href") for b in doc.iter("base") if b.get("href")), None)
    anchors = 0
    for el in doc.iter("a", "area", "iframe", "embed", "source", "video"):
        href = el.get("href") if el.tag in ("a", "area") else el.get("src")
        if not href:
            continue
        text = el.get("aria-label") or el.get("title") or ""
        if el.tag == "a":
            anchors += 1
            with contextlib.suppress(ValueError, RecursionError):
                text = " ".join((el.text_content() or "").split()) or text
        links.append(RawLink(href.strip(), text[:MAX_LINK_TEXT], el.tag))
        if len(links) >= MAX_LINKS_PER_PAGE:
            break
    regex = _regex_links(html)
    if len(regex) > anchors:
        links = [link for link in links if link.tag != "a"] + regex
    if base:
        links.insert(0, RawLink(base, "", "base"))
    return links[:MAX_LINKS_PER_PAGE]


def _regex_links(html: str) -> list[RawLink]:
    out = []
    for m in _A_RE.finditer(html):
        href = next((g for g in m.groups()[:3] if g is not None), "")
        text = " ".join(_TAG_RE.sub(" ", m.group(4)).split())
        if href.strip():
            out.append(RawLink(href.strip(), text[:MAX_LINK_TEXT], "a"))
        if len(out) >= MAX_LINKS_PER_PAGE:
            break
    return out


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs); entities and network access disabled, never raises."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, recover=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.XMLSyntaxError, ValueError):
        return [], []
    if root is None:
        return [], []
    locs = [(el.text or "").strip() for el in root.iter() if _local(el.tag) == "loc"]
    locs = [u for u in locs if u]
    if _local(root.tag) == "sitemapindex":
        return [], locs
    return locs, []


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


# -- crawler --------------------------------------------------------------------------------------
@dataclass(order=True)
class _Item:
    key: tuple[int, int, int]  # (-relevance, depth, discovery order)
    url: str = field(compare=False)
    depth: int = field(compare=False)


class Crawler:
    """Best-first crawl of one site through a shared Fetcher (politeness lives there)."""

    def __init__(
        self,
        fetcher: Fetcher,
        max_pages: int = 50,
        depth: int = 3,
        config: CrawlConfig | None = None,
    ):
        self.fetcher = fetcher
        self.max_pages = max(1, max_pages)
        self.depth = max(0, depth)
        self.config = config or load_config()
        self.leads: list[Lead] = []
        self.skipped: list[Skipped] = []
        self._heap: list[_Item] = []
        self._seen: set[str] = set()
        self._lead_urls: set[str] = set()
        self._skipped_urls: set[str] = set()
        self._order = itertools.count()
        self._sites: set[str] = set()

    def crawl(self, start_url: str) -> Iterator[FetchResult]:
        """Yield one FetchResult per URL visited (failures included), at most max_pages."""
        start = normalize_url(start_url, self.config)
        if start is None:
            yield self.fetcher.fetch(start_url)  # invalid_input with the fetcher's reason
            return
        self._sites.add(registrable_domain(urlsplit(start).hostname, self.config))
        self._push(start, 0, 10**6)
        yielded: set[str] = set()
        pages = 0
        while self._heap and pages < self.max_pages:
            item = heapq.heappop(self._heap)
            result = self.fetcher.fetch(item.url)
            pages += 1
            final = normalize_url(result.final_url or item.url, self.config) or item.url
            if pages == 1 and result.outcome == "checked":
                self._sites.add(registrable_domain(urlsplit(final).hostname, self.config))
            if final in yielded:
                self._skip(item.url, f"duplicate of {final} (after redirects)", item.url)
                continue
            yielded.add(final)
            self._seen.add(final)
            yield result
            if pages == 1:
                self._read_sitemaps(final)
            if (
                result.outcome == "checked"
                and result.text
                and item.depth < self.depth
                and self._same_site(final)
            ):
                self._follow(result.text, final, item.depth + 1)

    # queue ---------------------------------------------------------------------------------------
    def _push(self, url: str, depth: int, score: int) -> None:
        if url in self._seen:
            return
        self._seen.add(url)
        heapq.heappush(self._heap, _Item((-score, depth, next(self._order)), url, depth))

    def _same_site(self, url: str) -> bool:
        return registrable_domain(urlsplit(url).hostname, self.config) in self._sites

    def _skip(self, url: str, reason: str, source: str) -> None:
        if url not in self._skipped_urls:
            self._skipped_urls.add(url)
            self.skipped.append(Skipped(url, reason, source))

    def _follow(self, html: str, page_url: str, depth: int) -> None:
        links = extract_links(html)
        base = page_url
        if links and links[0].tag == "base":
            base = urljoin(page_url, links.pop(0).href)
        for link in links:
            self._consider(link, base, page_url, depth)

    def _consider(self, link: RawLink, base: str, page_url: str, depth: int) -> None:
        href = link.href
        if not href or href.startswith("#"):
            return
        scheme = href.split(":", 1)[0].strip().lower() if ":" in href.split("/", 1)[0] else ""
        if scheme in self.config.skip_schemes:
            self._skip(href[:200], f"not followed: {scheme}: link", page_url)
            return
        url = normalize_url(urljoin(base, href), self.config)
        if url is None:
            self._skip(href[:200], "not followed: not an http(s) URL", page_url)
            return
        host = urlsplit(url).hostname or ""
        if not self._same_site(url):
            self._lead(url, host, link.text, page_url)
            return
        if link.tag not in ("a", "area"):
            return  # embedded media on the clinic's own site: nothing to read as a page
        ext = Path(urlsplit(url).path).suffix.lower()
        if ext in self.config.skip_extensions:
            self._skip(url, f"not fetched: {ext} is not HTML", page_url)
            return
        self._push(url, depth, relevance(link.text, url, self.config))

    def _lead(self, url: str, host: str, text: str, page_url: str) -> None:
        for kind, domains in self.config.leads:
            if host_matches(host, domains):
                if url not in self._lead_urls:
                    self._lead_urls.add(url)
                    self.leads.append(Lead(url, kind, page_url, text))
                return

    # sitemaps ------------------------------------------------------------------------------------
    def _read_sitemaps(self, page_url: str) -> None:
        """Queue same-site URLs from /sitemap.xml and robots.txt Sitemap: lines (bounded)."""
        if self.depth < 1:
            return
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(page_url))
        todo = [origin + p for p in self.config.sitemap_paths]
        if self.fetcher.options.obey_robots:
            todo += self.fetcher.robots.rules(page_url).sitemaps
        done: set[str] = set()
        taken = 0
        while todo and len(done) < self.config.sitemap_max_files:
            sm = normalize_url(todo.pop(0), self.config)
            if sm is None or sm in done or not self._same_site(sm):
                continue
            done.add(sm)
            result = self.fetcher.fetch_document(sm, SITEMAP_TYPES, kind="sitemap")
            if result.outcome != "checked":
                continue
            pages, children = parse_sitemap(result.body)
            todo.extend(children)
            for loc in pages:
                if taken >= self.config.sitemap_max_urls:
                    return
                url = normalize_url(loc, self.config)
                if url and self._same_site(url):
                    ext = Path(urlsplit(url).path).suffix.lower()
                    if ext in self.config.skip_extensions:
                        self._skip(url, f"not fetched: {ext} is not HTML", sm)
                        continue
                    taken += 1
                    self._push(url, 1, relevance("", url, self.config))
