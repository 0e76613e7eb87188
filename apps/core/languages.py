"""The languages patients speak and staff speak with them, by code ("es" -> "Spanish").

Django's locale list names the languages it has translations for; patients of a US
hospital also speak languages it lacks (Tagalog, Haitian Creole, Somali, Hmong, ...),
and intake sends base codes such as "zh". Routing compares codes exactly, so one list
serves the staff forms, the routing explanations and the rules alike.
"""

from functools import cache

from django.conf.locale import LANG_INFO

# Common in US patient populations (CMS's top languages) but missing from Django's list,
# or listed only by regional variant.
_PATIENT_LANGUAGES = {
    "zh": "Chinese",
    "tl": "Tagalog",
    "ht": "Haitian Creole",
    "so": "Somali",
    "hmn": "Hmong",
    "ti": "Tigrinya",
    "yue": "Cantonese",
    "cmn": "Mandarin",
    "fa": "Persian",
    "ne": "Nepali",
    "pa": "Punjabi",
    "sw": "Swahili",
}


def language_name(code: str) -> str:
    """ "es" -> "Spanish"; unknown codes are shown as they are."""
    if not code:
        return "not given"
    return language_names().get(code, code)


@cache
def language_names() -> dict[str, str]:
    """Every language the app can name, base codes only ("es", not "es-mx")."""
    names = {
        code: info["name"] for code, info in LANG_INFO.items() if "name" in info and "-" not in code
    }
    names.update(_PATIENT_LANGUAGES)
    return names
