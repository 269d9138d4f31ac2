from django.contrib import admin

from .models import Country, Entry, EntryCountry, Meeting, Organisation, Session, Speaker, Theme


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_fr", "name_en"]
    search_fields = ["code", "name_fr", "name_en"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name_fr", "name_en", "slug"]
    search_fields = ["name_fr", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_fr"]}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["acronym", "name", "kind", "country"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name", "name_en"]
    autocomplete_fields = ["country"]


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["order", "title", "parent"]
    extra = 0
    show_change_link = True


class SpeakerInline(admin.TabularInline):
    model = Speaker
    extra = 0


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "start_date"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["co_chairs", "previous_meeting"]
    inlines = [SessionInline, SpeakerInline]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "order", "parent"]
    list_filter = ["meeting"]
    search_fields = ["title"]
    autocomplete_fields = ["meeting", "parent"]


class EntryCountryInline(admin.TabularInline):
    model = EntryCountry
    extra = 1
    autocomplete_fields = ["country"]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "meeting", "session", "order", "status"]
    list_filter = ["kind", "status", "meeting", "themes"]
    search_fields = ["reference", "text", "title"]
    autocomplete_fields = ["session", "themes", "organisations"]
    readonly_fields = ["reference", "created_at", "updated_at"]
    inlines = [EntryCountryInline]
    list_select_related = ["meeting", "session"]
