"""Labels of the dashboard in Dutch (the users' language) and English.

Every text on a page is a key of :data:`LABELS`; :func:`t` gives it in a language. The
language is chosen by a switch in the page header and kept in the browser (a ``dcc.Store``).

Examples
--------
>>> t("nav.overview", "nl")
'Overzicht'
>>> t("nav.overview", "en")
'Overview'
"""

from __future__ import annotations

#: Languages offered, the first is the default.
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

#: key → (Dutch, English).
LABELS: dict[str, tuple[str, str]] = {
    # shell and navigation
    "app.title": (
        "laadplan — laadinfrastructuur voor zero-emissiezones",
        "laadplan — charging infrastructure for zero-emission zones",
    ),
    "nav.overview": ("Overzicht", "Overview"),
    "nav.demand": ("Vraag", "Demand"),
    "nav.grid": ("Net", "Grid"),
    "nav.plan": ("Plan", "Plan"),
    "nav.scenarios": ("Scenario's", "Scenarios"),
    "nav.intake": ("Invoer", "Intake"),
    "app.case": ("Casus", "Case"),
    # filters
    "filter.year": ("Jaar", "Year"),
    "filter.region": ("Vervoerregio", "Transport region"),
    "filter.municipality": ("Gemeente", "Municipality"),
    "filter.category": ("Voertuigcategorie", "Vehicle category"),
    "filter.all": ("alle", "all"),
    "filter.group_by": ("Opgesplitst naar", "Split by"),
    "filter.node": ("Netknooppunt", "Grid node"),
    "filter.shared_only": (
        "Alleen wat met de netbeheerder gedeeld mag worden (k-anoniem)",
        "Only what may be shared with the grid operator (k-anonymous)",
    ),
    # quantities
    "q.ze_vehicles": ("ZE-voertuigen", "ZE vehicles"),
    "q.vehicles": ("Voertuigen", "Vehicles"),
    "q.energy_mwh_day": ("Energie (MWh per werkdag)", "Energy (MWh per working day)"),
    "q.energy_kwh_day": ("Energie (kWh per werkdag)", "Energy (kWh per working day)"),
    "q.peak_kw": ("Piekvermogen (kW)", "Peak power (kW)"),
    "q.power_kw": ("Vermogen (kW)", "Power (kW)"),
    "q.chargers": ("Laadpunten", "Chargers"),
    "q.unmet_kwh_day": (
        "Niet geleverde energie (kWh per werkdag)",
        "Unmet energy (kWh per working day)",
    ),
    "q.shortfall_kva": ("Tekort netcapaciteit (kVA)", "Grid capacity shortfall (kVA)"),
    "q.margin_kw": ("Marge: ruimte − vraag (kW)", "Margin: headroom − demand (kW)"),
    "q.headroom_kw": ("Beschikbare netcapaciteit (kW)", "Grid headroom (kW)"),
    "q.demand_kw": ("Laadvraag (kW)", "Charging demand (kW)"),
    "q.share": ("Aandeel", "Share"),
    "q.cost_eur_year": ("Kost (EUR per jaar)", "Cost (EUR per year)"),
    "q.utilisation": ("Bezetting", "Utilisation"),
    "q.hour": ("Uur", "Hour"),
    "q.year": ("Jaar", "Year"),
    "q.energy_share_tier": ("Energie per laddertrede", "Energy per ladder tier"),
    "q.chargers_by_tier": ("Laadpunten per trede", "Chargers by tier"),
    "q.reinforcement_kva": ("Netversterking (kVA)", "Grid reinforcement (kVA)"),
    "q.organisations": ("Organisaties", "Organisations"),
    # tiers, statuses, strategies, levels
    "tier.private": ("privé", "private"),
    "tier.semi_public": ("semipubliek", "semi-public"),
    "tier.public": ("publiek", "public"),
    "status.green": ("ruimte (groen)", "headroom (green)"),
    "status.orange": ("beperkt (oranje)", "limited (orange)"),
    "status.red": ("vol (rood)", "full (red)"),
    "status.unknown": ("onbekend", "unknown"),
    "strategy.immediate": ("meteen bij aankomst", "immediately on arrival"),
    "strategy.spread": ("gespreid over de standtijd", "spread over the dwell time"),
    "strategy.offpeak_first": ("eerst in de daluren", "off-peak hours first"),
    "map.outlines": ("gemeenten (benaderde grenzen)", "municipalities (approximate outlines)"),
    "map.outlines_note": (
        (
            "Benaderde gemeentegrenzen (Voronoi-cellen van de gemeentepunten binnen Vlaanderen), "
            "geen officiële grenzen."
        ),
        (
            "Approximate municipality outlines (Voronoi cells of the municipal points within "
            "Flanders), not official boundaries."
        ),
    ),
    "map.depots": ("depots (grootte = energie)", "depots (size = energy)"),
    "map.candidate": ("kandidaat-locatie", "candidate site"),
    "map.chosen": ("gekozen locatie", "chosen site"),
    "map.grid": ("netknooppunt", "grid node"),
    "map.requests": ("capaciteitsaanvraag", "capacity request"),
    "map.demand_class": ("energie per gemeente", "energy per municipality"),
    # downloads
    "dl.csv": ("CSV", "CSV"),
    "dl.xlsx": ("Excel", "Excel"),
    "dl.geojson": ("GeoJSON", "GeoJSON"),
    "dl.download": ("Downloaden:", "Download:"),
    "table.rows_shown": (
        "{shown} van {total} rijen getoond; download voor alle rijen.",
        "{shown} of {total} rows shown; download for all rows.",
    ),
    "table.empty": ("Geen rijen.", "No rows."),
    # overview
    "overview.title": ("Overzicht", "Overview"),
    "overview.map": ("Kaart: vraag, locaties en net", "Map: demand, sites and grid"),
    "overview.by_municipality": ("Per gemeente", "By municipality"),
    "kpi.ze_vehicles": ("ZE-voertuigen", "ZE vehicles"),
    "kpi.energy": ("Energie per werkdag", "Energy per working day"),
    "kpi.peak": ("Gelijktijdige piek", "Coincident peak"),
    "kpi.chargers": (
        "Laadpunten privé · semipubliek · publiek",
        "Chargers private · semi · public",
    ),
    "kpi.ladder": ("Energie privé · semipubliek · publiek", "Energy private · semi · public"),
    "kpi.unmet": ("Niet geleverde energie", "Unmet energy"),
    "kpi.shortfall": ("Tekort netcapaciteit", "Grid shortfall"),
    "kpi.before_planning": ("vóór planning", "before planning"),
    "kpi.no_plan": ("geen plan", "no plan"),
    "kpi.no_grid": ("geen netdata", "no grid data"),
    # demand
    "demand.title": ("Vraag", "Demand"),
    "demand.vehicles_per_year": ("ZE-voertuigen per jaar", "ZE vehicles per year"),
    "demand.energy_per_year": ("Energie per jaar", "Energy per year"),
    "demand.load_curve": ("Dagprofiel per laadstrategie", "Daily load curve per charging strategy"),
    "demand.by_region": (
        "Per vervoerregio, jaar en categorie",
        "By transport region, year and category",
    ),
    "demand.category": ("categorie", "category"),
    "demand.sector": ("sector", "sector"),
    "demand.offpeak": ("daluren", "off-peak hours"),
    # grid
    "grid.title": ("Net", "Grid"),
    "grid.heatmap": (
        "Marge per knooppunt en uur (negatief = tekort)",
        "Margin per node and hour (negative = shortfall)",
    ),
    "grid.node_curve": (
        "Laadvraag van één knooppunt tegenover de ruimte",
        "Load of one node against its headroom",
    ),
    "grid.congestion": (
        "Congestie: knooppunten en uren met tekort",
        "Congestion: nodes and hours with a shortfall",
    ),
    "grid.requests": ("Capaciteitsaanvragen voor Fluvius", "Capacity requests to Fluvius"),
    "grid.no_grid": (
        "Deze casus heeft geen grid.csv: er is geen netoverlay.",
        "This case has no grid.csv: there is no grid overlay.",
    ),
    "grid.internal": (
        (
            "Intern voor de planner: knooppunten onder de k-drempel zijn zichtbaar. Vink aan om "
            "alleen deelbare cijfers te tonen."
        ),
        (
            "Internal to the planner: nodes below the k threshold are visible. Tick to show "
            "shareable figures only."
        ),
    ),
    "grid.hidden_nodes": (
        "{hidden} knooppunt(en) met laadvraag liggen onder de k-drempel (< k organisaties).",
        "{hidden} node(s) with charging demand are below the k threshold (< k organisations).",
    ),
    "grid.no_demand": (
        "Geen knooppunten met laadvraag in dit jaar.",
        "No nodes with charging demand in this year.",
    ),
    # plan
    "plan.title": ("Plan", "Plan"),
    "plan.sites": ("Gekozen locaties", "Chosen sites"),
    "plan.ladder": ("Ladder van laden: energie per trede", "Charging ladder: energy per tier"),
    "plan.per_municipality": (
        "Publieke en semipublieke laadpunten per gemeente en jaar",
        "Public and semi-public chargers per municipality and year",
    ),
    "plan.reinforcement": ("Netversterkingen", "Grid reinforcements"),
    "plan.unmet": (
        "Niet (volledig) bediende behoeften, met oorzaak en bindend cijfer",
        "Needs not (fully) served, with the cause and the figure that binds",
    ),
    "plan.map": ("Kaart van het plan", "Map of the plan"),
    "plan.status": ("Status van de oplossing", "Solve status"),
    "plan.none": (
        (
            "Er zijn nog geen planresultaten: voer `laadplan plan --data DIR --out OUT` uit en "
            "start het dashboard met --results OUT, of bereken een plan op de pagina Scenario's."
        ),
        (
            "There are no plan results yet: run `laadplan plan --data DIR --out OUT` and start the "
            "dashboard with --results OUT, or compute a plan on the Scenarios page."
        ),
    ),
    # scenarios
    "scen.title": ("Scenario's", "Scenarios"),
    "scen.knobs": ("Instellingen", "Settings"),
    "scen.ladder_policy": ("Ladder van laden", "Charging ladder"),
    "scen.offpeak_policy": ("Daluren", "Off-peak hours"),
    "scen.sharing": ("Delen van private laadpunten toestaan", "Allow sharing of private chargers"),
    "scen.reinforcement": ("Netversterking toestaan", "Allow grid reinforcement"),
    "scen.price_peak": ("Energieprijs piek (EUR/kWh)", "Energy price peak (EUR/kWh)"),
    "scen.price_offpeak": ("Energieprijs dal (EUR/kWh)", "Energy price off-peak (EUR/kWh)"),
    "scen.detour.private": (
        "Max. omweg naar privé-locaties (km)",
        "Max. detour to private sites (km)",
    ),
    "scen.detour.semi_public": (
        "Max. omweg naar semipublieke (km)",
        "Max. detour to semi-public (km)",
    ),
    "scen.detour.public": ("Max. omweg naar publieke (km)", "Max. detour to public sites (km)"),
    "scen.time_limit": ("Tijdslimiet per solverstap (s)", "Time limit per solver step (s)"),
    "scen.chain": ("Alle jaren tot dit jaar plannen", "Plan every year up to this year"),
    "scen.propose_sites": (
        "Stel N laadpleinen voor waar energie onbediend blijft",
        "Propose N hubs where energy stays unmet",
    ),
    "scen.run": ("Plan berekenen", "Compute plan"),
    "scen.name": ("Naam van de run", "Name of the run"),
    "scen.runs": ("Runs", "Runs"),
    "scen.compare": ("Vergelijk twee runs", "Compare two runs"),
    "scen.run_a": ("Run A", "Run A"),
    "scen.run_b": ("Run B", "Run B"),
    "scen.queued": ("in de wachtrij", "queued"),
    "scen.running": ("bezig", "running"),
    "scen.done": ("klaar", "done"),
    "scen.failed": ("mislukt", "failed"),
    "scen.no_runs": (
        "Nog geen runs. Kies de instellingen en bereken een plan.",
        "No runs yet. Choose the settings and compute a plan.",
    ),
    "scen.baseline": ("resultatenmap", "results folder"),
    "ladder.lexicographic": (
        "strikt (eerst privé, dan semipubliek)",
        "strict (private first, then semi-public)",
    ),
    "ladder.weighted": ("gewogen (toeslag per trede)", "weighted (premium per tier)"),
    "ladder.none": ("geen (alleen kost)", "none (cost only)"),
    "offpeak.hard": ("verplicht waar mogelijk", "required where possible"),
    "offpeak.soft": ("via prijsverschil", "through the price difference"),
    "offpeak.none": ("geen", "none"),
    "demand.incl_unreported": (
        "Geschat totaal, met de vloten die niet meldden",
        "Estimated total, with the fleets that did not report",
    ),
    # intake
    "intake.title": ("Invoer van laadbehoeften", "Intake of charging needs"),
    "intake.upload": (
        "Sleep een needs.csv of needs.xlsx hierheen, of klik om te kiezen.",
        "Drop a needs.csv or needs.xlsx here, or click to choose.",
    ),
    "intake.valid": ("Het bestand is geldig: {rows} rijen.", "The file is valid: {rows} rows."),
    "intake.invalid": (
        "{problems} probleem/problemen in {bad_rows} rij(en) van {rows}; er is niets ingelezen.",
        "{problems} problem(s) in {bad_rows} row(s) of {rows}; nothing was taken in.",
    ),
    "intake.unreadable": (
        "Het bestand kan niet gelezen worden: {error}",
        "The file cannot be read: {error}",
    ),
    "intake.adds": ("Wat het bestand toevoegt", "What the file adds"),
    "intake.preview": ("Voorbeeld", "Preview"),
    "intake.errors": ("Fouten per rij", "Errors per row"),
    "intake.warnings": (
        "Waarschuwingen: zo is het bestand gelezen (niet blokkerend)",
        "Warnings: how the file was read (not blocking)",
    ),
    "intake.template": (
        "Sjabloon om in te vullen (met keuzelijsten in Excel):",
        "Template to fill in (with dropdowns in Excel):",
    ),
    "intake.ze_2035": ("ZE-voertuigen in {year}", "ZE vehicles in {year}"),
    "intake.energy_2035": (
        "Energie per werkdag in {year} (MWh)",
        "Energy per working day in {year} (MWh)",
    ),
    "intake.organisations": ("Organisaties", "Organisations"),
    "intake.wrong_type": (
        "Alleen .csv- of .xlsx-bestanden worden aanvaard, niet '{name}'.",
        "Only .csv or .xlsx files are accepted, not '{name}'.",
    ),
    # what a vervoerregio hands in (Plan page, dashboards/pages/plan/_handin.py)
    "plan.exemptions": (
        "Kandidaten voor een vrijstelling bij netcongestie",
        "Candidates for a grid-congestion exemption",
    ),
    "plan.exemptions_note": (
        "Hele voertuigen van een gestarte ZES die het net niet volledig laat laden (geen ruimte, "
        "geen versterking toegestaan), per ZES-stad: alleen voor planners.",
        "Whole vehicles of a started ZES the grid leaves not fully charged (no headroom, no "
        "reinforcement allowed), per ZES city: for planners only.",
    ),
    "plan.report": ("Laadplan van een vervoerregio", "Charging plan of a transport region"),
    "plan.report_pdf": ("Download het laadplan (PDF)", "Download the charging plan (PDF)"),
    "plan.report_ready": ("{name} is gedownload.", "{name} was downloaded."),
    "plan.report_failed": (
        "Het laadplan kon niet gemaakt worden: {error}",
        "The charging plan could not be made: {error}",
    ),
}


def t(key: str, lang: str | None = None, **values: object) -> str:
    """Return the label ``key`` in ``lang`` (Dutch when unknown), with ``values`` filled in.

    Raises
    ------
    KeyError
        For a key that has no label (a programming error, caught by the tests).

    Examples
    --------
    >>> t("table.rows_shown", "en", shown=5, total=9)
    '5 of 9 rows shown; download for all rows.'
    """
    dutch, english = LABELS[key]
    text = english if lang == "en" else dutch
    return text.format(**values) if values else text


def language(value: object) -> str:
    """Return a supported language code for a stored value (the default when unknown)."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE
