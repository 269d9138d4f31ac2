"""The entries explorer and its CSV/XLSX/JSON downloads, all driven by the same EntryFilter and query string."""

import functools
import math
from urllib.parse import quote

from django.core.paginator import InvalidPage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from . import exports, followup, spreadsheet
from .caching import cached_by_version, cached_or_none
from .filters import SORT_CHOICES, EntryFilter, filter_key
from .jsonutil import dumps, json_response
from .listing import MAX_PAGE_SIZE, PAGE_SIZE, PageForm, paginate, with_tags_in_chunks
from .models import Entry, EntryCountry
from .models_followup import Progress
from .search import analyser, names, vocabulary
from .serializers import entry_data
from .translation import reader_language

FILTER_PARAMS = ["q", "kind", "country", "role", "theme", "organisation", "meeting", "session", "framework"]
FILTER_PARAMS += ["follow_up", "sort"]
MODE_PARAMS = {"country": "country_match", "theme": "theme_match", "organisation": "organisation_match"}


def joiner_word(filterset, name):
    """The word between the values of a filter: « et » in all-mode, « ou » otherwise (a single value needs none)."""
    if name in MODE_PARAMS and filterset.matches_all(name):
        return _("et")
    return _("ou")


def filter_errors(form):
    """The form's errors as sentences a reader understands: « Pays : … »."""
    return [
        _("%(field)s : %(message)s") % {"field": form.fields[name].label, "message": message}
        if name in form.fields
        else message
        for name, messages in form.errors.items()
        for message in messages
    ]


def query_string(params, drop=("page",)):
    kept = params.copy()
    for name in drop:
        kept.pop(name, None)
    return kept.urlencode()


class EntryList(TemplateView):
    """Every published entry, filtered, faceted, searched, sorted and paginated after the query string."""

    template_name = "outcomes/entry_filter.html"

    def get(self, request, *args, **kwargs):
        """A search that is a published entry's reference (any case) goes to the entry."""
        alone = not any(value.strip() for name, value in request.GET.items() if name != "q")  # the form's empty sort
        reference = names.reference_in(request.GET.get("q", "")) if alone else None
        if reference and Entry.objects.published().filter(reference=reference).exists():
            return HttpResponseRedirect(Entry(reference=reference).get_absolute_url())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        filterset = EntryFilter.published(self.request.GET)
        paging = PageForm(self.request.GET)
        messages = filter_errors(filterset.form)
        if not paging.is_valid():
            messages += filter_errors(paging)
        number = paging.cleaned_data.get("page", 1) if paging.is_valid() else 1
        size = paging.cleaned_data.get("page_size", PAGE_SIZE) if paging.is_valid() else PAGE_SIZE
        # Strict, like django-filter's FilterView: an invalid filter shows its message and no entries rather than
        # silently showing entries the reader did not ask for.
        entries = filterset.matching
        ordered = filterset.ordered_for_pages(entries)
        # Counts over every matching entry cost the most at scale and change only with the content: cached by
        # content version and filters (outcomes/caching.py).
        filters = filter_key(filterset)
        # Not cached, they are counted by PostgreSQL while this thread ranks, loads and renders the page
        # (outcomes/ahead.py); they give the total, which the first page does not need.
        known = cached_or_none(f"facets:{filters}")
        if known is None:
            filterset.send_facets_ahead()
        counted = functools.cache(
            lambda: known if known is not None else cached_by_version(f"facets:{filters}", filterset.facets)
        )
        total = (lambda: total_from_kinds(counted())) if filterset.is_valid() else None
        page_of = functools.partial(
            paginate, ordered, size=size, q=filterset.query, count_queryset=entries, count_key=filters,
            order_key=filterset.sort_order, total=total, headings=False,  # the cards show no headings
        )  # fmt: skip
        try:
            page = page_of(number=number)
        except InvalidPage:
            found = total() if total is not None else None
            last = max(1, math.ceil((entries.count() if found is None else found) / size))
            messages.append(_("La page %(number)s n'existe pas ; voici la dernière page.") % {"number": number})
            page = page_of(number=last)
        # The cards of the page are rendered once per content version, filters, sort, page and language: rendering a
        # full page of cards with their tags costs more than all the queries (the entries are only loaded for it).
        cards_html = cached_by_version(
            f"cards:{filters}:{filterset.sort_order}:{page.number}:{size}",
            lambda: render_to_string("includes/explorer_cards.html", {"entries": page.object_list}),
        )
        facets = counted()
        # Their HTML too: a hundred options with counts cost more to render than the SQL behind them.
        # The link to each facet's other options carries the filters, not the page or the order.
        others = query_string(self.request.GET, drop=("page", "page_size", "sort"))
        facets_html = cached_by_version(
            f"facets-html:{filters}",
            lambda: render_to_string(
                "includes/explorer_facets.html", {"facets": facets, "filter": filterset, "others_state": others}
            ),
        )
        state = query_string(self.request.GET)
        no_results = filterset.is_valid() and bool(filterset.query) and page.paginator.count == 0
        chips = self.chips(filterset, facets)
        return super().get_context_data(
            suggestions=self.suggestions(filterset) if no_results else [],
            no_results=no_results,
            filter=filterset,
            facets=facets,
            facets_html=mark_safe(facets_html),
            cards_html=mark_safe(cards_html),
            chips=chips,
            chip_phrases=self.chip_phrases(chips),
            page_obj=page,
            entries=page.object_list,
            page_size=size,
            page_sizes=sorted({10, PAGE_SIZE, 50, MAX_PAGE_SIZE, size}),
            messages_list=messages,
            sort_choices=SORT_CHOICES,
            query=filterset.query,
            state=state,
            state_without_size=query_string(self.request.GET, drop=("page", "page_size")),
            csv_url=self.export_url("outcomes:entry-export-csv"),
            json_url=self.export_url("outcomes:entry-export-json"),
            xlsx_url=self.export_url("outcomes:entry-export-xlsx"),
            feed_url=self.export_url("outcomes:entry-feed"),
            **kwargs,
        )

    def suggestions(self, filterset):
        """[(word, URL of the same search with it)]: close words of the corpus for each word that found nothing."""
        words = filterset.search_query.words() if filterset.search_query else []
        if not words:
            words = [word for word, _s, _e in analyser.words(filterset.query)]
        lang = reader_language()
        found = []
        for word in words[:5]:
            for close in vocabulary.close_words(word, lang) or vocabulary.close_words(word, "fr"):
                params = self.request.GET.copy()
                params["q"] = filterset.query.replace(word, close) if word in filterset.query else close
                params.pop("page", None)
                if close not in [f[0] for f in found]:
                    found.append((close, "?" + params.urlencode()))
        return found[:5]

    def export_url(self, name):
        params = query_string(self.request.GET, drop=("page", "page_size"))
        return reverse(name) + (f"?{params}" if params else "")

    def chips(self, filterset, facets):
        """One removable chip per active value: its label and the URL of the page without it."""
        labels = {name: {option.value: option.label for option in options} for name, options in facets.items()}
        labels["kind"] = dict(Entry.Kind.choices)
        labels["role"] = dict(EntryCountry.Role.choices)
        labels["follow_up"] = dict(Progress.choices)
        chips = []
        for name in FILTER_PARAMS:
            if name == "sort":
                continue
            joiner = joiner_word(filterset, name)
            values = [value for value in self.request.GET.getlist(name) if value.strip()]
            for position, value in enumerate(values):
                params = self.request.GET.copy()
                params.setlist(name, [other for other in params.getlist(name) if other != value])
                if name == "country" and len(values) == 1:  # no country left: its options go with it
                    params.pop("include_all_partners", None)
                key = value.upper() if name == "country" else value
                label = _("« %(query)s »") % {"query": value} if name == "q" else labels.get(name, {}).get(key, value)
                field = filterset.form.fields[name]
                chips.append(
                    {
                        "name": field.label,
                        "label": label,
                        "url": "?" + query_string(params),
                        "joiner": joiner if position else "",
                    }
                )
        return chips

    def chip_phrases(self, chips):
        """Each multiple filter in words: « Pays : Espagne et Sénégal »."""
        phrases, by_name = [], {}
        for chip in chips:
            by_name.setdefault(chip["name"], []).append(chip)
        for name, group in by_name.items():
            words = str(group[0]["label"])
            for chip in group[1:]:
                words = _("%(before)s %(joiner)s %(after)s") % {
                    "before": words,
                    "joiner": chip["joiner"],
                    "after": chip["label"],
                }
            phrases.append(_("%(field)s : %(values)s") % {"field": name, "values": words})
        return phrases


class EntryFacetOptions(TemplateView):
    """All the options of one explorer facet under the other filters, those the explorer counts but leaves out
    (« show the N other options »): a page of its own without JavaScript, a list the explorer fetches into the
    facet with it. Ticking options and applying goes back to the explorer with the same filters."""

    template_name = "outcomes/entry_facet_options.html"

    def get_context_data(self, **kwargs):
        name = kwargs.pop("facet")
        filterset = EntryFilter.published(self.request.GET)
        facet = next((f for f in filterset.facet_types if f.name == name and hasattr(f, "other_options")), None)
        if facet is None:
            raise Http404(_("Ce filtre n'a pas d'autres options."))
        messages, first, others, beyond, timed_out = filter_errors(filterset.form), [], [], 0, False
        if filterset.is_valid():
            facets = cached_by_version(f"facets:{filter_key(filterset)}", filterset.facets)
            shown, timed_out = facets[facet.name], facets[facet.name].timed_out
            first, (others, beyond) = shown, facet.other_options(shown.counts, filterset.data_cleaned)
        kept = [(name, value) for name, values in self.request.GET.lists() if name not in (facet.name, "page")
                for value in values if value.strip()]  # fmt: skip
        return super().get_context_data(
            facet=facet,
            legend=filterset.form.fields[facet.name].label,
            first=first,
            others=others,
            beyond=beyond,
            timed_out=timed_out,
            kept=kept,
            back_url=f"{reverse('outcomes:entry-list')}?{query_string(self.request.GET)}",
            messages_list=messages,
            **kwargs,
        )


def total_from_kinds(facets):
    """The number of matching entries, from the kind facet's counts: every entry has one kind, and those counts
    leave out only the kind filter, so they add up to the total (of the chosen kinds, when some are) — one
    counting query less, the costliest after the facets' own on a search. None when the kind facet gave up."""
    kinds = facets.get("kind")
    if kinds is None or kinds.timed_out:
        return None
    chosen = any(option.selected for option in kinds)  # the kind facet lists every kind counted or chosen
    return sum(option.count for option in kinds if option.selected or not chosen)


class EntryExport(View):
    """All the entries of an explorer view (the same filters, every page), as CSV, XLSX or JSON, streamed; the
    columns and labels are described in outcomes/exports.py."""

    format = "csv"
    http_method_names = ["get", "head"]
    content_types = {
        "csv": "text/csv; charset=utf-8",
        "json": "application/json",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }

    def get(self, request, *args, **kwargs):
        filterset = EntryFilter.published(request.GET)
        if not filterset.is_valid():
            messages = filter_errors(filterset.form)
            if self.format == "json":
                return json_response({"error": _("Paramètres invalides."), "errors": messages}, status=400)
            # The messages quote the rejected values: escaped, so no markup from the URL is sent back as is.
            body = "\n".join(escape(message) for message in messages)
            return HttpResponse(body, status=400, content_type="text/plain; charset=utf-8")
        entries = filterset.ordered(filterset.qs)
        name = exports.file_name(filterset, self.format)
        if self.format == "json":
            loaded = with_tags_in_chunks(entries, exports.EXPORT_CHUNK)
            chunks = self.json_chunks(followup.in_chunks_with_connections(loaded, exports.EXPORT_CHUNK))
            response = StreamingHttpResponse(chunks, content_type=self.content_types["json"])
            response["Content-Disposition"] = f'inline; filename="{name}"'
            return response
        codes = request.GET.get("codes") == "1"
        chosen = exports.columns_for(filterset.qs)
        rows = exports.Rows(entries, self.entry_url, codes=codes)
        if self.format == "xlsx":
            url = request.build_absolute_uri(f"{reverse('outcomes:entry-list')}?{query_string(request.GET)}")
            workbook = spreadsheet.workbook_file(rows, chosen, filterset.qs.count(), request.GET, url)
            response = FileResponse(workbook, content_type=self.content_types["xlsx"], as_attachment=True)
        else:
            response = StreamingHttpResponse(
                exports.csv_chunks(rows, chosen, codes), content_type=self.content_types["csv"]
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response

    def entry_url(self, reference):
        """The entry's absolute URL; reverse() once per export, not once per row (it dominates a large export)."""
        if not hasattr(self, "entry_url_pattern"):
            marker = "ENTRY-REFERENCE"
            self.entry_url_pattern = self.request.build_absolute_uri(Entry(reference=marker).get_absolute_url())
            self.entry_url_marker = marker
        return self.entry_url_pattern.replace(self.entry_url_marker, quote(reference, safe=""))

    def json_chunks(self, entries):
        yield '{"entries": ['
        yield from in_blocks(
            ("," if position else "") + dumps(entry_data(entry, self.request)) for position, entry in enumerate(entries)
        )
        yield "]}"


def in_blocks(pieces, size=64 * 1024):
    """The pieces joined into blocks of about `size` characters: one write to the socket per block, not per row
    (writing row by row, a large export spends its time in writes)."""
    block, length = [], 0
    for piece in pieces:
        block.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(block)
            block, length = [], 0
    if block:
        yield "".join(block)
