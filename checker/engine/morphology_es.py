"""Spanish verb forms from a lemma, for the Spanish predicate classes (lexicons/es/claims.yaml).

Clinics write a claim with every tense and person of a verb ("regenera", "regeneran",
"regenerará", "ayuda a regenerar", "evite la cirugía"). The pipeline has no statistical
lemmatiser, so, as for English (predicates.py), the forms are generated from the infinitive:
regular -ar / -er / -ir endings for the tenses and moods advertising uses (present, preterite,
imperfect, future, conditional, present subjunctive / usted imperative, participles, gerund),
the usual spelling changes (garantizar -> garantice, reducir -> reduzca) and a short table of
stem-changing and irregular verbs. Forms are accent-free: Spanish patterns run on folded text.
Imports only the engine's own text helpers.
"""

from __future__ import annotations

from checker.engine.text import fold_accents

_AR = (
    "ar",
    "a",
    "an",
    "amos",
    "o",
    "aron",
    "aba",
    "aban",
    "ara",
    "aran",
    "aria",
    "arian",
    "ado",
    "ada",
    "ados",
    "adas",
    "ando",
    "e",
    "en",
    "emos",
    "aste",
)
_ER = (
    "er",
    "e",
    "en",
    "emos",
    "io",
    "ieron",
    "ia",
    "ian",
    "era",
    "eran",
    "eria",
    "erian",
    "ido",
    "ida",
    "idos",
    "idas",
    "iendo",
    "a",
    "an",
    "amos",
)
_IR = (
    "ir",
    "e",
    "en",
    "imos",
    "io",
    "ieron",
    "ia",
    "ian",
    "ira",
    "iran",
    "iria",
    "irian",
    "ido",
    "ida",
    "idos",
    "idas",
    "iendo",
    "a",
    "an",
    "amos",
)
_CLITICS = ("lo", "la", "los", "las", "le", "les", "se")

# lemma -> extra forms (stem changes and irregular tenses) that the regular rules miss
_IRREGULAR: dict[str, tuple[str, ...]] = {
    "devolver": ("devuelve", "devuelven", "devuelva", "devuelvan", "devuelto", "devuelta"),
    "resolver": ("resuelve", "resuelven", "resuelva", "resuelvan", "resuelto", "resueltos"),
    "volver": ("vuelve", "vuelven", "vuelva", "vuelvan", "vuelto"),
    "promover": ("promueve", "promueven", "promueva", "promuevan"),
    "mover": ("mueve", "mueven", "mueva", "muevan"),
    "revertir": ("revierte", "revierten", "revierta", "reviertan", "revirtio", "revirtiendo"),
    "detener": ("detiene", "detienen", "detenga", "detengan", "detuvo", "detendra", "detendran"),
    "tener": ("tiene", "tienen", "tenga", "tengan", "tuvo", "tendra", "tendran"),
    "mantener": ("mantiene", "mantienen", "mantenga", "mantengan", "mantuvo", "mantendra"),
    "obtener": ("obtiene", "obtienen", "obtenga", "obtengan", "obtuvo", "obtendra"),
    "contener": ("contiene", "contienen"),
    "sentir": ("siente", "sienten", "sienta", "sientan", "sintio", "sintieron", "sintiendo"),
    "hacer": ("hace", "hacen", "haga", "hagan", "hizo", "hicieron", "hara", "haran", "hecho"),
    "poder": (
        "puede",
        "pueden",
        "pueda",
        "puedan",
        "pudo",
        "pudieron",
        "podra",
        "podran",
        "podria",
        "podrian",
    ),
    "decir": ("dice", "dicen", "diga", "digan", "dijo", "dijeron", "dira", "diran", "dicho"),
    "ofrecer": ("ofrezca", "ofrezcan", "ofrezco"),
    "favorecer": ("favorezca", "favorezcan"),
    "fortalecer": ("fortalezca", "fortalezcan"),
    "desaparecer": ("desaparezca", "desaparezcan"),
    "reducir": ("reduzca", "reduzcan", "redujo", "redujeron"),
    "producir": ("produzca", "produzcan", "produjo", "produjeron"),
    "conducir": ("conduzca", "conduzcan", "condujo"),
    "disminuir": (
        "disminuye",
        "disminuyen",
        "disminuya",
        "disminuyan",
        "disminuyo",
        "disminuyeron",
        "disminuyendo",
    ),
    "construir": ("construye", "construyen", "construya", "construyo", "construyendo"),
    "reconstruir": ("reconstruye", "reconstruyen", "reconstruya", "reconstruyo", "reconstruyendo"),
    "restituir": ("restituye", "restituyen", "restituya"),
    "contribuir": ("contribuye", "contribuyen", "contribuya", "contribuyendo"),
    "demostrar": ("demuestra", "demuestran", "demuestre", "demuestren"),
    "probar": ("prueba", "prueban", "pruebe", "prueben"),
    "comprobar": ("comprueba", "comprueban", "compruebe"),
    "aprobar": ("aprueba", "aprueban", "apruebe"),
    "mostrar": ("muestra", "muestran", "muestre", "muestren"),
    "recordar": ("recuerda", "recuerdan"),
    "despertar": ("despierta", "despiertan", "despierte"),
    "recomendar": ("recomienda", "recomiendan", "recomiende"),
    "sugerir": ("sugiere", "sugieren", "sugiera", "sugirio"),
    "conseguir": ("consigue", "consiguen", "consiga", "consigan", "consiguio", "consiguiendo"),
    "seguir": ("sigue", "siguen", "siga", "sigan", "siguio", "siguiendo"),
    "servir": ("sirve", "sirven", "sirva", "sirvan", "sirvio", "sirviendo"),
    "elegir": ("elige", "eligen", "elija", "elijan"),
    "regir": ("rige", "rigen"),
    "ir": ("va", "van", "vaya", "vayan", "fue", "fueron", "yendo"),
    "ser": (
        "es",
        "son",
        "sea",
        "sean",
        "fue",
        "fueron",
        "sera",
        "seran",
        "era",
        "eran",
        "sido",
        "siendo",
    ),
    "estar": ("esta", "estan", "este", "esten", "estuvo", "estaba", "estaban", "estara"),
    "dar": ("da", "dan", "de", "den", "dio", "dieron", "dara", "daran", "dado"),
    "poner": ("pone", "ponen", "ponga", "pongan", "puso", "pondra", "puesto"),
    "traer": ("trae", "traen", "traiga", "traigan", "trajo"),
    "volar": ("vuela", "vuelan"),
    "acabar": (),
}


def _spelling(stem: str, ending: str) -> str:
    """Spelling changes before e: garantiz+e -> garantice, erradic+e -> erradique, pag+e ->
    pague; and -ger / -gir before a, o (proteger -> proteja)."""
    if ending.startswith("e"):
        if stem.endswith("z"):
            return stem[:-1] + "c" + ending
        if stem.endswith("c"):
            return stem[:-1] + "qu" + ending
        if stem.endswith("g"):
            return stem + "u" + ending
    return stem + ending


def conjugate(lemma: str) -> frozenset[str]:
    """Every generated form of a Spanish verb lemma (infinitive), accent-free. A multi-word lemma
    conjugates its first word ("poner fin a" -> pone fin a, ...); a reflexive one ("olvidarse
    de") keeps its pronoun after the infinitive and also stands without it."""
    head, _, rest = fold_accents(lemma.lower()).partition(" ")
    reflexive = head.endswith("se") and len(head) > 4 and head[-4:-2] in ("ar", "er", "ir")
    if reflexive:
        head = head[:-2]
    forms = set(_IRREGULAR.get(head, ()))
    if head.endswith(("ar", "er", "ir")):
        stem, kind = head[:-2], head[-2:]
        if kind == "ar":
            forms.update(_spelling(stem, e) for e in _AR)
        else:
            endings = _ER if kind == "er" else _IR
            for e in endings:
                if stem.endswith("g") and e[0] in "ao":
                    forms.add(stem[:-1] + "j" + e)  # proteger -> proteja
                elif stem.endswith("c") and e[0] in "ao" and kind == "er":
                    forms.add(stem[:-1] + "zc" + e if stem[-2:-1] in "aeiou" else stem + e)
                elif stem.endswith("u") and kind == "ir" and e[0] in "aeo":
                    forms.add(stem + "y" + e)  # disminuir -> disminuye
                else:
                    forms.add(stem + e)
        forms.update(head + c for c in _CLITICS)  # "regenerarlo", "aliviarse"
        if reflexive:
            forms.add(head + "se")
    else:
        forms.add(head)
    forms = {fold_accents(f) for f in forms}
    return frozenset(f"{f} {rest}" if rest else f for f in forms)
