"""The one list of language names: staff forms, routing rules and explanations read it."""

import pytest

from apps.core.languages import language_name, language_names


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("es", "Spanish"),
        ("en", "English"),
        ("vi", "Vietnamese"),
        ("zh", "Chinese"),  # intake sends base codes; Django lists only zh-hans/zh-hant
        ("tl", "Tagalog"),
        ("ht", "Haitian Creole"),
        ("so", "Somali"),
        ("hmn", "Hmong"),
        ("xx", "xx"),  # unknown codes are shown as they are
        ("", "not given"),
    ],
)
def test_language_name(code, name):
    assert language_name(code) == name


def test_only_base_codes_are_offered():
    """Routing compares codes exactly: "es-mx" on a member would never match "es"."""
    assert "es" in language_names()
    assert not [code for code in language_names() if "-" in code]
