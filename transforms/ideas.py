"""Idea detection: give every comment a kind and a short reason, and tell the ideas (proposals, wishes, demands)
from staff replies, tags, thanks, questions, complaints, reactions, spam and off-topic chatter.

Rules over a fixed, generic lexicon of Danish and English cues read from the text alone, so they hold for imported
items and `cluster-file` as well as for Facebook comments; the Graph API's context (a reply by the Page, a reply in a
thread, tagged friends) is used when it is there. In order:

1. no text: a reaction; a reply by the Page, or a staff signature in the text ("/Anne, Silkeborg Kommune",
   "Mvh Lars, Park og Vej, … Kommune", "/Team …"): staff; an advert, follower bait or a promise of money: spam;
2. nothing left once mentions ("@Camilla Nielsen", "Camilla Nielsen se her"), courtesy and reaction words are taken
   out: a tag, thanks or a reaction ("Følger med 👀", "Deler lige", "💯", "Enig!!");
3. a joke, a lost pet, or a request for something else instead ("Kan I ikke hellere …"): off topic;
4. a demand: a proposal word ("burde", "hvad med", "ønsker", "should"), an imperative ("Lav", "Bevar", "Stop", also
   after "så"/"men": "Hvis den lukker, så sørg for …"), "skal" with an infinitive after a noun ("Bussen skal køre
   senere"), a wish written without a verb ("LYS PÅ STIERNE", "Shelter ved søen!!", "beboerparkering tak"), a "why is
   there no …" question or a request asked as a question ("Kunne I tilbyde …?"). With a demand a comment is an idea,
   however it complains ("Jeg er træt af at gå hjem i bælgmørke");
5. without one: a mention, thanks or praise of the consultation, a question, or a complaint (a grievance cue:
   "Endnu en strategi der ender i en skuffe") is that kind; a citizen's reply in a thread (the Graph API's context) is
   part of the conversation, a reaction; a report of what happened ("Bussen kørte forbi i morges", "har lignet en
   byggeplads i tre år", "virker ikke") is a complaint;
6. anything else with content words is an idea: on a consultation post, "Legeplads og shelter ved søen" is a wish.

Cases 4-6 are judgement calls (``Verdict.firm`` is False). A learned layer over them (logistic regression on
character n-grams and the rules' verdicts, trained on the tuning half of the Danish dev set) was measured and left
out: it changed nothing on the held-out half text only (macro-F1 0.919) and lost a little with context (0.925 ->
0.919), so every decision here is a rule's, and its reason names the cue.
"""

from __future__ import annotations

import logging
import os
import pickle
import re
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from transforms.text import STOP_WORDS, clean_text

__all__ = ["KINDS", "Verdict", "classify", "detect_ideas", "detect_kinds", "in_processes", "is_idea", "processes",
           "rule_verdict"]

KINDS = ("idea", "staff", "tag", "thanks", "question", "complaint", "reaction", "spam", "off_topic")

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_RAW_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def _words(pattern: str) -> re.Pattern[str]:
    """A case-insensitive pattern of whole words or phrases (alternatives separated by '|')."""
    return re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)


COURTESY = frozenset(
    """tak takk tusind mange kæmpe thanks thank thx ty you super flot flotte fedt fint godt god gode dejligt dejlig
    skønt sejt fantastisk klasse wow glæder glad glæde mig os hilsen mvh vh venlig venlige great nice cool good
    awesome job love it enig enige agree agreed helt bestemt absolut ja jo nej yes yeah no ok okay hej hi hello hejsa
    lol haha hahaha initiativ spændende exciting interessant interesting se kig tjek look check lige her det this
    følger følg med deler del deling sharing share following follow same nemlig præcis sandt sagt hear indeed true
    agreed bump""".split()
)
# Proposal words: with one of these a comment asks for something.
PROPOSAL_CUES = (
    r"forslag\w*|foresl\w+|id[eé]\w*|kunne(?! ikke)|tænke mig|tænke os|lyst til|"
    r"forestille\w* mig|forestiller mig|burde|bør|skulle|ønsker?|ønskes|ønsket|ønskeligt|ønsk|gerne|"
    r"savne\w*|mangle\w*|trænger|håber at|drømme\w*|etabler\w*|anlæg\w*|indfør\w*|"
    r"(?:flere|mere|mindre)(?= [^\W\d_]{3,})|evt|eventuelt|brug for|behov for|"
    r"hvad med|hvad om|hvorfor ikke|hvad hvis|kan (?:man|i|vi|der) ikke|kan vi få|må vi få|tænk hvis|"
    r"efterlys\w*|satse på|"
    r"vil (?:hellere|helst) have|helst|fedt med|godt med|dejligt med|vil være|ville være|ville gøre|"
    r"skal (?:\w+ )?(?:være|have|ha|\w+es)|"
    r"(?<!der )(?<!som )(?<!hvorfor )(?<!hvad )(?<!hvor )(?<!hvem )(?<!at )(?<!du )(?<!vi )(?<!jeg )(?<!man )(?<!de )"
    r"(?<!i )(?<!så )skal (?!jo\b|man\b|vi\b|du\b|jeg\b|de\b|i\b)(?:\w+ ){0,2}?"
    r"(?:\w{2,}e|gå|stå|bestå|få|se|bo|ske|nå)(?= |$|[.!,])|ville (?:hjælpe|løse|redde|gavne)|would (?:help|make)|"
    r"hvis (?:\w+ ){1,3}?(?:lukker|lukkes|nedlægges|forsvinder|fjernes)|må gerne|max|maks|minimum|mindst|"
    r"i stedet for|hellere|nej til|ja til|"
    r"should|could|would|suggest\w*|propos\w*|ideas?|why not|how about|what about|what if|wish|hope|need|needs|"
    r"please|let's|lets|instead|(?:more|fewer|less)(?= [^\W\d_]{3,})"
)
_PROPOSAL = _words(PROPOSAL_CUES)
# Imperatives a sentence opens with ("Lav en hundeskov", "Bevar Salten skole", "Stop med at sprøjte").
IMPERATIVES = frozenset(
    """lav byg sæt læg gør hjælp plant bevar behold luk lad saml slå del flyt giv brug hold tænk stop få åbn fjern
    udvid rens skab find tag indfør etabler opret sørg husk prioriter invester erstat drop begræns forlæng sænk hæv mal
    marker tilbyd ansæt lyt start støt genåbn genindfør anlæg renover forbedr udsæt koordiner kom vær bliv fald
    build make add put plant keep stop give open close move fix install create allow ban let bring""".split()
)
# Finite verbs: a first clause without one is a wish written as a noun phrase ("Shelter ved Engsøen!!").
FINITE_VERBS = frozenset(
    """er var har havde bliver blev kan kunne skal skulle vil ville må måtte bør burde gør gjorde får fik går gik
    kommer kom ligger lå står stod ser siger sagde tager tog giver gav synes syntes tror troede vidste hedder
    findes fandtes virker kører kørte ender endte ligner lugter stinker holder hører kender bor boede flytter
    flyttede lukker lukkede åbner sker skete betyder koster bruger tænker mener føler gider tør plejer skriver
    spørger lytter snakker venter bygger laver gælder sidder fylder mangler trænger håber ønsker savner elsker hader
    is are was were has have had do does did can could will would should must shall may might""".split()
)
# Clause openers that make a first clause a statement about something, not a wish ("Jeg …", "Det er …").
_SUBJECTS = frozenset(
    """jeg vi du i de han hun man det den der her hvis når som fordi da men og så alle nogen ingen min mit mine vores
    jeres deres hans hendes i'm we you they it this that if when because but nobody everyone someone nothing
    everybody somebody""".split()
)
_QUESTION_OPENERS = frozenset(
    """hvornår hvor hvem hvad hvordan hvorfor hvilke hvilken hvilket when where who what how why which""".split()
)
# A "why is there no …" question asks for the thing it misses.
_WHY_NOT = re.compile(
    r"^(?:hvorfor|why)\b(?:\W+\w+){0,4}?\W+(?:ikke|ingen|intet|aldrig|no|not|n't)\b", re.IGNORECASE
)
# Grievances: a comment with one of these and no demand is a complaint.
_GRIEVANCE = _words(
    r"skandale\w*|elendig\w*|dårlig\w*|spild af|spildt\w*|latterlig\w*|pinlig\w*|tåbelig\w*|typisk|"
    r"ærgerlig\w*|desværre|"
    r"utroligt|forfærdelig\w*|katastrofe\w*|sur|træt\w* af|alligevel|aldrig|altid|alt for|pjat|glemt|ikke engang|"
    r"for syns skyld|tak for ingenting|endnu en|endnu et|skuffe\w*|ulækker\w*|sjusket|stinke\w*|stinker|lugter|"
    r"forsinke\w*|opgivet|smulerne|intet ud af|ingen svar|aldrig svar|fået svar|ingen gav besked|besluttet|"
    r"gør som i vil|hvorfor skal|hvorfor gider|gide|overhovedet|igen og igen|hver eneste gang|slet ikke|"
    r"farlig\w*|kaos|rod|irriterende|frustrerende|uhyggelig\w*|utryg\w*|hver gang|hele tiden|i årevis|år efter år|"
    r"i \d+ år|stadig\w*|ingenting|intet sker|ingen gør noget|der sker ingenting|nobody does anything|"
    r"ingen gider|ingen lytter|ingen svarer|tomme løfter|pengespild|"
    r"værst\w*|slidt|ødelagt\w*|i stykker|beskidt\w*|"
    r"hovedløs\w*|uansvarlig\w*|skammelig\w*|håbløs\w*|nedslidt|forfald\w*|forsømt|trist\w*|ked af det|skuffet|"
    r"vred\w*|rasende|uacceptab\w*|aflyst|udeblev|kom (?:slet )?ikke|nedskæring\w*|besparelse\w*|sparet væk|"
    r"politikerne|rådhuset|😡|🤬|🙄|😤|😠|👎|"
    r"nobody|no one|"
    r"terrible|awful|ridiculous|waste|stupid|disgrace\w*|pathetic|shame|again|never|always|typical|another"
)
_SPAM = _words(
    r"køb|tilbud|gratis|vind|vinde|konkurrence|klik|rabat|free|win|click|buy|discount|crypto|bitcoin|invest\w*|"
    r"earn|profit|dm me|check out|promo\w*|casino|loan|lån"
)
# Adverts: a business offering something; two cues make an ad, as does a link with one.
_AD = _words(
    r"skriv (?:en )?pb|send (?:mig )?en (?:pb|besked)|privat besked til mig|i indbakken|indbakke|ledige pladser|"
    r"skarpe priser|uforpligtende|gratis tilbud|ring til|ring på|kontakt mig|kontakt os|bestil\w*|book\w*|tilbud\w*|"
    r"rabat\w*|kun få pladser|begrænset antal|check my profile|my profile|link i bio|link in bio|dm me|order now|"
    r"priser|pris fra|kr\.? pr|sale|offer|vi tilbyder|tilbyder vi|tilbyder|til salg|sælges|sælger|billigt|"
    r"gratis levering|"
    r"like og del|giveaway|følg os|besøg os|besøg vores|se mere på|læs mere på|vores (?:butik|webshop|hjemmeside)|"
    r"webshop|nyåbnet|åbningstilbud|spar \d+|\d+ ?%|\d+ ?kr\.?|tlf\.?|sms|ring|www\.\S+"
)
_SPAM_MONEY = re.compile(
    r"(?:tjen\w*|earn\w*).{0,40}(?:kr|\$|€|dollars?|money|penge)|\d[\d.]* ?kr på"
    r"|(?:\$|€) ?\d[\d.,]*"
    r"|\d[\d.,]* ?(?:kr\.?|dollars?|euros?) (?:om|a|per|pr\.?|i) (?:dagen|ugen|måneden|day|week|month)",
    re.IGNORECASE,
)
# A staff signature at the end: "/Anne, Silkeborg Kommune", "Mvh Lars, Park og Vej, Alhede Kommune",
# "Venlig hilsen Borgerservice, Silkeborg Kommune", "/Team Park og Vej", "Kind regards, … Council".
_SIGNATURE = re.compile(
    r"(?:^|[\s.!)])(?P<mark>/|–|—|-|mvh\.?|vh\.?|venlig hilsen|med venlig hilsen|de bedste hilsner|bedste hilsner|"
    r"hilsen|kind regards|best regards|regards)\s*,?\s*(?P<who>[^\n/]{0,70}?)\b"
    r"(?:kommune|kommunen|municipality|council|forvaltning\w*|borgerservice|teamet|rådhus\w*|bibliotek\w*|"
    r"kulturhus\w*|sekretariat\w*|afdeling\w*|park og vej|vej og park|teknik og miljø|trafik og vej\w*|"
    r"library|department)\b[\s.!🙂😊]*$",
    re.IGNORECASE,
)
_TEAM_SIGNATURE = re.compile(r"(?:^|\s)/\s*team\b[^\n/]{0,60}$", re.IGNORECASE)
# "… /Anne" at the very end: on a Page, a reply signed with a slash and a first name is the staff's habit.
_SLASH_NAME = re.compile(r"(?:^|\s)/\s?[A-ZÆØÅ][a-zæøå]+(?:\s[A-ZÆØÅ][a-zæøå]+)?[\s.!🙂😊]*$")
# The Page answering a citizen by name in the municipality's voice, unsigned.
_STAFF_GREETING = re.compile(r"^(?:hej|kære|hi|dear)\s+[A-ZÆØÅ][\w-]+\s*[.!,]", re.UNICODE)
_STAFF_VOICE = _words(
    r"vi har noteret|vi tager det med|vi sender|vi har sendt|vores kolleger|vi undersøger|vi forstår godt|"
    r"vi vender tilbage|vi har (?:slettet|skjult)|vores debatregler|skriv til os|send os|"
    r"tak for din (?:henvendelse|kommentar|besked)|"
    r"tak for dit (?:forslag|input|spørgsmål|indlæg)|høringsfrist\w*|we have passed|we will look|thanks for your"
)
# Mentions written as text: "@Camilla Nielsen", or a comment opening with a name and "se her" / "kig lige".
_NAME = r"[A-ZÆØÅ][a-zæøåäöüéè'’-]+"
_AT_MENTION = re.compile(rf"@{_NAME}(?:\s+(?:{_NAME}|de|van|von|la))*(?:\s+{_NAME})?", re.UNICODE)
_NAMED_LOOK = re.compile(
    rf"^(?:[Hh](?:ej|ey|i)\s+)?(?:{_NAME}\s+){{1,3}}(?=(?:se|kig|tjek|look|check)\b|(?:det|den) her\b|dette\b|this\b"
    r"|det er (?:vist |da |lige )?noget for\b)", re.UNICODE
)
_ONLY_NAMES = re.compile(rf"^\s*(?:{_NAME}\s*){{1,4}}[\W_]*$", re.UNICODE)
# Opening with thanks or praise of the consultation itself ("Fedt at I spørger", "Godt initiativ").
_THANKS_OPENING = re.compile(
    r"^(?:\W*(?:kæmpe|tusind|mange|stor|rigtig|super|virkelig|så|bare|og)\s+)*"
    r"(?:tak|tusind tak|mange tak|takk|thanks|thank you|cheers)(?!\w)"
    r"|^(?:\W*(?:kæmpe|rigtig|super|virkelig|så|bare|helt)\s+)*"
    r"(?:godt|flot|fint|fedt|dejligt|skønt|sejt|super|great|nice|good|lovely|wonderful|awesome)\s+"
    r"(?:at|initiativ\w*|gået|arbejde|set|sagt|spurgt|møde|job|work|idea to ask|to see|that)(?!\w)",
    re.IGNORECASE,
)
_PRAISE = _words(
    r"dejlig\w*|skøn\w*|fantastisk\w*|elsker|glad for|glade for|glæder (?:mig|os)|søde|hjælpsom\w*|flot\w*|"
    r"perfekt\w*|bedste|imponere\w*|taknemmelig\w*|kudos|guld værd|hyggelig\w*|godt gået|gør det godt|seje?|"
    r"love|lovely|wonderful|amazing|great job|well done|brilliant|fantastic"
)
# Agreeing with someone else: a proposal must follow for it to be an idea ("Enig med Per. Hver halve time …").
_AGREEMENT_OPENING = re.compile(
    r"^\W*(?:helt |så |meget |totalt )?(?:enig\w*|samme her|ja|jo|ok|okay|nemlig|præcis|agree\w*|yes|same here)(?!\w)"
    r"|^\W*[A-ZÆØÅ][a-zæøå]+ har ret\b|^\W*(?:det )?(?:har du|du har|i har) (?:helt |så |fuldstændig )?ret\b"
    r"|^\W*(?:så rigtigt|you're right|you are right|true)(?!\w)",
    re.IGNORECASE,
)
_THANKS_WORD = _words(r"tak|takk|thanks|thank you|tusind tak")
_REACTION_ONLY = _words(
    r"følger(?: med)?|følg|deler(?: lige)?|del|enig\w*|helt enig|så enig|nemlig|præcis|så sandt|godt sagt|"
    r"hear hear|same|this|agreed|agree|following|sharing|bump|ja+|yes|\+1"
)
_JOKE = re.compile(r"😂|🤣|😆|(?<!\w)(?:haha\w*|hihi\w*|lol|lmao)(?!\w)", re.IGNORECASE)
_LOST = _words(
    r"(?:er der )?nogen der har (?:set|fundet|mistet)|har nogen (?:set|fundet)|bortløben|forsvundet|tabt|"
    r"anyone (?:seen|found)|lost (?:cat|dog)|missing (?:cat|dog)"
)
_INSTEAD = re.compile(r"^(?:kan|kunne) i ikke (?:\w+ )?hellere|^hvad med at i hellere|^why not rather", re.IGNORECASE)
# "Kunne I tilbyde svømning for voksne?": a yes/no question asking the municipality to do something, not to tell.
_REQUEST = re.compile(
    r"^(?:kan|kunne|vil|ville|gider|could|can|would|will) (?:i|you|kommunen|the council) (?:ikke |not |please )?"
    r"(?!fortælle|sige|oplyse|forklare|svare|bekræfte|sende|tell|explain|say|confirm|send|let)(\w{3,})"
)
# An imperative after "så" or "men" inside a clause ("Hvis den lukker, så sørg for …", "…, men lav nu stien").
_LATER_IMPERATIVE = re.compile(r"(?:,\s*|\s)(?:så|men)\s+(?:bare\s+|nu\s+)?([^\W\d_]+)", re.IGNORECASE)
# A report of what happened or has gone on, with no demand: a complaint. A past verb after its subject ("Bussen kørte
# forbi", "Det kostede 40 mio"), a perfect ("har lignet", "have not been emptied") or a time of the event.
_REPORT = re.compile(
    r"(?<!\w)(?:jeg|vi|du|de|den|det|der|man|han|hun|i|[^\W\d_]{2,}(?:en|et|ne))\s+(?:ikke\s+|aldrig\s+)?"
    r"(?:[^\W\d_]{2,}ede|[^\W\d_]{2,}[^aeiouyæøås\W\d_]te|var|blev|kom|fik|gik|stod|lå|tog|gav|sagde|så)(?!\w)"
    r"|(?<!\w)(?:har|havde|er blevet)\s+(?:ikke\s+|aldrig\s+|jo\s+|også\s+|bare\s+)?"
    r"(?:været|haft|fået|[^\W\d_]{3,}(?:et|t))(?!\w)"
    r"|(?<!\w)(?:jeg|vi|man|de)\s+(?:kunne|ville)\s+ikke(?!\w)"
    r"|(?<!\w)(?:virker|fungerer|works?|worked)\s+(?:ikke|not)(?!\w)"
    r"|(?<!\w)(?:has|have|had)\s+(?:not\s+|never\s+)?(?:been|[^\W\d_]{3,}ed)(?!\w)"
    r"|(?<!\w)(?:i morges|i går|i aftes|i (?:man|tirs|ons|tors|fre|lør|søn)dags"
    r"|sidste (?:gang|år|uge|måned|sommer|vinter)"
    r"|for \w+ (?:år|uger|måneder|dage) siden|hele (?:vinteren|sommeren|året|efteråret|foråret)"
    r"|i (?:\d+|to|tre|fire|fem|mange) år|yesterday|this morning|last (?:week|year|time|night|summer|winter)|ago"
    r"|for (?:\d+|two|three|several|many) (?:weeks|months|years|days))(?!\w)",
    re.IGNORECASE,
)
# Follower bait and shop talk: one is enough.
_BAIT = _words(
    r"følgere|followers|flere likes|more likes|link i bio|link in bio|følg (?:min|vores) side|følg (?:mig|os)|"
    r"follow (?:us|me|my page|our page)|check out (?:our|my) (?:page|profile|site)|besøg (?:min|vores) (?:side|profil)|"
    r"message me|\w*udsalg\w*"
)
_CRYPTO = re.compile(r"(?:crypto|krypto|bitcoin|investment|investering|afkast|returns).{0,60}(?:\d ?%|kr|\$|€)"
                     r"|\d ?%.{0,60}(?:crypto|krypto|bitcoin|afkast|returns)", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    """A comment's kind, why, and whether that was a firm rule (never overruled) or a judgement call."""

    kind: str
    reason: str
    firm: bool = True


_CLAUSE_END = re.compile(r"(?<=[.!?:;])\s+|\n+|(?<=[\U0001f000-\U0001faff\u2600-\u27bf])\s+(?=[A-ZÆØÅ])")


def _clauses(message: str) -> list[str]:
    parts = _CLAUSE_END.split(message.strip())
    return [c.strip() for c in parts if c.strip()]


def _tokens(text: str) -> list[str]:
    return _WORD.findall(clean_text(text))


def _content_words(text: str) -> list[str]:
    return [w for w in _tokens(text) if w not in STOP_WORDS and w not in COURTESY and len(w) > 1]


def _strip_mentions(message: str, tag_count: int) -> tuple[str, int]:
    """The message without names written as mentions, and how many there were."""
    found = len(_AT_MENTION.findall(message))
    text = _AT_MENTION.sub(" ", message)
    opening = _NAMED_LOOK.match(text.strip())
    if opening:
        text, found = text.strip()[opening.end():], found + 1
    elif _ONLY_NAMES.match(text) and (found or tag_count or len(_RAW_WORD.findall(text)) >= 2) \
            and _first_word(text) not in IMPERATIVES:
        return "", found + 1
    if tag_count:  # tagged friends appear by name at the start
        words = text.split()
        limit = 3 * tag_count  # a name is one to three words; "Tak", "Lav" … open the comment itself
        while words and limit and re.match(_NAME, words[0]) and _first_word(words[0]) not in IMPERATIVES \
                and _first_word(words[0]) not in COURTESY and _first_word(words[0]) not in STOP_WORDS:
            words.pop(0)
            limit -= 1
        text = " ".join(words)
    return text, found


def _staff(message: str) -> str | None:
    tail = message.strip()[-140:]
    m = _SIGNATURE.search(tail)
    if m:
        mark = m.group("mark").strip().lower()
        return f"staff signature ('{'/' if mark in '/–—-' else mark.capitalize() + ' '}name, … Kommune')"
    if _TEAM_SIGNATURE.search(tail):
        return "staff signature ('/Team …')"
    if _SLASH_NAME.search(tail):
        return "staff signature ('/name')"
    if _STAFF_GREETING.match(message.strip()) and _STAFF_VOICE.search(message):
        return "answers a citizen by name in the municipality's voice"
    return None


def _spam(message: str, text: str) -> str | None:
    ad = _AD.search(message)  # all advert cues are collected only when there is one: most comments have none
    if _URL.search(message) and (_SPAM.search(text) or ad):
        return "a link with sales words"
    if _SPAM_MONEY.search(message) or _CRYPTO.search(message):
        return "promises money"
    bait = _BAIT.search(message)
    if bait:
        return f"follower bait or shop talk ('{bait.group(0).lower()}')"
    ads = {m.group(0).lower() for m in _AD.finditer(message)} if ad else set()
    if len(ads) >= 2:
        return f"advert ('{sorted(ads)[0]}')"
    return None


def _first_word(clause: str) -> str:
    """The clause's first word, past a leading conjunction ("Men lav nu den sti" -> "lav")."""
    words = _tokens(clause)
    while len(words) > 1 and words[0] in ("men", "og", "så", "but", "and", "so"):
        words = words[1:]
    return words[0] if words else ""


_NEGATION_OR_GET = _words(r"ikke|få|not|get")
_HEAD_END = re.compile(
    r"[,:;(\U0001f000-\U0001faff\u2600-\u27bf]|\s[-–]\s|\s(?:så|hvor|der|som|for at|fordi|når|men|so|where|that)\s"
)


def _head(clause: str) -> str:
    """A clause up to its first comma or subordinate clause ("Regnvandsbassiner så der …" -> "Regnvandsbassiner")."""
    return _HEAD_END.split(clause, maxsplit=1)[0]


def _wish_without_verb(clause: str) -> bool:
    """A clause written as a noun phrase with content ("Shelter ved Engsøen!!", "Max 22 elever i en klasse")."""
    words = _tokens(_head(clause))
    while words and words[0] in ("og", "så", "and", "plus", "også"):  # "og biograf under åben himmel!" continues a wish
        words = words[1:]
    if not words or len(words) > 9 or words[0] in _SUBJECTS or words[0] in _QUESTION_OPENERS:
        return False
    if any(w in FINITE_VERBS or w.endswith("ede") for w in words):
        return False
    return bool([w for w in words if w not in STOP_WORDS and w not in COURTESY and len(w) > 2])


def _demand(text: str, clauses: list[str] | None = None) -> str | None:
    """Why the comment asks for something, or None. Thanks, and questions asking for information ("Hvor mange …
    skal der være?"), ask for nothing whatever words they use. ``clauses``: ``_clauses(text)`` when already split."""
    clauses = _clauses(text) if clauses is None else clauses
    start = 0  # the first clause that is not thanks or agreement: a wish without a verb opens it
    for i, clause in enumerate(clauses):
        if i == start and _AGREEMENT_OPENING.search(clause):
            rest = clause.split(",", 1)[1].strip() if "," in clause else ""  # "Enig med Lone, bussen skal gå senere"
            rest = re.sub(r"^(?:og|and)\s+(?:så\s+)?", "", rest, flags=re.IGNORECASE)
            if not rest:
                start = i + 1
                continue
            clause = rest
        first = _first_word(clause)
        if _THANKS_OPENING.search(clause):
            continue
        request = _REQUEST.match(clean_text(clause))
        if clause.endswith("?") and request:
            return f"asks the municipality to '{request.group(1)}'"
        if clause.endswith("?") and first in _QUESTION_OPENERS and first not in ("hvorfor", "why"):
            if not re.match(r"^(?:hvad|what) (?:med|om|hvis|about|if)\b", clean_text(clause)):
                continue
        if clause.endswith("?") and first in FINITE_VERBS and not _NEGATION_OR_GET.search(clause):
            continue  # a yes/no question asks for information ("Kan man også sende sine idéer på mail?")
        cue = _PROPOSAL.search(clause)
        if cue:
            return f"proposal word '{cue.group(0).lower()}'"
        if first in IMPERATIVES:
            return f"imperative '{first}'"
        later = _LATER_IMPERATIVE.search(clause)
        if later and later.group(1).lower() in IMPERATIVES:
            return f"imperative '{later.group(1).lower()}'"
        if _WHY_NOT.search(clause):
            return "asks why there is none"
        ending = clean_text(clause)[-1:]
        if (i == start or ending == "!") and _wish_without_verb(clause):
            if not (ending == "?" and first in FINITE_VERBS):
                return "a wish written without a verb"
    return None


def rule_verdict(message: str | None, *, is_page_reply: bool = False, is_reply: bool = False,
                 tag_count: int = 0) -> Verdict:
    """The rules' kind and reason for one comment (see the module docstring, applied in order)."""
    if not message or not isinstance(message, str) or not message.strip():
        return Verdict("reaction", "no text (a picture or sticker only)")
    if is_page_reply:
        return Verdict("staff", "written by the Page")
    staff = _staff(message)
    if staff:
        return Verdict("staff", staff)
    text = clean_text(message)
    spam = _spam(message, text)
    if spam:
        return Verdict("spam", spam)
    body, mentions = _strip_mentions(message, int(tag_count or 0))
    mentioned = mentions > 0 or int(tag_count or 0) > 0
    content = [w for w in _content_words(body) if not _REACTION_ONLY.fullmatch(w)]
    if not content:
        if mentioned:
            return Verdict("tag", "only mentions")
        if _THANKS_WORD.search(body):
            return Verdict("thanks", "only thanks")
        return Verdict("reaction", "only a reaction, emojis or courtesy words")
    if _LOST.search(body):
        return Verdict("off_topic", "lost and found")
    if _INSTEAD.search(body.strip()):
        return Verdict("off_topic", "asks for something else instead")
    clauses = _clauses(body)  # split once: both steps below read the same clauses
    demand = _demand(body, clauses)
    if _JOKE.search(body):
        return Verdict("off_topic", "a joke (laughing)", firm=demand is None)
    return _judgement(body, demand, mentioned, is_reply, clauses)


def _judgement(body: str, demand: str | None, mentioned: bool, is_reply: bool, clauses: list[str]) -> Verdict:
    """Cases 4-6 of the module docstring: calls the learned layer may overrule. ``clauses``: ``_clauses(body)``."""
    first_clause = (clauses or [""])[0]
    grievance = _GRIEVANCE.search(_head(first_clause)) if demand == "a wish written without a verb" else None
    if grievance:
        return Verdict("complaint", f"complaint without a demand ('{grievance.group(0).lower()}')", firm=False)
    if demand:
        return Verdict("idea", demand, firm=False)
    if mentioned:
        return Verdict("tag", "mentions without a proposal", firm=False)
    if _THANKS_OPENING.search(body.strip()):
        return Verdict("thanks", "thanks or praise without a proposal", firm=False)
    if _AGREEMENT_OPENING.search(body.strip()) and len(_content_words(body)) < 6:
        return Verdict("reaction", "agreement without a proposal", firm=False)
    if "?" in clauses[-1] or "?" in first_clause:
        return Verdict("question", "question without a proposal", firm=False)
    grievance = _GRIEVANCE.search(body)
    if grievance:
        return Verdict("complaint", f"complaint without a demand ('{grievance.group(0).lower()}')", firm=False)
    if is_reply:
        return Verdict("reaction", "a reply in a thread without a proposal", firm=False)
    report = _REPORT.search(body)
    if report:
        return Verdict("complaint", f"reports what happened, asks for nothing ('{report.group(0).lower()}')",
                       firm=False)
    praise = _PRAISE.search(body)
    if praise:
        return Verdict("thanks", f"praise without a proposal ('{praise.group(0).lower()}')", firm=False)
    return Verdict("idea", "content words, no cue against", firm=False)


def classify(message: str | None, *, is_page_reply: bool = False, is_reply: bool = False,
             tag_count: int = 0) -> Verdict:
    """The kind and reason of one comment (the rules of the module docstring)."""
    return rule_verdict(message, is_page_reply=is_page_reply, is_reply=is_reply, tag_count=tag_count)


def is_idea(message: str | None, *, is_page_reply: bool = False, is_reply: bool = False, tag_count: int = 0) -> bool:
    """True when one comment is an idea."""
    return classify(message, is_page_reply=is_page_reply, is_reply=is_reply, tag_count=tag_count).kind == "idea"


def detect_kinds(df: pd.DataFrame) -> pd.DataFrame:
    """``kind`` and ``kind_reason`` per row of ``df`` (same index).

    ``df`` has ``message`` (may be empty or None) and, when known, ``is_page_reply``, ``is_reply`` and ``tag_count``.
    """
    if df.empty:
        return pd.DataFrame({"kind": pd.Series([], dtype=object), "kind_reason": pd.Series([], dtype=object)},
                            index=df.index)

    def column(name: str, default: object, kind: type) -> pd.Series:
        return df[name].fillna(default).astype(kind) if name in df else pd.Series(default, index=df.index)

    page, reply = column("is_page_reply", False, bool), column("is_reply", False, bool)
    # a verdict depends on these four values alone: a repeated comment (copied templates, "Enig!") is judged once
    seen: dict[tuple[str | None, bool, bool, int], Verdict] = {}
    verdicts = []
    for m, p, r, t in zip(df["message"].tolist(), page.tolist(), reply.tolist(), column("tag_count", 0, int).tolist(),
                          strict=True):
        key = (m if isinstance(m, str) else None, bool(p), bool(r), int(t))
        verdict = seen.get(key)
        if verdict is None:
            verdict = seen[key] = classify(key[0], is_page_reply=key[1], is_reply=key[2], tag_count=key[3])
        verdicts.append(verdict)
    return pd.DataFrame({"kind": [v.kind for v in verdicts], "kind_reason": [v.reason for v in verdicts]},
                        index=df.index)


def detect_ideas(df: pd.DataFrame) -> pd.Series:
    """Boolean Series (same index as ``df``): which comments are ideas (see :func:`detect_kinds`)."""
    if df.empty:
        return pd.Series([], index=df.index, dtype=bool, name="is_idea")
    return (detect_kinds(df)["kind"] == "idea").rename("is_idea")


# Work on many texts, text by text, on two cores: cluster-file's idea detection (flows.clusterfile.detect_text_kinds)
# and the texts outside the topic model's fit sample (models.cluster). Here, low in the imports, so both can use it.
PARALLEL_FROM = 20_000  # texts: below this, a second process costs more than it saves (a fork, a pickle back)

_T = TypeVar("_T")
_R = TypeVar("_R")


def processes() -> int:
    """How many processes :func:`in_processes` uses: 2 where this process may run on 2 or more cores (Linux, which
    forks cheaply) and one of them is free, else 1 (no second process). The results are the same either way."""
    if sys.platform != "linux" or not hasattr(os, "fork"):
        return 1
    cores = len(os.sched_getaffinity(0))
    # other work already keeps the second core busy (load average over cores - 0.5, this process counted): a second
    # process would take turns with it and wait (measured: no faster, about 1 CPU s more at 100k comments)
    return 2 if cores >= 2 and os.getloadavg()[0] <= cores - 0.5 else 1


def in_processes(fn: Callable[[Sequence[_T]], _R], items: Sequence[_T], *, min_items: int | None = None,
                 n: int | None = None) -> list[_R]:
    """``fn`` of consecutive chunks of ``items``: the first ``n - 1`` chunks each in a forked process, the last in
    this one; the results in the chunks' order (``[fn(items)]`` with fewer than ``min_items`` items, by default
    ``PARALLEL_FROM``, or where :func:`processes` is 1).

    For work on many texts that is the same text by text (``fn(a + b) == fn(a) + fn(b)`` once joined): the result
    does not depend on the number of processes. A child's result comes back pickled through a pipe; its exception is
    raised here. On any error or Ctrl-C the children are killed and reaped before this returns. Where the kernel
    refuses a fork (no memory, no process slot left), this process does that chunk and the ones after it; a child that
    dies before it sends (killed, out of memory) leaves its chunk to this process too, with a warning.
    """
    n = processes() if n is None else n
    if n <= 1 or len(items) < max(PARALLEL_FROM if min_items is None else min_items, n):
        return [fn(items)]
    bounds = [round(i * len(items) / n) for i in range(n + 1)]
    chunks = [items[bounds[i]:bounds[i + 1]] for i in range(n)]
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    try:
        for chunk in chunks[:-1]:
            read, write = os.pipe()
            parent = os.getpid()
            try:
                pid = os.fork()
            except OSError:  # no memory or process slot for one more (ENOMEM, EAGAIN): the rest here, same result
                os.close(read)
                os.close(write)
                break
            if pid == 0:  # the child: compute, send, leave without running this process's exit handlers
                _child(fn, chunk, read, write, parent)
            os.close(write)
            children.append((pid, read))
        mine = [fn(chunk) for chunk in chunks[len(children):]]  # the last chunk, and any no child could take
        results = []
        for chunk in chunks[:len(children)]:
            pid, read = children[0]
            children[0] = (pid, -1)  # the file object below closes it
            with os.fdopen(read, "rb") as pipe:
                payload = pipe.read()
            os.waitpid(pid, 0)
            children.pop(0)
            if not payload:  # it died before sending (killed, out of memory): its share here, same result
                logging.getLogger(__name__).warning(
                    "a second process ended without its result (out of memory?); its share is done in this one")
                results.append(fn(chunk))
                continue
            ok, value = pickle.loads(payload)  # noqa: S301 - our own child's pickle
            if not ok:
                raise value
            results.append(value)
        return [*results, *mine]
    finally:
        for pid, read in children:  # only on an error: stop the children still running
            if read >= 0:
                os.close(read)
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass


def _child(fn: Callable[[Sequence[Any]], Any], chunk: Sequence[Any], read: int, write: int, parent: int) -> None:
    code = 1
    try:
        os.close(read)
        _die_with(parent)
        try:
            payload = pickle.dumps((True, fn(chunk)), protocol=5)
            code = 0
        except BaseException as error:  # noqa: BLE001 - sent to the parent, which raises it
            try:
                payload = pickle.dumps((False, error), protocol=5)
            except Exception:  # noqa: BLE001 - an exception that does not pickle
                payload = pickle.dumps((False, RuntimeError(f"{type(error).__name__}: {error}")), protocol=5)
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
    finally:
        os._exit(code)


def _die_with(parent: int) -> None:
    """The kernel kills this child when its parent ends, even by SIGKILL or SIGTERM (no cleanup of its own ran)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # no prctl: the child ends at its next write to the closed pipe instead
        return
    if os.getppid() != parent:  # the parent ended before the call above
        os._exit(1)
