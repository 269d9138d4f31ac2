"""The world's countries, from pycountry's ISO 3166-1 tables and their French translation."""

import gettext

import pycountry


def iso_countries():
    """Yield (alpha-2 code, French name, English name) for every ISO 3166-1 country."""
    french = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    for country in pycountry.countries:
        english = getattr(country, "common_name", None) or country.name
        yield country.alpha_2, french.gettext(country.name), english


def fill_countries(country_model):
    """Create missing countries and refresh the names of existing ones; returns how many were created."""
    existing = set(country_model.objects.values_list("code", flat=True))
    created = 0
    for code, name_fr, name_en in iso_countries():
        if code in existing:
            country_model.objects.filter(code=code).update(name_fr=name_fr, name_en=name_en)
        else:
            country_model.objects.create(code=code, name_fr=name_fr, name_en=name_en)
            created += 1
    return created
