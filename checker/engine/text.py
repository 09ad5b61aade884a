"""Text normalisation that never moves a character, so offsets found in the normalised text
are offsets into the text the user gave us."""

from __future__ import annotations

import re

_FOLD = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": " ",
        "\u2007": " ",
        "\u00b9": " ",
        "\u00b2": " ",
        "\u00b3": " ",
        "\u2070": " ",
        "\u2074": " ",
        "\u2075": " ",
        "\u2076": " ",
        "\u2077": " ",
        "\u2078": " ",
        "\u2079": " ",
    }
)
# Footnote markers fused to a word by scraping: "success rate5,7" -> "success rate    ".
_FUSED_FOOTNOTE = re.compile(r"(?<=[a-z\)\]])\d{1,2}(?:,\d{1,2})*(?=[\s.,;:!?\"')]|$)")


def _lower_same_length(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def normalise(text: str) -> str:
    """Lowercase, straight quotes, plain dashes and spaces, fused footnote digits blanked."""
    folded = _lower_same_length(text.translate(_FOLD))
    return _FUSED_FOOTNOTE.sub(lambda m: " " * len(m.group()), folded)


# Spanish copy is often written without its accents ("celulas madre", "esta aprobado"), so
# Spanish patterns and the text they run on are both folded: one letter for one letter, so
# offsets do not move. Upper-case forms fold too (the text is lower-cased before folding).
_ACCENTS = str.maketrans(
    "áéíóúüñàèìòùâêîôûäëïöÁÉÍÓÚÜÑ",
    "aeiouunaeiouaeiouaeioAEIOUUN",
)


def fold_accents(text: str) -> str:
    """The text with Spanish (and stray French/Portuguese) accents dropped, same length."""
    return text.translate(_ACCENTS)
