"""Facts: the 15 Flemish vervoerregio's, their member municipalities, and the 13 centrumsteden.

These are facts about the 285 municipalities that exist since the mergers of 1 January 2025,
encoded here by NIS code (REFNIS). The membership follows the municipality-to-vervoerregio
table of Provincies in Cijfers (``kerntabellen/gemeente_vervoerregio.xlsx``) and the list of
centrumsteden its ``gemeente_cs14`` aggregation (13 Flemish cities; Hasselt has NIS code 71072
since its merger with Kortessem in 2025).

Attribution: "Bevat overheidsinformatie, verkregen onder de Modellicentie Gratis Hergebruik
Vlaanderen v1.0 — Provincies in Cijfers / Statbel".

The region codes 1–15 are the codes Provincies in Cijfers uses. Two regions are known under a
second name: Dender is also called Aalst, Roeselare is also called Midwest.
"""

from __future__ import annotations

#: Vervoerregio code → official short name.
VERVOERREGIO_NAMES: dict[int, str] = {
    1: "Dender",
    2: "Antwerpen",
    3: "Brugge",
    4: "Gent",
    5: "Kempen",
    6: "Kortrijk",
    7: "Leuven",
    8: "Limburg",
    9: "Mechelen",
    10: "Oostende",
    11: "Roeselare",
    12: "Vlaamse Ardennen",
    13: "Vlaamse Rand",
    14: "Waasland",
    15: "Westhoek",
}

#: Other names in use for a vervoerregio → its code.
VERVOERREGIO_ALIASES: dict[str, int] = {
    "Aalst": 1,
    "Midwest": 11,
}

#: NIS codes of the 13 Flemish centrumsteden.
CENTRUMSTAD_NIS_CODES: frozenset[str] = frozenset(
    {
        "11002",  # Antwerpen
        "12025",  # Mechelen
        "13040",  # Turnhout
        "24062",  # Leuven
        "31005",  # Brugge
        "34022",  # Kortrijk
        "35013",  # Oostende
        "36015",  # Roeselare
        "41002",  # Aalst
        "44021",  # Gent
        "46021",  # Sint-Niklaas
        "71016",  # Genk
        "71072",  # Hasselt
    }
)

#: Vervoerregio code → NIS codes of its member municipalities (2025 municipalities).
VERVOERREGIO_MEMBERS: dict[int, tuple[str, ...]] = {
    1: (  # Dender
        "41002",  # Aalst
        "41011",  # Denderleeuw
        "41024",  # Haaltert
        "41034",  # Lede
        "41048",  # Ninove
        "41082",  # Erpe-Mere
        "42003",  # Berlare
        "42006",  # Dendermonde
        "42008",  # Hamme
        "42011",  # Lebbeke
        "42026",  # Wichelen
    ),
    2: (  # Antwerpen
        "11001",  # Aartselaar
        "11002",  # Antwerpen
        "11004",  # Boechout
        "11005",  # Boom
        "11008",  # Brasschaat
        "11009",  # Brecht
        "11013",  # Edegem
        "11016",  # Essen
        "11018",  # Hemiksem
        "11021",  # Hove
        "11022",  # Kalmthout
        "11023",  # Kapellen
        "11024",  # Kontich
        "11025",  # Lint
        "11029",  # Mortsel
        "11030",  # Niel
        "11035",  # Ranst
        "11037",  # Rumst
        "11038",  # Schelle
        "11039",  # Schilde
        "11040",  # Schoten
        "11044",  # Stabroek
        "11050",  # Wijnegem
        "11052",  # Wommelgem
        "11053",  # Wuustwezel
        "11054",  # Zandhoven
        "11055",  # Zoersel
        "11057",  # Malle
        "12021",  # Lier
        "46030",  # Beveren-Kruibeke-Zwijndrecht
    ),
    3: (  # Brugge
        "31003",  # Beernem
        "31004",  # Blankenberge
        "31005",  # Brugge
        "31006",  # Damme
        "31012",  # Jabbeke
        "31022",  # Oostkamp
        "31040",  # Zedelgem
        "31042",  # Zuienkerke
        "31043",  # Knokke-Heist
    ),
    4: (  # Gent
        "42010",  # Laarne
        "42025",  # Wetteren
        "43002",  # Assenede
        "43005",  # Eeklo
        "43007",  # Kaprijke
        "43010",  # Maldegem
        "43014",  # Sint-Laureins
        "43018",  # Zelzate
        "44013",  # Destelbergen
        "44019",  # Evergem
        "44020",  # Gavere
        "44021",  # Gent
        "44064",  # Sint-Martens-Latem
        "44081",  # Zulte
        "44083",  # Deinze
        "44084",  # Aalter
        "44085",  # Lievegem
        "44086",  # Nazareth-De Pinte
        "44087",  # Lochristi
        "44088",  # Merelbeke-Melle
    ),
    5: (  # Kempen
        "12026",  # Nijlen
        "13001",  # Arendonk
        "13002",  # Baarle-Hertog
        "13003",  # Balen
        "13004",  # Beerse
        "13006",  # Dessel
        "13008",  # Geel
        "13010",  # Grobbendonk
        "13011",  # Herentals
        "13012",  # Herenthout
        "13013",  # Herselt
        "13014",  # Hoogstraten
        "13016",  # Hulshout
        "13017",  # Kasterlee
        "13019",  # Lille
        "13021",  # Meerhout
        "13023",  # Merksplas
        "13025",  # Mol
        "13029",  # Olen
        "13031",  # Oud-Turnhout
        "13035",  # Ravels
        "13036",  # Retie
        "13037",  # Rijkevorsel
        "13040",  # Turnhout
        "13044",  # Vorselaar
        "13046",  # Vosselaar
        "13049",  # Westerlo
        "13053",  # Laakdal
    ),
    6: (  # Kortrijk
        "33029",  # Wervik
        "34002",  # Anzegem
        "34003",  # Avelgem
        "34009",  # Deerlijk
        "34013",  # Harelbeke
        "34022",  # Kortrijk
        "34023",  # Kuurne
        "34025",  # Lendelede
        "34027",  # Menen
        "34040",  # Waregem
        "34041",  # Wevelgem
        "34042",  # Zwevegem
        "34043",  # Spiere-Helkijn
    ),
    7: (  # Leuven
        "23033",  # Hoeilaart
        "23062",  # Overijse
        "24001",  # Aarschot
        "24007",  # Begijnendijk
        "24008",  # Bekkevoort
        "24009",  # Bertem
        "24011",  # Bierbeek
        "24016",  # Boutersem
        "24020",  # Diest
        "24028",  # Geetbets
        "24033",  # Haacht
        "24038",  # Herent
        "24041",  # Hoegaarden
        "24043",  # Holsbeek
        "24045",  # Huldenberg
        "24048",  # Keerbergen
        "24054",  # Kortenaken
        "24055",  # Kortenberg
        "24059",  # Landen
        "24062",  # Leuven
        "24066",  # Lubbeek
        "24086",  # Oud-Heverlee
        "24094",  # Rotselaar
        "24104",  # Tervuren
        "24107",  # Tienen
        "24109",  # Tremelo
        "24130",  # Zoutleeuw
        "24133",  # Linter
        "24134",  # Scherpenheuvel-Zichem
        "24135",  # Tielt-Winge
        "24137",  # Glabbeek
    ),
    8: (  # Limburg
        "71002",  # As
        "71004",  # Beringen
        "71011",  # Diepenbeek
        "71016",  # Genk
        "71017",  # Gingelom
        "71020",  # Halen
        "71024",  # Herk-de-Stad
        "71034",  # Leopoldsburg
        "71037",  # Lummen
        "71045",  # Nieuwerkerken
        "71053",  # Sint-Truiden
        "71066",  # Zonhoven
        "71067",  # Zutendaal
        "71070",  # Heusden-Zolder
        "71071",  # Tessenderlo-Ham
        "71072",  # Hasselt
        "72003",  # Bocholt
        "72004",  # Bree
        "72018",  # Kinrooi
        "72020",  # Lommel
        "72021",  # Maaseik
        "72030",  # Peer
        "72037",  # Hamont-Achel
        "72038",  # Hechtel-Eksel
        "72039",  # Houthalen-Helchteren
        "72041",  # Dilsen-Stokkem
        "72042",  # Oudsbergen
        "72043",  # Pelt
        "73001",  # Alken
        "73022",  # Heers
        "73028",  # Herstappe
        "73042",  # Lanaken
        "73066",  # Riemst
        "73098",  # Wellen
        "73107",  # Maasmechelen
        "73109",  # Voeren
        "73110",  # Bilzen-Hoeselt
        "73111",  # Tongeren-Borgloon
    ),
    9: (  # Mechelen
        "12002",  # Berlaar
        "12005",  # Bonheiden
        "12007",  # Bornem
        "12009",  # Duffel
        "12014",  # Heist-op-den-Berg
        "12025",  # Mechelen
        "12029",  # Putte
        "12035",  # Sint-Katelijne-Waver
        "12040",  # Willebroek
        "12041",  # Puurs-Sint-Amands
        "23039",  # Kapelle-op-den-Bos
        "24014",  # Boortmeerbeek
    ),
    10: (  # Oostende
        "35002",  # Bredene
        "35005",  # Gistel
        "35006",  # Ichtegem
        "35011",  # Middelkerke
        "35013",  # Oostende
        "35014",  # Oudenburg
        "35029",  # De Haan
        "38014",  # Koksijde
        "38016",  # Nieuwpoort
    ),
    11: (  # Roeselare (Midwest)
        "31033",  # Torhout
        "36006",  # Hooglede
        "36007",  # Ingelmunster
        "36008",  # Izegem
        "36010",  # Ledegem
        "36011",  # Lichtervelde
        "36012",  # Moorslede
        "36015",  # Roeselare
        "36019",  # Staden
        "37002",  # Dentergem
        "37010",  # Oostrozebeke
        "37011",  # Pittem
        "37017",  # Wielsbeke
        "37020",  # Ardooie
        "37021",  # Wingene
        "37022",  # Tielt
    ),
    12: (  # Vlaamse Ardennen
        "41018",  # Geraardsbergen
        "41027",  # Herzele
        "41063",  # Sint-Lievens-Houtem
        "41081",  # Zottegem
        "44052",  # Oosterzele
        "45035",  # Oudenaarde
        "45041",  # Ronse
        "45059",  # Brakel
        "45060",  # Kluisbergen
        "45061",  # Wortegem-Petegem
        "45062",  # Horebeke
        "45063",  # Lierde
        "45064",  # Maarkedal
        "45065",  # Zwalm
        "45068",  # Kruisem
    ),
    13: (  # Vlaamse Rand
        "23002",  # Asse
        "23003",  # Beersel
        "23009",  # Bever
        "23016",  # Dilbeek
        "23025",  # Grimbergen
        "23027",  # Halle
        "23038",  # Kampenhout
        "23044",  # Liedekerke
        "23045",  # Londerzeel
        "23047",  # Machelen
        "23050",  # Meise
        "23052",  # Merchtem
        "23060",  # Opwijk
        "23064",  # Pepingen
        "23077",  # Sint-Pieters-Leeuw
        "23081",  # Steenokkerzeel
        "23086",  # Ternat
        "23088",  # Vilvoorde
        "23094",  # Zaventem
        "23096",  # Zemst
        "23097",  # Roosdaal
        "23098",  # Drogenbos
        "23099",  # Kraainem
        "23100",  # Linkebeek
        "23101",  # Sint-Genesius-Rode
        "23102",  # Wemmel
        "23103",  # Wezembeek-Oppem
        "23104",  # Lennik
        "23105",  # Affligem
        "23106",  # Pajottegem
        "42004",  # Buggenhout
    ),
    14: (  # Waasland
        "42023",  # Waasmunster
        "42028",  # Zele
        "46020",  # Sint-Gillis-Waas
        "46021",  # Sint-Niklaas
        "46024",  # Stekene
        "46025",  # Temse
        "46029",  # Lokeren
    ),
    15: (  # Westhoek
        "32003",  # Diksmuide
        "32006",  # Houthulst
        "32010",  # Koekelare
        "32011",  # Kortemark
        "32030",  # Lo-Reninge
        "33011",  # Ieper
        "33016",  # Mesen
        "33021",  # Poperinge
        "33037",  # Zonnebeke
        "33039",  # Heuvelland
        "33040",  # Langemark-Poelkapelle
        "33041",  # Vleteren
        "38002",  # Alveringem
        "38008",  # De Panne
        "38025",  # Veurne
    ),
}
