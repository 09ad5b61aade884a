"""robots.txt: longest-match parsing, the no-robots policy, caching, crawl-delay, ignoring."""

from __future__ import annotations

import threading
import urllib.robotparser

from localserver import LocalSite, html

from checker.records import FetchResult
from checker.web.fetcher import Fetcher
from checker.web.options import FetchOptions
from checker.web.robots import ROBOTS_TOKEN, RobotsCache, parse_robots, rules_from_fetch

WP = b"User-agent: *\nDisallow: /wp-admin/\nAllow: /wp-admin/admin-ajax.php\n"
PAGE = "<html><body><p>page</p></body></html>"


def opts(**kw) -> FetchOptions:
    base = dict(
        allow_private=True,
        min_delay=0.02,
        deadline=2.0,
        connect_timeout=1.0,
        read_timeout=1.0,
        backoff=0.05,
        retries=1,
    )
    base.update(kw)
    return FetchOptions(**base)


def robots_route(text: bytes, status: int = 200):
    return status, {"Content-Type": "text/plain"}, text


def test_allow_after_disallow_longest_match():
    rules = rules_from_fetch(FetchResult(url="x", outcome="checked", status=200, body=WP))
    assert rules.decide("https://c.example/wp-admin/admin-ajax.php").allowed
    assert not rules.decide("https://c.example/wp-admin/options.php").allowed
    assert rules.decide("https://c.example/treatments/").label == "allowed"
    # the reason protego is used: the stdlib parser applies the first matching rule
    std = urllib.robotparser.RobotFileParser()
    std.parse(WP.decode().splitlines())
    assert not std.can_fetch(ROBOTS_TOKEN, "https://c.example/wp-admin/admin-ajax.php")


def test_group_for_our_token_wins_over_star():
    parser = parse_robots(
        b"User-agent: *\nDisallow: /\n\nUser-agent: clinic-claims-checker\nDisallow: /private/\n"
    )
    assert parser.can_fetch("https://c.example/about", ROBOTS_TOKEN)
    assert not parser.can_fetch("https://c.example/private/x", ROBOTS_TOKEN)


def test_policy_without_usable_robots():
    def rules(**kw):
        return rules_from_fetch(FetchResult(url="x", **kw)).decide("https://c.example/")

    assert rules(outcome="http_error", status=404, reason="HTTP 404") == rules(
        outcome="http_error", status=404, reason="HTTP 404"
    )
    d404 = rules(outcome="http_error", status=404, reason="HTTP 404")
    assert d404.allowed and d404.label == "unavailable (HTTP 404)"
    d403 = rules(outcome="http_error", status=403, reason="HTTP 403")
    assert d403.allowed
    for status in (429, 500, 503):
        d = rules(outcome="http_error", status=status, reason=f"HTTP {status}")
        assert not d.allowed and d.label == f"unreachable (HTTP {status})"
    dt = rules(outcome="timeout", reason="timed out after 30 s")
    assert not dt.allowed and dt.label == "unreachable (timed out after 30 s)"


def test_disallowed_page_is_never_requested():
    routes = {
        "/robots.txt": robots_route(b"User-agent: *\nDisallow: /private/\n"),
        "/private/x": html(PAGE),
        "/ok": html(PAGE),
    }
    with LocalSite(routes) as site, Fetcher(opts()) as f:
        blocked = f.fetch(site.url("/private/x"))
        ok = f.fetch(site.url("/ok"))
        assert site.hits("/private/x") == [] and len(site.hits("/robots.txt")) == 1
    assert (blocked.outcome, blocked.reason, blocked.robots) == (
        "blocked_by_robots",
        "blocked by robots.txt",
        "disallowed",
    )
    assert (ok.outcome, ok.robots) == ("checked", "allowed")


def test_redirect_into_disallowed_path_is_blocked():
    routes = {
        "/robots.txt": robots_route(b"User-agent: *\nDisallow: /members/\n"),
        "/go": (302, {"Location": "/members/area"}, b""),
        "/members/area": html(PAGE),
    }
    with LocalSite(routes) as site, Fetcher(opts()) as f:
        r = f.fetch(site.url("/go"))
        assert site.hits("/members/area") == []
    assert r.outcome == "blocked_by_robots" and r.redirects == (site.url("/go"),)


def test_crawl_delay_is_obeyed():
    routes = {
        "/robots.txt": robots_route(b"User-agent: *\nCrawl-delay: 0.4\n"),
        "/a": html(PAGE),
        "/b": html(PAGE),
        "/c": html(PAGE),
    }
    with LocalSite(routes) as site, Fetcher(opts(min_delay=0.01)) as f:
        for p in ("/a", "/b", "/c"):
            assert f.fetch(site.url(p)).outcome == "checked"
        times = site.times()
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert len(times) == 4 and all(g >= 0.38 for g in gaps[1:])


def test_missing_robots_allows_and_says_so():
    with LocalSite({"/": html(PAGE)}) as site, Fetcher(opts()) as f:
        r = f.fetch(site.url("/"))
    assert (r.outcome, r.robots) == ("checked", "unavailable (HTTP 404)")


def test_robots_server_error_blocks_everything():
    routes = {"/robots.txt": robots_route(b"oops", status=500), "/": html(PAGE)}
    with LocalSite(routes) as site, Fetcher(opts()) as f:
        r = f.fetch(site.url("/"))
        assert site.hits("/") == []
    assert r.outcome == "blocked_by_robots" and r.robots == "unreachable (HTTP 500)"
    assert r.reason == "blocked: robots.txt unreachable (HTTP 500), treated as disallow-all"


def test_ignoring_robots_with_authority_never_reads_robots():
    routes = {"/robots.txt": robots_route(b"User-agent: *\nDisallow: /\n"), "/": html(PAGE)}
    with (
        LocalSite(routes) as site,
        Fetcher(opts(obey_robots=False, authority="Health Act s.12 warrant")) as f,
    ):
        r = f.fetch(site.url("/"))
        assert site.hits("/robots.txt") == []
    assert (r.outcome, r.robots) == ("checked", "ignored: Health Act s.12 warrant")


def test_robots_fetched_once_per_host_under_threads():
    routes = {"/robots.txt": robots_route(b"User-agent: *\nAllow: /\n")}
    routes.update({f"/p{i}": html(PAGE) for i in range(6)})
    with LocalSite(routes) as site, Fetcher(opts(min_delay=0.0)) as f:
        threads = [threading.Thread(target=f.fetch, args=(site.url(f"/p{i}"),)) for i in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(5)
        assert len(site.hits("/robots.txt")) == 1 and len(site.requests) == 7


def test_cache_calls_fetch_once():
    calls = []

    def fake(url):
        calls.append(url)
        return FetchResult(url=url, outcome="checked", status=200, body=WP)

    cache = RobotsCache(fake)
    assert cache.decision("https://c.example/wp-admin/x").label == "disallowed"
    assert cache.decision("https://c.example/a").label == "allowed"
    assert calls == ["https://c.example/robots.txt"]
