"""iWmo 3.2 code lists the core needs (../shared/docs/iwmo.md §3), with Dutch labels for the UI."""

# WJ756 Eenheid (LDT_Eenheid)
UNITS: dict[str, str] = {
    "01": "minuut",
    "04": "uur",
    "14": "etmaal",
    "16": "dagdeel",
    "82": "stuks (output)",
    "83": "euro's",
    "84": "stuks (inspanning)",
}

# WMO757 Frequentie
FREQUENCIES: dict[str, str] = {
    "1": "per dag",
    "2": "per week",
    "4": "per maand",
    "6": "totaal binnen geldigheidsduur toewijzing",
}

# WMO020 ProductCategorie
CATEGORIES: dict[str, str] = {
    "01": "Hulp bij het huishouden",
    "02": "Begeleiding",
    "03": "Persoonlijke verzorging",
    "04": "Kortdurend verblijf",
    "05": "Woondiensten",
    "06": "Overige individuele ondersteuning",
    "07": "Dagbesteding",
    "08": "Vervoersdiensten",
    "09": "Overige groepsondersteuning",
    "10": "Overige maatwerkarrangementen",
    "11": "Rolstoelen",
    "12": "Vervoervoorzieningen",
    "13": "Woonvoorzieningen",
    "14": "Overige hulpmiddelen",
    "15": "Beschermd wonen",
    "16": "Opvang",
    "17": "Noodopvang",
    "18": "Overig beschermd wonen en opvang",
}

# Toewijzing status as the portal keeps it (WMO002 RedenWijziging 13 = verwijderd).
TOEWIJZING_STATUSES: dict[str, str] = {
    "actief": "Actief",
    "beeindigd": "Beëindigd",
    "verwijderd": "Verwijderd",
}


def unit_label(code: str | None) -> str:
    """Dutch label for a WJ756 unit code; an empty or unknown code says so instead of guessing."""
    if not code:
        return "niet vastgesteld"
    return UNITS.get(code, f"onbekende eenheid {code}")
