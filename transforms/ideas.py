"""Idea detection: tell proposals, wishes and suggestions from thank-yous, tags, emojis, staff replies, questions,
complaints and spam.

Rules over a fixed, generic lexicon of Danish and English cues (nothing learned from, or tuned to, one data set):

1. a reply by the Page's own staff is never an idea;
2. spam (a link together with sales or click-bait words) is not an idea;
3. a comment with no content words once courtesy words (thanks, praise, agreement, "se her") and, when friends are
   tagged or someone is thanked, names (capitalised words) are removed, is not an idea: this covers thank-yous,
   tag-only comments, "enig!" and emoji-only comments;
4. a comment with a proposal cue ("kunne", "burde", "hvad med", "forslag", "ønsker", "should", "why not", ...) is
   an idea, in Danish or English, even when phrased as a question;
5. otherwise a reply or a comment tagging someone (conversation between people), a comment opening with thanks,
   praise or agreement, a question, or a complaint (a negative cue) is not an idea;
6. anything else with content words is an idea: on a consultation post, "Legeplads og shelter ved søen" is a wish.
"""

from __future__ import annotations

import re

import pandas as pd

from transforms.text import STOP_WORDS, clean_text

__all__ = ["detect_ideas", "is_idea"]

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_RAW_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

COURTESY = frozenset(
    """tak takk tusind mange thanks thank thx ty you super flot flotte fedt fint godt god gode dejligt dejlig skønt
    sejt fantastisk klasse wow glæder glad glæde mig os hilsen mvh vh venlig venlige great nice cool good awesome job
    love it enig enige agree agreed helt bestemt absolut ja jo nej yes yeah no ok okay hej hi hello hejsa lol haha
    hahaha initiativ spændende exciting interessant interesting se kig tjek look check""".split()
)
PROPOSAL_CUES = (
    r"forslag\w*|foresl\w+|id[eé]\w*|kunne|burde|bør|skulle (?:være|have|laves|bygges|der|man|vi)|"
    r"ønske\w*|ønsk|gerne|savne\w*|mangle\w*|trænger|lad|ku|"
    r"håbe\w*|drømme\w*|lav|lave|laves|byg|bygge|bygges|etabler\w*|anlæg\w*|plant|plante\w*|indfør\w*|"
    r"flere|mere|mindre|måske|stop|bevar|hold på|riv|saml|giv|brug|sæt|flyt|åbn|udvid|forbedr|"
    r"evt|eventuelt|brug for|behov for|hvad med|hvad om|hvorfor ikke|hvad hvis|"
    r"fedt med|godt med|dejligt med|vil være|ville være|kunne man|skal have|"
    r"should|could|would|suggest\w*|propos\w*|ideas?|why not|how about|what about|what if|wish|hope|need|needs|"
    r"please|let's|lets|build|make|add|more|instead|install|create|allow|ban|require"
)
_PROPOSAL = re.compile(rf"(?<!\w)(?:{PROPOSAL_CUES})(?!\w)")
_NEGATIVE = re.compile(
    r"(?<!\w)(?:skandale\w*|elendig\w*|dårlig\w*|spild\w*|latterlig\w*|pinlig\w*|tåbelig\w*|grine\w*|"
    r"typisk|ærgerlig\w*|desværre|utroligt|hvorfor skal|forfærdelig\w*|katastrofe\w*|sur|træt\w* af|"
    r"alligevel|aldrig|alt for|pjat|glemt|ikke engang|for syns skyld|tak for ingenting|"
    r"terrible|awful|ridiculous|waste|stupid|disgrace\w*|joke|pathetic|shame)(?!\w)"
)
_SPAM = re.compile(
    r"(?<!\w)(?:køb|tilbud|gratis|vind|vinde|konkurrence|klik|rabat|følg|free|win|click|buy|discount|follow|"
    r"crypto|bitcoin|invest\w*|earn|profit|dm me|check out|promo\w*|casino|loan|lån)(?!\w)"
)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
# Openings of thanks, praise of the consultation itself, or agreement with someone else: conversation, not proposals.
_SOCIAL_OPENING = re.compile(
    r"^(?:tak|tusind tak|mange tak|thanks|thank you|godt|flot|super|fedt|dejligt|great|nice|ja|jo|enig|helt enig|"
    r"så sandt|samme|100|haha|lol)(?!\w)"
)
_SPAM_MONEY = re.compile(r"(?:tjen\w*|earn\w*).{0,40}(?:kr|\$|€|dollars?)|\d[\d.]* ?kr på", re.IGNORECASE)


_THANKS = re.compile(r"(?<!\w)(?:tak|takk|thanks|thank)(?!\w)", re.IGNORECASE)


def _content_words(message: str, tag_count: int) -> list[str]:
    raw = _RAW_WORD.findall(_URL.sub(" ", message))
    if tag_count > 0 or _THANKS.search(message):  # tagged or thanked people appear by name: drop capitalised words
        raw = [w for w in raw if not w[:1].isupper()]
    words = [w for w in _WORD.findall(clean_text(" ".join(raw)))]
    return [w for w in words if w not in STOP_WORDS and w not in COURTESY and len(w) > 1]


def is_idea(message: str | None, *, is_page_reply: bool = False, is_reply: bool = False, tag_count: int = 0) -> bool:
    """True when one comment is an idea (see the module docstring for the rules, applied in order)."""
    if is_page_reply or not message or not isinstance(message, str):
        return False
    text = clean_text(message)
    if (_URL.search(message) and _SPAM.search(text)) or _SPAM_MONEY.search(message):
        return False
    if not _content_words(message, int(tag_count or 0)):
        return False
    if _PROPOSAL.search(text):
        return True
    if tag_count or is_reply or _SOCIAL_OPENING.search(_content_start(message, int(tag_count or 0))):
        return False  # talking to someone, thanking or agreeing, with no proposal in it
    last_sentence = re.split(r"(?<=[.!])\s+", message.strip())[-1]
    if "?" in last_sentence or _NEGATIVE.search(text):
        return False
    return True


def _content_start(message: str, tag_count: int) -> str:
    """The cleaned comment without the tagged names it starts with."""
    words = _RAW_WORD.findall(message)
    while tag_count and words and words[0][:1].isupper():
        words.pop(0)
    return clean_text(" ".join(words)) if tag_count else clean_text(message)


def detect_ideas(df: pd.DataFrame) -> pd.Series:
    """Boolean Series (same index as ``df``): which comments are ideas.

    ``df`` has ``message`` (may be empty or None), ``is_page_reply``, ``is_reply`` and ``tag_count``.
    """
    if df.empty:
        return pd.Series([], index=df.index, dtype=bool)
    page = df["is_page_reply"].fillna(False).astype(bool)
    reply = df["is_reply"].fillna(False).astype(bool) if "is_reply" in df else pd.Series(False, index=df.index)
    tags = df["tag_count"].fillna(0).astype(int) if "tag_count" in df else pd.Series(0, index=df.index)
    values = [
        is_idea(m if isinstance(m, str) else None, is_page_reply=p, is_reply=r, tag_count=t)
        for m, p, r, t in zip(df["message"], page, reply, tags, strict=True)
    ]
    return pd.Series(values, index=df.index, dtype=bool, name="is_idea")
