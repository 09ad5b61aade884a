"""Table-driven tests of the hard cases in DESIGN.md (negspacy style: text -> expectation).

Sentences here are written for these tests, not copied from the dev set, so they check that
the rules capture how claims are made rather than memorising dev sentences.
"""

from __future__ import annotations

import pytest

from checker import check_html, check_text

FLAG, OK = True, False

CASES = [
    # polarity: negation belongs to the cue, not to the sentence
    ("Our umbilical cord cell injections have no side effects.", FLAG, "safety"),
    (
        "You will never need spine surgery after our stem cell program.",
        FLAG,
        "alternative_to_surgery",
    ),
    ("Say goodbye to back pain: no more pain after stem cell therapy.", FLAG, "efficacy"),
    ("Stem cell therapy is not a cure for sciatica.", OK, None),
    ("Our stem cell treatment is not FDA approved.", OK, None),
    ("We cannot guarantee results from stem cell injections.", OK, None),
    ("Stem cell injections are not without risk.", OK, None),
    # a disclaimer never clears a neighbouring claim
    ("Stem cells are not FDA approved, but they can regenerate your discs.", FLAG, "efficacy"),
    (
        "While not licensed by the MHRA, our stem cell injections are perfectly safe.",
        FLAG,
        "safety",
    ),
    # negations that still claim
    ("Our adipose stem cell procedure carries no adverse effects.", FLAG, "safety"),
    (
        "There is only a 10% chance of no benefit from our stem cell injections.",
        FLAG,
        "success_rate",
    ),
    ("Our stem cell program is not experimental anymore.", FLAG, "standard_of_care"),
    ("Our stem cell therapy is not completely FDA approved yet.", FLAG, "regulatory"),
    # compliance words standing in for approval
    ("Our Wharton's jelly product is FDA compliant.", FLAG, "regulatory"),
    ("Our amniotic allograft is 361 exempt, so no approval is needed.", FLAG, "regulatory"),
    ("Our stem cell therapy is approved in other countries.", FLAG, "regulatory"),
    # attribution and warnings
    ("Beware of clinics promising that stem cells cure back pain.", OK, None),
    ("Some providers advertise stem cells as a permanent fix for disc disease.", OK, None),
    ("According to the lawsuit, the clinic said its stem cells would regrow discs.", OK, None),
    # questions vs answers
    ("Can stem cells heal my spine?", OK, None),
    ("Why live with back pain when stem cells can repair your discs?", FLAG, "efficacy"),
    # ALL CAPS and verbless bullets
    ("STEM CELLS REBUILD YOUR DISCS", FLAG, "efficacy"),
    ("✔ Repairs damaged discs with stem cells", FLAG, "efficacy"),
    # variants and typos
    ("Stemcell injections reverse disc degeneration.", FLAG, "efficacy"),
    ("Mesenchymel stem cells rebuild spinal discs.", FLAG, "efficacy"),
    ("Epidural steriod injections give permanent relief.", FLAG, "duration"),
    ("SVF injections heal herniated discs.", FLAG, "efficacy"),
    # hedges are still claims
    ("Stem cells may help regenerate your worn discs.", FLAG, "efficacy"),
    ("Our BMAC injections aim to repair the spine.", FLAG, "efficacy"),
    # established injections: claims are about time
    ("Epidural injections bring relief that can last up to a year.", FLAG, "duration"),
    ("Epidural steroid injections usually help for a few weeks.", OK, None),
    ("Radiofrequency ablation may reduce pain for three to six months.", OK, None),
    ("Radiofrequency ablation relief can last two years.", FLAG, "duration"),
    ("Trigger point injections give lasting relief from chronic low back pain.", FLAG, "duration"),
    (
        "Intra-articular facet injections provide relief for arthritis of the spine.",
        FLAG,
        "efficacy",
    ),
    ("Diagnostic medial branch blocks are done twice to confirm facet pain.", OK, None),
    # set-ups followed by the claim
    ("Steroid injections only mask pain, but stem cells repair the disc.", FLAG, "efficacy"),
    # scraped text is messy
    ("Our stem cell success rate3,4 is 93% of patients pain-free.", FLAG, "success_rate"),
    # trials
    (
        "We are enrolling volunteers for a placebo-controlled trial of stem cell injections for "
        "back pain.",
        OK,
        None,
    ),
    ("Join our patient-funded stem cell registry study for back pain; fee $6,500.", FLAG, "other"),
    # conflation
    ("Our regenerative epidural uses stem cells instead of steroids.", FLAG, "conflation"),
    # the natural history of back pain and a clinic improving itself are not treatment claims
    ("Stem cell clinic.\nMost episodes of low back pain improve within a few weeks.", OK, None),
    ("Stem cell clinic.\nWe review patient feedback to improve our service.", OK, None),
    ("Relief from one caudal epidural lasts for a decade.", FLAG, "duration"),
    ("Stem cell study.\nYou cannot join if you have had cancer in the last five years.", OK, None),
    # outside the evidence base
    ("We offer PRP injections for tennis elbow.", OK, None),
    ("Exosome injections regenerate spinal discs.", FLAG, "efficacy"),
    ("Stem cells reverse Parkinson's disease.", FLAG, "efficacy"),
]


@pytest.mark.parametrize(("text", "flag", "category"), CASES)
def test_hard_case(text: str, flag: bool, category: str | None) -> None:
    report = check_text(text)
    flags = report.flags
    assert bool(flags) is flag, [(f.category, f.claim, f.rule) for f in report.findings]
    if flag:
        assert flags[0].category == category, [(f.category, f.claim) for f in flags]


def test_inherited_therapy_from_section_heading() -> None:
    html = """<html><head><title>Harbour Clinic</title></head><body>
    <h2>Bone marrow stem cell injections</h2>
    <p>It regenerates worn discs without surgery.</p>
    <h2>Parking</h2><p>Parking is free.</p></body></html>"""
    f = check_html(html).flags[0]
    assert (f.therapy, f.therapy_source, f.category) == (
        "stem_cell",
        "section",
        "alternative_to_surgery",
    )
    assert "SC-SOURCE-BONE-MARROW-AUTOLOGOUS" in f.evidence


def test_inherited_therapy_from_page_topic() -> None:
    html = """<html><head><title>Stem Cell Therapy | Coast Clinic</title></head><body>
    <h2>Results</h2><p>Relief that lasts for years.</p></body></html>"""
    f = check_html(html).flags[0]
    assert (f.therapy, f.therapy_source, f.category) == ("stem_cell", "page", "duration")


def test_question_heading_then_answer() -> None:
    html = """<h3>Can stem cells heal my spine?</h3><p>Yes - stem cells repair damaged discs.</p>"""
    flags = check_html(html).flags
    assert [f.sentence for f in flags] == ["Yes - stem cells repair damaged discs."]


def test_testimonial_outcome_is_medium() -> None:
    text = "“After my stem cell shot I am pain-free and running again.” — Paul R., Leeds"
    f = check_text(text).flags[0]
    assert f.severity == "medium" and "testimonial" in f.modifiers


def test_staff_praise_testimonial_is_not_a_claim() -> None:
    assert not check_text("“The nurses at the stem cell clinic were lovely.” — Ann, Bath").flags


def test_hedge_lowers_severity_one_step() -> None:
    plain = check_text("Stem cells regenerate discs.").flags[0]
    hedged = check_text("Stem cells may regenerate discs.").flags[0]
    assert (plain.severity, hedged.severity, hedged.hedged) == ("high", "medium", True)


def test_hidden_and_noscript_text_is_checked_and_marked() -> None:
    html = """<div hidden><p>Stem cell injections cure sciatica.</p></div>
    <noscript><p>Stem cells are completely safe.</p></noscript>"""
    flags = check_html(html).flags
    assert [f.hidden for f in flags] == [True, True]


def test_offsets_index_into_the_checked_text() -> None:
    text = "Opening hours: 9-5.\nOur stem cell injections regenerate damaged discs."
    f = check_text(text).flags[0]
    assert text[f.start : f.end] == "Our stem cell injections regenerate damaged discs."
    assert text[f.claim_start : f.claim_end] == "regenerate"


def test_every_flag_cites_evidence_and_references() -> None:
    report = check_text(
        "Stem cell injections are FDA approved and 100% safe. Epidurals give permanent relief."
    )
    for f in report.flags:
        assert f.evidence and f.refs and f.rationale and f.rule


def test_caudal_epidurals_cite_level_iii_evidence() -> None:
    f = check_text("Caudal epidurals give months of relief.").flags[0]
    assert (
        f.verdict == "unsupported" and f.evidence[0] == "ESI-CAUDAL-LEVEL-III" and f.refs == (3, 4)
    )


def test_denied_claim_is_reported_consistent() -> None:
    f = check_text("Stem cell therapy is investigational and not FDA approved.").findings[0]
    assert f.verdict == "consistent" and not f.is_flag


def test_claims_are_spans_on_the_doc() -> None:
    from checker.engine import lexicons
    from checker.engine.claims import Segment, extract_claims
    from checker.engine.nlp import pipeline

    text = "Stem cells are FDA approved. Epidurals give permanent relief."
    doc = pipeline()(text)
    claims = extract_claims(doc, [Segment(0, len(text))], lexicons.load_cached())
    spans = [(s.text, s.label_, s.kb_id_) for s in doc.spans["claims"]]
    assert len(claims) == len(spans)
    assert ("FDA approved", "regulatory", "stem_cell") in spans
    assert ("permanent relief", "duration", "esi") in spans
