"""The languages inquiries are screened in: one module per language, registered here.

To add a language, copy `es.py` to `<code>.py`, translate its phrases, ConText rules,
idioms and messages (keeping the variable names), and add the module to LANGUAGES. The
code must be one spaCy has a blank pipeline for (`spacy.blank(code)`) and simplemma has
lemmas for; see the README's "Safety screening" section.
"""

from types import ModuleType

from apps.safety.languages import en, es

LANGUAGES: dict[str, ModuleType] = {en.CODE: en, es.CODE: es}
DEFAULT_LANGUAGE = en.CODE


def answer_language(preferred_language: str) -> str:
    """The language the person is answered in: theirs when we have one, else English."""
    base = (preferred_language or "").split("-")[0].lower()
    return base if base in LANGUAGES else DEFAULT_LANGUAGE
