"""Build the bundled sample consultation: facebook.json and gold.csv.

Everything here is synthetic: the comment texts are hand-written for this project and the people are made up
(names are random combinations of common Danish first and last names). Nothing comes from real Facebook data.

Run from anywhere (stdlib only, deterministic: running it twice gives identical bytes):

    python data/sample/build_sample.py            # writes next to this file
    python data/sample/build_sample.py --out DIR  # writes DIR/facebook.json and DIR/gold.csv

Notation inside the texts (resolved by this script):
    [[Name]]        a tagged user; becomes Name plus a message_tags entry (offset/length in code points)
    [[page:Name]]   a tagged Page
    [[^]]           tags the author of the comment being replied to (as Facebook does when you click "Svar")
    {hej} / {hi}    staff greeting: "Hej <first name>" / "Hi <first name>" (just "Hej"/"Hi" when the parent's
                    author is not visible)
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from random import Random

SEED = 20140318
PAGE_ID = "169211373112345"
PAGE_NAME = "Silkeborg Kommune"
NOT_AN_IDEA = "not_an_idea"

THEMES = {
    "motorvejsoverdaekning": {
        "park": "Park og grønne områder",
        "leg": "Legepladser og børn",
        "sport": "Skaterbane, sport og bevægelse",
        "sti": "Cykel- og gangstier",
        "stoej": "Støj og luft",
        "parkering": "Parkering",
        "kultur": "Marked, café og kultur",
        "hund": "Hunde og hundeskov",
        "lys": "Belysning og tryghed",
    },
    "udviklingsstrategi": {
        "bus": "Busser og kollektiv trafik",
        "trafik": "Cykelstier og trafik",
        "bolig": "Boliger og bosætning",
        "erhverv": "Erhverv og arbejdspladser",
        "skole": "Skoler og børnepasning",
        "natur": "Natur, søer og turisme",
        "kultur": "Kultur, fritid og foreninger",
        "land": "Landsbyer og landdistrikter",
        "by": "Bymidte og handel",
    },
}

NOISE_KINDS = ("staff", "tak", "tag", "emoji", "spoergsmaal", "klage", "enig", "spam", "attachment")

# Recurring citizens (the `who="A:key"` authors in the texts).
RECURRING = {
    "bent": "Bent Kjærgaard",
    "lise": "Lise Brogaard Nielsen",
    "mads": "Mads Thygesen",
    "hanne": "Hanne Kjeldsen",
    "ole": "Ole Rasmussen",
    "sarah": "Sarah Williams",
    "kirsten": "Kirsten Damgaard",
    "jonas": "Jonas Holm Pedersen",
}

FIRST_NAMES = (
    "Anne Mette Kirsten Hanne Susanne Lene Camilla Louise Charlotte Maria Marianne Tina Pia Helle Christina "
    "Julie Sofie Ida Emma Line Maja Karen Inge Birthe Lone Bente Ulla Dorthe Rikke Trine Stine Sanne Nanna "
    "Cecilie Malene Heidi Gitte Jette Tanja Signe Mathilde Laura Katrine Karina Sara Jannie Mie Lotte Vibeke "
    "Jens Peter Lars Michael Søren Henrik Thomas Niels Jesper Christian Morten Anders Martin Rasmus Jan Hans "
    "Per Poul Kim Ole Torben Erik Steen Frank Claus Kasper Mads Jakob Nikolaj Mikkel Simon Kristian Jonas "
    "Frederik Emil Mathias Lasse Bo Jørgen Flemming Brian René Kenneth Carsten Allan Tobias Rune Esben Anton"
).split()
MIDDLE_NAMES = "Møller Skov Bach Holm Lund Dahl Kjær Vestergaard Munk Juul Bech Krogh Bak Friis Brink Lykke".split()
LAST_NAMES = (
    "Jensen Nielsen Hansen Pedersen Andersen Christensen Larsen Sørensen Rasmussen Jørgensen Petersen Madsen "
    "Kristensen Olsen Thomsen Christiansen Poulsen Johansen Møller Mortensen Knudsen Jakobsen Mikkelsen "
    "Frederiksen Laursen Henriksen Lund Schmidt Eriksen Holm Kristiansen Clausen Simonsen Svendsen Andreasen "
    "Iversen Jeppesen Mogensen Vestergaard Nissen Lauridsen Kjeldsen Østergaard Jepsen Søndergaard Dalgaard "
    "Bisgaard Overgaard Fogh Kirkegaard Nørgaard Brandt Damgaard Toft Thygesen Ravn Bundgaard Lauritsen"
).split()

# How many citizens appear in the pool of "fresh" authors; together with RECURRING and the few one-off named
# authors (spammers) this gives about 250 distinct authors.
POOL_SIZE = 240
NO_FROM_AUTHORS = 21  # authors whose `from` the API withholds (about 6 % of comments)


# --------------------------------------------------------------------------------------------------------------
# The little language the texts are written in


@dataclass
class Node:
    kind: str  # "idea" or a noise kind
    label: str  # theme key for ideas, noise kind otherwise
    text: str | None
    replies: tuple
    who: str | None = None  # None: a citizen from the pool; "op": thread starter; "A:key"; "name:Full Name"; "page"
    likes: int | None = None
    attachment: str | None = None  # key into ATTACHMENTS
    hidden: bool = False
    # filled in by the builder
    parent: Node | None = field(default=None, repr=False)
    time: datetime | None = None
    author: tuple[str, str] | None = None  # (id, name)
    show_from: bool = True
    cid: str | None = None


def I(theme, text, *replies, **kw):  # noqa: E743 - an idea
    return Node("idea", theme, text, replies, **kw)


def N(kind, text, *replies, **kw):  # noise
    assert kind in NOISE_KINDS, kind
    return Node(kind, kind, text, replies, **kw)


def S(text, *replies, **kw):  # a reply from the Page's staff
    return Node("staff", "staff", text, replies, who="page", **kw)


# --------------------------------------------------------------------------------------------------------------
# Udviklingsstrategi, first post (March 2014)

UDV_POST1 = [
    # --- busser og kollektiv trafik
    I("bus", "Bussen fra Them kører alt for sjældent, og den sidste går jo kl 18. Det er ikke til at have et "
             "fritidsliv uden bil. Flere afgange om aftenen tak!",
      S("{hej}, tak for dit input. Vi giver det videre til dem der arbejder med trafikplanen sammen med "
        "Midttrafik. /Anne, Silkeborg Kommune"),
      likes=34),
    I("bus", "Busser der kører efter kl 22 i weekenden, så de unge kan komme sikkert hjem fra byen",
      N("enig", "[[^]] ja!! vi forældre er trætte af at være taxa 😅"),
      likes=27),
    I("bus", "Flere afgange på toget til Aarhus og gerne direkte tog uden skift i Skanderborg 🚆",
      S("{hej}, tak – togtrafikken er ikke kommunens egen, men vi tager ønsket med i snakken med DSB og "
        "Midttrafik. /Kasper, Silkeborg Kommune"),
      likes=39),
    I("bus", "Gratis bybusser ligesom i nogle andre byer – så lader folk bilen stå",
      N("spoergsmaal", "og hvem skal betale for det?")),
    I("bus", "hurtigbus til Skejby og universitetet, der er mange der pendler derud hver dag"),
    I("bus", "More frequent trains to Aarhus please, the current schedule makes commuting really hard",
      S("{hi}, thank you for your input – we will pass it on to the people working with public transport. "
        "/Kasper, Silkeborg Kommune"),
      who="A:sarah"),
    I("bus", "Letbane til Aarhus!! det ville gøre Silkeborg til et sted folk gerne vil bo selvom de arbejder "
             "i aarhus",
      N("klage", "det koster jo milliarder, det sker aldrig"),
      likes=21),
    I("bus", "[[page:Midttrafik]] burde lave en direkte bus til Regionshospitalet, det er en hel dagsrejse "
             "hvis man bor på landet"),
    I("bus", "busstoppesteder med læskur! man står og bliver gennemblødt om morgenen med børnene"),
    I("bus", "samkørsel for pendlere, fx en app eller nogle pendlerpladser ved motorvejen hvor man kan mødes"),

    # --- cykelstier og trafik
    I("trafik", "Flere cykelstier!! især til skolerne 🚲", likes=30),
    I("trafik", "Cykelsti mellem landsbyerne, vi tør ikke lade børnene cykle langs landevejen hvor bilerne "
                "kører 90",
      S("{hej}, tak – cykelstier på landet er noget vi hører meget om. Det kommer med i vores opsamling. "
        "/Louise, Silkeborg Kommune"),
      N("tag", "[[Karina Dalgaard]] 👆"),
      likes=37),
    I("trafik", "sikker skolevej med fodgængerfelt og lavere fart ved skolerne"),
    I("trafik", "rundkørsel i krydset ved Gødvad i stedet for lyskurvet, der er kø hver eneste morgen"),
    I("trafik", "Sænk hastigheden til 40 i boligområderne"),
    I("trafik", "Cykelparkeringen ved stationen er alt for lille 🚲🚲🚲 og der bliver stjålet cykler hele tiden"),
    I("trafik", "More bike lanes please! Coming from the Netherlands I find biking here quite scary on the "
                "main roads", who="name:Pieter van Dijk"),
    I("trafik", "Få gjort noget ved trafikken på Aarhusvej om morgenen, den står helt stille fra 7.30 til 8"),
    I("trafik", "ryd cykelstierne for sne om vinteren ligesom vejene ❄️ det er jo dér børnene cykler"),

    # --- boliger og bosætning
    I("bolig", "flere billige lejeboliger til unge og studerende, ellers flytter vi alle sammen til aarhus",
      N("enig", "så sandt"),
      N("tag", "[[Frederik Lind]] 👆👆"),
      likes=33),
    I("bolig", "Byg seniorbofællesskaber, så vi ældre kan flytte fra huset og give plads til børnefamilierne",
      S("{hej}, tak for et godt forslag. Boliger til alle livets faser er en af de ting strategien skal "
        "handle om. /Anne, Silkeborg Kommune",
        N("tak", "Tak Anne 😊", who="op")),
      likes=25),
    I("bolig", "Grunde med udsigt til søerne, og markedsfør det i Aarhus! folk vil gerne bo her"),
    I("bolig", "Lad være med at bygge høje huse ved søerne, det ødelægger udsigten for alle andre", who="A:ole"),
    I("bolig", "bofællesskaber og andelsboliger – der er mange der gerne vil, men der er ingen grunde at få"),
    I("bolig", "Tiltræk tilflyttere med en velkomstpakke og en tilflytterguide der viser dem rundt i "
               "foreningerne og naturen 🙂"),
    I("bolig", "Affordable housing for young people and internationals. Many of my colleagues commute from "
               "Aarhus because they can't find an apartment here", who="name:Rahul Mehta"),
    I("bolig", "Silkeborg bør markedsføre sig som Danmarks bedste sted at bo 🌳🏡 vi har søer, skov og kort "
               "til aarhus. hvorfor er vi så dårlige til at fortælle det?",
      likes=40),
    I("bolig", "tiny houses område! det er fremtiden"),
    I("bolig", "ældreboliger i midtbyen tæt på butikker og læge, så man kan klare sig selv længere"),
    I("bolig", "lav de gamle fabriksbygninger om til lejligheder i stedet for at rive dem ned"),

    # --- erhverv og arbejdspladser
    I("erhverv", "Tiltræk flere virksomheder med arbejdspladser til højtuddannede, ellers pendler vi alle "
                 "sammen til Aarhus", likes=22),
    I("erhverv", "iværksætterhus med billige kontorer og fælles kaffemaskine 😉 mange af os sidder alene "
                 "hjemme ved køkkenbordet",
      S("{hej}, tak for forslaget – vi giver det videre til Erhvervsafdelingen. /Kasper, Silkeborg Kommune"),
      who="A:jonas"),
    I("erhverv", "Turisme er også et erhverv! satse på outdoor og kanoturisme og skab arbejdspladser på den "
                 "måde"),
    I("erhverv", "Lærepladser! kommunen burde stille krav om lærlinge når den sender opgaver i udbud"),
    I("erhverv", "samarbejde med VIA og Aarhus Universitet om en afdeling i Silkeborg, så de unge bliver her"),
    I("erhverv", "mindre bureaukrati for de små virksomheder, det tager evigheder at få svar fra kommunen",
      who="A:jonas"),
    I("erhverv", "Erhvervsområde ved den nye motorvej med gode tilkørselsforhold – det er jo derfor vi har "
                 "fået den"),
    I("erhverv", "Attract more international companies, and make it easier for spouses to find jobs. That's "
                 "why many expats leave again after a year or two", who="name:Elena Petrova"),
    I("erhverv", "Fødevarer og lokale producenter – lav et fælles brand 'Smag på Silkeborg' 🧀🍺"),
    I("erhverv", "flexjob og job til folk med handicap, kommunen skal gå forrest", likes=17),

    # --- skoler og børnepasning
    I("skole", "Mindre klasser i folkeskolen!! 28 børn i en klasse er alt for mange",
      S("{hej}, tak for din kommentar. Vi giver den videre til Børn og Unge. /Mette, Silkeborg Kommune"),
      N("enig", "[[^]] 100% enig, min datter går i en klasse med 27"),
      likes=44),
    I("skole", "Længere åbningstid i børnehaverne for os der pendler",
      N("spoergsmaal", "hvor længe har de åbent nu?",
        N("enig", "[[^]] til kl 17 og det er bare ikke nok når man arbejder i aarhus", who="op"))),
    I("skole", "flere pædagoger i vuggestuerne, normeringerne er helt skæve", likes=31),
    I("skole", "Gymnasiet skal have flere linjer, mange unge tager til Aarhus allerede som 16 årige"),
    I("skole", "Mere natur i skolen – udeskole i skoven og ved søerne en dag om ugen 🌲"),
    I("skole", "sund skolemad! i kunne lave et madkøkken på hver skole med lokale råvarer",
      S("{hej}, tak for idéen – den giver vi videre til Børn og Unge. /Mette, Silkeborg Kommune")),
    I("skole", "International school, or at least an international class. We would stay in Silkeborg if our "
               "kids could go to school in English", who="A:sarah"),
    I("skole", "billigere SFO – det er dyrt når man har 3 børn"),
    I("skole", "dagplejen skal bevares, det er så trygt for de små"),
    I("skole", "skolerne burde samarbejde meget mere med foreningerne, så børnene kan gå til sport i "
               "forlængelse af skoledagen"),
    I("skole", "hold på de gode lærere – der har været alt for mange fyringer de sidste år", who="A:ole"),

    # --- natur, søer og turisme
    I("natur", "Brug søerne meget mere! kajakudlejning, badebroer og shelters ⛺️", likes=35),
    I("natur", "Markedsfør Silkeborg som Danmarks outdoor-hovedstad 🚣‍♀️🌲 vi har det hele",
      S("{hej}, tak – naturen er en af kommunens største styrker, så den tanke tager vi med. /Anne, Silkeborg "
        "Kommune"),
      N("tag", "[[Troels Bisgaard]] det her er jo det du altid siger"),
      likes=48),
    I("natur", "flere badesteder med badebro og rent vand"),
    I("natur", "Mountainbikespor i Nordskoven og de andre skove – folk kommer langvejs fra for at køre"),
    I("natur", "Vandrerute hele vejen rundt om søerne med skilte og bålpladser"),
    I("natur", "Pas på naturen! Lad være med at bygge helt ned til søerne", likes=19),
    I("natur", "Himmelbjerget trænger til en kærlig hånd, det er jo vores største turistattraktion og det ser "
               "trist ud deroppe"),
    I("natur", "Kayak rental and more camping spots along the Gudenå. Tourists love it but it's hard to find "
               "info in English", who="name:Tom Fletcher"),
    I("natur", "shelters og bålpladser ved alle søerne 🔥"),
    I("natur", "turistinformation der også har åbent i weekenden 🙄 det er jo der turisterne kommer"),
    I("natur", "Lav et Silkeborg-pas til turister med rabat på museer, bådfart og kanoleje"),
    I("natur", "Hjejlen skal bevares og gerne sejle en længere sæson ⛴"),

    # --- kultur, fritid og foreninger
    I("kultur", "Et nyt kulturhus med plads til musik, teater og foreningerne", likes=26),
    I("kultur", "flere koncerter – Riverboat og Regatta er fantastiske, men resten af året sker der ikke "
                "meget 🎶"),
    I("kultur", "Støt foreningslivet! det er de frivillige der holder liv i byerne",
      N("enig", "helt enig. uden foreningerne går det hele i stå"),
      S("{hej}, tak! Foreningslivet fylder også meget i strategien 🙂 /Anne, Silkeborg Kommune"),
      likes=32),
    I("kultur", "Gratis adgang til Museum Jorn for kommunens egne borgere"),
    I("kultur", "en ordentlig svømmehal med vandrutsjebane, den gamle er slidt ned",
      N("tag", "[[Ida Kofoed]] ja tak!!"),
      likes=29),
    I("kultur", "Ungdomshus – et sted for de unge der ikke koster noget og hvor man ikke SKAL noget",
      who="A:mads"),
    I("kultur", "More cultural events in English would be great for the international community 🙂",
      who="name:Kasia Nowak"),
    I("kultur", "Spillested til de mindre koncerter, vi mangler noget mellem JYSK arena og værtshuset 🎸"),
    I("kultur", "kunstgræsbaner så børnene kan spille fodbold om vinteren ⚽"),
    I("kultur", "Foreningerne bruger vildt meget tid på papirarbejde og på at finde lokaler. lav en fælles "
                "bookingportal for alle kommunens lokaler og haller"),
    I("kultur", "Gør Silkeborg Bad til et rigtigt samlingssted med café og koncerter om sommeren"),

    # --- landsbyer og landdistrikter (more under post 2)
    I("land", "Glem nu ikke landsbyerne! Alt handler om Silkeborg by. Lav en pulje som landsbyerne selv kan "
              "søge til små projekter",
      likes=36),
    I("land", "Bevar købmanden i landsbyerne – måske kommunen kan hjælpe med huslejen eller lign. når den "
              "lukker, så flytter børnefamilierne"),
    I("land", "Lægehus i Gjern, det er for langt at køre til Silkeborg med syge børn"),

    # --- bymidte og handel
    I("by", "Gør gågaden mere levende – flere caféer og udeservering ☕", likes=23),
    I("by", "Gratis parkering i midtbyen de første 2 timer, ellers tager folk til Herning og Aarhus for at "
            "handle",
      N("enig", "JA!!"),
      N("klage", "det er jo netop derfor butikkerne lukker, man kan ikke holde nogen steder",
        I("by", "[[^]] p-hus under Torvet?")),
      likes=42),
    I("by", "Torvet trænger til en kærlig hånd. lav det grønt med træer og vandkunst"),
    I("by", "Butikkerne skal have længere åbent om torsdagen – man kan ikke nå noget når man pendler"),
    I("by", "Lad være med at bygge flere storcentre uden for byen, det dræber gågaden"),
    I("by", "Byen skal vende sig mod søen – lav en promenade langs vandet med restauranter og caféer",
      likes=30),
    I("by", "Make the pedestrian street more lively in the evenings. Right now everything closes at 17:30"),
    I("by", "flere bænke og offentlige toiletter i byen tak, tænk på os ældre"),
    I("by", "markedsdage på torvet om lørdagen med lokale varer 🥕🧀"),
    I("by", "Lav hele midtbyen bilfri, så kan man gå i fred"),
    I("by", "Byen mangler en rigtig boghandel og en tøjbutik for mænd 😅 vi kører til Aarhus for at handle"),
    I("by", "en fælles app for alle butikkerne med tilbud og ledige p-pladser", who="A:jonas"),

    # --- a long one
    I("land", "Jeg har boet i kommunen hele mit liv, først i Kjellerup og nu i Sorring, og jeg synes det er "
              "et dejligt sted at bo. Men jeg synes også man kan mærke at alt det nye sker inde i Silkeborg.\n\n"
              "Mit forslag er at I laver en plan for hver af de mindre byer sammen med dem der bor der. Hvad "
              "har vi brug for? Hvad vil vi gerne? Hos os er det skolen, brugsen og bussen der holder byen "
              "sammen. Hvis én af dem forsvinder, så flytter børnefamilierne, og så går resten også.\n\n"
              "Og så vil jeg sige tak for at I spørger. Det er første gang jeg har prøvet at skrive til "
              "kommunen på den her måde 🙂",
      S("{hej}. Tusind tak for en grundig og god kommentar! Vi har netop lavet et nyt opslag om landsbyerne "
        "og de mindre byer, så dine tanker passer rigtig godt ind. /Louise, Silkeborg Kommune",
        N("tak", "tak for svar 🙂", who="op")),
      who="A:kirsten", likes=51),
    I("skole", "Det der betyder noget for os, er at der er en god skole og en god børnehave tæt på. Og at man "
               "kan regne med at de ikke bliver lukket om to år. Stop med at lukke skoler!\n\nVi flyttede "
               "hertil fra Aarhus for 3 år siden netop pga. skolen og naturen. Hvis skolen lukker flytter vi "
               "igen. Så enkelt er det",
      S("{hej}, tak fordi du deler jeres historie – den giver vi videre. /Louise, Silkeborg Kommune"),
      likes=38),

    # --- noise
    N("tak", "Tak for et godt initiativ 👍"),
    N("tak", "super at I spørger borgerne!"),
    N("tak", "Godt initiativ Silkeborg Kommune 👏", likes=6),
    N("tak", "Fedt at man kan skrive her i stedet for at skulle til et møde en tirsdag aften 😄"),
    N("tak", "Great initiative 👍"),
    N("tak", "Dejligt at se så mange gode idéer herinde 😊"),
    N("tag", "[[Marianne Toft]] har du set det her?"),
    N("tag", "[[Anders Bruun]] [[Rikke Bruun]] [[Peter Kongsted]] 👍"),
    N("tag", "[[Line Skovgaard]] du har sikkert en masse idéer 😉",
      N("enig", "[[^]] haha ja mon ikke 😂")),
    N("tag", "Du skal skrive noget her [[Henrik Brask]]"),
    N("tag", "🤔 [[Emma Laustsen]]"),
    N("emoji", "👍👍"),
    N("emoji", "🙂"),
    N("emoji", "😀"),
    N("emoji", "🚲🚌🏡"),
    N("spoergsmaal", "hvem er det egentlig der svarer herinde?",
      S("{hej}, det er os i kommunikationsafdelingen – Anne, Kasper, Louise og Mette 🙂 /Kasper")),
    N("klage", "hvorfor skal alt foregå på facebook nu? ikke alle er på facebook", likes=9),
    N("spoergsmaal", "hvad er en udviklingsstrategi egentlig?",
      S("{hej}, godt spørgsmål! Det er byrådets plan for, hvor kommunen skal hen de næste år – fx hvor der "
        "skal bygges, og hvad der skal satses på. Du kan læse mere på silkeborg.dk/udviklingsstrategi "
        "/Anne, Silkeborg Kommune",
        N("tak", "ok tak for svar", who="op"))),
    N("spoergsmaal", "bliver det her overhovedet læst af nogen?",
      S("{hej}, ja – alle kommentarer bliver læst, og vi samler dem i et notat til byrådet 🙂 /Kasper, "
        "Silkeborg Kommune")),
    N("spoergsmaal", "hvornår er strategien færdig?"),
    N("spoergsmaal", "Kan man også sende sine idéer på mail?",
      S("{hej}, ja, du er velkommen til at skrive til os på mail – adressen står på silkeborg.dk. /Louise")),
    N("spoergsmaal", "Is it possible to write in English here?",
      S("{hi}, of course! All comments are welcome. /Kasper, Silkeborg Kommune"), who="name:Rahul Mehta"),
    N("spoergsmaal", "hvor mange penge er der egentlig sat af til det her?"),
    N("spoergsmaal", "Will there also be a meeting in English?", who="name:Elena Petrova"),
    N("klage", "det bliver jo ikke til noget alligevel", likes=8),
    N("klage", "I lukker vores skoler og så spørger I bagefter hvad vi gerne vil have 😡", likes=24),
    N("klage", "kommunen bruger alt for mange penge på konsulenter og strategier", who="A:ole", likes=11),
    N("klage", "Silkeborg Kommune er kun Silkeborg by. resten af os er glemt", likes=17),
    N("klage", "skatten er alt for høj i forvejen"),
    N("klage", "der er ingen der lytter alligevel, vi har prøvet før",
      S("{hej}, vi forstår godt, at man kan blive skuffet. Vi læser alle kommentarer, og idéerne bliver "
        "samlet og givet videre til byrådet. Mvh Mette, Silkeborg Kommune",
        N("klage", "vi får se", who="op"))),
    N("klage", "sikke noget pjat, brug dog pengene på de ældre i stedet"),
    N("enig", "enig med alle dem der skriver busser!!"),
    N("enig", "👍 til det med skolerne"),
    N("spam", "Vil du tabe 10 kg på 2 uger?? Se hvordan her 👉 www.slank-hurtigt-nu.com",
      who="name:Sandra Madsen", hidden=True),
    N("attachment", None, attachment="sticker_heart"),
]


# --------------------------------------------------------------------------------------------------------------
# Udviklingsstrategi, second post (April 2014): landsbyerne og de mindre byer

UDV_POST2 = [
    I("land", "Hurtigt internet og mobildækning! vi har ikke engang ordentlig 3G i Lemming, man kan ikke "
              "arbejde hjemmefra",
      S("{hej}, tak for dit input – dækning på landet er et emne vi hører om fra mange. /Anne, Silkeborg "
        "Kommune"),
      N("enig", "samme her i Grauballe"),
      likes=43),
    I("land", "Forsamlingshusene skal have støtte, det er dér landsbyen mødes",
      S("{hej}, tak for input! /Anne, Silkeborg Kommune",
        N("tak", "tak Anne", who="op")),
      likes=28),
    I("land", "Lad landsbyerne bestemme mere selv – et landsbyråd med et lille budget ville gøre underværker",
      who="A:kirsten"),
    I("land", "Markedsfør landsbyerne: billige huse, natur og kort til motorvejen. Det er et godt sted for "
              "børnefamilier",
      likes=22),
    I("land", "Flere arrangementer ude i landsbyerne, ikke kun i Silkeborg by"),
    I("land", "gør det nemmere at få landzonetilladelse til små virksomheder i de gamle landbrugsbygninger",
      who="A:jonas"),
    I("land", "We moved to Kjellerup last year and we love it, but there isn't much going on. Please support "
              "the local clubs and the village halls", who="name:Kasia Nowak"),
    I("land", "Der står så mange tomme butikker i Kjellerups hovedgade. Hjælp nogle nye i gang med lav husleje "
              "det første år"),
    I("land", "Riv de faldefærdige huse ned i landsbyerne, de giver et dårligt indtryk for dem der overvejer "
              "at flytte hertil",
      N("klage", "og hvem skal betale for det?"),
      likes=24),
    I("land", "saml de mindre byer i klynger, så de deler skole, hal og lægehus i stedet for at det hele "
              "lukker"),
    I("land", "Det vigtigste er at skolen i Sejling bliver. Uden skole ingen børnefamilier og uden "
              "børnefamilier ingen landsby",
      S("{hej}, tak for din kommentar. Skolestrukturen er ikke en del af udviklingsstrategien, men vi giver "
        "den videre til Børn og Unge. /Mette, Silkeborg Kommune",
        N("klage", "det hænger da sammen!? uden skole ingen landsby", who="op")),
      likes=39),
    I("land", "ku i ik lave sådan en frivillig-central for landsbyerne, så vi kan dele folk og redskaber "
              "mellem foreningerne",
      who="A:bent"),
    I("land", "I burde lave en fast kontaktperson på kommunen for hver landsby, så man ved hvem man skal "
              "ringe til. ring gerne til mig på 86 82 12 34 hvis I vil høre mere om hvordan vi gør i Voel",
      S("{hej}, tak for forslaget – vi tager kontakt til dig. /Louise, Silkeborg Kommune")),
    I("land", "Hvad med at lade de gamle skolebygninger blive til medborgerhuse når de nu lukker? så har "
              "foreningerne et sted at være"),
    I("land", "landsbyerne skal have lov at udstykke nogle grunde, ellers kan de unge jo ikke blive boende "
              "når de stifter familie"),

    I("bus", "Tilkaldebus/flextur der ikke koster en formue for os på landet 🚌", likes=26),
    I("bus", "busser der passer med skolernes ringetider – nu skal ungerne vente 45 min hver dag"),
    I("bus", "der kører 2 busser om dagen til Hinge. to! hvad med i det mindste en hver anden time"),
    I("bus", "Så længe der ikke kører en bus efter kl. 17, kan man ikke bo på landet uden 2 biler. Lav en "
             "aftenbus rundt i landsbyerne en gang i timen",
      N("enig", "👍👍")),

    I("trafik", "cykelsti langs landevejen fra Voel til Silkeborg, det er livsfarligt som det er nu", likes=34),
    I("trafik", "Fartdæmpning gennem landsbyerne – bilerne kører alt for stærkt gennem byen",
      N("enig", "[[^]] ja det er helt vildt nogle gange")),
    I("trafik", "Hjertestarter og cykelsti, mere skal der ikke til i Kragelund 😄"),

    I("skole", "Bevar de små skoler i landsbyerne – lukker skolen, dør byen",
      N("enig", "JA!!! 👏👏👏"),
      N("tag", "[[Pia Skytte]] [[Gitte Holm]] del del del"),
      likes=55),
    I("skole", "Hvis I samler overbygningen i Silkeborg, så lav i det mindste en ordentlig skolebus"),
    I("skole", "ungdomsuddannelse i Kjellerup, så de unge ikke skal rejse så langt hver dag"),
    I("skole", "Dagpleje i landsbyen, så vi ikke skal køre 15 km med en på 1 år hver morgen"),

    I("natur", "Naturlegepladser og stier i skovene omkring landsbyerne, det er godt for både børnefamilier "
               "og turister"),
    I("natur", "lav en rute med bål og shelters mellem landsbyerne, så turisterne også kommer ud til os 🚶‍♂️🔥"),
    I("natur", "Brug Gudenåen! kanoisætning og overnatning ved Kongensbro / Ans for turisterne"),

    I("kultur", "Bibliotekerne i de små byer skal bevares, de er et samlingssted for både børn og ældre",
      likes=27),
    I("kultur", "Gymnastik og fodbold i den lokale hal er det der holder os sammen. giv hallerne et løft, de "
                "fleste er fra 70'erne",
      likes=20),
    I("kultur", "Nogle af os er frivillige i 3-4 foreninger. Hjælp os med det administrative, så vi kan bruge "
                "tiden på børnene i stedet for på skemaer"),

    I("bolig", "billige byggegrunde i landsbyerne til unge familier 🏡"),
    I("bolig", "gør det nemmere at få lov at bygge på landet, der står så mange tomme gårde",
      I("bolig", "og lav dem om til bofællesskaber! der er plads til 4-5 familier på en gammel gård")),
    I("bolig", "seniorboliger i landsbyen, så de ældre ikke skal flytte til Silkeborg når huset bliver for "
               "stort", likes=18),
    I("bolig", "Mit forslag: et projekt der hjælper tilflyttere med at finde et hus i de små byer. Min mail "
               "er jes.overgaard@example.net hvis I vil høre mere, jeg er ejendomsmægler",
      who="name:Jes Overgaard"),
    I("bolig", "lejeboliger i de små byer. man skal ikke tvinges til at købe hus for at bo i Thorning"),

    I("erhverv", "Flere arbejdspladser ude på landet, fx kontorfællesskaber i de tomme bygninger, så man ikke "
                 "skal pendle hver dag"),
    I("erhverv", "Hjælp landmændene med gårdbutikker og turisme – det giver liv og arbejdspladser"),
    I("erhverv", "Bredbånd!! man kan ikke drive virksomhed herude med 2 mbit. det er det vigtigste for "
                 "erhvervslivet på landet",
      I("erhverv", "[[^]] enig, og gerne fiber. ring evt. +45 20 30 40 50 hvis I vil have en snak om "
                   "hvordan det gik da vi selv fik lagt fiber i Svostrup")),

    I("by", "En lille dagligvarebutik i hver landsby, evt. som andelsbutik med frivillige"),

    # --- noise
    N("tak", "tak fordi I tænker på os på landet ❤️", likes=7),
    N("tak", "Godt at I spørger os, der bor udenfor byen!"),
    N("tak", "Tak for opslaget 👍"),
    N("tak", "flot at I spørger 👍"),
    N("tak", "tusind tak Anne for hurtigt svar i går"),
    N("tag", "[[Lisbeth Brix]] [[Torben Brix]] det er noget for Grauballe"),
    N("tag", "[[Morten Aagaard]] !!!"),
    N("tag", "[[Bodil Lauritsen]] kig her 🙂 [[Vagn Lauritsen]]"),
    N("emoji", "❤️❤️"),
    N("emoji", "🏡🌳"),
    N("emoji", "👍"),
    N("spoergsmaal", "er det kun for landsbyerne eller også for os i Virklund?",
      S("{hej}, det gælder alle de mindre byer, så Virklund er også meget velkommen! /Anne, Silkeborg Kommune")),
    N("spoergsmaal", "hvad sker der med skolen i Sejling?"),
    N("spoergsmaal", "Hvorfor lukker I vores bibliotek hvis I gerne vil have liv på landet?", likes=13),
    N("klage", "I har jo allerede lukket halvdelen af skolerne 🙄", who="A:ole", likes=21),
    N("klage", "det er bare for syns skyld", likes=5),
    N("klage", "bussen kører ikke engang om lørdagen. det er ikke til at forstå"),
    N("klage", "lol det er lidt sent at spørge nu"),
    N("enig", "helt enig i det med internettet"),
    N("enig", "Kirsten har ret, bussen er alt"),
    N("spam", "💰 Jeg tjente 28.000 kr på en uge med det her trick. Skriv til mig for info 💰 "
              "www.nem-indtjening.biz",
      who="name:Maria Andersen", hidden=True),
    N("attachment", None, attachment="sticker_thumb"),
]


# --------------------------------------------------------------------------------------------------------------
# Motorvejsoverdækningen (one post, May 2014)

MOTORVEJ = [
    # --- park og grønne områder
    I("park", "hvad med en rigtig park med store træer og bænke hvor man kan sidde i solen og spise sin madpakke 🌳☀️",
      S("{hej}, tak for din idé – den er noteret og kommer med i det videre arbejde 👍 /Anne, Silkeborg Kommune"),
      N("enig", "ja det ville være så hyggeligt"),
      likes=41),
    I("park", "Grønt grønt grønt!!! der er asfalt nok i den by 🌳🌳🌳", likes=52),
    I("park", "Jeg synes man skal tænke det som en grøn forbindelse hen over motorvejen. Plant træer – gerne nogle "
              "af de store, ikke kun buske – og lav et par små bakker og græsplæner hvor man kan ligge om sommeren. "
              "Der mangler virkelig et sted i den del af byen hvor man bare kan gå en tur uden at skulle krydse en "
              "vej hvert andet minut.\n\nOg så blomster. mange blomster. tænk på bierne 🐝",
      S("{hej}. Tusind tak for et grundigt forslag! Vi samler alle idéerne, og landskabsarkitekterne får dem "
        "med, når de begynder at tegne. /Louise, Silkeborg Kommune",
        N("tak", "Tak for svar 😊", who="op")),
      likes=29),
    I("park", "frugttræer! så kan alle plukke æbler og blommer om efteråret 🍎",
      I("park", "og bærbuske 😋 ribs og solbær"),
      N("tag", "[[Lone Bech]] det er lige noget for dig"),
      likes=24),
    I("park", "en byhave hvor folk kan få en lille plet og dyrke grøntsager. det er kæmpe populært i kbh og aarhus",
      N("spoergsmaal", "hvem skal så passe den når folk mister interessen efter første sommer?",
        I("park", "[[^]] en forening selvfølgelig, det fungerer fint andre steder. man betaler et lille "
                  "kontingent og så er der fælles arbejdsdage", who="op")),
      who="A:lise"),
    I("park", "Would love to see a proper green space with trees and some benches. Silkeborg is so beautiful "
              "with the lakes, this could connect the city to nature 🌳",
      S("{hi}, thank you for your idea! We will include it in the work on the new area. /Kasper, Silkeborg Kommune"),
      who="A:sarah"),
    I("park", "Plant en skov 🌲🌲"),
    I("park", "Det skal være grønt. Ikke flere betonfliser tak. Lidt ligesom ved søerne bare midt i byen"),
    I("park", "kunne man ikke lave en lille sø eller et vandløb med en bro over? ville være så smukt, og "
              "vand dæmper også lidt af larmen"),
    I("park", "blomstereng i stedet for græsplæne – billigere at passe og godt for insekterne 🐞🦋"),
    I("park", "hængekøjer mellem træerne! har set det i en park i københavn og der var altid fyldt"),
    I("park", "Savner et sted med bænke og skygge hvor vi ældre kan sidde og kigge på livet. Ikke alt behøver "
              "at være for de unge",
      N("enig", "meget enig 👍"),
      S("{hej}, god pointe – området skal kunne bruges af alle aldre. Tak! /Mette, Silkeborg Kommune")),
    I("park", "Ikke flere parkeringspladser tak, vi har nok asfalt. lav hellere en park hvor der er plads til "
              "at ånde",
      N("klage", "nå men hvor skal vi så holde når vi skal ind og handle? det er allerede umuligt"),
      likes=18),
    I("park", "Nu har jeg boet på den her side af byen i 40 år, og jeg har set den forandre sig mange gange. Da "
              "motorvejen blev besluttet, var jeg en af dem der var imod. Men nu er den der jo, og så må vi få "
              "det bedste ud af det.\n\nMit forslag er en park. Ikke en pæn park med fliser og bede der skal "
              "luges hele tiden, men en rigtig bypark med store træer, græs man må gå på og nogle stier på "
              "kryds og tværs, så man kan gå med hunden eller barnevognen og komme over på den anden side uden "
              "at skulle ud på vejen. Træerne tager også noget af larmen, det ved enhver der har boet op ad "
              "en skov.\n\nOg så lad være med at fylde den op med alt muligt. Lidt legeplads, nogle bænke, "
              "måske et lille tag man kan stå under når det regner. Resten skal bare være grønt. Der er "
              "beton nok i forvejen, og vores børnebørn skal også have et sted at løbe.\n\nTak for at I "
              "spørger. Det havde man ikke gjort for 20 år siden 🙂",
      S("{hej}, tusind tak for en grundig kommentar og for at dele dine erfaringer 🌳 Den kommer med i "
        "opsamlingen. /Anne, Silkeborg Kommune",
        N("tak", "Selv tak. Og god weekend", who="op")),
      who="A:bent", likes=47),
    I("park", "Det wa' da en go' idé me' en park. A ku godt tænk mæ nogle store egetræer, de holder i 200 år",
      who="A:bent"),

    # --- legepladser og børn
    I("leg", "En stor legeplads!!! der mangler en ordentlig legeplads i midtbyen 😀",
      S("{hej}, tak for idéen! Vi kan se at mange ønsker sig en legeplads, så den er helt sikkert med i "
        "overvejelserne 🙂 /Anne, Silkeborg Kommune",
        N("tak", "tak 😊", who="op")),
      N("tag", "[[Sofie Lund]] [[Camilla Hvid]] 😍"),
      I("leg", "ja og gerne med noget til de store børn også, ikke kun gynger til de helt små"),
      likes=38),
    I("leg", "vandlegeplads ligesom den i aarhus ved åen, mine unger elsker den 💦"),
    I("leg", "det kunne være fedt med en naturlegeplads med træstammer og sten og sand i stedet for plastik 🌳",
      I("park", "ja og træer rundt om så der er skygge om sommeren"),
      likes=27),
    I("leg", "Legeplads med tema om motorvejen – biler, lastbiler og trafikskilte, børnene ville elske det 🚗🚚"),
    I("leg", "Husk hegn rundt om legepladsen!! vi er mange forældre der ikke tør lade de små løbe rundt så tæt "
             "på vejen",
      N("enig", "[[^]] ja det er så vigtigt"),
      likes=22),
    I("leg", "klatrevæg og svævebane 😍😍"),
    I("leg", "Et sted hvor dagplejerne og børnehaverne kan tage på tur. Vi har ikke langt dertil men der er "
             "ingen steder at lege i nærheden",
      who="A:lise"),
    I("leg", "Jeg vil gerne være frivillig og hjælpe med at passe en legeplads eller byhave sammen med andre "
             "forældre 🙂 mit cpr er 240588-1437 hvis i skal bruge det til børneattest"),
    I("leg", "A playground for toddlers please! Everything in town is for bigger kids"),
    I("leg", "trampoliner gravet ned i jorden ✌️ børn elsker det"),
    I("leg", "toiletter og pusleplads!! det glemmer man altid, og så holder børnefamilierne ik ret længe"),
    I("leg", "tænk også på børn med handicap – fx gynger man kan køre en kørestol op på",
      S("{hej}, tak – det er en rigtig vigtig pointe, som vi giver videre. /Louise, Silkeborg Kommune")),
    I("leg", "Ville ønske der var et sted hvor man kunne mødes med andre forældre og børnene kunne lege imens. "
             "måske en legeplads med en lille café ved siden af ☕",
      likes=19),

    # --- skaterbane, sport og bevægelse
    I("sport", "SKATERBANE!!! 🛹 de unge har ingen steder at være",
      N("spoergsmaal", "er der ikke allerede en skaterbane ude ved svømmehallen?",
        N("klage", "[[^]] jo men den er lille og helt smadret", who="op")),
      N("tag", "[[Oliver Bak]] [[Magnus Friis]] [[William Holst]] 🛹🛹🛹"),
      who="A:mads", likes=45),
    I("sport", "en skatepark i beton som den i aarhus, ikke sådan nogle træramper der rådner op efter 2 år",
      who="A:mads"),
    I("sport", "udendørs fitness! ligesom ved stranden i aarhus, det bliver brugt hele tiden 💪"),
    I("sport", "boldbur/multibane så drengene kan spille fodbold efter skole ⚽"),
    I("sport", "Petanquebane til os lidt ældre 😊 og gerne et par bænke ved siden af",
      N("enig", "ja tak!! petanque er for alle aldre")),
    I("sport", "parkour bane! mine drenge på 12 og 14 ville være der hver dag"),
    I("sport", "streetbasket 🏀🏀"),
    I("sport", "løbebane rundt om hele området med markering for hver 100 m, så man kan løbe intervaller"),
    I("sport", "Calisthenics park please 🙏 pull-up bars, dip bars etc. Cheap to build and used by loads of people",
      who="name:Lukas Becker"),
    I("sport", "beachvolley!! med sand og det hele ☀️🏐",
      N("emoji", "😍😍")),
    I("sport", "en rigtig klatrevæg til voksne, en man kan bouldre på"),
    I("sport", "isbane om vinteren og skaterbane om sommeren? 🙂"),
    I("sport", "Der mangler steder hvor de store børn og teenagere kan hænge ud uden at blive jaget væk. lav en "
               "pumptrack til cykler og løbehjul, den kan bruges af alle fra 5 til 50 år 😎",
      S("{hej}, tak for forslaget! Vi har fået flere ønsker om noget til de unge, så det tager vi med. "
        "/Kasper, Silkeborg Kommune",
        N("tak", "super 👍", who="op")),
      likes=16),
    I("sport", "Det ville vaere fedt med en skaterbane og et sted til de unge. Undskyld stavningen, skriver fra "
               "arbejdscomputer uden ae oe aa"),

    # --- cykel- og gangstier
    I("sti", "En ordentlig cykelsti hen over så man kan komme fra nord til centrum uden at cykle langs den store "
             "vej 🚲",
      likes=31),
    I("sti", "sti for gående og cyklister adskilt please, det går aldrig godt når de skal deles"),
    I("sti", "Gangstier med fast belægning så man kan komme frem med barnevogn og rollator. ikke grus!",
      N("enig", "Ja!! grus og barnevogn er ingen god kombi 😅")),
    I("sti", "Forbind overdækningen med stien langs åen og søerne, så man kan gå hele vejen rundt uden at "
             "skulle ud på vejene",
      S("{hej}, god idé – sammenhængen med stinettet er noget vi kigger på. Tak! /Anne, Silkeborg Kommune"),
      likes=25),
    I("sti", "cykelstativer og en cykelpumpe 🚲"),
    I("sti", "Skolevej!!! mange børn skal krydse her og de skal kunne cykle sikkert i skole",
      who="A:lise", likes=21),
    I("sti", "supercykelsti til Aarhus hele vejen 😎"),
    I("sti", "Det vigtigste for mig er at man kan komme over til fods. I dag er der nærmest ingen overgange og "
             "man skal gå en kæmpe omvej for at komme over på den anden side"),
    I("sti", "Please make it easy to cross by bike. Separate bike lanes and no stairs!"),
    I("sti", "ingen trapper! ramper så kørestole og barnevogne også kan komme op"),
    I("sti", "en bred promenade med bænke langs, som en strøggade bare uden biler 🚶‍♀️🚶"),
    I("sti", "cykelsti med lys hele vejen så man tør cykle hjem om aftenen"),
    I("sti", "kunne det ikke blive en del af en lang rute, så man kan cykle fra Resenbro til Funder uden at "
             "møde en eneste bil? det ville være noget 🚲🌳",
      who="A:bent"),

    # --- støj og luft
    I("stoej", "støjskærme!!! vi bor lige ved siden af og larmen er ikke til at holde ud. plant i det mindste en "
               "masse træer der kan tage lidt af larmen",
      S("{hej}, tak for din kommentar. Støj er et vigtigt emne i projektet, og vi giver dit input videre til "
        "Vejdirektoratet og vores egne planlæggere. Mvh Mette, Silkeborg Kommune",
        N("tak", "tak for svar Mette", who="op")),
      likes=34),
    I("stoej", "Det vigtigste er at få dæmpet støjen fra tunnelåbningerne. lav støjvolde med beplantning ved "
               "enderne"),
    I("stoej", "Husk luften – udsugningen fra tunnellen må ikke blæse ud lige der hvor børnene skal lege"),
    I("stoej", "grønne vægge / beplantede støjskærme, det ser pænere ud og tager larmen"),
    I("stoej", "Lad være med at lægge legepladsen ude ved kanten hvor larmen og os er værst. Brug den del til "
               "noget andet, fx cykelparkering"),
    I("stoej", "støjdæmpende asfalt på vejene omkring også tak"),
    I("stoej", "kunne I ikke måle støj og luftforurening og sætte en skærm op så alle kan se tallene? så ved vi "
               "hvordan det går 📊"),
    I("stoej", "Noise is my main concern. We live on the corner and the trucks at night are terrible. More "
               "trees and noise barriers please",
      S("{hi}, thanks for writing. Noise is an important part of the project and we will pass your comment on. "
        "/Kasper, Silkeborg Kommune")),
    I("stoej", "vi er mange her på vejen der håber på at det bliver mere stille nu. plant høje hække og buske "
               "langs kanten"),
    I("stoej", "lad nu være med at spare på støjskærmene, det er dem vi skal leve med de næste 50 år",
      who="A:ole"),

    # --- parkering
    I("parkering", "P-pladser!!! det er umuligt at finde parkering i den ende af byen",
      N("enig", "+1"),
      likes=20),
    I("parkering", "Parkeringskælder ved siden af, og så park ovenpå. så får man begge dele"),
    I("parkering", "2 timers gratis parkering ville hjælpe handlen i hele bymidten"),
    I("parkering", "pendlerparkering så man kan stille bilen og tage bussen til aarhus"),
    I("parkering", "handicapparkering tæt på, så alle kan komme og bruge området",
      S("{hej}, tak for en god pointe. Tilgængelighed for alle skal tænkes ind fra starten. /Louise, Silkeborg "
        "Kommune")),
    I("parkering", "ladestandere til elbiler ⚡🚗"),
    I("parkering", "et sted hvor autocamperne kan holde om sommeren, de holder alle vegne nu"),
    I("parkering", "beboerparkering tak, vi der bor her kan aldrig holde foran vores eget hus når der er "
                   "arrangementer i byen"),

    # --- marked, café og kultur
    I("kultur", "Torvemarked om lørdagen med lokale grøntsager og ost 🧀🥕"),
    I("kultur", "en lille café med udeservering, så bliver det et sted man gider at opholde sig ☕",
      likes=28),
    I("kultur", "Udendørs scene til koncerter og teater om sommeren 🎶",
      I("kultur", "og biograf under åben himmel! 🎬"),
      N("tag", "[[Jakob Winther]] 🎸🎸 der kan i spille"),
      N("emoji", "🎶🎶"),
      S("{hej}, tak for idéen! Et sted til arrangementer er der mange der ønsker sig. /Anne, Silkeborg Kommune"),
      likes=36),
    I("kultur", "loppemarked en søndag om måneden",
      I("kultur", "[[Mette Hansen]] og jeg vil gerne stå for det 😀 vi har lavet loppemarked i Gødvad i flere år")),
    I("kultur", "Street food marked ligesom Aarhus Street Food, bare i lille format 🌮🍔"),
    I("kultur", "kunst! lad lokale kunstnere udsmykke området, evt. i samarbejde med Museum Jorn"),
    I("kultur", "julemarked og skøjtebane i december ⛸🎄"),
    I("kultur", "Grillpladser og bord-bænkesæt så man kan holde fødselsdag derude om sommeren"),
    I("kultur", "A small food market or some food trucks would be amazing, there's nowhere to grab a coffee on "
                "that side of town ☕", who="A:sarah"),
    I("kultur", "isbod!!! 🍦"),
    I("kultur", "en graffitivæg hvor det er lovligt at male – så slipper vi måske for tags på alle husmurene"),
    I("kultur", "Lad foreningerne bruge det: stande, opvisninger, spejderne kunne lave bål og snobrød, "
                "musikskolen kunne spille. Så kommer folk og det bliver fyldt med liv",
      S("{hej}, spændende tanke – et sted som foreningerne også kan bruge. Vi sender den videre 🙂 "
        "/Kasper, Silkeborg Kommune")),
    I("kultur", "bogbyttehus / lille udendørs bibliotek 📚"),
    I("kultur", "Jeg har lavet en lille skitse af hvordan jeg forestiller mig det: en scene i midten, græs rundt "
                "om og en café for enden. Se billedet 🙂",
      attachment="photo_sketch", likes=23),

    # --- hunde og hundeskov
    I("hund", "HUNDESKOV 🐶🐶 det mangler vi virkelig i byen",
      N("klage", "og så skal vi andre træde i det hele 🙄",
        I("hund", "[[^]] hundeskov med hegn, så er problemet løst. og skraldespande med poser", who="op")),
      S("{hej}, tak for idéen – der er mange hundeejere der har skrevet, så den er noteret 🐶 /Louise, "
        "Silkeborg Kommune"),
      likes=33, who="A:hanne"),
    I("hund", "hundeposer og skraldespande hele vejen rundt tak"),
    I("hund", "en indhegnet hundeskov, så hundene kan løbe frit uden at genere børnene på legepladsen"),
    I("hund", "vandpost til hunde (og mennesker) 🐕💧"),
    I("hund", "Dog park please! Fenced, with some agility stuff 🐾", who="name:Tom Fletcher"),
    I("hund", "agilitybane til hunde, vores hundeklub vil gerne hjælpe med at passe den"),
    I("hund", "husk at hunde også skal kunne gå tur der, ikke alle steder behøver at være hundeforbud"),
    I("hund", "Vi er en gruppe hundeejere som gerne vil hjælpe med at lave en hundeskov. I er velkomne til at "
              "kontakte mig på hanne.kjeldsen71@example.com 🐾",
      S("{hej}, tusind tak – det er dejligt med borgere der vil give en hånd med. Vi kontakter dig, når vi "
        "kommer så langt. /Mette, Silkeborg Kommune"),
      who="A:hanne"),

    # --- belysning og tryghed
    I("lys", "Godt lys!! det er uhyggeligt at gå der om aftenen som det er nu", likes=26),
    I("lys", "belysning der ikke blænder, og gerne nogle lyskunstværker så det bliver et sted man har lyst til "
             "at gå forbi om vinteren ✨"),
    I("lys", "overvågning så der ikke kommer hærværk"),
    I("lys", "tænk på tryghed – ingen mørke kroge eller tætte buske man kan gemme sig bag"),
    I("lys", "lys der tænder når man går forbi, det sparer strøm og er trygt"),
    I("lys", "natteravne og flere voksne ude om aftenen, det hjælper mere end kameraer",
      N("enig", "helt enig")),
    I("lys", "Please make it well lit. As a woman I don't feel safe walking through there at night",
      who="name:Ana Costa"),
    I("lys", "en nødtelefon eller alarmstander ligesom på stationerne"),
    I("lys", "lys på stien hele vejen ned til søen, ikke kun på selve overdækningen",
      S("{hej}, tak for forslaget. Vi giver det videre til dem der arbejder med belysningen. /Louise, "
        "Silkeborg Kommune")),

    # --- noise: thanks, tags, emoji, questions, complaints, spam, attachments
    N("tak", "Tak for et godt initiativ 👍"),
    N("tak", "super at I spørger os borgere 👏👏",
      S("{hej}, tak – vi glæder os til at læse alle idéerne! /Anne, Silkeborg Kommune")),
    N("tak", "Fedt at kommunen lytter!"),
    N("tak", "godt gået Silkeborg Kommune ❤️"),
    N("tak", "Thanks for asking us! Great initiative"),
    N("klage", "Such a waste of money tbh"),
    N("tag", "[[Emily Clarke]] look at this! 😃"),
    N("tak", "tak for muligheden for at komme med input 🙂"),
    N("tag", "[[Mette Hansen]] se her!"),
    N("tag", "[[Jesper Holm]] 👀"),
    N("tag", "[[Rasmus Kjær]] [[Sebastian Lyng]] skate!!! 🛹"),
    N("spoergsmaal", "Hvor kan man læse mere om projektet?"),
    N("tag", "[[Lotte Ravn]] [[Kim Ravn]] det er jo lige ved os"),
    N("tag", "😍 [[Julie Skov]]"),
    N("tag", "hey [[Nanna Friis]] det var det her vi snakkede om i går"),
    N("tag", "[[Søren Østergaard]] skal vi ikke skrive noget om skaterbanen?",
      N("enig", "[[^]] jo gør det 👍")),
    N("tag", "👨‍👩‍👧 [[Christian Bundgaard]] [[Maja Bundgaard]]"),
    N("emoji", "👍"),
    N("emoji", "😍😍😍"),
    N("emoji", "🌳🌳🚲"),
    N("emoji", "❤️"),
    N("spoergsmaal", "hvornår er den færdig?",
      S("{hej} – godt spørgsmål! Motorvejen forventes åbnet i 2016, og så går arbejdet med at indrette arealet "
        "i gang. /Kasper, Silkeborg Kommune",
        N("tak", "ok tak", who="op")),
      likes=9),
    N("spoergsmaal", "Hvor lang bliver overdækningen egentlig?"),
    N("spoergsmaal", "hvem skal betale for det? kommunen eller staten?"),
    N("spoergsmaal", "kommer der et borgermøde om det her?",
      S("{hej}, ja – der er borgermøde d. 20. maj kl. 19 på rådhuset. Alle er velkomne! /Anne, Silkeborg "
        "Kommune")),
    N("spoergsmaal", "Kan man se tegningerne nogen steder?",
      S("{hej}, du kan se de foreløbige tegninger på silkeborg.dk/motorvej 🙂 /Louise")),
    N("spoergsmaal", "When will it be finished?", who="name:Pieter van Dijk"),
    N("spoergsmaal", "er det her den ved Hvinningdal eller inde i byen?"),
    N("spoergsmaal", "Hvad sker der med trafikken mens de bygger??"),
    N("klage", "sikke noget spild af penge",
      N("enig", "[[^]] helt enig"),
      likes=12),
    N("klage", "I skulle aldrig have lagt motorvejen gennem byen i første omgang", who="A:ole", likes=15),
    N("klage", "det bliver jo alligevel som politikerne har besluttet på forhånd 🙄"),
    N("klage", "Vi har haft byggerod i 3 år nu. tak for ingenting",
      S("{hej}, vi forstår godt frustrationen over byggeriet, og vi er glade for at det snart er overstået. "
        "Mvh Mette, Silkeborg Kommune")),
    N("klage", "typisk kommunen. først bygger man og så spørger man bagefter"),
    N("klage", "det ka da ikk væ rigtigt at det skal tage så lang tid", who="A:bent"),
    N("klage", "hvorfor spørger I først nu når alt er besluttet??", who="A:ole"),
    N("enig", "helt enig med dem der skriver park!!"),
    N("enig", "ja tak til alt det grønne 👍"),
    N("spam", "Tjen 5000 kr om dagen hjemmefra!! Jeg har prøvet det og det virker 💰💰 klik her "
              "www.hurtige-penge-dk.info", who="name:Camilla Jensen", hidden=True),
    N("spam", "Vind en iPhone 5s 📱📱 Del og like siden her → www.gevinst-danmark.net",
      who="name:Danske Gevinster"),
    N("attachment", None, attachment="sticker_thumb"),
    N("attachment", None, attachment="photo_site"),
]


POSTS = [
    {
        "obj": "10152287416912346",
        "consultation": "udviklingsstrategi",
        "created_time": "2014-03-18T10:00:00+0000",
        "days": 22,
        "message": (
            "Hvordan skal Silkeborg Kommune se ud i 2025? 🤔\n\n"
            "Vi er i gang med en ny udviklingsstrategi for hele kommunen – og vi vil rigtig gerne høre dine idéer! "
            "Hvad skal der til for at det bliver endnu bedre at bo, arbejde og leve her? Skriv din idé i en "
            "kommentar herunder 👇\n\n"
            "Alle idéer bliver læst og samlet op, og de indgår i arbejdet med strategien, som byrådet skal "
            "vedtage til efteråret. Læs mere på silkeborg.dk/udviklingsstrategi"
        ),
        "threads": UDV_POST1,
    },
    {
        "obj": "10152342870117346",
        "consultation": "udviklingsstrategi",
        "created_time": "2014-04-10T07:45:00+0000",
        "days": 14,
        "message": (
            "TAK for de mange idéer til udviklingsstrategien indtil nu 👏 Vi har fået over 100 kommentarer!\n\n"
            "Der er stadig tid til at komme med flere – og vi vil især gerne høre fra jer, der bor i landsbyerne "
            "og de mindre byer: Hvad skal der til, for at jeres by er et godt sted at bo og leve? 🏡🌳"
        ),
        "threads": UDV_POST2,
    },
    {
        "obj": "10152398154407346",
        "consultation": "motorvejsoverdaekning",
        "created_time": "2014-05-02T09:00:00+0000",
        "days": 24,
        "message": (
            "Hvad skal der være oven på motorvejen? 🛣🌳\n\n"
            "Når motorvejen gennem Silkeborg står færdig, bliver den overdækket på en strækning midt i byen. "
            "Oven på overdækningen får vi et helt nyt byrum – og vi vil gerne have DINE idéer til, hvad det "
            "skal bruges til. Park, leg, sport, marked … eller noget helt femte?\n\n"
            "Skriv din idé i en kommentar 👇 Idéerne bliver samlet og brugt, når landskabsarkitekterne går i "
            "gang med at tegne området."
        ),
        "threads": MOTORVEJ,
    },
]

# --------------------------------------------------------------------------------------------------------------


def uniform(rng: Random) -> float:
    """Only rng.random() is used, so the output is the same on every Python version."""
    return rng.random()


def pick(rng: Random, seq):
    return seq[int(rng.random() * len(seq))]


def shuffle(rng: Random, items: list) -> list:
    items = list(items)
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items


def digits(rng: Random, n: int) -> str:
    first = str(1 + int(rng.random() * 9))
    return first + "".join(str(int(rng.random() * 10)) for _ in range(n - 1))


def stable_id(name: str, n: int) -> str:
    """Id for someone who is only tagged, never writes: derived from the name, independent of build order."""
    h = int(hashlib.sha256(name.encode("utf-8")).hexdigest(), 16)
    return str(10 ** (n - 1) + h % (9 * 10 ** (n - 1)))


def walk(nodes, parent=None):
    for node in nodes:
        node.parent = parent
        yield node
        yield from walk(node.replies, node)


def fmt(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S+0000")


def local_hour(t: datetime) -> int:
    # Denmark: CET, CEST from 2014-03-30 01:00 UTC
    offset = 2 if t >= datetime(2014, 3, 30, 1, tzinfo=UTC) else 1
    return (t.hour + offset) % 24


# How active Danes are on Facebook by local hour (relative weights; evenings are busiest).
HOUR_WEIGHT = [1, 0.5, 0.2, 0.1, 0.1, 0.3, 1, 3, 4, 4, 4, 4, 5, 4, 4, 4, 5, 5, 5, 7, 9, 9, 6, 3]


def draw(rng: Random, base: datetime, minutes, ok) -> datetime:
    """A time after `base`: `minutes()` draws an offset; redraw until `ok(t)` accepts it (or give up)."""
    for _ in range(200):
        t = base + timedelta(minutes=minutes(), seconds=int(uniform(rng) * 60))
        if ok(t):
            return t
    for _ in range(24 * 7):  # e.g. a question on Friday evening: staff answer on Monday
        t += timedelta(minutes=61)
        if ok(t):
            return t
    raise AssertionError(f"no acceptable time after {base}")


def citizen_ok(rng: Random):
    return lambda t: uniform(rng) * 9 < HOUR_WEIGHT[local_hour(t)]


def staff_ok(t: datetime) -> bool:
    """Staff answer in office hours (local 8-16, weekdays)."""
    return t.weekday() < 5 and 8 <= local_hour(t) < 16


def assign_times(post: dict, rng: Random) -> None:
    start = datetime.strptime(post["created_time"], "%Y-%m-%dT%H:%M:%S%z")
    span = post["days"] * 24 * 60
    threads = post["order"]
    stamps = [draw(rng, start, lambda: 3 + span * uniform(rng) ** 2.3, citizen_ok(rng)) for _ in threads]
    for node, t in zip(threads, sorted(stamps), strict=True):  # most comments come in the first days
        node.time = t
    for top in threads:
        for node in walk(top.replies, top):
            base = node.parent.time
            if node.kind == "staff":
                node.time = draw(rng, base, lambda: 15 + 2400 * uniform(rng) ** 2, staff_ok)
            else:
                node.time = draw(rng, base, lambda: 2 + 1800 * uniform(rng) ** 3, citizen_ok(rng))
            node.time = max(node.time, base + timedelta(seconds=61))


def make_pool(rng: Random) -> list[tuple[str, str]]:
    taken = set(RECURRING.values())
    pool = []
    while len(pool) < POOL_SIZE:
        first = pick(rng, FIRST_NAMES)
        middle = pick(rng, MIDDLE_NAMES) if uniform(rng) < 0.3 else None
        last = pick(rng, LAST_NAMES)
        name = " ".join(x for x in (first, middle, last) if x)
        if name in taken or (middle and middle == last):
            continue
        taken.add(name)
        pool.append((digits(rng, pick(rng, (15, 16, 17, 17))), name))
    return pool


def assign_authors(posts: list[dict], rng: Random) -> set[str]:
    """Give every node an author; return the ids of authors whose `from` is withheld."""
    pool = shuffle(rng, make_pool(rng))
    recurring = {k: (digits(rng, 17), name) for k, name in RECURRING.items()}
    named: dict[str, tuple[str, str]] = {}
    page = (PAGE_ID, PAGE_NAME)
    nodes = [n for post in posts for top in post["order"] for n in walk([top])]
    nodes.sort(key=lambda n: n.time)
    fresh = [n for n in nodes if n.who is None]
    # Some citizens write more than once: the first POOL_SIZE fresh comments get a new author each; the rest
    # go to someone who has already written (drawn mostly from a chatty few).
    n_repeat = max(0, len(fresh) - POOL_SIZE)
    repeat_at = set(shuffle(rng, list(range(40, len(fresh))))[:n_repeat])
    used: list[tuple[str, str]] = []
    next_new = 0
    for i, node in enumerate(fresh):
        if i in repeat_at:
            thread_people = {n.author for n in thread_of(node)}
            while True:
                cand = pick(rng, used[:45]) if uniform(rng) < 0.6 else pick(rng, used)
                if cand not in thread_people or uniform(rng) < 0.05:
                    break
            node.author = cand
        else:
            node.author = pool[next_new]
            next_new += 1
            used.append(node.author)
    for node in nodes:
        if node.who == "page":
            node.author = page
        elif node.who and node.who.startswith("A:"):
            node.author = recurring[node.who[2:]]
        elif node.who and node.who.startswith("name:"):
            name = node.who[5:]
            node.author = named.setdefault(name, (stable_id(name, 15), name))
    for node in nodes:  # "op" last: the thread starter may itself be recurring or pooled
        if node.who == "op":
            node.author = root_of(node).author
    # whose `from` the API withholds: single-comment citizens from the pool, never a parent a reply tags
    tagged_parents = {id(n.parent) for n in nodes if n.text and "[[^]]" in n.text}
    counts: dict[str, int] = {}
    for n in nodes:
        counts[n.author[0]] = counts.get(n.author[0], 0) + 1
    blocked = {n.author[0] for n in nodes if id(n) in tagged_parents}
    candidates = [a for a in pool[:next_new] if counts.get(a[0], 0) <= 2 and a[0] not in blocked]
    hidden_from = {a[0] for a in shuffle(rng, candidates)[:NO_FROM_AUTHORS]}
    for node in nodes:
        node.show_from = node.author[0] not in hidden_from
    return hidden_from


def root_of(node: Node) -> Node:
    while node.parent is not None:
        node = node.parent
    return node


def thread_of(node: Node) -> list[Node]:
    return list(walk([root_of(node)]))


TAG_RE = re.compile(r"\[\[([^\]]+)\]\]")


def render(node: Node, people: dict[str, str]) -> tuple[str | None, list[dict]]:
    """Resolve the notation in a text; return the message and its message_tags (code-point offsets)."""
    if node.text is None:
        return None, []
    text = node.text
    parent = node.parent
    visible = parent is not None and parent.show_from and parent.author is not None
    first = parent.author[1].split()[0] if visible else None
    text = text.replace("{hej}", f"Hej {first}" if first else "Hej")
    text = text.replace("{hi}", f"Hi {first}" if first else "Hi")
    out: list[str] = []
    tags: list[dict] = []
    pos = 0
    length = 0
    for m in TAG_RE.finditer(text):
        chunk = text[pos:m.start()]
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        ref = m.group(1)
        if ref == "^":
            if not visible:
                raise ValueError(f"[[^]] under a comment without a visible author: {node.text!r}")
            tid, name, kind = parent.author[0], parent.author[1], "user"
        elif ref.startswith("page:"):
            name = ref[5:]
            tid, kind = stable_id("page:" + name, 15), "page"
        else:
            name = ref
            tid, kind = people.get(name) or stable_id(name, 17), "user"
        tags.append({"id": tid, "name": name, "type": kind, "offset": length, "length": len(name)})
        out.append(name)
        length += len(name)
    out.append(text[pos:])
    message = "".join(out)
    assert len(message) == length + len(text[pos:])
    return message, tags


ATTACHMENTS = {
    "sticker_thumb": {
        "type": "sticker",
        "url": "https://www.facebook.com/sticker/126361874215276",
        "media": {"image": {"src": "https://scontent.xx.fbcdn.net/v/t39.1997-6/p240x240/851587_126361874215276"
                                   "_1045893542_n.png", "width": 240, "height": 240}},
        "target": {"id": "126361874215276", "url": "https://www.facebook.com/sticker/126361874215276"},
    },
    "sticker_heart": {
        "type": "sticker",
        "url": "https://www.facebook.com/sticker/392309714199674",
        "media": {"image": {"src": "https://scontent.xx.fbcdn.net/v/t39.1997-6/p240x240/851581_392309714199674"
                                   "_1612317478_n.png", "width": 240, "height": 240}},
        "target": {"id": "392309714199674", "url": "https://www.facebook.com/sticker/392309714199674"},
    },
    "photo_site": {
        "type": "photo",
        "url": "https://www.facebook.com/photo.php?fbid=10203981127754312",
        "media": {"image": {"src": "https://scontent.xx.fbcdn.net/v/t1.0-9/10300143_10203981127754312"
                                   "_2200917743419832714_n.jpg", "width": 720, "height": 540}},
        "target": {"id": "10203981127754312", "url": "https://www.facebook.com/photo.php?fbid=10203981127754312"},
    },
    "photo_sketch": {
        "type": "photo",
        "url": "https://www.facebook.com/photo.php?fbid=10152563318827719",
        "media": {"image": {"src": "https://scontent.xx.fbcdn.net/v/t1.0-9/10356227_10152563318827719"
                                   "_6482291052871130012_n.jpg", "width": 960, "height": 720}},
        "target": {"id": "10152563318827719", "url": "https://www.facebook.com/photo.php?fbid=10152563318827719"},
    },
}


def likes_for(node: Node, rng: Random) -> int:
    if node.likes is not None:
        return node.likes
    u = uniform(rng)
    top = node.parent is None
    if node.kind == "idea":
        value = (38 if top else 14) * u**2.2 + (1 if uniform(rng) < 0.7 else 0)
    elif node.kind in ("klage", "spoergsmaal"):
        value = (14 if top else 5) * u**3
    elif node.kind in ("spam", "attachment"):
        value = 0
    elif node.kind == "staff":
        value = 4 * u**2
    else:
        value = 5 * u**3
    return min(60, int(value))


def build() -> tuple[str, str]:
    rng = Random(SEED)
    posts = []
    for spec in POSTS:
        post = dict(spec)
        post["id"] = f"{PAGE_ID}_{spec['obj']}"
        post["order"] = shuffle(rng, list(spec["threads"]))
        for _ in walk(post["order"]):
            pass  # sets parents
        assign_times(post, rng)
        posts.append(post)
    assign_authors(posts, rng)
    people = {}
    for post in posts:
        for node in walk(post["order"]):
            people.setdefault(node.author[1], node.author[0])

    comments = []
    gold = []
    for post in posts:
        nodes = sorted(walk(post["order"]), key=lambda n: n.time)
        cid = int(post["obj"]) + 1000 + int(uniform(rng) * 5000)  # comment ids grow with time
        for node in nodes:
            cid += 3 + int(uniform(rng) * 4000)
            node.cid = f"{post['obj']}_{cid}"
        for node in nodes:
            item: dict = {
                "id": node.cid,
                "post_id": post["id"],
                "parent_id": node.parent.cid if node.parent else None,
                "created_time": fmt(node.time),
            }
            if node.show_from:
                item["from"] = {"id": node.author[0], "name": node.author[1]}
            message, tags = render(node, people)
            if message is not None:
                item["message"] = message
            item["like_count"] = likes_for(node, rng)
            item["is_hidden"] = node.hidden
            if tags:
                item["message_tags"] = tags
            if node.attachment:
                item["attachment"] = ATTACHMENTS[node.attachment]
            comments.append(item)
            theme = THEMES[post["consultation"]][node.label] if node.kind == "idea" else NOT_AN_IDEA
            gold.append((node.cid, post["consultation"], theme))

    data = {
        "page": {"id": PAGE_ID, "name": PAGE_NAME},
        "posts": [
            {
                "id": p["id"],
                "created_time": p["created_time"],
                "message": p["message"],
                "permalink_url": f"https://www.facebook.com/silkeborgkommune/posts/{p['obj']}",
                "consultation": p["consultation"],
            }
            for p in posts
        ],
        "comments": comments,
    }
    facebook_json = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["comment_id", "consultation", "label"])
    writer.writerows(gold)
    return facebook_json, buf.getvalue()


def kinds() -> dict[str, dict[str, int]]:
    """Counts per noise kind / theme key, per consultation (for the README and the report)."""
    out: dict[str, dict[str, int]] = {}
    for spec in POSTS:
        counts = out.setdefault(spec["consultation"], {})
        for node in walk(spec["threads"]):
            key = f"idea:{node.label}" if node.kind == "idea" else node.kind
            counts[key] = counts.get(key, 0) + 1
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args(argv)
    facebook_json, gold_csv = build()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "facebook.json").write_bytes(facebook_json.encode("utf-8"))
    (args.out / "gold.csv").write_bytes(gold_csv.encode("utf-8"))
    print(f"wrote {args.out / 'facebook.json'} and {args.out / 'gold.csv'}")


if __name__ == "__main__":
    main()
