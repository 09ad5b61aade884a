"""Spanish pages: language detection, the Spanish entries of the rule pack and the same rules.

Every sentence here is written for these tests (none is copied from a page or a data set). The
table pairs each with what the checker must do: flag it in a category, or find nothing to flag
(a denial, a hedge-free accurate statement, a disclaimer, a news report, a question).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.engine import lexicons as lexmod
from checker.engine.check import check_html, check_text
from checker.engine.language import page_language
from checker.engine.morphology_es import conjugate

# ------------------------------------------------------------------ sentences that flag
FLAGS = [
    # efficacy, with and without accents
    ("Nuestras células madre regeneran el cartílago de la rodilla en pocas semanas.", "efficacy"),
    ("Las celulas madre reparan los discos danados y quitan el dolor de espalda.", "efficacy"),
    ("La terapia celular elimina por completo el dolor de la ciática.", "efficacy"),
    ("Con las células madre mesenquimales el paciente recupera su movilidad.", "efficacy"),
    ("Las células madre ayudan a desinflamar y reparar la columna.", "efficacy"),
    ("El tratamiento con células madre alivia el dolor lumbar crónico.", "efficacy"),
    ("La gelatina de Wharton puede ayudar a regenerar el disco intervertebral.", "efficacy"),
    ("Los exosomas estimulan la regeneración del tejido discal.", "efficacy"),
    # alternative to surgery
    ("Evite la operación de columna gracias a las células madre.", "alternative_to_surgery"),
    (
        "Una alternativa real a la cirugía de espalda: células madre de cordón.",
        "alternative_to_surgery",
    ),
    (
        "Trate su hernia discal con células madre, sin pasar por el quirófano.",
        "alternative_to_surgery",
    ),
    # success rates
    ("El 87% de nuestros pacientes con dolor de espalda mejora con células madre.", "success_rate"),
    ("Nuestra terapia celular tiene una tasa de éxito superior al 90 por ciento.", "success_rate"),
    (
        "Ocho de cada diez pacientes tratados con células madre dejan de sentir dolor.",
        "success_rate",
    ),
    # duration
    ("El alivio de la terapia con células madre es permanente.", "duration"),
    ("Con la radiofrecuencia el dolor lumbar desaparece para siempre.", "duration"),
    ("La infiltración epidural con esteroides da alivio durante dos años.", "duration"),
    # evidence
    ("Un tratamiento con células madre científicamente comprobado para la columna.", "evidence"),
    ("Miles de estudios demuestran que las células madre regeneran los discos.", "evidence"),
    # regulatory
    ("Nuestra terapia con células madre está aprobada por la FDA.", "regulatory"),
    ("Las células madre que aplicamos cuentan con la autorización de COFEPRIS.", "regulatory"),
    # safety
    ("Las células madre autólogas no tienen ningún riesgo de rechazo.", "safety"),
    ("Terapia con exosomas totalmente segura y libre de efectos secundarios.", "safety"),
    ("La infiltración de columna es cien por ciento segura.", "safety"),
    # guarantee
    ("Le garantizamos resultados con nuestras células madre para la espalda.", "guarantee"),
    # standalone
    ("Después de las células madre ya no necesitará fisioterapia ni analgésicos.", "standalone"),
    # conflation
    ("Epidural con células madre: la nueva forma de tratar la ciática.", "conflation"),
    # what a treatment is for, who it suits, where it ranks
    (
        "Esta terapia con células madre está indicada para la hernia de disco y la ciática.",
        "efficacy",
    ),
    ("Las células madre se emplean en el tratamiento de la lesión medular.", "efficacy"),
    ("El candidato ideal para la terapia con células madre es quien sufre dolor lumbar.", "other"),
    ("Somos el centro de células madre mejor valorado de México.", "standard_of_care"),
    ("Con células madre se evita la artrodesis lumbar.", "alternative_to_surgery"),
    ("Al usar sus propias células madre, no existe riesgo de rechazo.", "safety"),
    # more ways of saying it
    (
        "Gracias a nuestras células madre, miles de pacientes han dejado atrás el dolor de "
        "columna.",
        "efficacy",
    ),
    (
        "La aplicación intradiscal de células madre rehidrata el disco y le devuelve su altura.",
        "efficacy",
    ),
    (
        "Olvídese del bastón: la terapia regenerativa con células madre le devuelve la movilidad.",
        "efficacy",
    ),
    ("Un tratamiento definitivo para la hernia discal con células madre.", "duration"),
    ("Nuestras células madre frenan el desgaste de las vértebras.", "efficacy"),
    (
        "Más del 90% de los pacientes con ciática refieren mejoría tras la infusión de células "
        "madre.",
        "success_rate",
    ),
    ("Nuestro protocolo de células madre cuenta con registro sanitario de COFEPRIS.", "regulatory"),
    ("El PRP regenera los discos lumbares sin cirugía.", "alternative_to_surgery"),
    ("Las infiltraciones facetarias curan el dolor de espalda de manera definitiva.", "duration"),
    ("La radiofrecuencia le quitará el dolor lumbar durante años.", "duration"),
    ("Los exosomas revierten la degeneración discal.", "efficacy"),
    (
        "La terapia con células madre es un procedimiento sencillo, seguro y eficaz para la "
        "espalda.",
        "safety",
    ),
    ("Tratamiento de células madre avalado por la Secretaría de Salud.", "regulatory"),
    (
        "La mayoría de nuestros pacientes abandona los analgésicos tras la terapia con células "
        "madre.",
        "standalone",
    ),
    (
        "Más de 5,000 pacientes tratados con éxito con células madre para la columna.",
        "success_rate",
    ),
    (
        "Una opción segura y natural frente a la cirugía de columna: las células madre.",
        "alternative_to_surgery",
    ),
    ("La radiofrecuencia suele aliviar el dolor entre seis y doce meses.", "duration"),
    ("Nuestros especialistas aplican células madre que regeneran el disco dañado.", "efficacy"),
    ("Testimonio: «Después de las células madre mi espalda quedó como nueva.»", "efficacy"),
    ("Con el PRP y las células madre, su columna se recupera de forma natural.", "efficacy"),
    # trigger points and facet injections: any benefit is flagged
    ("Las infiltraciones en puntos gatillo eliminan el dolor de espalda.", "efficacy"),
    ("La infiltración facetaria mejora la movilidad de la columna.", "efficacy"),
]

# ------------------------------------------------------------------ sentences that must not flag
NOT_FLAGS = [
    # negated
    "Las células madre no regeneran los discos de la columna.",
    "La terapia con células madre no está aprobada por la FDA para el dolor de espalda.",
    "No existe evidencia de que las células madre curen la hernia de disco.",
    "Nunca prometemos que las células madre eliminen el dolor.",
    "Este tratamiento con células madre no es una alternativa probada a la cirugía.",
    # accurate statements
    "Las infiltraciones epidurales con esteroides ofrecen un alivio breve y modesto del dolor.",
    "El bloqueo facetario diagnóstico ayuda a identificar el origen del dolor lumbar.",
    "La terapia con células madre para la columna es experimental y solo debe usarse en "
    "ensayos clínicos.",
    # disclaimers
    "Los resultados pueden variar de un paciente a otro.",
    "Esta información no sustituye la consulta con su médico.",
    # news and reported speech
    "Según la Secretaría de Salud, las clínicas que prometen curar la columna con células "
    "madre operan sin autorización.",
    "Algunas clínicas afirman que las células madre reparan los discos, pero no hay pruebas.",
    "La COFEPRIS advirtió que ninguna terapia con células madre está aprobada para la espalda.",
    "De acuerdo con lo publicado por la prensa, el futbolista recibió células madre para "
    "recuperarse de una lesión de espalda.",
    # what the body does by itself is not a treatment claim
    "Las células madre existen en todo el organismo.\n"
    "El organismo puede reparar pequeñas lesiones de los tejidos por sí mismo.",
    "Las células madre para el dolor de espalda siguen en fase de investigación.",
    "No hay pruebas sólidas de que las células madre regeneren los discos intervertebrales.",
    "La FDA advierte que las terapias con células madre no aprobadas pueden causar infecciones.",
    "El bloqueo de rama medial sirve para confirmar si el dolor proviene de las facetas.",
    "La ablación por radiofrecuencia puede aliviar el dolor facetario durante varios meses.",
    "Expertos advirtieron que las clínicas que venden células madre para la columna no tienen "
    "respaldo científico.",
    "Los investigadores evalúan si las células madre pueden reducir el dolor lumbar en un ensayo "
    "clínico.",
    "Las células madre no son una cura para la hernia de disco.",
    # news, regulators and cautious doctors
    "El Ministerio de Salud recordó que los tratamientos con células madre para la columna solo "
    "deben realizarse en ensayos clínicos autorizados.",
    "La clínica ofrecía células madre para la hernia de disco sin ningún respaldo científico, "
    "según la denuncia.",
    "Pacientes denunciaron que pagaron miles de dólares por inyecciones de células madre que no "
    "les quitaron el dolor.",
    "El reportaje muestra cómo algunas clínicas prometen curar la artrosis con células madre.",
    "Un estudio publicado en 2023 encontró que las células madre redujeron el dolor lumbar en un "
    "pequeño grupo de pacientes.",
    "La infiltración epidural puede dar alivio durante algunas semanas.",
    "Las células madre mesenquimales son células que se encuentran en la médula ósea y en la "
    "grasa.",
    "La terapia con células madre no ha demostrado eficacia en el dolor de espalda.",
    "No se ha comprobado que las células madre eviten la cirugía.",
    "Ninguna terapia con células madre para la columna está aprobada en México.",
    "Las infiltraciones de puntos gatillo no tienen un papel demostrado en el dolor lumbar.",
    "Según los especialistas, el alivio de una epidural suele durar pocas semanas.",
    "La Cofepris clausuró una clínica que aplicaba células madre sin permiso.",
    "Las células madre podrían, en el futuro, ayudar a regenerar discos, pero hoy no hay "
    "evidencia suficiente.",
    # questions and neutral lines
    "¿Las células madre pueden reparar un disco dañado?",
    "Agende su valoración por teléfono o WhatsApp.",
    "Paquete de tratamiento con células madre desde $3,900 USD.",
    "Aviso de funcionamiento COFEPRIS 9999XX000000.",
]


@pytest.mark.parametrize(("text", "category"), FLAGS, ids=[t[:40] for t, _ in FLAGS])
def test_a_spanish_claim_is_flagged_in_its_category(text: str, category: str) -> None:
    flags = check_text(text).flags
    assert flags, f"no flag for: {text}"
    assert flags[0].category == category, [(f.category, f.claim) for f in flags]


@pytest.mark.parametrize("text", NOT_FLAGS, ids=[t[:40] for t in NOT_FLAGS])
def test_a_spanish_sentence_that_makes_no_claim_is_not_flagged(text: str) -> None:
    flags = check_text(text).flags
    assert not flags, [(f.category, f.claim, f.rule) for f in flags]


def test_a_hedged_claim_is_flagged_one_step_lower() -> None:
    [flag] = check_text("Las células madre podrían regenerar los discos de la columna.").flags
    assert flag.hedged and flag.severity == "medium" and flag.category == "efficacy"


def test_the_rationale_is_english_and_quotes_the_spanish_claim() -> None:
    [flag] = check_text("Las células madre regeneran los discos de la columna.").flags
    assert flag.rule == "SC-EFFICACY" and "regeneran los discos" in flag.rationale
    assert "no high-quality human evidence" in flag.rationale
    assert flag.evidence and flag.refs


def test_a_patient_story_is_a_claim_at_medium_severity() -> None:
    text = "Testimonios de células madre para la columna\n«Ya camino sin dolor y volví a trabajar.»"
    [flag] = check_text(text).flags
    assert flag.severity == "medium" and "testimonial" in flag.modifiers


def test_a_disclaimer_nearby_is_recorded_but_does_not_clear_the_claim() -> None:
    text = (
        "Las células madre reparan los discos dañados de la columna.\n"
        "Este tratamiento no está aprobado por la FDA."
    )
    [flag] = check_text(text).flags
    assert "no está aprobado" in flag.disclaimer_nearby


# ------------------------------------------------------------------ pages
PAGE = """<html lang="es"><head><title>Células madre para la columna | Clínica Ejemplo</title>
</head><body>
<h1>Terapia con células madre para hernia de disco</h1>
<p>Las células madre de cordón umbilical regeneran los discos y eliminan el dolor lumbar.</p>
<p>Nuestro protocolo es 100% seguro y sin efectos secundarios.</p>
<h2>Preguntas frecuentes</h2>
<p>¿Está aprobado por la FDA?</p>
<p>En México el tratamiento se realiza bajo la normativa local; no está aprobado por la FDA.</p>
<h2>Beneficios</h2>
<ul><li>Menos dolor al caminar</li><li>Más movilidad</li></ul>
<p>Agende su cita de valoración gratuita.</p>
</body></html>"""

NEWS = """<html lang="es"><head><title>Alerta sanitaria sobre clínicas de células madre</title>
</head><body>
<h1>Autoridades alertan sobre terapias con células madre no aprobadas</h1>
<p>Redacción. La autoridad sanitaria advirtió este martes sobre clínicas que ofrecen células
madre para la espalda.</p>
<p>"Estas terapias regeneran los discos y eliminan el dolor", dicen los anuncios, según explicó
la directora del organismo.</p>
<p>La especialista declaró que los pacientes deben desconfiar de quien garantiza resultados.</p>
<p>Las células madre reparan la columna y curan la hernia, prometen estas clínicas.</p>
</body></html>"""


def test_a_spanish_page_is_checked_through_check_html() -> None:
    report = check_html(PAGE, url="https://clinica.example/es")
    flagged = {f.sentence: f for f in report.flags}
    assert any("regeneran los discos" in s for s in flagged)
    assert any("100% seguro" in s for s in flagged)
    assert any(f.category == "efficacy" and "movilidad" in f.sentence for f in report.flags)
    assert not any("FDA" in s for s in flagged)  # the question and the denial
    assert not any("Agende" in s for s in flagged)


def test_a_spanish_news_story_makes_no_claims_of_its_own() -> None:
    assert check_html(NEWS).flags == ()


def test_english_pages_are_read_with_the_english_entries_only() -> None:
    lex = lexmod.load_cached()
    assert page_language("Stem cells repair your discs. Book today!", [], lex) == "en"
    mixed = "Stem cell therapy for back pain at Clinica de la Salud in Tijuana, Mexico."
    assert page_language(mixed, [], lex) == "en"
    assert page_language("Las células madre reparan los discos de la columna.", [], lex) == "es"
    assert page_language("Celulas madre para la espalda", [], lex) == "es"
    assert lex.view("en") is lex and lex.view("es").lang == "es"
    assert all(c.lang == "en" for c in lex.cues)  # no Spanish cue reads an English page


def test_spanish_aliases_are_on_the_shared_therapy_records() -> None:
    """Whatever reads lexicon objects (the pre-filter, the matcher) sees the Spanish names."""
    lex = lexmod.load_cached()
    stem = lex.therapy("stem_cell")
    assert "células madre" in stem.aliases and "celulas madre" in stem.aliases
    assert "células estaminales" in stem.aliases
    assert "radiofrecuencia" in lex.therapy("medial_branch_ablation").aliases
    assert "plasma rico en plaquetas" in lex.therapy("prp").aliases
    assert any(c.id.startswith("es.") for c in lex.view("es").cues)


@pytest.mark.parametrize(
    ("lemma", "forms"),
    [
        ("regenerar", {"regenera", "regeneran", "regenerara", "regenerando", "regenere"}),
        ("reducir", {"reduce", "reducen", "reduzca", "redujo", "reducido"}),
        ("garantizar", {"garantiza", "garantice", "garantizado"}),
        ("devolver", {"devuelve", "devolvera", "devuelto"}),
        ("disminuir", {"disminuye", "disminuyen", "disminuido"}),
        ("acabar con", {"acaba con", "acaban con"}),
    ],
)
def test_spanish_verbs_are_conjugated_from_the_infinitive(lemma: str, forms: set[str]) -> None:
    assert forms <= conjugate(lemma)


# ------------------------------------------------------------------ loader errors
def _pack(tmp_path: Path) -> Path:
    pack = tmp_path / "pack"
    shutil.copytree(lexmod.default_directory(), pack)
    return pack


def test_a_spanish_cue_error_names_the_file_and_the_entry(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    claims = pack / "es" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("category: guarantee", "category: promesa", 1), "utf-8")
    with pytest.raises(lexmod.LexiconError, match=r"es/claims\.yaml: cues\[\d+\] \(es\.guarantee"):
        lexmod.load(pack)


def test_a_spanish_alias_for_an_unknown_therapy_is_an_error(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    therapies = pack / "es" / "therapies.yaml"
    text = therapies.read_text(encoding="utf-8")
    therapies.write_text(text.replace("- id: exosome", "- id: exosomas", 1), "utf-8")
    with pytest.raises(lexmod.LexiconError, match=r"es/therapies\.yaml: therapies\[1\]"):
        lexmod.load(pack)


def test_acts_as_must_name_an_english_cue(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    claims = pack / "es" / "claims.yaml"
    text = claims.read_text(encoding="utf-8")
    claims.write_text(text.replace("acts_as: safety.total", "acts_as: safety.todo", 1), "utf-8")
    with pytest.raises(lexmod.LexiconError, match=r"es/claims\.yaml.*es\.safety\.total.*acts_as"):
        lexmod.load(pack)


def test_lexicons_check_names_the_spanish_pack(capsys) -> None:
    from checker.cli.main import main

    assert main(["lexicons", "check"]) == 0
    assert "language pack es:" in capsys.readouterr().out


def test_a_pack_without_a_spanish_folder_still_loads(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    shutil.rmtree(pack / "es")
    lex = lexmod.load(pack)
    assert lex.packs == () and lex.view("es") is lex


def test_the_check_command_reports_a_spanish_page_in_english(tmp_path: Path, capsys) -> None:
    import csv
    import io

    from checker.cli.main import main

    page = tmp_path / "clinica.html"
    page.write_text(PAGE, encoding="utf-8")
    assert main(["check", str(page), "--format", "csv"]) == 1  # flags found
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    efficacy = [r for r in rows if r["category"] == "efficacy" and r["verdict"] == "contradicts"]
    assert efficacy and "regeneran los discos" in efficacy[0]["sentence"]
    assert efficacy[0]["rationale"].startswith("Claims a benefit")
    assert efficacy[0]["therapy"] == "stem_cell" and efficacy[0]["rule"] == "SC-EFFICACY"
