"""One site's flags: de-duplicated (the same claim on many pages is one claim), scored into
the risk score, ranked worst first, and summarised per site."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

SIMILARITY = 95  # fuzz.ratio threshold for "the same claim" within a site
SEVERITY_POINTS = {"high": 10.0, "medium": 4.0, "low": 1.0}
VERDICT_WEIGHT = {"contradicts": 1.5, "unsupported": 1.0}
SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2, "": 3}
_PUNCT = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Lowercase, punctuation stripped, whitespace collapsed: the form claims are compared in."""
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.lower())).strip()


def finding_id(site: str, finding: dict) -> str:
    """A claim's stable id: the same claim on the same site gets the same id on every run.

    Derived from the site, the normalised sentence, the category and the rule only (never from
    offsets, capture times or WARC ids, which change when nothing the clinic says does), so a
    reviewer's decision follows the claim from one audit to the next. The "F" prefix keeps a
    spreadsheet from reading a hex id such as "12e45..." as a number.
    """
    key = "\x1f".join(
        (
            site,
            normalise(finding.get("sentence", "")),
            finding.get("category", ""),
            finding.get("rule", ""),
        )
    )
    return "F" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def points(finding: dict) -> float:
    """Risk points of one distinct flag: severity points x verdict weight."""
    base = SEVERITY_POINTS.get(finding.get("severity", ""), 0.0)
    return base * VERDICT_WEIGHT.get(finding.get("verdict", ""), 0.0)


def dedupe_flags(pairs: Iterable[tuple[dict, dict]], site: str = "") -> list[dict]:
    """Group one site's (page, flag) pairs into distinct claims, first occurrence kept.

    Returns claim dicts: the first occurrence's page fields and finding, `occurrences` (distinct
    page + offset), `pages` (distinct page URLs in order of appearance), `finding_id` (the first
    occurrence's stable id) and `finding_ids` (the ids of every wording merged into the claim,
    so a reviewer's decision on any of them reaches it).
    """
    claims: list[dict] = []
    buckets: dict[tuple[str, str], dict[str, int]] = {}  # (category, therapy) -> norm -> index
    seen: list[set] = []
    for page, finding in pairs:
        bucket = buckets.setdefault((finding.get("category", ""), finding.get("therapy", "")), {})
        norm = normalise(finding.get("sentence", ""))
        index = bucket.get(norm)
        if index is None and bucket:
            match = process.extractOne(
                norm, bucket.keys(), scorer=fuzz.ratio, score_cutoff=SIMILARITY
            )
            index = bucket[match[0]] if match else None
        page_url = page.get("final_url") or page.get("url") or ""
        if index is None:
            index = len(claims)
            bucket[norm] = index
            fid = finding_id(site, finding)
            claims.append(
                {
                    "page": page,
                    "finding": finding,
                    "pages": [],
                    "occurrences": 0,
                    "finding_id": fid,
                    "finding_ids": [fid],
                }
            )
            seen.append(set())
        elif norm not in bucket:
            bucket[norm] = index
        claim = claims[index]
        fid = finding_id(site, finding)
        if fid not in claim["finding_ids"]:
            claim["finding_ids"].append(fid)
        occurrence = (page_url, finding.get("start"))
        if occurrence not in seen[index]:
            seen[index].add(occurrence)
            claim["occurrences"] += 1
        if page_url not in claim["pages"]:
            claim["pages"].append(page_url)
    return claims


def rank_claims(claims: list[dict]) -> list[dict]:
    """Worst first (points, then severity), stable in page order."""
    return sorted(
        claims,
        key=lambda c: (
            -points(c["finding"]),
            SEVERITY_RANK.get(c["finding"].get("severity", ""), 3),
        ),
    )


@dataclass(frozen=True)
class SiteSummary:
    """One row of sites.csv and one entry of the HTML report's ranking.

    risk_score = sum over the site's DISTINCT flags of severity points (high 10, medium 4,
    low 1) x verdict weight (contradicts 1.5, unsupported 1.0). A claim repeated on 40 pages
    counts once; consistent and out-of-scope findings count zero.
    """

    site: str
    extra: dict[str, str]
    rows: int
    outcomes: dict[str, int]
    high: int
    medium: int
    low: int
    contradicts: int
    unsupported: int
    occurrences: int
    risk_score: float
    worst: dict | None  # the worst distinct claim

    @property
    def distinct_flags(self) -> int:
        return self.high + self.medium + self.low

    @property
    def pages_checked(self) -> int:
        return self.outcomes.get("checked", 0)

    @property
    def not_checked(self) -> int:
        return sum(n for k, n in self.outcomes.items() if k != "checked")


def summarise_site(
    site: str, extra: dict[str, str], rows: int, outcomes: Counter, claims: list[dict]
) -> SiteSummary:
    sev = Counter(c["finding"].get("severity", "") for c in claims)
    verdicts = Counter(c["finding"].get("verdict", "") for c in claims)
    ranked = rank_claims(claims)
    return SiteSummary(
        site=site,
        extra=extra,
        rows=rows,
        outcomes=dict(outcomes),
        high=sev["high"],
        medium=sev["medium"],
        low=sev["low"],
        contradicts=verdicts["contradicts"],
        unsupported=verdicts["unsupported"],
        occurrences=sum(c["occurrences"] for c in claims),
        risk_score=round(sum(points(c["finding"]) for c in claims), 1),
        worst=ranked[0] if ranked else None,
    )
