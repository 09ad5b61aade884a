"""How real pages word claims: predicate classes and the cues built on them.

Table-driven, in our own words (never text copied from the real-text set). Each row is a
sentence, optional preceding context (a heading or the sentence that names the therapy), the
expected outcome (a category for a flag, "ok" for none) and why. The ok rows are look-alikes
(disclaimers, news reports, biology, accurate statements) so that a cue that over-reaches fails.
"""

from __future__ import annotations

import pytest

from checker import check_text
from checker.engine import lexicons as lexmod
from checker.engine.predicates import PredicateError, class_forms, expand, inflect, plural

FLAG = ("contradicts", "unsupported")

# (text, context, expected category or "ok")
ROWS: list[tuple[str, str, str]] = [
    # -- relief verbs as a class: every inflection, one rule
    ("Our stem cell injections soothe aching discs and ease sciatica.", "", "efficacy"),
    ("Patients tell us the bone marrow concentrate eased their neck stiffness.", "", "efficacy"),
    ("Umbilical cord cells are alleviating chronic back pain for our clients.", "", "efficacy"),
    ("This disease is common in older adults.", "Stem cell therapy", "ok"),
    # -- improvement and help
    ("Adipose stem cells boost mobility in worn lumbar joints.", "", "efficacy"),
    ("Stem cell therapy may help you get back to the garden this spring.", "", "efficacy"),
    ("Our coordinators can help you schedule a stem cell consultation.", "", "ok"),
    ("Stem cells are an option for people with degenerative disc disease.", "", "efficacy"),
    ("We use Wharton's jelly to treat sciatica and disc tears.", "", "efficacy"),
    ("Stem cell injections address the underlying cause of your back pain.", "", "efficacy"),
    # -- rhetorical questions that assert, and questions that only ask
    ("Did you know stem cells can rebuild a worn spinal disc?", "", "efficacy"),
    ("Can stem cells help my back?", "", "ok"),
    # a question that presupposes the benefit asserts it
    ("How soon will I see results from stem cell therapy?", "", "efficacy"),
    ("How is the stem cell sample drawn from the hip?", "", "ok"),
    ("Is the stem cell procedure safe?\n\nYes, absolutely.", "", "safety"),
    # -- regulatory evasion and compliance framings
    ("Our stem cell products are FDA compliant.", "", "regulatory"),
    ("The FDA neither approves nor denies our stem cell procedure.", "", "regulatory"),
    (
        "Our cord tissue allografts are 361 exempt products, so no approval is required.",
        "",
        "regulatory",
    ),
    ("Our stem cell laboratory has met all the formal regulatory requirements.", "", "regulatory"),
    ("Stem cell therapy for back pain is not FDA approved.", "", "ok"),
    ("The trial was approved by an institutional review board.", "A stem cell study", "ok"),
    # -- success told by proportions and failures
    ("The vast majority of our stem cell patients feel a real difference.", "", "success_rate"),
    (
        "Only three of our 200 stem cell patients went on to need spinal surgery.",
        "",
        "success_rate",
    ),
    (
        "Most people who have epidural steroid injections report significant pain relief.",
        "",
        "success_rate",
    ),
    ("Most people with sudden back pain recover within a few weeks without treatment.", "", "ok"),
    # -- research-flavoured puffery
    ("A growing body of research supports stem cell therapy for disc pain.", "", "evidence"),
    (
        "Studies have shown encouraging results with bone marrow concentrate for back pain.",
        "",
        "evidence",
    ),
    ("There is little evidence that stem cells regenerate spinal discs.", "", "ok"),
    ("Laboratory studies in mice have been encouraging for stem cells.", "", "ok"),
    # -- everyday testimonials
    ("After my stem cell injection I can walk my dog again.", "", "efficacy"),
    ("My back pain is completely gone since the amniotic injection.", "", "efficacy"),
    ("Stem cells made a huge difference, I feel like a new person.", "", "efficacy"),
    # -- safety in everyday words
    ("Stem cell injections carry minimal side effects and little to no downtime.", "", "safety"),
    ("The mesenchymal cell procedure is painless and very comfortable.", "", "safety"),
    ("Epidural steroid injections carry no risk of complications.", "", "safety"),
    ("An epidural steroid injection is a safe, well-tolerated outpatient procedure.", "", "ok"),
    # -- surgery delayed or avoided
    (
        "Epidural steroid injections may delay or avoid the need for spine surgery.",
        "",
        "alternative_to_surgery",
    ),
    ("Stem cells can reduce the need for a lumbar fusion.", "", "alternative_to_surgery"),
    ("Many people are desperate to avoid surgery for back pain.", "Stem cell therapy", "ok"),
    (
        "Some doctors have started experimenting with stem cells to try to heal discs.",
        "",
        "ok",
    ),
    # -- durations
    (
        "Epidural steroid injections give relief that lasts for weeks, or even months.",
        "",
        "duration",
    ),
    ("Radiofrequency ablation relief lasts between nine and fifteen months.", "", "duration"),
    ("Epidural steroid injections can give relief for a few weeks.", "", "ok"),
    ("Radiofrequency ablation relief usually lasts from three to six months.", "", "ok"),
    # -- standard of care and promises to the reader
    (
        "Stem cell therapy has revolutionized the care of damaged spinal discs.",
        "",
        "standard_of_care",
    ),
    ("After an epidural steroid injection, you will notice much less pain.", "", "efficacy"),
    ("Epidural steroid injections can help relieve leg pain for a few weeks.", "", "ok"),
    (
        "This injection relieves the leg pain that a trapped nerve causes.",
        "Epidural injections",
        "efficacy",
    ),
    (
        "This injection relieves pain by reducing swelling around the nerve root.",
        "Epidural injections",
        "ok",
    ),
    ("We use bone marrow cells combined with PRP to rebuild worn discs.", "", "efficacy"),
    ("An epidural steroid injection is a common outpatient procedure.", "", "ok"),
    ("Stem cell therapy is now a common treatment for worn discs.", "", "standard_of_care"),
    ("Stem Cell Therapy for Herniated Discs Explained", "", "ok"),
    ("Stem Cell Therapy for Herniated Discs", "", "offer"),
    # -- diagnostic blocks
    ("Medial branch blocks diagnose and treat facet joint pain.", "", "efficacy"),
    ("Medial branch blocks help your doctor find the source of your pain.", "", "ok"),
    # -- a therapy described, not named
    (
        "Steroid is injected into the facet joints and gives months of relief.",
        "",
        "duration",
    ),
    (
        "If your pain improves after the facet joint is injected, the joint is the source.",
        "",
        "ok",
    ),
    # -- reported speech, biology and notices stay ok
    ("Mesenchymal stem cells possess the capacity to rebuild the tissue they reside in.", "", "ok"),
    ("Effective 1 March, we no longer offer stem cell injections.", "", "ok"),
    ("Stem cell clinics claim their injections cure back pain.", "", "ok"),
    ("The complaint says the doctor allegedly sold stem cells as a cure for sciatica.", "", "ok"),
    ("They promise that stem cells rebuild discs, but the evidence is thin.", "", "ok"),
    ("In a small pilot, Smith et al. found that stem cells repaired discs.", "", "ok"),
    ("Studies have shown that we can turn stem cells into cartilage cells.", "", "ok"),
    ("Products that use stem cells must be proven safe and effective in trials.", "", "ok"),
    # -- round 2: ways of wording met across many sites
    # efficacy named as shown
    (
        "Our audit gives early evidence of the safety and efficacy of cord cells.",
        "Stem cells",
        "evidence",
    ),
    ("Patient stories confirm the effectiveness of our adipose cell protocol.", "", "evidence"),
    ("There is no evidence yet that proves the efficacy of stem cell shots.", "", "ok"),
    ("Trials are needed to establish the efficacy of stem cell injections.", "", "ok"),
    ("Placental tissue has been shown to hold several healing proteins.", "", "evidence"),
    # it works
    ("Honestly, these stem cell shots work really well for worn discs.", "", "efficacy"),
    ("After a week the umbilical cord cells are starting to work on the disc.", "", "efficacy"),
    ("Mesenchymal cells have clinical applications for multiple sclerosis.", "", "efficacy"),
    ("Stem cell therapy is an avenue worth considering for arthritic hips.", "", "efficacy"),
    ("Relief from our MSC shots lasts much longer than a cortisone shot.", "", "efficacy"),
    ("Adipose cells open a new door to treating worn knees.", "", "efficacy"),
    ("Doctors describe stem cells as a treatment for pain in the lower back.", "", "efficacy"),
    # presupposing wh-questions
    ("How do bone marrow cells rebuild a worn disc?", "", "efficacy"),
    ("How does PRP repair damaged facet joints?", "", "efficacy"),
    ("How is PRP prepared in the lab?", "", "ok"),
    # surgery avoided: replacements and needs prevented
    (
        "Cord cell injections prevent the need for a total knee replacement.",
        "",
        "alternative_to_surgery",
    ),
    ("With MSCs, hip replacement may become unnecessary.", "", "alternative_to_surgery"),
    # clean records and worse-off framings
    ("In ten years we have never seen one case of infection after stem cell shots.", "", "safety"),
    (
        "The cells are immunologically privileged, so rejection is not an issue.",
        "Stem cells",
        "safety",
    ),
    (
        "Our lab uses sterile rooms, so there is no possibility of bacterial contamination.",
        "Stem cell therapy",
        "safety",
    ),
    ("With stem cells you can never be worse off than before the shot.", "", "safety"),
    # approval framings
    (
        "Our adipose stem cell programme holds an approval issued by the health ministry.",
        "",
        "regulatory",
    ),
    ("Our stem cell lab follows the rules of the FDA for tissue banks.", "", "regulatory"),
    (
        "Cord tissue is not regulated as a drug, so our stem cell shots are available now.",
        "",
        "regulatory",
    ),
    ("Our stem cell trial is IRB-approved and recruiting.", "", "ok"),
    # people helped, counted
    ("Our stem cell team has helped thousands of patients with back pain.", "", "success_rate"),
    # durations told other ways
    ("Radiofrequency ablation gives relief of 9-14 months.", "", "duration"),
    ("The benefit of the epidural can continue for a year or more.", "", "duration"),
    ("Radiofrequency ablation gives pain control from a few months to two years.", "", "duration"),
    ("Radiofrequency ablation gives relief of about 4 months.", "", "ok"),
    # open-ended times and blocks called therapeutic
    ("Radiofrequency ablation relief can last 6 months or longer.", "", "duration"),
    ("Radiofrequency ablation relief can last about 5 months.", "", "ok"),
    ("A facet joint injection is diagnostic as well as therapeutic.", "", "efficacy"),
    ("A medial branch block is a diagnostic test.", "", "ok"),
    # laboratory work, research into a potential, relative durations, unproven so far
    ("Work in rodent models hints that stem cells might rebuild worn cartilage.", "", "ok"),
    ("Scientists are assessing the potential of cord cells to repair spinal discs.", "", "ok"),
    ("Umbilical cells have the potential to renew, replace and rebuild cells.", "", "ok"),
    ("Uses of stem cells for back pain remain to be proven in trials.", "", "ok"),
    ("Keep your expectations of stem cells grounded in evidence.", "", "ok"),
    ("Ablation gives longer-lasting pain relief than a nerve block.", "", "ok"),
    ("About 40% of patients get temporary relief from an epidural steroid injection.", "", "ok"),
    ("About 90% of our patients get lasting relief from stem cell shots.", "", "success_rate"),
    # spinal PRP and MSC abbreviations
    ("Epidural PRP injections work well to settle the pain.", "", "efficacy"),
    ("Intradiscal cBMA shots may ease disc pain.", "", "efficacy"),
    ("Dry needles placed in the lower back muscles are proven to relieve pain.", "", "evidence"),
    # scare quotes after a modal are use, a quoted term is mention
    ('With your own cells we can "repair" a worn disc.', "Stem cells", "efficacy"),
    ('Beware of stem cell sellers using words like "repair" in their ads.', "", "ok"),
    # -- injections into the disc: outside the evidence base, benefit claims are unsupported
    ("Disc injections are used to treat bulging and torn discs.", "", "efficacy"),
    (
        "Injecting the disc can restore movement and spare you an operation.",
        "",
        "alternative_to_surgery",
    ),
    ("A disc injection takes about forty minutes.", "", "ok"),
    # -- wh-questions that take the treating for granted, and those that only ask
    ("Which spine problems can stem cell therapy treat?", "", "efficacy"),
    ("What conditions are treated with umbilical cord cells?", "", "efficacy"),
    ("What conditions can stem cells really treat?", "", "ok"),
    ("What conditions do you treat?", "Stem cell therapy", "ok"),
    # -- being a treatment for a condition, and adoption by the profession
    ("Bone marrow concentrate is an advanced treatment for worn spinal discs.", "", "efficacy"),
    ("Stem cell therapy is an unproven treatment for back pain.", "", "ok"),
    ("Facet joint injections are a frequent treatment for chronic neck pain.", "", "efficacy"),
    ("Facet joint injections are the most common spinal procedure in the region.", "", "ok"),
    (
        "Spine surgeons and pain doctors are increasingly turning to fat-derived stem cells.",
        "",
        "standard_of_care",
    ),
    (
        "This new approach changes the treatment paradigm: stem cell therapy.",
        "",
        "standard_of_care",
    ),
    # a tool for a condition is a claim; a tool of a field is biology's promise
    (
        "Cord cells are a powerful tool for spinal and joint conditions.",
        "",
        "efficacy",
    ),
    ("Stem cells are a powerful tool in regenerative medicine research.", "", "ok"),
    # -- the approach said to rest on evidence; the page's own study offered as proof
    ("Our approach is firmly rooted in clinical evidence.", "Stem cell therapy", "evidence"),
    (
        "Our results are excellent, as shown by our own outcome data.",
        "Stem cell therapy",
        "evidence",
    ),
    # -- safety played up, a needle procedure called non-invasive
    ("Harvesting the bone marrow cells is non-invasive and quick.", "", "safety"),
    ("Pulsed radiofrequency adds no extra side effects.", "", "safety"),
    # -- the ablation told by how it works
    (
        "Radio waves heat the nerve so that relief lasts from six months to two years.",
        "",
        "duration",
    ),
    # -- plural nouns from the class: "backaches"
    ("Our stem cell therapy is unmatched in treating backaches.", "", "efficacy"),
    # -- conflation: an established injection given with a cell or platelet product
    ("Nowadays epidural injections are performed with biologics such as PRP.", "", "conflation"),
    ("Epidural steroid injections are performed with a local anaesthetic.", "", "ok"),
    # -- a reporter relaying sellers' claims
    (
        "Regulators acted over claims on its website that its fat cells can treat arthritis.",
        "",
        "ok",
    ),
    ("Purveyors claim the shots can heal worn discs.", "", "ok"),
    # -- precision: a pain score is no success rate; approval awaited is no approval
    (
        "Adults with back pain rated at least 6 out of 10 will receive one stem cell injection.",
        "",
        "ok",
    ),
    ("The minister will suspend stem cell treatments until they are authorised.", "", "ok"),
    ("Caudal epidurals are widely used for sciatica.", "", "ok"),
    # -- what a disease was once thought to be does not distance the claim
    (
        "Stem cell therapy is now increasingly used for diseases once supposed to be incurable.",
        "",
        "standard_of_care",
    ),
    # -- mechanisms that take the effect for granted; credit given by patients
    (
        "Their healing effects are mostly due to the signals the cells release.",
        "Mesenchymal stem cells",
        "efficacy",
    ),
    (
        "Runners credit our bone marrow cell treatment for letting them race again.",
        "",
        "efficacy",
    ),
    ("Research: dry needling works best alongside exercise for low back pain.", "", "efficacy"),
    # a cited conclusion stays the authors' ("Lu et al., in their study, conclude, ...")
    (
        'Park et al., in a small series, conclude, "cord cells have been shown to rebuild discs."',
        "",
        "ok",
    ),
    ("Why put up with sciatica when a quick epidural can end it?", "", "efficacy"),
    ("What if a simple epidural could help ease your back pain for a few weeks?", "", "ok"),
    (
        "Possible complications include failure to relieve the pain and, rarely, infection.",
        "Facet joint injection",
        "ok",
    ),
]


def _outcome(text: str, context: str) -> str:
    prefix = context + "\n\n" if context else ""
    lo = len(prefix)
    flags = [f for f in check_text(prefix + text).findings if f.verdict in FLAG and f.end > lo]
    return flags[0].category if flags else "ok"


@pytest.mark.parametrize(("text", "context", "expected"), ROWS, ids=[r[0][:40] for r in ROWS])
def test_real_wording(text: str, context: str, expected: str) -> None:
    assert _outcome(text, context) == expected


@pytest.mark.parametrize(
    ("lemma", "forms"),
    [
        ("ease", {"ease", "eases", "eased", "easing"}),
        ("soothe", {"soothe", "soothes", "soothed", "soothing"}),
        ("remedy", {"remedy", "remedies", "remedied", "remedying"}),
        ("stop", {"stop", "stops", "stopped", "stopping"}),
        ("fix", {"fix", "fixes", "fixed", "fixing"}),
        ("rebuild", {"rebuild", "rebuilds", "rebuilt", "rebuilding"}),
        (
            "get rid of",
            {"get rid of", "gets rid of", "got rid of", "gotten rid of", "getting rid of"},
        ),
    ],
)
def test_inflection(lemma: str, forms: set[str]) -> None:
    assert inflect(lemma) == forms


@pytest.mark.parametrize(
    ("noun", "form"),
    [("backache", "backaches"), ("spasm", "spasms"), ("flare-up", "flare-ups"),
     ("neck ache", "neck aches"), ("injury", "injuries"), ("stitch", "stitches")],
)
def test_plural(noun: str, form: str) -> None:
    assert plural(noun) == form


def test_nouns_in_a_class_match_both_numbers() -> None:
    import re

    rx = re.compile(r"\b" + class_forms([], [], ["backache"]) + r"\b")
    assert rx.search("two backaches") and rx.search("one backache") and not rx.search("backached")


def test_class_matches_whole_words_only() -> None:
    """A class is whole words: "ease" must not fire inside "disease"."""
    import re

    rx = re.compile(r"\b" + class_forms(["ease"], []) + r"\b")
    assert rx.search("it eased the pain") and not rx.search("a common disease")


def test_expand_leaves_regex_counts_alone() -> None:
    assert expand(r"(?:\w+ ){0,2}{XY}", {"XY": "(?:a|b)"}) == r"(?:\w+ ){0,2}(?:a|b)"


def test_unknown_class_is_named(tmp_path) -> None:
    with pytest.raises(PredicateError, match="NOPE"):
        expand("{NOPE}", {})


def test_loader_names_file_and_entry_for_a_bad_class(tmp_path) -> None:
    src = lexmod.default_directory()
    for name in (*lexmod.FILES, lexmod.EVIDENCE_DOCUMENT):
        (tmp_path / name).write_bytes((src / name).read_bytes())
    claims = (tmp_path / "claims.yaml").read_text(encoding="utf-8")
    (tmp_path / "claims.yaml").write_text(
        claims.replace("{RELIEVE} (?:", "{RELIEVES} (?:", 1), encoding="utf-8"
    )
    with pytest.raises(lexmod.LexiconError, match=r"claims\.yaml.*efficacy\.predicates.*RELIEVES"):
        lexmod.load(tmp_path)


def test_plain_text_page_topic_is_its_leading_therapy() -> None:
    """An FAQ that names its stem cells only further down is still about them: a claim above
    the first mention takes the therapy most of the page talks about."""
    page = (
        "Questions we hear\n"
        "Nearly all patients notice real improvement within a week.\n"
        "Where do the stem cells come from?\n"
        "Our stem cells come from donated cord tissue.\n"
        "How are the stem cells stored?\n"
        "The stem cells are frozen until the day of treatment."
    )
    flags = check_text(page).flags
    assert [f.therapy for f in flags][:1] == ["stem_cell"]
    assert flags[0].sentence.startswith("Nearly all patients")


def test_no_leading_therapy_no_topic() -> None:
    page = (
        "Nearly all patients notice real improvement within a week.\n"
        "Stem cells and epidural injections are both discussed below.\n"
        "Epidural injections are given under x-ray guidance."
    )
    assert not check_text(page).flags


def test_a_therapy_inside_a_benefit_cue_is_still_the_subject() -> None:
    """ "We use stem cells to treat ..." names the subject inside the cue; the next sentence
    inherits it (a therapy inside a dismissing cue, "no physical therapy", does not)."""
    page = (
        "We use stem cells to treat worn discs.\n"
        "Most patients enjoy significant improvement within weeks."
    )
    flags = check_text(page).flags
    assert len(flags) == 2 and {f.therapy for f in flags} == {"stem_cell"}


def test_limited_relief_said_of_established_care_is_no_stem_cell_claim() -> None:
    """A hospital aside about established injections ("limited, mostly short-term relief")
    under a stem cell heading does not become a stem cell benefit claim."""
    page = (
        "Stem cell injections for back pain\n"
        "Such injections are one part of care, and even the usual ones bring limited, "
        "largely short-term relief.\n"
    )
    flagged = [f.sentence for f in check_text(page).flags]
    assert not [s for s in flagged if "relief" in s], flagged  # the heading is an offer
    assert check_text("Our stem cell injections bring lasting relief.").flags


def _flagged_lines(page: str) -> list[str]:
    report = check_text(page)
    return sorted({page[f.start : f.end].strip() for f in report.findings if f.verdict in FLAG})


def test_a_bare_lead_in_makes_the_claim_its_items_make() -> None:
    """"The aim is to:" above a list of benefits is itself part of the claim (policy: a lead-in
    that claims is flagged with its bullets)."""
    page = (
        "Our clinic injects mesenchymal stem cells into worn discs.\n"
        "The aim is to:\n"
        "- Rebuild the disc\n"
        "- Calm the inflammation\n"
    )
    lines = _flagged_lines(page)
    assert {"The aim is to:", "- Rebuild the disc", "- Calm the inflammation"} <= set(lines)


def test_a_continuing_lead_in_carries_the_sentence_before_it() -> None:
    """"These include:" goes on with the claim just made, and passes it to the list."""
    page = (
        "Adipose stem cell therapy can help many back problems. These include:\n"
        "- Worn discs\n"
        "- Facet arthritis\n"
    )
    lines = _flagged_lines(page)
    assert "These include:" in lines and "- Worn discs" in lines and "- Facet arthritis" in lines


def test_a_continuing_lead_in_after_a_neutral_sentence_claims_nothing() -> None:
    page = (
        "Stem cells are drawn from the hip in a short procedure. The steps include:\n"
        "- A numbing injection\n"
        "- A small needle\n"
    )
    assert _flagged_lines(page) == []
