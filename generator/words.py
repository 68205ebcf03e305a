"""The words people type for outcomes and column names, in English and Dutch.

One vocabulary for `import` (spreadsheet cells and headers) and `decide`
(`--outcome nee`), so both understand the same words. Matching ignores case,
accents, surrounding spaces and trailing punctuation; the site's own outcome
names and labels (from site.yml) always win over these lists.
"""

from __future__ import annotations

import re
import unicodedata

from generator.config import SiteConfig

# What people write in an "outcome" column, by the standard outcome it means.
OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    "no": ("no", "n", "nope", "nee", "neen", "rejected", "rejection", "declined", "denied",
           "refused", "turned down", "not accepted", "unsuccessful", "failed", "fail",
           "afgewezen", "afwijzing", "geweigerd", "niet aangenomen", "helaas", "x"),
    "yes": ("yes", "y", "yep", "yeah", "ja", "j", "accepted", "approved", "granted", "agreed",
            "success", "successful", "offer", "hired", "got it", "aangenomen",
            "geaccepteerd", "goedgekeurd", "toegezegd", "gelukt", "akkoord", "aanbod"),
    "ghosted": ("ghosted", "ghost", "no response", "no reply", "no answer", "silence",
                "never heard back", "ignored", "unanswered", "geghost", "geen reactie",
                "geen antwoord", "niets gehoord", "nooit iets gehoord", "genegeerd",
                "onbeantwoord"),
    "pending": ("pending", "waiting", "wait", "open", "in progress", "sent", "applied",
                "awaiting", "awaiting reply", "tbd", "?", "afwachten", "wachten",
                "in afwachting", "lopend", "verstuurd", "gesolliciteerd", "nog geen antwoord",
                "nog geen reactie", "open vraag"),
}

# Spreadsheet headers, by the front-matter field they mean. `body` is the story.
FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "titel", "attempt", "poging", "subject", "onderwerp", "what", "wat",
              "omschrijving"),
    "date": ("date", "datum", "day", "dag", "when", "wanneer", "date asked", "asked on",
             "gevraagd op"),
    "outcome": ("outcome", "uitkomst", "resultaat", "result", "answer", "antwoord", "status",
                "verdict", "no/yes", "yes/no", "ja/nee", "nee/ja"),
    "category": ("category", "categorie", "type", "soort", "kind", "area", "gebied"),
    "tags": ("tags", "tag", "labels", "label", "trefwoorden", "keywords"),
    "ask": ("ask", "vraag", "question", "request", "verzoek", "the ask", "what i asked",
            "wat ik vroeg"),
    "feedback": ("feedback", "reactie", "response", "reply", "what they said",
                 "wat ze zeiden", "their answer"),
    "lesson": ("lesson", "les", "lessons", "lesson learned", "lessons learned", "learned",
               "takeaway", "geleerd", "wat ik leerde", "leerpunt"),
    "decided": ("decided", "decided on", "answer date", "date decided", "reply date",
                "beslist", "besloten", "datum antwoord", "antwoord op", "beslist op"),
    "draft": ("draft", "concept", "klad"),
    "private": ("private", "prive", "privé", "hidden", "verborgen"),
    "slug": ("slug", "url", "address", "adres"),
    "body": ("body", "story", "verhaal", "notes", "note", "notities", "notitie", "text",
             "tekst", "details", "opmerkingen", "opmerking", "comments", "comment"),
}

MONTHS: dict[str, int] = {}
for _number, _names in enumerate((
        ("january", "jan", "januari"), ("february", "feb", "februari"),
        ("march", "mar", "maart", "mrt"), ("april", "apr"), ("may", "mei"),
        ("june", "jun", "juni"), ("july", "jul", "juli"), ("august", "aug", "augustus"),
        ("september", "sep", "sept"), ("october", "oct", "oktober", "okt"),
        ("november", "nov"), ("december", "dec")), start=1):
    for _name in _names:
        MONTHS[_name] = _number

TRUE_WORDS = ("true", "yes", "y", "ja", "j", "waar", "1", "x", "on")
FALSE_WORDS = ("false", "no", "n", "nee", "onwaar", "0", "off", "")


def normalize(word: str) -> str:
    """Lowercase, no accents, single spaces, no punctuation at either end.

    `Geen reactie.` and ` GEEN  REACTIE ` are the same word; a lone `?` is kept.
    """
    text = unicodedata.normalize("NFKD", word).encode("ascii", "ignore").decode()
    text = re.sub(r"\s+", " ", text.lower()).strip()
    stripped = text.strip(" .!:;,*_\"'()")
    return stripped or text


def outcome_choices(config: SiteConfig) -> dict[str, str]:
    """Every word that names an outcome of this site, normalized, to its key.

    The site's keys and labels come first, so a job-search site's "Offer" and
    "Rejected" mean what its site.yml says; the general words only fill in for
    standard outcomes the site has.
    """
    choices: dict[str, str] = {}
    for outcome in config.outcomes:
        choices.setdefault(normalize(outcome.key), outcome.key)
        if outcome.label:
            choices.setdefault(normalize(outcome.label), outcome.key)
    keys = set(config.outcome_keys)
    for key, words in OUTCOME_WORDS.items():
        if key in keys:
            for word in words:
                choices.setdefault(normalize(word), key)
    return choices


def outcome_for(word: str, config: SiteConfig) -> str | None:
    """The outcome key a typed word means on this site, or None."""
    return outcome_choices(config).get(normalize(word))


def field_for(header: str) -> str | None:
    """The front-matter field a column header names, or None for an unknown column."""
    return _FIELD_BY_WORD.get(normalize(header))


_FIELD_BY_WORD = {normalize(word): field for field, words in FIELD_WORDS.items()
                  for word in (field, *words)}
