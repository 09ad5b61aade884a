"""The benchmark's corpus generator: deterministic, and every planted claim is recorded.
No timing here: the figures come from `make bench`."""

from __future__ import annotations

import hashlib
import json

from bench import corpus
from bench.run import parse_args


def _digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    corpus.generate(a, n_pages=4, seed=7)
    corpus.generate(b, n_pages=4, seed=7)
    assert _digest(a) == _digest(b)
    c = tmp_path / "c"
    corpus.generate(c, n_pages=4, seed=8)
    assert _digest(a)["page-00000.html"] != _digest(c)["page-00000.html"]


def test_pages_are_clinic_sized_and_claims_recorded(tmp_path):
    planted = corpus.generate(tmp_path, n_pages=5, seed=3)
    rows = [json.loads(line) for line in (tmp_path / "planted.jsonl").read_text().splitlines()]
    assert len(rows) == len(planted) >= 5 * 2
    by_page: dict[str, list[dict]] = {}
    for row in rows:
        by_page.setdefault(row["file"], []).append(row)
    for i in range(5):
        path = tmp_path / f"page-{i:05d}.html"
        data = path.read_bytes()
        assert corpus.MIN_BYTES <= len(data) <= corpus.MAX_BYTES
        html = data.decode("utf-8")
        for tag in (
            "<nav",
            "<script>",
            "<style>",
            "hero",
            "<li>",
            "<details>",
            "testimonial",
            "<footer",
        ):
            assert tag in html
        claims = by_page[path.name]
        assert 2 <= len(claims) <= 8
        for row in claims:
            # the planted sentence is in the page text as written (apostrophes are not escaped)
            assert row["text"] in html
            assert row["where"] in {"hero", "p", "li", "faq"}
            assert row["template"] in {t[0] for t in corpus.CLAIM_TEMPLATES}


def test_most_sentences_are_not_claims(tmp_path):
    planted = corpus.generate(tmp_path, n_pages=3, seed=5)
    text = "".join((tmp_path / f"page-{i:05d}.html").read_text() for i in range(3))
    sentences = text.count(". ")
    assert len(planted) < 0.1 * sentences


def test_quick_options():
    args = parse_args(["--quick"])
    assert args.quick and args.pages < 100 and args.runs >= 5


def test_mixed_corpus_is_95_percent_off_topic_and_deterministic():
    pages = corpus.mixed_pages(40, seed=2, incidental=0.0)
    kinds = [k for k, _ in pages]
    assert kinds.count("clinic") == 2 and kinds.count("offtopic") == 38
    assert pages == corpus.mixed_pages(40, seed=2, incidental=0.0)
    for kind, html in pages:
        assert corpus.MIN_BYTES <= len(html.encode()) <= corpus.MAX_BYTES
        if kind == "offtopic":
            assert not any(line in html for line in corpus.INCIDENTAL)
    noisy = corpus.mixed_pages(40, seed=2, incidental=1.0)
    assert all(any(line in html for line in corpus.INCIDENTAL)
               for kind, html in noisy if kind == "offtopic")
