"""Which countries a region holds: the sub-regions of the UN M49 geoscheme (docs/explorer.md, Scope of an entry)."""

from outcomes.models import Country
from outcomes.scope import MEMBERS, Region, regions_of


def test_a_country_is_in_the_regions_of_its_m49_sub_region_and_africa_in_the_african_ones():
    assert regions_of("SN") == [Region.AFRICA, Region.WEST_AFRICA]
    assert regions_of("MA") == [Region.AFRICA, Region.NORTH_AFRICA]
    assert regions_of("CM") == [Region.AFRICA, Region.CENTRAL_AFRICA]
    assert regions_of("KE") == [Region.AFRICA]  # Eastern Africa: African, in none of the three sub-regions named
    assert regions_of("ES") == regions_of("NO") == [Region.EUROPE]
    assert regions_of("CY") == []  # M49 puts Cyprus in Western Asia
    assert regions_of("TR") == regions_of("XX") == []
    assert len(MEMBERS[Region.AFRICA]) == 60  # every African country of M49
    assert (
        MEMBERS[Region.NORTH_AFRICA] | MEMBERS[Region.WEST_AFRICA] | MEMBERS[Region.CENTRAL_AFRICA]
        < MEMBERS[Region.AFRICA]
    )
    assert not MEMBERS[Region.AFRICA] & MEMBERS[Region.EUROPE]


def test_every_code_of_a_region_is_a_country_one_can_tag(db):
    members = set().union(*MEMBERS.values())
    assert members == set(Country.objects.filter(code__in=members).values_list("code", flat=True))
