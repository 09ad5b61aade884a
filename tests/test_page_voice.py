"""Page-level judgement: who a page speaks for, lists under a claiming lead-in, which therapy a
sentence is about when another care is named in passing, and plain-text layout.

Each case is a small invented page (own wording) with the lines that must be flagged and the
lines that must not; look-alikes sit next to each case so a rule that over-reaches fails.
"""

from __future__ import annotations

import pytest

from checker import check_html, check_text
from checker.engine import lexicons as lexmod
from checker.engine.text import normalise
from checker.engine.voice import OWN, REPORTER, UNKNOWN, page_voice

FLAG = {"contradicts", "unsupported"}


def _flagged_lines(text: str) -> set[str]:
    """The lines of `text` that a flagged finding overlaps."""
    spans = [(f.start, f.end) for f in check_text(text).findings if f.verdict in FLAG]
    out, pos = set(), 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        if line.strip() and any(s < b and e > a for s, e in spans):
            out.add(line.strip())
        pos = b + 1
    return out


NEWS = """Clinics Sell Unproven Stem Cell Shots, Study Finds
By a staff writer
Hundreds of clinics market unproven stem cell treatments for back pain, researchers reported.
Stem cell injections regenerate worn discs and end sciatica for good.
The FDA said such products may put patients at risk, and the agency has issued warning letters.
"We were surprised by how many there are," study co-author Jane Roe told Health News."""

CLINIC = """Stem Cell Therapy for Back Pain
Stem cell injections regenerate worn discs and end sciatica for good.
Our clinic uses your own cells. Call us to schedule a consultation.
Patient testimonials
One study found that stem cell injections reduced disc pain in most patients."""

TRIAL = """Adipose Cells Injected Into the Disc for Chronic Low Back Pain
Inclusion criteria:
- Adults aged 18 to 65
Exclusion criteria:
- Prior spinal fusion
The study injection may regenerate the disc.
Arms of the study: cell injection or saline. Principal investigator: Dr. A. Smith."""

LIST_PAGE = """Regenerative Spine Care
Stem cell therapy can help treat:
- Herniated discs
- Sciatica
- Worn facet joints
Our office is open on:
- Mondays
- Thursdays"""

NEGATED_LIST = """Regenerative Spine Care
Stem cell therapy has not been shown to treat:
- Herniated discs
- Sciatica"""

ESI_BENEFITS = """Epidural Steroid Injections
An epidural steroid injection places steroid medicine near an irritated spinal nerve.
Benefits
- Lets many people avoid the need for back surgery
- Makes it easier to take part in physical therapy
Risks
- A short-lived headache"""

PASSING = """Epidural Steroid Injections
After the epidural steroid injection, physical therapy gives you relief that lasts for years.
Physical therapy gives you relief that lasts for years."""

TITLE_TOPIC = """Caudal Epidural Steroid Injections
The needle goes in just above the tailbone.
You lie face down on a padded table.
The skin is cleaned and numbed first.
A small amount of contrast dye confirms the position.
The medicine is then injected slowly.
Most people go home within the hour.
Someone should drive you home.
Relief typically lasts up to two years."""

BIOLOGY = """Stem Cells Explained
Adult stem cells have the ability to renew the tissue they come from.
Our stem cell injections have the ability to regenerate your damaged discs."""

FAQ_YES = """Stem Cell Therapy FAQ
Is the procedure safe?
Yes, we are confident of that."""

FAQ_NO = """Stem Cell Therapy FAQ
Is the procedure safe?
Every procedure carries some risk, so ask your own doctor."""

CITED = (
    "Regenerative Options for the Spine\n"
    '"Biologic injections may one day repair worn discs and spare patients an operation."'
    " -- A. Writer and B. Author, Journal of Spine Studies, 2022 [2].\n"
    '"My back pain is gone since the stem cell injection!" - Mary K.'
)

CLINIC_CRITIC = """Why Choose a Careful Regenerative Clinic
Many unproven stem cell clinics make promises they cannot keep.
We follow the science, and our bone marrow stem cell injections repair damaged discs.
Call us today to schedule a free consultation."""

HANDLING = """Cord Tissue Vials
The simplest way to thaw a stem cell vial is to hold it in a warm hand.
These stem cells are the most effective way to heal a worn disc."""


BODY_PROCESS = """Bone Marrow Concentrate for Back Pain
Marrow carries proteins that take part in the body's repair and the healing process.
Fibroblast growth factor is a protein that steers how new vessels form.
Such cells also secrete signalling molecules that calm swelling.
Our marrow injections heal the worn disc and end the need for surgery.
These cells secrete proteins that repair your damaged discs."""

PREVALENCE = """Stem Cell Therapy for Back Pain
Roughly 70% of adults will develop back pain at some time in their lives.
Back pain is a leading cause of missed work, affecting about 8% of workers each year.
Stem cell therapy relieves back pain in 85% of our patients.
About 90% of people who have our injection experience relief within a week."""

CONVENTIONAL = """Regenerative Disc Therapy
Pills, steroid shots and surgery often bring only short-term relief for a worn disc.
Current options for back pain tend to give only brief relief and have drawbacks.
Steroid shots ease the ache without actually healing the disc.
Painkillers mask the problem rather than true repair.
Standard options tend to show limited effectiveness in giving long-term relief.
Regenerative disc therapy repairs the disc for lasting relief.
Unlike pills that give only short-term relief, our cell shots regrow the disc."""

REVIEWED = """Dry Needling for Back Pain
Investigators reviewed the published evidence on dry needling to see how effective it is.
The review concluded that proof that needling eases back pain was lacking.
There is a paucity of trial data on regenerative shots for hip pain.
Cell-derived vesicles are being explored as a way of managing joint pain.
Dry needling gives lasting relief from back pain."""

KNOTS = """Trigger Point Injections
Tight knots in back muscles can restrict your range of motion.
Trigger point injections can reduce your pain for good."""

ASIDE_CARE = """Facet joint injections are offered for neck pain at this office.
You may take your usual medications afterwards, but skip them for a few hours.
Others find that the pain is gone for years.
Physical therapy strengthens the neck muscles.
It restores full motion."""

BARE_LEAD_IN = """Stem Cell Therapy for Neck Pain
How Stem Cells Work
Stem cells are drawn from your hip. They work by:
These effects matter most in a worn disc and in the small joints of the neck.
Each visit takes an hour at the clinic. The steps are as follows:
These steps are the same for every patient who comes to see us for care.
Epidural Steroid Injections
The epidural injection aims to:
- Ease swelling around the nerve"""

RISK_PLAYED_DOWN = """Stem Cell Injections for Back Pain
The chance of a problem when we draw the marrow from your pelvis is very small.
Rarely, side effects such as bruising show up where the needle went in.
In most cases these mild effects wear off within a couple of days.
Epidural Steroid Injections for Sciatica
The chance of an infection after the epidural injection is small.
Serious problems from harvesting marrow are reported in the medical literature."""

GENTLER_THAN_SURGERY = """Stem Cell Injections for Back Pain
Our stem cell injections are far less invasive than a spinal operation.
Keyhole disc surgery is less invasive than open fusion surgery."""

ASKED_AS_PROOF = """Stem Cell Therapy for Back Pain
So why would stem cells work so well for this whole group of patients?
Why would someone who hurt for ten years feel relief weeks after starting stem cell therapy?
Why do stem cells draw so much interest from researchers?
Facet Joint Injections
Facet joint injections can be both diagnostic and therapeutic.
Epidural Steroid Injections
An epidural steroid injection can be both diagnostic and therapeutic."""

BRIEF_RELIEF = """Exosome Therapy for Back Pain
Today's options for back pain often give only brief relief and carry drawbacks.
Exosome shots bring relief that lasts for years."""

REGULATOR_NOTE = """Information for Patients About Cell Products
The FDA regulates cell and tissue products sold in this country.
Unapproved cell products are widely sold to cure a long list of illnesses.
Such products require FDA approval before they can be sold to the public.
The FDA has received reports of infections and blindness after these shots."""

CLINIC_NAMES_FDA = """Stem Cell Therapy for Back Pain
The FDA regulates cell products, and our lab follows its rules.
Our stem cell injections cure worn discs."""

CASES = [
    pytest.param(
        NEWS,
        set(),
        {
            "Stem cell injections regenerate worn discs and end sciatica for good.",
            "Hundreds of clinics market unproven stem cell treatments for back pain, researchers"
            " reported.",
        },
        id="news-page-makes-no-claims",
    ),
    pytest.param(
        CLINIC,
        {
            "Stem cell injections regenerate worn discs and end sciatica for good.",
            "One study found that stem cell injections reduced disc pain in most patients.",
        },
        set(),
        id="clinic-page-own-claims-and-relayed-study",
    ),
    pytest.param(
        TRIAL,
        set(),
        {"The study injection may regenerate the disc."},
        id="trial-listing-is-reported",
    ),
    pytest.param(
        LIST_PAGE,
        {"- Herniated discs", "- Sciatica", "- Worn facet joints"},
        {"- Mondays", "- Thursdays", "Our office is open on:"},
        id="claiming-lead-in-passes-to-bullets",
    ),
    pytest.param(
        NEGATED_LIST,
        set(),
        {"- Herniated discs", "- Sciatica"},
        id="negated-lead-in-passes-nothing",
    ),
    pytest.param(
        ESI_BENEFITS,
        {"- Lets many people avoid the need for back surgery"},
        {"- Makes it easier to take part in physical therapy", "- A short-lived headache"},
        id="benefits-heading-bullets",
    ),
    pytest.param(
        PASSING,
        {
            "After the epidural steroid injection, physical therapy gives you relief that lasts for"
            " years."
        },
        {"Physical therapy gives you relief that lasts for years."},
        id="passing-mention-cannot-steal",
    ),
    pytest.param(
        TITLE_TOPIC,
        {"Relief typically lasts up to two years."},
        {"Most people go home within the hour."},
        id="plain-text-title-is-the-topic",
    ),
    pytest.param(
        FAQ_YES, {"Yes, we are confident of that."}, {"Is the procedure safe?"}, id="faq-yes"
    ),
    pytest.param(
        FAQ_NO,
        set(),
        {"Every procedure carries some risk, so ask your own doctor."},
        id="faq-answer-that-does-not-affirm",
    ),
    pytest.param(
        CITED,
        {'"My back pain is gone since the stem cell injection!" - Mary K.'},
        {CITED.split("\n")[1]},
        id="cited-quote-reported-testimonial-kept",
    ),
    pytest.param(
        CLINIC_CRITIC,
        {"We follow the science, and our bone marrow stem cell injections repair damaged discs."},
        set(),
        id="clinic-that-criticises-others-still-speaks-for-itself",
    ),
    pytest.param(
        HANDLING,
        {"These stem cells are the most effective way to heal a worn disc."},
        {"The simplest way to thaw a stem cell vial is to hold it in a warm hand."},
        id="handling-instructions-are-not-efficacy",
    ),
    pytest.param(
        "Facet Joint Injections for Neck Pain\nTrigger Point Injections for Back Pain\n"
        "Epidural Steroid Injections for Sciatica\nFacet Joint Injections Explained",
        {"Facet Joint Injections for Neck Pain", "Trigger Point Injections for Back Pain"},
        {"Epidural Steroid Injections for Sciatica", "Facet Joint Injections Explained"},
        id="service-headings-for-injections-without-a-role",
    ),
    pytest.param(
        BIOLOGY,
        {"Our stem cell injections have the ability to regenerate your damaged discs."},
        {"Adult stem cells have the ability to renew the tissue they come from."},
        id="generic-biology-versus-treatment-claim",
    ),
    pytest.param(
        REGULATOR_NOTE,
        set(),
        {"Unapproved cell products are widely sold to cure a long list of illnesses."},
        id="a-regulator-describing-its-role-speaks-as-a-reporter",
    ),
    pytest.param(
        CLINIC_NAMES_FDA,
        {"Our stem cell injections cure worn discs."},
        set(),
        id="a-clinic-naming-the-regulator-once-still-speaks-for-itself",
    ),
    pytest.param(
        BRIEF_RELIEF,
        {"Exosome shots bring relief that lasts for years."},
        {"Today's options for back pain often give only brief relief and carry drawbacks."},
        id="only-brief-relief-said-of-other-care",
    ),
    pytest.param(
        ASKED_AS_PROOF,
        {
            "So why would stem cells work so well for this whole group of patients?",
            "Why would someone who hurt for ten years feel relief weeks after starting stem cell"
            " therapy?",
            "Facet joint injections can be both diagnostic and therapeutic.",
        },
        {
            "Why do stem cells draw so much interest from researchers?",
            "An epidural steroid injection can be both diagnostic and therapeutic.",
        },
        id="a-question-that-takes-success-for-granted-and-a-test-that-also-treats",
    ),
    pytest.param(
        GENTLER_THAN_SURGERY,
        {"Our stem cell injections are far less invasive than a spinal operation."},
        {"Keyhole disc surgery is less invasive than open fusion surgery."},
        id="an-injection-set-beside-surgery-as-the-gentler-choice",
    ),
    pytest.param(
        RISK_PLAYED_DOWN,
        {
            "The chance of a problem when we draw the marrow from your pelvis is very small.",
            "Rarely, side effects such as bruising show up where the needle went in.",
            "In most cases these mild effects wear off within a couple of days.",
        },
        {
            "The chance of an infection after the epidural injection is small.",
            "Serious problems from harvesting marrow are reported in the medical literature.",
        },
        id="risk-played-down-for-stem-cells-versus-an-established-injection",
    ),
    pytest.param(
        BARE_LEAD_IN,
        {"Stem cells are drawn from your hip. They work by:"},
        {
            "Each visit takes an hour at the clinic. The steps are as follows:",
            "The epidural injection aims to:",
            "- Ease swelling around the nerve",
        },
        id="a-bare-lead-in-makes-its-own-claim",
    ),
    pytest.param(
        ASIDE_CARE,
        {"Others find that the pain is gone for years."},
        {"It restores full motion."},
        id="care-named-in-passing-is-not-what-follows-is-about",
    ),
    pytest.param(
        BODY_PROCESS,
        {
            "Our marrow injections heal the worn disc and end the need for surgery.",
            "These cells secrete proteins that repair your damaged discs.",
        },
        {
            "Marrow carries proteins that take part in the body's repair and the healing process.",
            "Fibroblast growth factor is a protein that steers how new vessels form.",
            "Such cells also secrete signalling molecules that calm swelling.",
        },
        id="body-healing-biology-versus-treatment-claim",
    ),
    pytest.param(
        PREVALENCE,
        {
            "Stem cell therapy relieves back pain in 85% of our patients.",
            "About 90% of people who have our injection experience relief within a week.",
        },
        {
            "Roughly 70% of adults will develop back pain at some time in their lives.",
            "Back pain is a leading cause of missed work, affecting about 8% of workers each year.",
        },
        id="how-common-a-condition-is-is-not-a-success-rate",
    ),
    pytest.param(
        CONVENTIONAL,
        {
            "Regenerative disc therapy repairs the disc for lasting relief.",
            "Unlike pills that give only short-term relief, our cell shots regrow the disc.",
        },
        {
            "Pills, steroid shots and surgery often bring only short-term relief for a worn disc.",
            "Current options for back pain tend to give only brief relief and have drawbacks.",
            "Steroid shots ease the ache without actually healing the disc.",
            "Painkillers mask the problem rather than true repair.",
            "Standard options tend to show limited effectiveness in giving long-term relief.",
        },
        id="weak-effect-of-other-care-is-not-a-claim",
    ),
    pytest.param(
        REVIEWED,
        {"Dry needling gives lasting relief from back pain."},
        {
            "Investigators reviewed the published evidence on dry needling to see how effective"
            " it is.",
            "The review concluded that proof that needling eases back pain was lacking.",
            "There is a paucity of trial data on regenerative shots for hip pain.",
            "Cell-derived vesicles are being explored as a way of managing joint pain.",
        },
        id="evidence-reviewed-or-lacking-is-not-a-claim",
    ),
    pytest.param(
        KNOTS,
        {"Trigger point injections can reduce your pain for good."},
        {"Tight knots in back muscles can restrict your range of motion."},
        id="harm-a-condition-does-is-not-a-benefit",
    ),
]


@pytest.mark.parametrize(("page", "flagged", "not_flagged"), CASES)
def test_page_lines(page: str, flagged: set[str], not_flagged: set[str]) -> None:
    got = _flagged_lines(page)
    assert flagged <= got, f"missed: {flagged - got}"
    assert not (not_flagged & got), f"flagged: {not_flagged & got}"


def test_a_lone_relayed_study_is_reported() -> None:
    """With no page around it, a study relayed as a finding is taken as reported."""
    assert not _flagged_lines("One study found that stem cell injections reduced disc pain.")


@pytest.mark.parametrize(
    ("page", "kind"),
    [(NEWS, REPORTER), (TRIAL, REPORTER), (CLINIC, OWN), ("Stem cells repair discs.", UNKNOWN)],
)
def test_voice_kind(page: str, kind: str) -> None:
    assert page_voice(normalise(page), lexmod.load_cached()).kind == kind


def test_voice_rules_are_validated(tmp_path) -> None:
    """A page-voice cue of an unknown kind is named with its file and entry."""
    import shutil

    pack = tmp_path / "pack"
    shutil.copytree(lexmod.default_directory(), pack)
    mods = pack / "modifiers.yaml"
    mods.write_text(
        mods.read_text(encoding="utf-8").replace("kind: reporter", "kind: narrator", 1),
        encoding="utf-8",
    )
    with pytest.raises(lexmod.LexiconError) as err:
        lexmod.load(pack)
    assert "modifiers.yaml" in str(err.value) and "page_voice.cues[0]" in str(err.value)


def _flagged_blocks_html(html: str) -> set[str]:
    report = check_html(html)
    spans = [(f.start, f.end) for f in report.findings if f.verdict in FLAG]
    out, pos = set(), 0
    for line in report.text.split("\n"):
        a, b = pos, pos + len(line)
        if line.strip() and any(s < b and e > a for s, e in spans):
            out.add(line.strip())
        pos = b + 1
    return out


LIST_HTML = """<html><head><title>Regenerative Spine Care | A Clinic</title></head><body>
<h1>Regenerative Spine Care</h1>
<h2>What our cells can do</h2>
<p>Stem cell therapy can help treat:</p>
<ul><li>Herniated discs</li><li>Sciatica</li></ul>
<h2>Opening hours</h2>
<p>The front desk is staffed on:</p>
<ul><li>Mondays</li><li>Fridays</li></ul>
</body></html>"""

NEWS_HTML = """<html><head><title>Clinics selling unproven stem cell shots</title></head><body>
<h1>Clinics selling unproven stem cell shots draw warning letters</h1>
<p class="byline">By a staff writer</p>
<p>Stem cell injections regrow spinal discs, one brochure said.</p>
<p>"It is hype," said Dr. Sam Lee, a spine surgeon. The FDA has issued warning letters.</p>
<p>Patients spent $9,000 on unproven stem cell treatments for back pain.</p>
</body></html>"""


def test_html_list_items_take_the_lead_in_claim() -> None:
    got = _flagged_blocks_html(LIST_HTML)
    assert {"Herniated discs", "Sciatica"} <= got
    assert not ({"Mondays", "Fridays"} & got)


def test_html_news_page_makes_no_claims() -> None:
    assert _flagged_blocks_html(NEWS_HTML) == set()
