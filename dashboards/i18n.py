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

import re

from dashboards.formatting import localise_decimals

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
    "q.ze_vehicles": ("ZE-voertuigen (aantal)", "ZE vehicles (number)"),
    "q.vehicles": ("Voertuigen", "Vehicles"),
    "q.energy_mwh_day": ("Energie (MWh/dag)", "Energy (MWh/day)"),
    "q.energy_kwh_day": ("Energie (kWh/dag)", "Energy (kWh/day)"),
    "q.peak_kw": ("Piekvermogen (kW)", "Peak power (kW)"),
    "q.power_kw": ("Vermogen (kW)", "Power (kW)"),
    "q.chargers": ("Laadpunten (aantal)", "Chargers (number)"),
    "q.installed_kw": ("Geïnstalleerd vermogen (kW)", "Installed power (kW)"),
    "q.sites": ("Locaties (aantal)", "Sites (number)"),
    "q.tier": ("Trede", "Tier"),
    "q.cost_item": ("Kostenpost", "Cost item"),
    "q.unmet_kwh_day": (
        "Niet geleverde energie (kWh per werkdag)",
        "Unmet energy (kWh per working day)",
    ),
    "q.shortfall_kva": ("Tekort netcapaciteit (kVA)", "Grid capacity shortfall (kVA)"),
    "q.margin_kw": ("Marge: ruimte − vraag (kW)", "Margin: headroom − demand (kW)"),
    "q.headroom_kw": ("Beschikbare netcapaciteit (kW)", "Grid headroom (kW)"),
    "q.demand_kw": ("Laadvraag (kW)", "Charging demand (kW)"),
    "q.share": ("Aandeel (%)", "Share (%)"),
    "q.cost_eur_year": ("Kost (EUR/jaar)", "Cost (EUR/year)"),
    "q.utilisation": ("Bezetting (%)", "Utilisation (%)"),
    "q.hour": ("Uur van de dag (uu:mm)", "Time of day (hh:mm)"),
    "q.year": ("Jaar", "Year"),
    "q.energy_share_tier": (
        "Energie per laddertrede (kWh/dag)",
        "Energy per ladder tier (kWh/day)",
    ),
    "q.chargers_by_tier": ("Laadpunten per trede (aantal)", "Chargers by tier (number)"),
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
    "map.depots": ("depots (grootte = energie, kWh/dag)", "depots (size = energy, kWh/day)"),
    "map.candidate": ("kandidaat-locatie", "candidate site"),
    "map.chosen_size": ("grootte = laadpunten", "size = chargers"),
    "map.chosen": ("gekozen locatie", "chosen site"),
    "map.grid": ("netknooppunt", "grid node"),
    "map.requests": ("capaciteitsaanvraag (grootte = kVA)", "capacity request (size = kVA)"),
    "map.demand_class": ("energie per gemeente (kWh/dag)", "energy per municipality (kWh/day)"),
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
    "overview.rollout": (
        "Uitrol: laadpunten per trede en jaar",
        "Roll-out: chargers per tier and year",
    ),
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
        "Laadpunten per gemeente en trede",
        "Chargers per municipality and tier",
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
    "intake.issue_row": ("rij {row}", "row {row}"),
    "intake.issue_column": ("kolom '{column}'", "column '{column}'"),
    "intake.issue_file": ("bestand", "file"),
    "intake.issue_empty": ("(leeg)", "(empty)"),
    "intake.issue_valid": ("; geldig: {valid}", "; valid: {valid}"),
    "intake.issue_did_you_mean": (
        " — bedoelde u '{suggestion}'?",
        " — did you mean '{suggestion}'?",
    ),
    "intake.wrong_type": (
        "Alleen .csv- of .xlsx-bestanden worden aanvaard, niet '{name}'.",
        "Only .csv or .xlsx files are accepted, not '{name}'.",
    ),
    # table columns (headers): col.<column name>
    "col.year": ("Jaar", "Year"),
    "col.nis_code": ("NIS-code", "NIS code"),
    "col.municipality": ("Gemeente", "Municipality"),
    "col.vervoerregio": ("Vervoerregio", "Transport region"),
    "col.vervoerregio_code": ("Code vervoerregio", "Transport region code"),
    "col.vervoerregio_name": ("Vervoerregio", "Transport region"),
    "col.name": ("Naam", "Name"),
    "col.lat": ("Breedtegraad (°)", "Latitude (°)"),
    "col.lon": ("Lengtegraad (°)", "Longitude (°)"),
    "col.need_id": ("Behoefte", "Need"),
    "col.organisation_id": ("Organisatie", "Organisation"),
    "col.owner_organisation_id": ("Eigenaar", "Owner"),
    "col.depot_id": ("Depot", "Depot"),
    "col.site_id": ("Locatie", "Site"),
    "col.node_id": ("Netknooppunt", "Grid node"),
    "col.grid_node_id": ("Netknooppunt", "Grid node"),
    "col.level": ("Netniveau", "Grid level"),
    "col.tier": ("Trede", "Tier"),
    "col.category": ("Categorie", "Category"),
    "col.sector": ("Sector", "Sector"),
    "col.vehicles": ("Voertuigen", "Vehicles"),
    "col.vehicles_total": ("Voertuigen (totaal)", "Vehicles (total)"),
    "col.ze_vehicles": ("ZE-voertuigen", "ZE vehicles"),
    "col.bev_vehicles": ("Batterij-elektrische voertuigen", "Battery-electric vehicles"),
    "col.energy_kwh_per_day": ("Energie (kWh/dag)", "Energy (kWh/day)"),
    "col.peak_kw": ("Piek (kW)", "Peak (kW)"),
    "col.unserved_kwh_per_day": ("Niet laadbaar (kWh/dag)", "Cannot be charged (kWh/day)"),
    "col.newly_opened": ("Nieuw geopend", "Newly opened"),
    "col.existing_chargers": ("Bestaande laadpunten", "Existing chargers"),
    "col.chargers": ("Laadpunten", "Chargers"),
    "col.new_chargers": ("Nieuwe laadpunten", "New chargers"),
    "col.connectors": ("Connectoren", "Connectors"),
    "col.sites": ("Locaties", "Sites"),
    "col.vehicles_peak": ("Voertuigen tegelijk (piek)", "Vehicles at once (peak)"),
    "col.installed_kw": ("Geïnstalleerd vermogen (kW)", "Installed power (kW)"),
    "col.max_power_kw": ("Aansluitlimiet (kW)", "Connection cap (kW)"),
    "col.organisations": ("Organisaties", "Organisations"),
    "col.needs": ("Behoeften", "Needs"),
    "col.utilisation": ("Bezetting", "Utilisation"),
    "col.investment_eur_per_year": ("Investering (EUR/jaar)", "Investment (EUR/year)"),
    "col.shared_by_organisations": ("Gedeeld", "Shared"),
    "col.chargers_private": ("Laadpunten privé", "Chargers private"),
    "col.chargers_semi_public": ("Laadpunten semipubliek", "Chargers semi-public"),
    "col.chargers_public": ("Laadpunten publiek", "Chargers public"),
    "col.new_kva": ("Nieuwe versterking (kVA)", "New reinforcement (kVA)"),
    "col.total_kva": ("Versterking totaal (kVA)", "Reinforcement in total (kVA)"),
    "col.cost_eur_per_year": ("Kost (EUR/jaar)", "Cost (EUR/year)"),
    "col.peak_load_kw": ("Piekbelasting (kW)", "Peak load (kW)"),
    "col.min_headroom_kva": ("Kleinste ruimte (kVA)", "Least headroom (kVA)"),
    "col.requested_kva": ("Gevraagd aan de netbeheerder (kVA)", "Asked of the grid operator (kVA)"),
    "col.reported_as": ("In het bestand van de netbeheerder", "In the grid operator's file"),
    "col.unmet_kwh_per_day": ("Niet geleverd (kWh/dag)", "Unmet (kWh/day)"),
    "col.candidate_sites": ("Kandidaat-locaties", "Candidate sites"),
    "col.cause": ("Oorzaak", "Cause"),
    "col.own": ("Eigen locatie", "Own site"),
    "col.share_of_need": ("Aandeel van de behoefte", "Share of the need"),
    "col.slots": ("Tijdvakken", "Slots"),
    "col.distance_km": ("Afstand (km)", "Distance (km)"),
    "col.access_cost_eur_per_kwh": ("Toegangskost (EUR/kWh)", "Access cost (EUR/kWh)"),
    "col.binding": ("Bindend cijfer", "Binding figure"),
    "col.slot": ("Tijdvak", "Slot"),
    "col.demand_kw": ("Laadvraag (kW)", "Charging demand (kW)"),
    "col.headroom_kw": ("Ruimte (kW)", "Headroom (kW)"),
    "col.shortfall_kw": ("Tekort (kW)", "Shortfall (kW)"),
    "col.offpeak": ("Daluur", "Off-peak"),
    "col.extra_capacity_kva": ("Extra capaciteit (kVA)", "Extra capacity (kVA)"),
    "col.disclosure": ("Publicatie", "Disclosure"),
    "col.earliest_year": ("Eerste jaar", "First year"),
    "col.existing_overload_kva": ("Bestaande overbelasting (kVA)", "Existing overload (kVA)"),
    "col.merged_nodes": ("Samengevoegde knooppunten", "Merged nodes"),
    "col.peak_slot": ("Piekuur", "Peak hour"),
    "col.basis": ("Basis", "Basis"),
    "col.quantity": ("Grootheid", "Quantity"),
    "col.A": ("A", "A"),
    "col.B": ("B", "B"),
    "col.B_minus_A": ("B − A", "B − A"),
    "col.run": ("Run", "Run"),
    "col.state": ("Toestand", "State"),
    "col.elapsed_s": ("Duur (s)", "Elapsed (s)"),
    "col.message": ("Melding", "Message"),
    "col.issue": ("Melding", "Message"),
    "col.status": ("Status", "Status"),
    "col.objective_eur": ("Kost (EUR/jaar)", "Cost (EUR/year)"),
    "col.sites_open": ("Open locaties", "Open sites"),
    "col.reinforcement_kva": ("Netversterking (kVA)", "Grid reinforcement (kVA)"),
    "col.solve_s": ("Rekentijd (s)", "Solve time (s)"),
    "col.energy_share_private": ("Aandeel energie privé", "Energy share private"),
    "col.energy_share_semi_public": ("Aandeel energie semipubliek", "Energy share semi-public"),
    "col.energy_share_public": ("Aandeel energie publiek", "Energy share public"),
    "col.setting:year": ("Instelling: jaar", "Setting: year"),
    "col.setting:chain_years": (
        "Instelling: alle jaren tot dit jaar",
        "Setting: every year up to this one",
    ),
    "col.setting:ladder_policy": ("Instelling: ladder van laden", "Setting: charging ladder"),
    "col.setting:offpeak_policy": ("Instelling: daluren", "Setting: off-peak hours"),
    "col.setting:sharing": (
        "Instelling: delen van private laadpunten",
        "Setting: sharing private chargers",
    ),
    "col.setting:allow_reinforcement": (
        "Instelling: netversterking toegestaan",
        "Setting: reinforcement allowed",
    ),
    "col.setting:energy_price_eur_per_kwh_peak": (
        "Instelling: energieprijs piek (EUR/kWh)",
        "Setting: energy price peak (EUR/kWh)",
    ),
    "col.setting:energy_price_eur_per_kwh_offpeak": (
        "Instelling: energieprijs dal (EUR/kWh)",
        "Setting: energy price off-peak (EUR/kWh)",
    ),
    "col.setting:detour_km_max_private": (
        "Instelling: max. omweg privé (km)",
        "Setting: max. detour private (km)",
    ),
    "col.setting:detour_km_max_semi_public": (
        "Instelling: max. omweg semipubliek (km)",
        "Setting: max. detour semi-public (km)",
    ),
    "col.setting:detour_km_max_public": (
        "Instelling: max. omweg publiek (km)",
        "Setting: max. detour public (km)",
    ),
    "col.setting:time_limit_s": ("Instelling: tijdslimiet (s)", "Setting: time limit (s)"),
    "col.upload": ("Bestand", "File"),
    "col.case": ("Casus", "Case"),
    "col.share_of_case": ("Aandeel in de casus", "Share of the case"),
    "col.row": ("Rij", "Row"),
    "col.column": ("Kolom", "Column"),
    "col.value": ("Waarde", "Value"),
    "col.problem": ("Probleem", "Problem"),
    "col.valid": ("Geldig", "Valid"),
    "col.suggestion": ("Suggestie", "Suggestion"),
    "col.vehicle_category": ("Voertuigcategorie", "Vehicle category"),
    "col.first_registration_year": ("Jaar eerste inschrijving", "First registration year"),
    "col.fuel": ("Brandstof", "Fuel"),
    "col.euro_norm": ("Euronorm", "Euro norm"),
    "col.norm_level": ("Normniveau", "Norm level"),
    "col.daily_km": ("Afstand per dag (km)", "Distance per day (km)"),
    "col.kwh_per_km": ("Verbruik (kWh/km)", "Consumption (kWh/km)"),
    "col.working_days_per_week": ("Werkdagen per week", "Working days per week"),
    "col.dwell_start": ("Stilstand van", "Dwell from"),
    "col.dwell_end": ("Stilstand tot", "Dwell until"),
    "col.private_terrain": ("Eigen terrein", "Own terrain"),
    "col.share_willing": ("Bereid te delen", "Willing to share"),
    "col.zes_cities": ("ZES-steden", "ZES cities"),
    "col.exemption": ("Vrijstelling", "Exemption"),
    "col.zes_city": ("ZES-stad", "ZES city"),
    "col.zes_start_year": ("Start ZES", "ZES start"),
    "col.vehicles_unmet": ("Voertuigen niet volledig geladen", "Vehicles not fully charged"),
    "col.location_estimated": ("Locatie geschat", "Location estimated"),
    # units
    "unit.kwh_day": ("kWh/dag", "kWh/day"),
    "unit.eur_year": ("EUR/jaar", "EUR/year"),
    "unit.mwh_day": ("MWh/dag", "MWh/day"),
    "unit.ze": ("ZE-voertuigen", "ZE vehicles"),
    # values in tables
    "cost.sites_eur": ("locaties", "sites"),
    "cost.chargers_eur": ("laadpunten", "chargers"),
    "cost.carried_investment_eur": ("eerdere investeringen", "earlier investments"),
    "cost.energy_eur": ("energie", "energy"),
    "cost.access_eur": ("toegang (omweg)", "access (detour)"),
    "cost.reinforcement_eur": ("netversterking", "reinforcement"),
    "cost.unmet_penalty_eur": ("boete niet geleverd", "unmet penalty"),
    "cost.ladder_premium_eur": ("toeslag ladder", "ladder premium"),
    "value.yes": ("ja", "yes"),
    "value.no": ("nee", "no"),
    "level.mv_cabin": ("MS-cabine", "MV cabin"),
    "level.hv_mv_substation": ("onderstation HS/MS", "HV/MV substation"),
    "disclosure.own": ("eigen cijfers", "own figures"),
    "disclosure.merged_from_children": (
        "samengevoegd uit onderliggende knooppunten",
        "merged from nodes below",
    ),
    "disclosure.suppressed": (
        "onderdrukt (minder dan k organisaties)",
        "suppressed (fewer than k organisations)",
    ),
    "disclosure.merged": ("samengevoegd in {node}", "merged into {node}"),
    "solve.optimal": ("optimaal", "optimal"),
    "solve.feasible": ("toegelaten, niet bewezen optimaal", "feasible, not proven optimal"),
    "solve.infeasible": ("onoplosbaar", "infeasible"),
    "solve.time_limit": ("tijdslimiet zonder plan", "time limit without a plan"),
    "solve.error": ("fout van de solver", "solver error"),
    "cause.no_site_in_reach": ("geen locatie binnen bereik", "no site within reach"),
    "cause.dwell_window_outside_site_availability": (
        "standtijd buiten de openingsuren van de locaties",
        "dwell window outside the sites' availability",
    ),
    "cause.site_connection_cap": ("aansluitlimiet van de locatie", "site connection cap"),
    "cause.grid_headroom_without_reinforcement": (
        "netruimte zonder versterking",
        "grid headroom without reinforcement",
    ),
    "cause.charger_capacity": ("capaciteit van laadpunten of locatie", "charger or site capacity"),
    "cause.cost_above_penalty": ("kost hoger dan de boete", "cost above the penalty"),
    "ladder_value.lexicographic": ("strikt", "strict"),
    "ladder_value.weighted": ("gewogen", "weighted"),
    "ladder_value.none": ("geen", "none"),
    "offpeak_value.hard": ("verplicht", "required"),
    "offpeak_value.soft": ("via prijsverschil", "through the price"),
    "offpeak_value.none": ("geen", "none"),
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


#: Columns whose values are words of a closed set: column → label key prefix.
VALUE_PREFIXES = {
    "tier": "tier.",
    "cause": "cause.",
    "level": "level.",
    "disclosure": "disclosure.",
    "reported_as": "disclosure.",
    "state": "scen.",
    "status": "solve.",
    "setting:ladder_policy": "ladder_value.",
    "setting:offpeak_policy": "offpeak_value.",
}


def column_label(column: str, lang: str | None = None) -> str:
    """The header of a table column in ``lang``: ``col.<column>``, else the column as it is.

    Columns named ``chargers_<type>`` (chargers of one charger type) read "Laadpunten <type>";
    a column named by a year stays the year.

    Examples
    --------
    >>> column_label("energy_kwh_per_day", "nl"), column_label("chargers_AC 22 kW", "en")
    ('Energie (kWh/dag)', 'Chargers AC 22 kW')
    """
    key = f"col.{column}"
    if key in LABELS:
        return t(key, lang)
    if column.startswith("chargers_"):
        return f"{t('col.chargers', lang)} {column.removeprefix('chargers_')}"
    return column


def has_column_label(column: str) -> bool:
    """Whether a column has a header of its own (a year, a label, or a charger type)."""
    return column.isdigit() or column_label(column, "en") != column or column in ("A", "B")


def value_label(column: str, value: str, lang: str | None = None) -> str:
    """A word of a table in ``lang`` (tiers, causes, statuses, grid levels, run states).

    Values without a label (ids, names, categories) are returned as they are.

    Examples
    --------
    >>> value_label("tier", "semi_public", "nl"), value_label("reported_as", "merged:C7", "en")
    ('semipubliek', 'merged into C7')
    """
    if column == "reported_as" and value.startswith("merged:"):
        return t("disclosure.merged", lang, node=value.removeprefix("merged:"))
    if column == "quantity":
        return column_label(value, lang)
    prefix = VALUE_PREFIXES.get(column)
    if prefix is not None and f"{prefix}{value}" in LABELS:
        return t(f"{prefix}{value}", lang)
    if column in ("message", "binding"):
        return translate_message(value, lang)
    return value


def yes_no(value: bool, lang: str | None = None) -> str:
    """``ja``/``nee`` (``yes``/``no``)."""
    return t("value.yes" if value else "value.no", lang)


#: Phrases of the planner's messages (solver status lines, binding figures of unmet needs) in
#: Dutch, in the order they are replaced.  A message the list does not cover stays English.
MESSAGE_PHRASES: tuple[tuple[str, str], ...] = (
    (r"stopped before proving optimality", "gestopt vóór het bewijs van optimaliteit"),
    (r"plan kept", "plan behouden"),
    (
        r"time limit of (\S+) s reached before any plan was found",
        r"tijdslimiet van \1 s bereikt voor er een plan was",
    ),
    (
        r"nothing to plan \(no need charges this year and nothing is in place\)",
        "niets te plannen (geen behoefte laadt dit jaar en er staat niets)",
    ),
    (r"no stage was run", "geen stap uitgevoerd"),
    (
        r"kept the plan of stage '(\w+)' \(not cost-optimised\)",
        r"plan van stap '\1' behouden (niet op kost geoptimaliseerd)",
    ),
    (r"no plan", "geen plan"),
    (r"projecting demand and preparing the plan's tables", "vraag projecteren, plan voorbereiden"),
    (r"(\d+) sub-problem\(s\):", r"\1 deelprobleem/-problemen:"),
    (r"(\d+) year\(s\) planned:", r"\1 jaar/jaren gepland:"),
    (r"building and solving", "opbouwen en oplossen"),
    (r"\bdone \((\d+)/(\d+)\)", r"klaar (\1/\2)"),
    (r"nearest semi-public site", "dichtstbijzijnde semipublieke locatie"),
    (r"nearest public site", "dichtstbijzijnde publieke locatie"),
    (r"nearest private site", "dichtstbijzijnde privélocatie"),
    (r"(locatie \S+) (\S+) km, limit (\S+) km", r"\1 op \2 km, grens \3 km"),
    (
        r"dwell window (\S+); the (\d+) site\(s\) in reach open",
        r"standtijd \1; de \2 locatie(s) binnen bereik zijn open",
    ),
    (
        r"(\d+) candidate site\(s\) had room; serving costs more than the unmet penalty of",
        r"\1 kandidaat-locatie(s) hadden ruimte; bedienen kost meer dan de boete op niet-geleverde"
        r" energie van",
    ),
    (
        r"site (\S+) draws its (\S+) kW connection at",
        r"locatie \1 benut haar aansluiting van \2 kW om",
    ),
    (
        r"site (\S+) holds (\d+) of its (\d+) chargers",
        r"locatie \1 heeft \2 van haar \3 laadpunten",
    ),
    (r"grid node (\S+) has no headroom left at", r"netknooppunt \1 heeft geen ruimte meer om"),
    (r"reinforcement is not allowed", "netversterking is niet toegestaan"),
    (r"no candidate site for this need in the case", "geen kandidaat-locatie voor deze behoefte"),
    (r"no semi-public or public site in the case", "geen semipublieke of publieke locatie"),
    (r"\bsemi[-_]public\b", "semipubliek"),
    (r"\bprivate\b", "privé"),
    (r"\bpublic\b", "publiek"),
    (r"\bcost:", "kost:"),
    (r"\bpolish:", "verfijning:"),
    (r"\boptimal\b", "optimaal"),
    (r"\bfeasible\b", "toegelaten"),
    (r"\binfeasible\b", "onoplosbaar"),
    (r"\btime limit\b", "tijdslimiet"),
    (r"\bgap\b", "kloof"),
    (r"\blimit\b", "grens"),
    (r"\bunknown\b", "onbekend"),
)


def translate_message(text: str, lang: str | None = None) -> str:
    """A message of the planner in ``lang``: Dutch phrases, Dutch decimal commas.

    Examples
    --------
    >>> translate_message("private: optimal (gap 0.00%, limit 0.10%)", "nl")
    'privé: optimaal (kloof 0,00%, grens 0,10%)'
    >>> translate_message("nearest semi-public site S9 10.66 km, limit 10 km", "nl")
    'dichtstbijzijnde semipublieke locatie S9 op 10,66 km, grens 10 km'
    """
    if lang == "en":
        return text
    for english, dutch in MESSAGE_PHRASES:
        text = re.sub(english, dutch, text)
    return localise_decimals(text, "nl")


#: Phrases of the needs validation (problems, what is valid, warnings and why a file cannot be
#: read: :mod:`validation`, :mod:`planner.intake`, :func:`planner.rules.zones.zone_warnings`) in
#: Dutch, in the order they are replaced; longer phrases come before the shorter ones they hold.
#: The CLI and the service keep the English; the dashboard shows these in Dutch.
ISSUE_PHRASES: tuple[tuple[str, str], ...] = (
    # reading the file (warnings and file-level errors)
    (
        r"is not UTF-8 \(byte (\d+), line (\d+)\); it was read as Windows-1252, the encoding "
        r"Excel uses for 'CSV' in Belgian locales: check that accented names read right, or "
        r"save the file as 'CSV UTF-8'",
        r"is geen UTF-8 (byte \1, regel \2); het werd gelezen als Windows-1252, de codering die "
        r"Excel in Belgische landinstellingen voor 'CSV' gebruikt: kijk na of namen met accenten "
        r"juist gelezen zijn, of bewaar het bestand als 'CSV UTF-8'",
    ),
    (
        r"holds NUL bytes, so it is not a text table \(UTF-16 'Unicode text' or a binary file\)",
        r"bevat NUL-bytes en is dus geen teksttabel (UTF-16 'Unicode-tekst' of een binair bestand)",
    ),
    (
        r"neither UTF-8 nor Windows-1252 text \(not UTF-8 at byte (\d+), line (\d+); byte (\d+) "
        r"is not Windows-1252 either\)",
        r"noch UTF-8- noch Windows-1252-tekst (geen UTF-8 op byte \1, regel \2; byte \3 is ook "
        r"geen Windows-1252)",
    ),
    (
        r"save the file as 'CSV UTF-8' and try again",
        "bewaar het bestand als 'CSV UTF-8' en probeer opnieuw",
    ),
    (r"the file is empty; expected a header row", "het bestand is leeg; er hoort een kopregel"),
    (r"no such file", "bestand bestaat niet"),
    (r"not a valid CSV table:", "geen geldige CSV-tabel:"),
    (r"cannot read the workbook:", "de werkmap kan niet gelezen worden:"),
    (r"the upload is not base64 content", "de upload is geen base64-inhoud"),
    # the header
    (r"required column is missing", "verplichte kolom ontbreekt"),
    (r"a header row with every required column", "een kopregel met elke verplichte kolom"),
    (r"the contract header", "de kopregel van het contract"),
    (r"is not a column of the contract", "is geen kolom van het contract"),
    (
        r"is a column name that occurs more than once \(after trimming\)",
        "is een kolomnaam die meer dan eens voorkomt (na het wegnemen van spaties)",
    ),
    (r"every column once", "elke kolom één keer"),
    # text rules
    (r"holds invisible or control characters", "bevat onzichtbare tekens of stuurtekens"),
    (
        r"printable text without control, bidirectional or zero-width characters",
        "afdrukbare tekst zonder stuur-, schrijfrichtings- of nulbreedtetekens",
    ),
    (r"is (\d+) characters long", r"is \1 tekens lang"),
    (r"at most (\d+) characters", r"hoogstens \1 tekens"),
    (r"starts like a spreadsheet formula", "begint als een formule van een rekenblad"),
    (
        r"an identifier starting with a letter or digit",
        "een code die met een letter of cijfer begint",
    ),
    (
        r"holds full-width or other compatibility characters",
        "bevat tekens van volle breedte of andere compatibiliteitstekens",
    ),
    (r"an identifier in plain characters", "een code in gewone tekens"),
    # what was read tolerantly, and numbers that read two ways
    (
        r"was read as '([^']*)', as were the other times written so",
        r"werd gelezen als '\1', net als de andere zo geschreven tijden",
    ),
    (r"was read as ", "werd gelezen als "),
    (r"\(an Excel time\)", "(een Excel-tijd)"),
    (r"\(the only reading in range\)", "(de enige lezing binnen het bereik)"),
    (
        r"reads two ways: (\S+) \(('.'|',') as thousands separator\) or (\S+) \(\2 as decimal "
        r"mark\), and ",
        r"leest op twee manieren: \1 (\2 als scheidingsteken voor duizendtallen) of \3 (\2 als "
        r"decimaalteken), en ",
    ),
    (
        r"this file uses both decimal points and decimal commas",
        "dit bestand gebruikt zowel decimaalpunten als decimaalkomma's",
    ),
    (r"this file uses decimal commas", "dit bestand gebruikt decimaalkomma's"),
    (r"this file uses decimal points", "dit bestand gebruikt decimaalpunten"),
    (
        r"the number without a thousands separator: (\S+), or (\S+) for the decimal",
        r"het getal zonder scheidingsteken voor duizendtallen: \1, of \2 als decimaal getal",
    ),
    (r"\(thousands separator\)", "(scheidingsteken voor duizendtallen)"),
    (r"\(decimal comma\)", "(decimaalkomma)"),
    (r"\(decimal point\)", "(decimaalpunt)"),
    # cells: empty, closed sets, numbers, times, yes/no, duplicates
    (r"is empty, and so are lon and nis_code", "is leeg, net als lon en nis_code"),
    (
        r"is empty while energy_kwh_per_day is empty too",
        "is leeg terwijl ook energy_kwh_per_day leeg is",
    ),
    (r"\bis empty\b", "is leeg"),
    (r"a non-empty text", "een niet-lege tekst"),
    (r"is not a vehicle category", "is geen voertuigcategorie"),
    (r"is not a fuel", "is geen brandstof"),
    (r"is not an exemption code", "is geen vrijstellingscode"),
    (r"is not a whole number", "is geen geheel getal"),
    (r"is not a number", "is geen getal"),
    (r"is out of range", "ligt buiten het toegelaten bereik"),
    (r"\ba whole number\b", "een geheel getal"),
    (r"\ba number\b", "een getal"),
    (r"(getal) from (\S+) to (\S+)", r"\1 van \2 tot en met \3"),
    (r"(getal) > (\S+) and ≤ ", r"\1 > \2 en ≤ "),
    (r"\(degrees\)", "(graden)"),
    (r"^one of ", "een van "),
    (r"is not a time of day", "is geen tijdstip"),
    (r"HH:MM from 00:00 to 24:00, e\.g\. ", "UU:MM van 00:00 tot 24:00, bv. "),
    (r"is not a yes/no value", "is geen ja/nee-waarde"),
    (r"true or false \(also 1/0, yes/no, ja/nee\)", "true of false (ook 1/0, yes/no, ja/nee)"),
    (r"is a duplicate \(first used on row (\d+)\)", r"komt al voor (eerst op rij \1)"),
    (r"^unique$", "uniek"),
    (r"^fails (\S+)$", r"voldoet niet aan de controle \1"),
    # locations and municipalities
    (
        r"is not the NIS code of a Flemish municipality",
        "is niet de NIS-code van een Vlaamse gemeente",
    ),
    (
        r"a 5-digit NIS code of one of the (\d+) Flemish municipalities \((\d+)\)",
        r"een NIS-code van 5 cijfers van een van de \1 Vlaamse gemeenten (\2)",
    ),
    (r"is the postcode of (.+), not a NIS code", r"is de postcode van \1, geen NIS-code"),
    (r"is a postcode, not a NIS code", "is een postcode, geen NIS-code"),
    (
        r"the 5-digit NIS code of the municipality",
        "de NIS-code van 5 cijfers van de gemeente",
    ),
    (
        r"holds a code that is not a Flemish municipality",
        "bevat een code die geen Vlaamse gemeente is",
    ),
    (
        r"NIS codes of Flemish municipalities separated by ';' \(or empty\)",
        "NIS-codes van Vlaamse gemeenten gescheiden door ';' (of leeg)",
    ),
    (
        r"holds a Brussels-Capital municipality, outside the Flemish ZES framework",
        "bevat een gemeente van het Brussels Hoofdstedelijk Gewest, buiten het Vlaamse ZES-kader",
    ),
    (
        r"holds (.+), a municipality of the Brussels-Capital Region: Brussels is outside the "
        r"Flemish ZES framework \(the agreement covers zones of Flemish cities only\)",
        r"bevat \1, een gemeente van het Brussels Hoofdstedelijk Gewest: Brussel valt buiten "
        r"het Vlaamse ZES-kader (het akkoord gaat alleen over zones van Vlaamse steden)",
    ),
    (
        r"lat and lon, or a nis_code to place the depot at the municipality",
        "lat en lon, of een nis_code om het depot in de gemeente te plaatsen",
    ),
    (r"places the depot outside Flanders", "plaatst het depot buiten Vlaanderen"),
    (
        r"lat/lon \(WGS84 degrees\) of a point in the Flemish Region",
        "lat/lon (WGS84-graden) van een punt in het Vlaams Gewest",
    ),
    (
        r"^\((.+)\) is not in zones\.csv, so it has no ZES start year and these rows get no "
        r"zero-emission obligation from it: ",
        r"(\1) staat niet in zones.csv: de stad heeft dus geen startjaar van een ZES en deze "
        r"rijen krijgen er geen zero-emissieverplichting door: ",
    ),
    (r"^\(unknown\)", "(onbekend)"),
    (
        r"add the city to zones\.csv with its zes_start_year, or correct the code",
        "voeg de stad toe aan zones.csv met haar zes_start_year, of verbeter de code",
    ),
    # the vehicle: norm, exemption, consumption, energy
    (
        r"is not an emission norm for this category and fuel",
        "is geen emissienorm voor deze categorie en brandstof",
    ),
    (
        r"a Euro norm 0–6 or 0–VI \(e\.g\. 6, VI, Euro 6\); for T a stage I, II, IIIa, IIIb, IV "
        r"or V; empty only for electric, hydrogen or exempt vehicles",
        "een euronorm 0–6 of 0–VI (bv. 6, VI, Euro 6); voor T een stage I, II, IIIa, IIIb, IV "
        "of V; leeg alleen voor elektrische, waterstof- of vrijgestelde voertuigen",
    ),
    (r"does not apply to this vehicle category", "geldt niet voor deze voertuigcategorie"),
    (r" only for ", " alleen voor "),
    (r"is not plausible for this vehicle category", "is niet aannemelijk voor deze categorie"),
    (
        r"daily_km, or energy_kwh_per_day to give the energy directly",
        "daily_km, of energy_kwh_per_day om de energie rechtstreeks te geven",
    ),
    # endings and row lists shared by many phrasings
    (r", or empty$", ", of leeg"),
    (r"\brows (\d)", r"rijen \1"),
    (r"\brow (\d)", r"rij \1"),
)


def translate_issue(text: str, lang: str | None = None) -> str:
    """A phrasing of the needs validation in ``lang``: Dutch phrases, Dutch decimal commas.

    Covers what is wrong, what is valid, the warnings and why a file cannot be read; values
    quoted in them stay as written.  English is returned unchanged.

    Examples
    --------
    >>> translate_issue("a number from 0 to 1500 (km), or empty", "nl")
    'een getal van 0 tot en met 1500 (km), of leeg'
    >>> translate_issue("'Diesel' was read as 'diesel' (rows 2–3)", "en")
    "'Diesel' was read as 'diesel' (rows 2–3)"
    """
    if lang == "en":
        return text
    for english, dutch in ISSUE_PHRASES:
        text = re.sub(english, dutch, text)
    return localise_decimals(text, "nl")
