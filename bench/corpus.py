"""A deterministic corpus of clinic-like pages with claim sentences planted at known places.

    pages = generate(out_dir, n_pages=2000, seed=1)   # writes page-00000.html ... + planted.jsonl

Every page is 20-80 KB of HTML in the shape of a real clinic site: head with meta tags, inline
styles and scripts, a navigation bar with many links, a hero banner, content sections with
paragraphs and bullets, an FAQ, testimonials and a long footer. Most sentences are not claims
(opening hours, staff bios, prices without conditions, accurate statements, disclaimers); a few
claim sentences (2-8 per page, about 2-4% of sentences) are generated from templates (therapy x
claim type) and planted in the hero, paragraphs, bullets or FAQ answers. Each planted claim is
recorded in planted.jsonl as {page, file, text, where, template, therapy, category}.

The same seed gives the same bytes: every page draws from its own `random.Random(f"{seed}:{i}")`.
"""

from __future__ import annotations

import html as htmlmod
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

MIN_BYTES, MAX_BYTES = 20 * 1024, 80 * 1024

# ------------------------------------------------------------------------------ claim templates
# Each template: (id, therapy, category, text with slots). Slots are filled from SLOTS.
STEM_ALIASES = ["stem cell", "mesenchymal stem cell", "umbilical cord stem cell",
                "bone marrow concentrate", "adipose-derived stem cell", "Wharton's jelly",
                "amniotic stem cell", "BMAC"]
SLOTS = {
    "stem": STEM_ALIASES,
    "regen": ["regenerate", "repair", "rebuild", "restore", "heal"],
    "disc": ["damaged discs", "degenerated discs", "your worn spinal discs", "herniated discs",
             "the damaged disc tissue", "the cartilage in your spine"],
    "cond": ["back pain", "sciatica", "degenerative disc disease", "neck pain",
             "spinal stenosis", "a herniated disc"],
    "pct": ["85", "90", "92", "94", "95", "97", "98"],
    "esi": ["epidural steroid injection", "cortisone injection", "epidural injection",
            "caudal epidural"],
    "long": ["permanent relief", "relief that lasts for years", "lasting relief for good",
             "pain relief that lasts for up to 5 years"],
    "rfa": ["Radiofrequency ablation", "RFA", "Radiofrequency neurotomy", "Facet rhizotomy"],
    "years": ["3 years", "5 years", "a decade", "two years"],
    "reg": ["FDA-approved", "FDA-cleared", "approved by the FDA", "approved by the MHRA"],
    "exo": ["Exosome therapy", "Our exosome treatment", "Secretome therapy"],
}
CLAIM_TEMPLATES: list[tuple[str, str, str, str]] = [
    ("sc_regen", "stem_cell", "efficacy", "Our {stem} injections {regen} {disc}."),
    ("sc_regen2", "stem_cell", "efficacy",
     "With {stem} therapy your body can {regen} {disc} naturally."),
    ("sc_safe", "stem_cell", "safety",
     "{stem} treatment for {cond} is completely safe with no side effects."),
    ("sc_safe2", "stem_cell", "safety",
     "Because we use your own cells, {stem} injections carry zero risk of complications."),
    ("sc_fda", "stem_cell", "regulatory", "Our {stem} treatment for {cond} is {reg}."),
    ("sc_rate", "stem_cell", "success_rate",
     "{pct}% of our patients report major improvement after {stem} therapy for {cond}."),
    ("sc_rate2", "stem_cell", "success_rate",
     "Our {stem} programme has a {pct}% success rate for {cond}."),
    ("sc_surgery", "stem_cell", "alternative_to_surgery",
     "{stem} injections let you avoid spinal fusion surgery for {cond}."),
    ("sc_guarantee", "stem_cell", "guarantee",
     "We guarantee results from {stem} therapy or your money back."),
    ("sc_duration", "stem_cell", "duration",
     "A single {stem} injection gives {long} from {cond}."),
    ("sc_proven", "stem_cell", "evidence",
     "{stem} therapy is clinically proven to treat {cond}."),
    ("esi_perm", "esi", "duration", "A single {esi} provides {long} from {cond}."),
    ("esi_years", "esi", "duration",
     "Relief from one {esi} lasts for {years} in most patients."),
    ("esi_cure", "esi", "efficacy", "An {esi} can cure {cond} for good."),
    ("rfa_years", "medial_branch_ablation", "duration",
     "{rfa} gives pain relief that lasts for {years}."),
    ("rfa_perm", "medial_branch_ablation", "duration",
     "{rfa} provides permanent relief from facet joint pain."),
    ("exo_repair", "exosome", "efficacy", "{exo} repairs {disc}."),
    ("facet_cure", "facet_intraarticular", "efficacy",
     "Facet joint injections heal arthritic facet joints and stop the pain."),
]

# ------------------------------------------------------------------------------ filler
FIRST = ["Sarah", "James", "Priya", "Daniel", "Elena", "Michael", "Aisha", "Thomas", "Laura",
         "Kenji", "Olivia", "Marcus", "Hannah", "David", "Fatima", "Robert"]
LAST = ["Patel", "Nguyen", "Smith", "Okafor", "Hughes", "Kowalski", "Fernandez", "Clarke",
        "Brennan", "Ito", "Murphy", "Schmidt", "Haddad", "Rossi"]
CITIES = ["Leeds", "Austin", "Denver", "Bristol", "Phoenix", "Manchester", "Tampa", "Portland",
          "Nashville", "Glasgow", "San Diego", "Columbus"]
STREETS = ["Oak", "Maple", "High", "Market", "Station", "Park", "Church", "Mill", "Elm", "King"]
UNIS = ["the University of Leeds", "Johns Hopkins", "King's College London", "UCLA",
        "the University of Michigan", "Trinity College Dublin", "Baylor College of Medicine"]
HOBBIES = ["cycling", "gardening", "sailing", "running half marathons", "playing the cello",
           "hiking with her family", "coaching youth football", "baking bread"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
SERVICES = ["consultation", "follow-up visit", "MRI review", "physiotherapy session",
            "telehealth appointment", "posture assessment", "second-opinion review"]
FILLER_TEMPLATES = [
    # opening hours, location, logistics
    "We are open {day} to {day2} from {h1}am to {h2}pm.",
    "Our clinic is located at {n} {street} Street in {city}.",
    "Free parking is available behind the building on {street} Road.",
    "The reception desk is staffed from {h1}am every weekday.",
    "Please arrive fifteen minutes before your appointment to complete the paperwork.",
    "You can reach our front desk on 0{n}{n2} {n3}{n} or through the contact form.",
    "The clinic is a short walk from {city} Central station.",
    "Wheelchair access is available through the side entrance.",
    "We accept most major insurance plans; please bring your card to the first visit.",
    "Appointments can be rescheduled up to 24 hours in advance.",
    # staff bios
    "Dr. {first} {last} joined the practice in {year} after training at {uni}.",
    "Dr. {first} {last} is a board-certified physiatrist with {k} years of experience.",
    "{first} {last} leads our patient care team and has worked in {city} since {year}.",
    "Outside the clinic, Dr. {last} enjoys {hobby}.",
    "Our physiotherapist {first} {last} completed a master's degree at {uni}.",
    "{first} coordinates referrals and insurance questions for new patients.",
    "Dr. {last} has published articles on posture and workplace ergonomics.",
    # prices without conditions
    "An initial {service} costs ${price}.",
    "A {service} is ${price2}, payable on the day.",
    "We offer payment plans for all services.",
    "Gift vouchers are available at reception.",
    # accurate statements, hedged
    "Epidural steroid injections may give some patients short-term relief of leg pain.",
    "Most episodes of acute low back pain improve within a few weeks.",
    "Stem cell injections for back pain are experimental and are not a proven treatment.",
    "Radiofrequency ablation can reduce facet joint pain for some months in selected patients.",
    "Staying active is usually better than bed rest for back pain.",
    "Your doctor will discuss the risks and benefits of every option with you.",
    "An MRI is not always needed for a first episode of back pain.",
    "Diagnostic facet blocks are used to find out where pain comes from.",
    "Exercise therapy is one of the few treatments for chronic back pain with good evidence.",
    # disclaimers
    "Individual results vary and no outcome can be promised.",
    "This website does not provide medical advice.",
    "The information on this page is for general education only.",
    "Please talk to your own doctor before starting any new treatment.",
    "Testimonials reflect the experience of individual patients.",
    # generic site copy
    "Our team believes in clear communication and unhurried appointments.",
    "We have served families in {city} for more than {k} years.",
    "Each visit begins with a conversation about your goals.",
    "We will send your report to your family doctor within {k2} working days.",
    "New patients receive a welcome pack by email before the first visit.",
    "The waiting room has free wifi and a children's corner.",
    "We regularly review patient feedback to improve our service.",
    "Our newsletter shares news about the clinic every month.",
    "Follow us on social media for updates on opening times.",
    "The clinic was refurbished in {year} with a new gym area.",
    "Interpreters can be booked for appointments on request.",
    "Our staff complete first aid training every year.",
]
FAQ_QUESTIONS = [
    "How long does an appointment take?", "Do I need a referral?", "Where can I park?",
    "What should I bring to my first visit?", "Do you accept insurance?",
    "Can I bring a family member?", "How do I cancel an appointment?",
    "Are weekend appointments available?", "Who will I see at my first visit?",
    "How do I get my imaging to you?",
]
TESTIMONIAL_LINES = [
    "The staff were friendly and the clinic was spotless.",
    "Booking was easy and I was seen on time.",
    "Dr. {last} took the time to explain everything.",
    "The reception team sorted out my insurance paperwork quickly.",
    "I appreciated the follow-up call after my visit.",
]
NAV_ITEMS = ["Home", "About us", "Our team", "Treatments", "Conditions", "Patient stories",
             "Pricing", "Insurance", "Blog", "FAQ", "Locations", "Contact", "Book online",
             "Careers", "Research", "Patient portal", "Referrals", "News"]
SECTION_TITLES = ["About our clinic", "Meet the team", "What to expect", "Our treatments",
                  "Conditions we see", "Patient information", "Fees and insurance",
                  "Getting here", "Your first visit", "Research and education", "Our approach",
                  "Aftercare"]


@dataclass(frozen=True)
class Planted:
    page: int
    file: str
    text: str
    where: str  # hero | p | li | faq
    template: str
    therapy: str
    category: str


def _fill(template: str, rng: random.Random) -> str:
    values = {k: rng.choice(v) for k, v in SLOTS.items()}
    text = template.format(**values)
    return text[0].upper() + text[1:]


def claim_sentence(rng: random.Random) -> tuple[str, str, str, str]:
    tid, therapy, category, template = rng.choice(CLAIM_TEMPLATES)
    return _fill(template, rng), tid, therapy, category


def filler_sentence(rng: random.Random) -> str:
    template = rng.choice(FILLER_TEMPLATES)
    day = rng.randrange(len(DAYS) - 1)
    values = {
        "day": DAYS[day], "day2": DAYS[rng.randrange(day + 1, len(DAYS))],
        "h1": rng.randint(7, 9), "h2": rng.randint(5, 7), "n": rng.randint(1, 9),
        "n2": rng.randint(10, 99), "n3": rng.randint(100, 999), "street": rng.choice(STREETS),
        "city": rng.choice(CITIES), "first": rng.choice(FIRST), "last": rng.choice(LAST),
        "year": rng.randint(1995, 2024), "uni": rng.choice(UNIS), "k": rng.randint(5, 30),
        "k2": rng.randint(2, 5), "hobby": rng.choice(HOBBIES), "service": rng.choice(SERVICES),
        "price": rng.choice([95, 120, 150, 180, 220]), "price2": rng.choice([60, 75, 85, 110]),
    }
    return template.format(**values)


# ------------------------------------------------------------------------------ page parts
def _css(rng: random.Random, budget: int) -> str:
    rules = []
    size = 0
    while size < budget:
        sel = rng.choice([".hero", ".nav", ".card", ".btn", ".footer", ".faq", "h2", ".grid",
                          ".team", ".price", ".banner", ".menu"])
        sel += rng.choice(["", " a", ":hover", " .title", " > li", "--wide", " p"])
        body = ";".join(f"{p}:{rng.choice(v)}" for p, v in (
            ("margin", ["0", "0 auto", "1rem 0", "12px 24px"]),
            ("color", ["#222", "#0a5", "#fff", "rgba(0,0,0,.7)"]),
            ("font-size", ["14px", "1.2rem", "2em", "18px"]),
            ("display", ["flex", "block", "grid", "inline-block"])) if rng.random() < 0.8)
        rule = f"{sel}{{{body}}}\n"
        rules.append(rule)
        size += len(rule)
    return "".join(rules)


def _js(rng: random.Random, budget: int) -> str:
    parts = []
    size = 0
    while size < budget:
        name = f"fn{rng.randrange(10**6)}"
        cls = rng.choice(["nav", "faq", "btn"])
        part = (f"function {name}(e){{var t=document.querySelectorAll('.{cls}');"
                f"for(var i=0;i<t.length;i++){{t[i].classList.toggle('open',e&&e.id==='{name}');}}"
                f"window.dataLayer=window.dataLayer||[];"
                f"dataLayer.push({{event:'{name}',v:{rng.random():.6f}}});}}\n")
        parts.append(part)
        size += len(part)
    return "".join(parts)


def _nav(rng: random.Random) -> str:
    items = rng.sample(NAV_ITEMS, rng.randint(8, len(NAV_ITEMS)))
    out = []
    for i in items:
        sub = ""
        if rng.random() < 0.4:
            sub = "".join(f'<li><a href="/{i.lower()[:4]}/{k}/">'
                          f"{rng.choice(SERVICES).title()}</a></li>"
                          for k in range(rng.randint(2, 6)))
            sub = f'<ul class="sub">{sub}</ul>'
        out.append(f'<li class="menu-item"><a href="/{i.lower().replace(" ", "-")}/">{i}</a>'
                   f"{sub}</li>")
    links = "".join(out)
    return (f'<header class="site-header"><nav class="main-nav"><ul class="menu">{links}</ul>'
            "</nav></header>\n")


def _e(s: str) -> str:
    return htmlmod.escape(s, quote=False)


class _Page:
    """Builds one page; `sentences()` hands out filler with planted claims mixed in."""

    def __init__(self, index: int, rng: random.Random, n_claims: int) -> None:
        self.index, self.rng = index, rng
        self.file = f"page-{index:05d}.html"
        self.claims_left = n_claims
        self.planted: list[Planted] = []

    def sentence(self, where: str, p_claim: float) -> str:
        if self.claims_left and self.rng.random() < p_claim:
            text, tid, therapy, category = claim_sentence(self.rng)
            self.claims_left -= 1
            self.planted.append(Planted(self.index, self.file, text, where, tid, therapy,
                                        category))
            return text
        return filler_sentence(self.rng)


def build_page(index: int, seed: int) -> tuple[str, list[Planted]]:
    rng = random.Random(f"{seed}:{index}")
    target = rng.randint(MIN_BYTES + 2048, MAX_BYTES - 4096)
    page = _Page(index, rng, rng.randint(2, 8))
    city = rng.choice(CITIES)
    name = f"{rng.choice(LAST)} Spine & Joint Clinic"
    asset_budget = int(target * rng.uniform(0.25, 0.45))
    css = _css(rng, asset_budget // 2)
    js = _js(rng, asset_budget // 2)
    head = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(name)} | {city}</title>"
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="{_e(name)} in {city}: appointments, team and '
            f'fees.">'
            f'<link rel="stylesheet" href="/assets/site.css"><style>{css}</style>'
            f'<script type="application/ld+json">{{"@type":"MedicalClinic",'
            f'"name":"{_e(name)}"}}</script>'
            f"<script>{js}</script></head>\n<body class=\"page\">\n")
    parts = [head, _nav(rng)]
    hero = page.sentence("hero", 0.5)
    parts.append(f'<section class="hero banner"><div class="hero-inner"><h1>{_e(name)}</h1>'
                 f'<p class="lead">{_e(hero)}</p><a class="btn" href="/book/">Book a visit</a>'
                 f"</div></section>\n<main>\n")
    body_budget = target - sum(len(p) for p in parts) - 3000  # leave room for FAQ / footer
    size = 0
    sections = rng.sample(SECTION_TITLES, len(SECTION_TITLES))
    s = 0
    p_claim = 0.035
    while size < body_budget:
        title = sections[s % len(sections)]
        s += 1
        out = [f'<section class="content"><h2>{_e(title)}</h2>']
        for _ in range(rng.randint(2, 4)):
            sents = " ".join(page.sentence("p", p_claim) for _ in range(rng.randint(3, 7)))
            out.append(f'<div class="text-block"><p>{_e(sents)}</p></div>')
        if rng.random() < 0.6:
            items = "".join(f"<li>{_e(page.sentence('li', p_claim))}</li>"
                            for _ in range(rng.randint(3, 6)))
            out.append(f'<ul class="bullets">{items}</ul>')
        if rng.random() < 0.3:
            out.append(f'<div class="cta"><a class="btn" href="/book/">Book now</a>'
                       f'<img src="/img/{rng.randrange(999)}.jpg" alt="Clinic photo {s}"></div>')
        out.append("</section>\n")
        chunk = "".join(out)
        parts.append(chunk)
        size += len(chunk)
    # FAQ: remaining claims are placed here, so every page gets its planned count
    faq = ['<section class="faq"><h2>Frequently asked questions</h2>']
    for q in rng.sample(FAQ_QUESTIONS, 4):
        force = 1.0 if page.claims_left else 0.0
        answer = " ".join([filler_sentence(rng), page.sentence("faq", force)])
        faq.append(f'<details><summary>{_e(q)}</summary><p>{_e(answer)}</p></details>')
    while page.claims_left:
        faq.append(f'<div class="faq-item"><h3>{_e(rng.choice(FAQ_QUESTIONS))}</h3>'
                   f'<p>{_e(page.sentence("faq", 1.0))}</p></div>')
    faq.append("</section>\n")
    parts.append("".join(faq))
    quotes = []
    for _ in range(rng.randint(2, 4)):
        line = filler_sentence(rng) if rng.random() < 0.3 else \
            rng.choice(TESTIMONIAL_LINES).format(last=rng.choice(LAST))
        quotes.append(f'<blockquote class="testimonial"><p>{_e(line)}</p>'
                      f"<cite>{rng.choice(FIRST)} {rng.choice(LAST)[0]}.</cite></blockquote>")
    parts.append(f'<section class="testimonials"><h2>What patients say</h2>{"".join(quotes)}'
                 "</section>\n</main>\n")
    footer_links = "".join(f'<li><a href="/{i.lower().replace(" ", "-")}/">{i}</a></li>'
                           for i in rng.sample(NAV_ITEMS, 10))
    parts.append(f'<footer class="site-footer"><div class="cols"><ul>{footer_links}</ul>'
                 f"<p>{_e(filler_sentence(rng))}</p><p>{_e(filler_sentence(rng))}</p>"
                 f'<p class="legal">© {rng.randint(2015, 2026)} {_e(name)}. All rights reserved. '
                 f"This website does not provide medical advice.</p></div></footer>\n")
    # pad with an analytics script to reach the target size (scripts are not visible text)
    html = "".join(parts)
    pad = target - len(html.encode("utf-8")) - 30
    if pad > 0:
        html += f"<script>{_js(rng, pad)[:pad]}</script>\n"
    html += "</body></html>\n"
    return html, page.planted


def generate(out_dir: str | Path, n_pages: int = 2000, seed: int = 1) -> list[Planted]:
    """Write `n_pages` pages and planted.jsonl into out_dir; return the planted claims."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    planted: list[Planted] = []
    for i in range(n_pages):
        html, claims = build_page(i, seed)
        (out / f"page-{i:05d}.html").write_bytes(html.encode("utf-8"))
        planted.extend(claims)
    with open(out / "planted.jsonl", "w", encoding="utf-8") as f:
        for p in planted:
            f.write(json.dumps(asdict(p), sort_keys=True) + "\n")
    meta = {"n_pages": n_pages, "seed": seed, "planted": len(planted)}
    (out / "corpus.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return planted


def load_planted(out_dir: str | Path) -> list[Planted]:
    with open(Path(out_dir) / "planted.jsonl", encoding="utf-8") as f:
        return [Planted(**json.loads(line)) for line in f if line.strip()]


# ------------------------------------------------------------------------------ a general crawl
# The mixed corpus: what a crawl archive looks like to the checker. Most pages are about other
# things (news, shops, recipes, travel, software); a few of those name a therapy word in
# passing (a spa's massage, a science story about cells, a birth story's epidural), so the
# prefilter has to let them through; 5% are clinic pages from `build_page`.
OFFTOPIC_TOPICS = {
    "news": [
        "The council approved the new cycle lane on {street} Street after a long debate.",
        "Voters in {city} will choose a new mayor in {month}.",
        "The rail operator said services would resume on {day} after the storm.",
        "Local schools reported record results in this year's exams.",
        "Police asked drivers to avoid the ring road while repairs continue.",
        "The museum reopens next week with an exhibition of {year} photographs.",
        "A spokesperson declined to comment on the budget figures.",
        "The harbour festival drew more than {k} thousand visitors.",
    ],
    "shop": [
        "Free delivery on orders over {price} pounds.",
        "This jacket is made from recycled wool and comes in four colours.",
        "Add to basket to reserve your size for 30 minutes.",
        "Returns are free within 28 days of delivery.",
        "Customers who bought this lamp also viewed the matching shade.",
        "Sign up to our newsletter for ten percent off your first order.",
        "The kettle boils a full litre in under three minutes.",
        "Gift wrapping is available at checkout.",
    ],
    "recipe": [
        "Preheat the oven to 200 degrees and line a tray with baking paper.",
        "Whisk the eggs with the sugar until pale and fluffy.",
        "Fold in the flour gently so the batter keeps its air.",
        "Season the soup with salt, pepper and a squeeze of lemon.",
        "Leave the dough to rise in a warm place for an hour.",
        "Serve with a green salad and crusty bread.",
        "This recipe makes enough for {k2} people.",
        "Store leftovers in an airtight container for up to three days.",
    ],
    "travel": [
        "The old town of {city} is best explored on foot.",
        "Ferries leave the harbour every two hours in summer.",
        "Book the sunset tour early, as places sell out quickly.",
        "The hotel has a rooftop pool and views over the bay.",
        "Local buses run until midnight on weekends.",
        "Pack a light jacket: evenings on the coast can be cool.",
        "The market on {day} sells fresh fish, cheese and flowers.",
        "Our guide met us at the station with a map of the trails.",
    ],
    "software": [
        "Version {k}.{k2} fixes a crash when the settings file is empty.",
        "Run the installer and restart the service to apply the update.",
        "The API now returns paginated results for every list endpoint.",
        "Set the environment variable before starting the worker.",
        "Our documentation covers configuration, logging and backups.",
        "Unit tests run on every pull request in the build pipeline.",
        "The dashboard shows memory and disk use for each node.",
        "Deprecated options will be removed in the next major release.",
    ],
}
INCIDENTAL = [  # an off-topic page that names a therapy word in passing
    "The spa offers a sixty-minute deep tissue massage and a sauna.",
    "Researchers grew heart cells in the lab to test the new drug.",
    "She asked for an epidural when labour went on into the night.",
    "The team uses acupuncture and massage to help players recover.",
    "Solar cells on the roof now cover most of the school's electricity.",
    "Keep all medications out of the reach of children.",
]
MONTHS = ["March", "May", "June", "October", "November"]


def offtopic_sentence(topic: str, rng: random.Random) -> str:
    return rng.choice(OFFTOPIC_TOPICS[topic]).format(
        street=rng.choice(STREETS), city=rng.choice(CITIES), month=rng.choice(MONTHS),
        day=rng.choice(DAYS), year=rng.randint(1950, 2020), k=rng.randint(2, 40),
        k2=rng.randint(2, 9), price=rng.choice([20, 30, 50]),
    )


def build_offtopic_page(index: int, seed: int, incidental: float = 0.02) -> str:
    """A 20-80 KB page about something else, with the same furniture as a clinic page (head
    with meta, styles and scripts, a navigation bar, sections, a footer)."""
    rng = random.Random(f"{seed}:offtopic:{index}")
    topic = rng.choice(sorted(OFFTOPIC_TOPICS))
    target = rng.randint(MIN_BYTES + 2048, MAX_BYTES - 4096)
    name = f"{rng.choice(LAST)} {topic.title()}"
    asset_budget = int(target * rng.uniform(0.25, 0.45))
    head = (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{_e(name)} | {rng.choice(CITIES)}</title>"
            f'<meta name="description" content="{_e(offtopic_sentence(topic, rng))}">'
            f"<style>{_css(rng, asset_budget // 2)}</style>"
            f"<script>{_js(rng, asset_budget // 2)}</script></head>\n<body>\n")
    links = "".join(f'<li><a href="/{k}/">{_e(offtopic_sentence(topic, rng).split()[0])}</a></li>'
                    for k in range(rng.randint(8, 16)))
    parts = [head, f'<header><nav class="main-nav"><ul>{links}</ul></nav></header>\n<main>']
    size = sum(len(p) for p in parts)
    planted = rng.random() < incidental
    while size < target - 2000:
        sents = [offtopic_sentence(topic, rng) for _ in range(rng.randint(3, 7))]
        if planted and (rng.random() < 0.3 or size > target / 2):
            sents.append(rng.choice(INCIDENTAL))
            planted = False
        chunk = (f'<section><h2>{_e(offtopic_sentence(topic, rng)[:40])}</h2>'
                 f'<div class="text"><p>{_e(" ".join(sents))}</p></div>'
                 f'<img src="/i/{rng.randrange(999)}.jpg" alt="{_e(name)} photo"></section>\n')
        parts.append(chunk)
        size += len(chunk)
    parts.append(f'</main><footer><p>© {rng.randint(2015, 2026)} {_e(name)}</p></footer>'
                 "</body></html>\n")
    return "".join(parts)


def mixed_pages(
    n_pages: int, seed: int = 1, clinic_share: float = 0.05, incidental: float = 0.02
) -> list[tuple[str, str]]:
    """(kind, html) for a general-crawl sample: every 1/clinic_share-th page is a clinic page,
    the rest off-topic (a share `incidental` of them naming a therapy word in passing), in a
    fixed order (deterministic, no files)."""
    every = max(1, round(1 / clinic_share))
    out = []
    for i in range(n_pages):
        if i % every == every - 1:
            out.append(("clinic", build_page(i, seed)[0]))
        else:
            out.append(("offtopic", build_offtopic_page(i, seed, incidental)))
    return out
