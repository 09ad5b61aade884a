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


def test_scaling_blocks_are_the_size_asked_and_deterministic():
    from bench import scaling

    for _, make in scaling.KINDS:
        block = make(10 * 1024)
        assert 10 * 1024 - 40 <= len(block) <= 10 * 1024 and block == make(10 * 1024)
    keywords = scaling.keyword_block(100 * 1024)
    assert not set(".!?\n") & set(keywords)  # one "sentence" as long as the block
    prose = scaling.prose_block(100 * 1024)
    assert prose.count(". ") > 500 and "\n" in prose
    assert scaling.lines_block(100 * 1024).count("\n") > 2000


def test_scaling_measure_reports_ms_per_kb_and_the_ratio():
    from bench import scaling

    calls: list[int] = []
    r = scaling.measure(lambda text: calls.append(len(text)), (1, 2), runs=1)
    assert r["sizes_kb"] == [1, 2] and list(r["kinds"]) == [k for k, _ in scaling.KINDS]
    for k in r["kinds"].values():
        assert [row["kb"] for row in k["rows"]] == [1, 2]
        assert all(row["ms_per_kb"] >= 0 for row in k["rows"])
    assert "largest / smallest" in scaling.table(r)
    assert parse_args(["--quick"]).scaling_sizes == "10,100"


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
