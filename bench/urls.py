"""Print the paths the load test mixes, one per line, read from the database it will run against.

Run through `manage.py shell -c`: `python manage.py shell < bench/urls.py`.
"""

from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse

from outcomes.models import Country, Entry, Meeting, Theme


def url(name, *args, query=None):
    try:
        return reverse(f"outcomes:{name}", args=args) + (f"?{urlencode(query, doseq=True)}" if query else "")
    except NoReverseMatch:
        return None


entries = list(Entry.objects.published().values_list("reference", flat=True)[:40])
countries = list(Country.objects.filter(entries__status="published").distinct().values_list("code", flat=True))
themes = list(Theme.objects.filter(entries__status="published").distinct().values_list("slug", flat=True))
meetings = list(Meeting.objects.published().values_list("slug", flat=True))
if not entries:
    raise SystemExit("no published entry: load the fixtures first (manage.py load_fixtures)")

paths = [url("home")] * 4
paths += [url("meeting-detail", slug) for slug in meetings]
paths += [url("entry-detail", reference) for reference in entries]
paths += [url("country-detail", code) for code in countries]
paths += [url("theme-detail", slug) for slug in themes]
for code in countries[:10]:
    paths.append(url("entry-list", query={"country": code}))
    paths.append(url("entry-list", query={"country": code, "kind": "good_practice"}))
    for slug in themes[:3]:
        paths.append(url("entry-list", query={"country": code, "theme": slug}))
for words in ["patrouilles conjointes", "frontières", "échange d'informations", "formation", "Frontex", "retour"]:
    paths.append(url("entry-list", query={"q": words}))
    paths.append(url("entry-list", query={"q": words, "country": "SN"}))
print("\n".join(path for path in paths if path))
