"""The report's own texts in Dutch and English (labels shared with the dashboard are in i18n)."""

from __future__ import annotations

#: key → (Dutch, English); ``{name}`` fields are filled by :func:`text`.
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Bovenlokaal laadplan", "Supra-local charging plan"),
    "subtitle": (
        "Laadinfrastructuur voor de zero-emissiezones stadslogistiek — vervoerregio {region}",
        "Charging infrastructure for the zero-emission zones for city logistics — "
        "transport region {region}",
    ),
    "made": (
        "Opgemaakt met laadplan op {date}, scenario ‘{scenario}’.",
        "Made with laadplan on {date}, scenario ‘{scenario}’.",
    ),
    "summary": ("Samenvatting", "Summary"),
    "summary.year": ("Kerncijfers {year}", "Headline figures {year}"),
    "summary.ze_vehicles": ("Zero-emissievoertuigen", "Zero-emission vehicles"),
    "summary.energy": ("Energie per werkdag (MWh)", "Energy per working day (MWh)"),
    "summary.zes": ("Steden met een ZES", "Cities with a ZES"),
    "summary.chargers": ("Laadpunten ({tier})", "Chargers ({tier})"),
    "summary.requests": ("Gevraagde netcapaciteit (kVA)", "Grid capacity requested (kVA)"),
    "zes": ("ZES-kalender", "ZES calendar"),
    "zes.intro": (
        "Steden van de vervoerregio die een zero-emissiezone stadslogistiek invoeren, en het jaar "
        "waarin ze start. De toegangsregels volgen de kalender van het kaderakkoord.",
        "Cities of the transport region that start a zero-emission zone for city logistics, and "
        "the year it starts. Access follows the calendar of the framework agreement.",
    ),
    "zes.none": ("Geen ZES-steden in deze vervoerregio.", "No ZES cities in this region."),
    "zes.city": ("Stad", "City"),
    "zes.start": ("Startjaar", "Start year"),
    "demand": ("Vraag per jaar", "Demand per year"),
    "demand.intro": (
        "Zero-emissievoertuigen per categorie (hele voertuigen) en hun energie per werkdag.",
        "Zero-emission vehicles per category (whole vehicles) and their energy per working day.",
    ),
    "rollout": ("Uitrol per jaar en trede", "Roll-out per year and tier"),
    "rollout.intro": (
        "Locaties, laadpunten en geïnstalleerd vermogen per trede van de laadladder, zoals in "
        "de geaggregeerde bestanden van het plan (k-anoniem).",
        "Sites, chargers and installed power per tier of the charging ladder, as in the plan's "
        "aggregate files (k-anonymous).",
    ),
    "rollout.none": ("Het resultaat bevat geen plan.", "The results hold no plan."),
    "col.year": ("Jaar", "Year"),
    "col.tier": ("Trede", "Tier"),
    "col.sites": ("Locaties", "Sites"),
    "col.chargers": ("Laadpunten", "Chargers"),
    "col.new_chargers": ("Nieuwe laadpunten", "New chargers"),
    "col.connectors": ("Aansluitpunten", "Connectors"),
    "col.installed_kw": ("Geïnstalleerd (kW)", "Installed (kW)"),
    "col.municipality": ("Gemeente", "Municipality"),
    "col.node": ("Netknooppunt", "Grid node"),
    "col.request_kva": ("Extra capaciteit (kVA)", "Extra capacity (kVA)"),
    "col.disclosure": ("Openbaarheid", "Disclosure"),
    "col.energy": ("Energie (kWh per werkdag)", "Energy (kWh per working day)"),
    "col.status": ("Status", "Status"),
    "col.unmet": (
        "Niet geleverd (kWh per werkdag, hele plan)",
        "Unmet (kWh per working day, whole plan)",
    ),
    "municipalities": ("Laadpunten per gemeente", "Chargers per municipality"),
    "municipalities.withheld": (
        "zonder de private laadpunten van een gemeente met minder dan {k} eigenaars: die "
        "tellen enkel mee in het totaal van de vervoerregio.",
        "without the private chargers of a municipality with fewer than {k} owners: those "
        "count only in the transport region's total.",
    ),
    "grid": ("Net: vraag aan Fluvius", "Grid: requests to Fluvius"),
    "grid.intro": (
        "Extra afnamecapaciteit per netknooppunt van de vervoerregio, zoals in het bestand voor "
        "de netbeheerder: een knooppunt wordt alleen genoemd wanneer minstens {k} organisaties "
        "erachter staan; kleinere groepen zijn samengevoegd naar boven of weggelaten.",
        "Extra offtake capacity per grid node of the region, as in the grid operator's file: a "
        "node is named only when at least {k} organisations stand behind it; smaller groups are "
        "merged upward or left out.",
    ),
    "grid.none": (
        "Geen capaciteitsvragen in deze vervoerregio.",
        "No capacity requests in this region.",
    ),
    "grid.suppressed": (
        "Weggelaten (in heel Vlaanderen, te kleine groepen) in {year}: {nodes} knooppunt(en).",
        "Left out (all of Flanders, groups too small) in {year}: {nodes} node(s).",
    ),
    "unmet": ("Niet gedekte vraag", "Unmet demand"),
    "unmet.intro": (
        "Energie die het plan niet levert, per gepland jaar (over het hele plan).",
        "Energy the plan does not serve, per planned year (over the whole plan).",
    ),
    "unmet.causes": ("Oorzaken", "Causes"),
    "unmet.causes.intro": (
        "Niet geleverde energie en hele voertuigen zonder volledige lading van de behoeften in "
        "de vervoerregio, per oorzaak. Cijfers staan er alleen wanneer minstens {k} "
        "organisaties erachter staan.",
        "Unmet energy and whole vehicles not fully charged of the needs in the region, per "
        "cause. Figures are shown only where at least {k} organisations stand behind them.",
    ),
    "unmet.causes.none": (
        "Het plan levert alle energie van de behoeften in deze vervoerregio.",
        "The plan serves all energy of the needs in this region.",
    ),
    "cause.no_site_in_reach": ("Geen locatie binnen bereik", "No site within reach"),
    "cause.dwell_window_outside_site_availability": (
        "Stilstand buiten de openingsuren van de locaties",
        "Dwell window outside the sites' opening hours",
    ),
    "cause.site_connection_cap": ("Aansluitvermogen van de locatie", "Site connection cap"),
    "cause.grid_headroom_without_reinforcement": (
        "Netcapaciteit zonder versterking",
        "Grid headroom without reinforcement",
    ),
    "cause.charger_capacity": ("Laadpunten van de locatie vol", "Site's chargers full"),
    "cause.cost_above_penalty": (
        "Kost hoger dan de boete voor niet geleverde energie",
        "Cost above the unmet-energy penalty",
    ),
    "hubs": ("Voorgestelde laadpleinen", "Proposed charging hubs"),
    "hubs.intro": (
        "Publieke laadpleinen die laadplan voorstelt waar niet geleverde energie samenkomt "
        "(laadplan plan --propose-sites), en of het plan ze opent.",
        "Public charging hubs laadplan proposes where unmet energy clusters "
        "(laadplan plan --propose-sites), and whether the plan opens them.",
    ),
    "col.cause": ("Oorzaak", "Cause"),
    "col.hub": ("Laadplein", "Hub"),
    "col.opened": ("Geopend", "Opened"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    "exemptions": (
        "Kandidaten voor een vrijstelling bij netcongestie",
        "Candidates for a grid-congestion exemption",
    ),
    "exemptions.intro": (
        "Voertuigen (hele voertuigen) van een gestarte ZES die het plan niet volledig kan laden "
        "omdat een netknooppunt geen ruimte meer heeft en niet versterkt mag worden: kandidaten "
        "voor een tijdelijke oplossing of een vrijstelling bij netcongestie. Het kaderakkoord "
        "belooft ‘een passende oplossing’ waar capaciteit ontbreekt voor bedrijven die Fluvius "
        "tijdig inlichtten. Een voertuig telt bij de stad waarvan de zone het eerst startte. "
        "Cijfers staan er alleen wanneer minstens {k} organisaties erachter staan.",
        "Vehicles (whole vehicles) of a started ZES that the plan cannot fully charge because a "
        "grid node has no headroom left and may not be reinforced: candidates for a temporary "
        "solution or a grid-congestion exemption. The framework agreement promises ‘a suitable "
        "solution’ where capacity is missing for companies that told Fluvius in time. A vehicle "
        "counts under the city whose zone started first. Figures are shown only where at least "
        "{k} organisations stand behind them.",
    ),
    "exemptions.none": (
        "Het net laat in deze vervoerregio geen voertuig van een gestarte ZES zonder lading.",
        "The grid leaves no vehicle of a started ZES in this region uncharged.",
    ),
    "exemptions.region": ("Vervoerregio {region} (totaal)", "Transport region {region} (total)"),
    "exemptions.hidden": ("minder dan {k} organisaties", "fewer than {k} organisations"),
    "col.vehicles_unmet": ("Voertuigen zonder volledige lading", "Vehicles not fully charged"),
    "col.organisations": ("Organisaties", "Organisations"),
    "col.unmet_kwh": ("Niet geleverd (kWh per werkdag)", "Unmet (kWh per working day)"),
    "methods": ("Methode, aannames en bronnen", "Methods, assumptions and sources"),
    "methods.text": (
        "De vraag volgt uit de laadbehoeften die ondertekenaars van het kaderakkoord meldden, "
        "vertaald naar zero-emissievoertuigen per jaar met de toegangsregels van de ZES en de "
        "vlootvernieuwing. Het plan kiest locaties en laadpunten met een MILP volgens de "
        "laadladder (privé, dan semipubliek, dan publiek), binnen de netcapaciteit en bij "
        "voorkeur in de daluren. Cijfers die anderen zien verbergen groepen van minder dan {k} "
        "organisaties (kaderakkoord §5.2).",
        "Demand follows from the charging needs reported by signatories of the framework "
        "agreement, turned into zero-emission vehicles per year with the ZES access rules and "
        "fleet renewal. The plan chooses sites and chargers with a MILP along the charging "
        "ladder (private, then semi-public, then public), within grid capacity and preferably "
        "off-peak. Figures others see hide groups of fewer than {k} organisations "
        "(agreement §5.2).",
    ),
    "methods.settings": ("Instellingen van het scenario", "Scenario settings"),
    "methods.sources": (
        "Bronnen: Kaderakkoord zero-emissiezones stadslogistiek (Vlaamse overheid); "
        "Statbel REFNIS-codes 2025; vervoerregio's: Provincies in Cijfers; capaciteitskaart "
        "Fluvius (netdata van de casus).",
        "Sources: framework agreement on zero-emission zones for city logistics (Flemish "
        "government); Statbel REFNIS codes 2025; transport regions: Provincies in Cijfers; "
        "Fluvius capacity map (the case's grid data).",
    ),
    "fig.vehicles": ("Zero-emissievoertuigen per categorie", "Zero-emission vehicles by category"),
    "fig.energy": ("Energie per werkdag per categorie", "Energy per working day by category"),
    "fig.rollout": ("Uitrol: laadpunten per trede", "Roll-out: chargers by tier"),
    "fig.map": ("Laadpunten per gemeente in {year}", "Chargers per municipality in {year}"),
}


def wording(key: str, lang: str, **values: object) -> str:
    """The text of ``key`` in ``lang`` (``nl`` or ``en``), with ``values`` filled in.

    Examples
    --------
    >>> wording("fig.map", "nl", year=2030)
    'Laadpunten per gemeente in 2030'
    """
    dutch, english = TEXTS[key]
    return (dutch if lang == "nl" else english).format(**values)
