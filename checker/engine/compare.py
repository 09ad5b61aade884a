"""The comparator: claims x rules.yaml x evidence.yaml -> findings with a verdict, a
severity, the evidence statements and reference numbers behind it, and a rationale."""

from __future__ import annotations

from checker.engine.claims import Claim, TherapyRef
from checker.engine.lexicons import Lexicons, Rule
from checker.records import FLAG_VERDICTS, Finding

_STEPS = ("high", "medium", "low")


def _applies(rule: Rule, claim: Claim, ref: TherapyRef) -> bool:
    return (
        ref.therapy in rule.therapies
        and claim.category in rule.categories
        and (rule.strength == "any" or claim.strength == "strong")
        and claim.condition in rule.conditions
        and (not rule.cues or claim.cue_id in rule.cues)
        and (not rule.mentions or ref.mention in rule.mentions)
    )


def match_rule(claim: Claim, lex: Lexicons) -> tuple[Rule, TherapyRef] | None:
    """The claim is about the first candidate therapy that has rules for its category (a
    sentence about RFA is about RFA, even if no RFA rule fits its wording); then the most
    specific of that therapy's rules that applies, if any."""
    for ref in claim.candidates:
        if not any(
            ref.therapy in r.therapies and claim.category in r.categories for r in lex.rules
        ):
            continue
        rules = [r for r in lex.rules if _applies(r, claim, ref)]
        return (max(rules, key=lambda r: r.specificity), ref) if rules else None
    return None


def _lower(severity: str, steps: int = 1) -> str:
    if severity not in _STEPS:
        return severity
    return _STEPS[min(len(_STEPS) - 1, _STEPS.index(severity) + steps)]


def _cap(severity: str, cap: str) -> str:
    if not cap or severity not in _STEPS:
        return severity
    return _STEPS[max(_STEPS.index(severity), _STEPS.index(cap))]


def _verdict(rule: Rule, claim: Claim) -> str:
    if rule.verdict not in FLAG_VERDICTS:
        return rule.verdict
    if claim.negated:
        return "consistent"  # the sentence denies the claim ("not FDA approved")
    if (
        claim.category == "duration"
        and rule.max_weeks is not None
        and (claim.weeks is None or claim.weeks <= rule.max_weeks)
    ):
        return "consistent"  # a duration within what the evidence shows
    if claim.condition == "other" and rule.verdict_other_condition:
        return rule.verdict_other_condition
    return rule.verdict


def _severity(rule: Rule, claim: Claim, verdict: str) -> str:
    if verdict not in FLAG_VERDICTS:
        return ""
    severity = rule.severity
    if (
        claim.category == "duration"
        and rule.max_weeks
        and claim.weeks is not None
        and claim.weeks <= 2 * rule.max_weeks
    ):
        severity = "low"  # only slightly beyond the evidence ("six to nine months" of RFA)
    severity = _cap(severity, claim.cue_severity)
    if claim.hedged:
        severity = _lower(severity)
    if claim.testimonial:
        severity = _cap(severity, "medium")
    return severity


def _evidence(
    rule: Rule, ref: TherapyRef, lex: Lexicons
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    ids = list(rule.evidence)
    if rule.add_source_evidence:
        for sid in lex.therapy(ref.therapy).source_evidence(ref.mention):
            if sid not in ids:
                ids.append(sid)
    refs: list[int] = []
    for sid in ids:
        for r in lex.evidence[sid].refs:
            if r not in refs:
                refs.append(r)
    return tuple(ids), tuple(sorted(refs))


def compare(claim: Claim, text: str, lex: Lexicons, url: str | None = None) -> Finding | None:
    """One finding for one claim, or None when no rule speaks to it."""
    matched = match_rule(claim, lex)
    if matched is None:
        return None
    rule, ref = matched
    verdict = _verdict(rule, claim)
    evidence, refs = _evidence(rule, ref, lex)
    cue_text = " ".join(text[claim.cue_start : claim.cue_end].split())
    rationale = rule.rationale.format(therapy=ref.mention, category=claim.category, claim=cue_text)
    if verdict == "consistent" and rule.verdict in FLAG_VERDICTS:
        rationale = f"Consistent with the evidence base ({', '.join(evidence)}): " + (
            "the sentence denies the claim."
            if claim.negated
            else "the duration stated is within what the evidence shows."
        )
    modifiers = tuple(
        name
        for name, on in (
            ("hedged", claim.hedged),
            ("testimonial", claim.testimonial),
            ("negated", claim.negated),
            ("disclaimer_nearby", claim.disclaimer),
        )
        if on
    )
    return Finding(
        sentence=" ".join(text[claim.sentence_start : claim.sentence_end].split()),
        claim=cue_text,
        start=claim.sentence_start,
        end=claim.sentence_end,
        therapy=ref.therapy,
        therapy_source=ref.source,
        condition=claim.condition,
        category=claim.category,
        verdict=verdict,
        severity=_severity(rule, claim, verdict),
        hedged=claim.hedged,
        evidence=evidence,
        refs=refs,
        rationale=rationale,
        url=url,
        rule=rule.id,
        claim_start=claim.cue_start,
        claim_end=claim.cue_end,
        modifiers=modifiers,
        region=claim.region,
        hidden=claim.hidden,
    )


def findings_for(
    claims: list[Claim], text: str, lex: Lexicons, url: str | None = None
) -> tuple[Finding, ...]:
    """One finding per sentence: its flag of the highest-priority category, else the best
    non-flag verdict. Several cues in one sentence are one claim to an investigator."""
    priority = {c: n for n, c in enumerate(lex.categories)}
    best: dict[int, Finding] = {}
    for claim in claims:
        f = compare(claim, text, lex, url)
        if f is None:
            continue
        key = (0 if f.is_flag else 1, priority.get(f.category, 99), f.claim_start)
        cur = best.get(f.start)
        if cur is None or key < (
            0 if cur.is_flag else 1,
            priority.get(cur.category, 99),
            cur.claim_start,
        ):
            best[f.start] = f
    return tuple(sorted(best.values(), key=lambda f: (f.start, f.claim_start)))
