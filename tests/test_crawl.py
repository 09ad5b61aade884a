"""Crawler: relevance order, same-site only, leads, skips, sitemap, max_pages and depth."""

from __future__ import annotations

from localserver import LocalSite, html
from pdf_files import make_pdf

from checker.web.crawl import (
    Crawler,
    extract_links,
    normalize_url,
    parse_sitemap,
    registrable_domain,
    relevance,
)
from checker.web.fetcher import Fetcher
from checker.web.options import FetchOptions

HOME = """<html><body>
<nav><a href="/about">About us</a> <a href="/privacy">Privacy policy</a>
<a href="/stem-cell-therapy">Stem cell therapy</a> <a href="/conditions/back-pain">Back pain</a>
<a href="#top">Top</a> <a href="/about#team">Team</a> <a href="/about?utm_source=nav">About</a>
<a href="mailto:info@clinic.example">Email</a> <a href="tel:+15551234">Call</a>
<a href="javascript:void(0)">Menu</a> <a href="data:text/html,hi">data</a>
<a href="/brochure.pdf">Brochure</a> <a href="/img/spine.jpg">Spine picture</a>
<a href="https://www.youtube.com/watch?v=abc">Patient story</a>
<a href="https://facebook.com/clinic">Facebook</a>
<a href="https://clinicaltrials.gov/study/NCT01234567">Our trial</a>
<a href="https://other-clinic.example.org/">Partner</a></nav>
<iframe src="https://www.youtube-nocookie.com/embed/xyz"></iframe>
</body></html>"""

STEM = """<html><body><a href="/faq">FAQ</a> <a href="/testimonials">Testimonials</a>
<a href="/">Home</a></body></html>"""


BROCHURE = make_pdf([["Patient brochure", "Our treatments, explained."]])


def leaf(title: str) -> tuple:
    return html(f"<html><body><h1>{title}</h1></body></html>")


def clinic_routes(**extra) -> dict:
    routes = {
        "/": html(HOME),
        "/stem-cell-therapy": html(STEM),
        "/about": leaf("About"),
        "/privacy": leaf("Privacy"),
        "/conditions/back-pain": leaf("Back pain"),
        "/faq": leaf("FAQ"),
        "/testimonials": leaf("Testimonials"),
        "/brochure.pdf": (200, {"Content-Type": "application/pdf"}, BROCHURE),
    }
    routes.update(extra)
    return routes


def opts(**kw) -> FetchOptions:
    base = dict(
        allow_private=True,
        min_delay=0.0,
        deadline=2.0,
        connect_timeout=1.0,
        read_timeout=1.0,
        retries=0,
    )
    base.update(kw)
    return FetchOptions(**base)


def crawl(site: LocalSite, **kw):
    with Fetcher(opts()) as f:
        crawler = Crawler(f, **kw)
        results = list(crawler.crawl(site.url("/")))
    return crawler, results


def paths(site: LocalSite, results) -> list[str]:
    return [r.final_url.replace(site.origin, "") for r in results]


def test_relevant_pages_first_same_site_only():
    with LocalSite(clinic_routes()) as site:
        crawler, results = crawl(site, max_pages=50, depth=3)
        requested = {r.path for r in site.requests}
    order = paths(site, results)
    assert order[0] == "/"
    assert set(order[1:3]) == {"/stem-cell-therapy", "/conditions/back-pain"}
    assert order.index("/faq") < order.index("/about")
    assert order.index("/testimonials") < order.index("/privacy")
    assert sorted(order) == sorted(
        [
            "/",
            "/stem-cell-therapy",
            "/conditions/back-pain",
            "/about",
            "/privacy",
            "/faq",
            "/testimonials",
            "/brochure.pdf",
        ]
    )
    assert requested <= {*order, "/robots.txt", "/sitemap.xml"}
    assert all(r.outcome == "checked" for r in results)
    pdf = results[order.index("/brochure.pdf")]  # fetched whole, read later by check_pdf
    assert (pdf.body, pdf.text) == (BROCHURE, None)


def test_leads_and_skips_are_recorded():
    with LocalSite(clinic_routes()) as site:
        crawler, _ = crawl(site, max_pages=3, depth=1)
    leads = {(lead.kind, lead.url) for lead in crawler.leads}
    assert ("video", "https://www.youtube.com/watch?v=abc") in leads
    assert ("video", "https://www.youtube-nocookie.com/embed/xyz") in leads
    assert ("social", "https://facebook.com/clinic") in leads
    assert ("trial_registry", "https://clinicaltrials.gov/study/NCT01234567") in leads
    assert not any("other-clinic" in url for _, url in leads)
    reasons = {s.reason for s in crawler.skipped}
    assert {
        "not followed: mailto: link",
        "not followed: tel: link",
        "not followed: javascript: link",
        "not followed: data: link",
        "not fetched: .jpg is not HTML",
    } <= reasons
    assert not any(s.url.endswith(".pdf") for s in crawler.skipped)  # PDFs are fetched (issue 12)


def test_max_pages_and_depth():
    with LocalSite(clinic_routes()) as site:
        _, results = crawl(site, max_pages=3, depth=3)
        assert len(results) == 3
        _, results = crawl(site, max_pages=50, depth=1)
        assert "/faq" not in paths(site, results) and len(results) == 6
        _, results = crawl(site, max_pages=50, depth=0)
        assert paths(site, results) == ["/"]


def test_sitemap_adds_hidden_pages_bounded_and_same_site():
    sitemap = b"""<?xml version="1.0"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>ORIGIN/pricing</loc></url><url><loc>ORIGIN/guide.pdf</loc></url>
<url><loc>ORIGIN/price-list.xlsx</loc></url>
<url><loc>https://elsewhere.example.net/x</loc></url></urlset>"""
    with LocalSite(clinic_routes(**{"/pricing": leaf("Pricing")})) as site:
        site.routes["/sitemap.xml"] = (
            200,
            {"Content-Type": "application/xml"},
            sitemap.replace(b"ORIGIN", site.origin.encode()),
        )
        crawler, results = crawl(site, max_pages=50, depth=1)
    order = paths(site, results)
    assert "/pricing" in order and "/guide.pdf" in order  # a listed PDF is fetched too
    assert any(s.url.endswith("/price-list.xlsx") for s in crawler.skipped)


def test_sitemap_index_and_hostile_xml():
    urls, children = parse_sitemap(
        b"<sitemapindex xmlns='x'><sitemap><loc>http://a/s1.xml</loc></sitemap></sitemapindex>"
    )
    assert (urls, children) == ([], ["http://a/s1.xml"])
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>&x;</loc></url></urlset>"
    )
    assert parse_sitemap(xxe)[0] == [] or "root:" not in parse_sitemap(xxe)[0][0]
    assert parse_sitemap(b"\x00garbage<<") == ([], [])


def test_redirect_to_known_page_is_not_reported_twice():
    routes = clinic_routes()
    routes["/"] = html('<a href="/old-treatments">Treatments</a><a href="/treatments">T</a>')
    routes["/old-treatments"] = (301, {"Location": "/treatments"}, b"")
    routes["/treatments"] = leaf("Treatments")
    with LocalSite(routes) as site:
        crawler, results = crawl(site)
    assert paths(site, results).count("/treatments") == 1
    assert any(s.reason.startswith("duplicate of") for s in crawler.skipped)


def test_failures_are_yielded_not_dropped():
    routes = {
        "/": html('<a href="/gone">treatment</a> <a href="/report.html">study</a>'),
        "/report.html": (200, {"Content-Type": "image/png"}, b"\x89PNG"),
    }
    with LocalSite(routes) as site:
        _, results = crawl(site)
    outcomes = {r.final_url.replace(site.origin, ""): (r.outcome, r.reason) for r in results}
    assert outcomes["/gone"] == ("http_error", "HTTP 404")
    assert outcomes["/report.html"] == ("not_html", "not HTML: image/png")


def test_invalid_start_url_is_one_result():
    with Fetcher(opts()) as f:
        results = list(Crawler(f).crawl("mailto:x@y.z"))
    assert len(results) == 1 and results[0].outcome == "invalid_input"


def test_deep_and_malformed_html_links():
    deep = "<div>" * 50000 + '<a href="/deep">deep treatment</a>' + "<p><b><i></div></table>" * 100
    links = extract_links(deep)
    assert any(link.href == "/deep" for link in links)
    assert extract_links("") == [] and extract_links("\x00\x01<<<>>>") == []
    assert extract_links('<base href="/sub/"><a href="x">x</a>')[0].tag == "base"


def test_url_normalisation():
    assert (
        normalize_url("HTTP://Clinic.Example:80/a?utm_source=x&id=3#frag")
        == "http://clinic.example/a?id=3"
    )
    assert normalize_url("https://clinic.example:443") == "https://clinic.example/"
    assert (
        normalize_url("https://clinic.example:8443/b?z=1&a=2")
        == "https://clinic.example:8443/b?z=1&a=2"
    )
    assert normalize_url("ftp://clinic.example/") is None
    assert normalize_url("http://[::1]:8080/x") == "http://[::1]:8080/x"


def test_registrable_domain_heuristic():
    assert registrable_domain("www.clinic.co.uk") == "clinic.co.uk"
    assert registrable_domain("spine.clinic.example.com") == "example.com"
    assert registrable_domain("clinica.com.mx") == "clinica.com.mx"
    assert registrable_domain("a.b.clinic.com.au") == "clinic.com.au"
    assert registrable_domain("127.0.0.1") == "127.0.0.1"


def test_relevance_scores():
    assert (
        relevance("Stem cell therapy", "https://c/stem-cell-therapy")
        > relevance("Privacy", "https://c/privacy")
        == 0
    )
