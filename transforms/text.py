"""Danish (and English) text handling for idea detection and topic clustering.

Pure functions: normalisation (:func:`clean_text`), tokenisation into stems (:func:`tokenize`), and a compound
splitter whose vocabulary is learned from the corpus itself (:class:`CompoundSplitter`), so nothing here is tuned to
one data set.

Stop words come from maintained lists: the ``stop-words`` package for Danish and scikit-learn's English list (the
``stop-words`` English list is 1,300 words long and contains content words such as "need", "room" and Danish-looking
tokens such as "af" and "nu"). Stemming is Snowball (Danish or English, chosen per text).
"""

from __future__ import annotations

import copy
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

import snowballstemmer
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from stop_words import get_stop_words

from transforms.redact import PLACEHOLDERS

__all__ = ["NEVER_NAMES", "CompoundSplitter", "clean_text", "detect_language", "noun_likeness", "proper_nouns",
           "remembered_analyses", "tokenize", "words"]

# The maintained Danish list (94 words, as Snowball's) lacks common closed-class words: prepositions, modal verbs and
# filler adverbs. They carry no topic and otherwise become labels ("Ved · cykelparkering"), so they are added here.
DANISH_FUNCTION_WORDS = frozenset(
    """kan ved bag foran langs mellem gennem uden omkring inden indtil via hen rundt igen nok lige bare lidt mest
    må får få fik gør går gik kom nogen ingen hver hvert hvilke hvilken fx evt osv bl.a""".split()
)
DANISH_STOP_WORDS: frozenset[str] = frozenset(get_stop_words("danish")) | DANISH_FUNCTION_WORDS
ENGLISH_STOP_WORDS_: frozenset[str] = frozenset(ENGLISH_STOP_WORDS)
STOP_WORDS: frozenset[str] = DANISH_STOP_WORDS | ENGLISH_STOP_WORDS_
# Words that tell the two languages apart (in one list only), used to pick a stemmer per text.
_DA_MARKERS = DANISH_STOP_WORDS - ENGLISH_STOP_WORDS_ - {"i", "man", "under", "over", "mod", "sin"}
_EN_MARKERS = ENGLISH_STOP_WORDS_ - DANISH_STOP_WORDS

# What transforms.redact puts in place of personal data: not words of the comment, so never a feature or a label.
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS), re.IGNORECASE)
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)[@#]\w+")
# Emoji, pictographs, dingbats, flags, variation selectors, zero-width joiners, skin tones.
_EMOJI = re.compile(
    "[\U0001f000-\U0001faff\U00002600-\U000027bf\U00002300-\U000023ff\U00002b00-\U00002bff"
    "\U0000fe00-\U0000fe0f\U0000200d\U000020e3\U0001f1e6-\U0001f1ff\U000e0000-\U000e007f]+"
)
_EMOJI_FROM = "\u200d"  # the lowest character _EMOJI matches
_REPEAT = re.compile(r"([^\W\d_])\1{2,}")
_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")

# Closed-class words that show a content word's role: after a modal verb it is a verb ("kan holde", "should make");
# after Danish "at" too when it has the infinitive's ending (a vowel, not the plural definite -ne: "at komme", "at gå",
# but "at kommunen", "at bilerne" is "that"); in Danish, between an article and another content word it is an
# attributive adjective ("de store træer"). English "to" is left out: "to Scottsville" is as common as "to make".
# Adverbs in between ("kan også holde") are looked through.
_MODALS = frozenset("kan skal vil må bør kunne skulle ville burde can should will would could must".split())
_INFINITIVE = re.compile(r"(?:[aeiouyæøå]|[^n]e)$")
_ARTICLES = frozenset("en et den det de the a an".split())
# The object or article after a sentence's first word shows that word to be an imperative: "Saml alle skolerne",
# "Lav en sti", "Giv os", "Make the road"; a noun opening a sentence is followed by a verb instead.
_OBJECTS = frozenset("en et dem os mig alle nogle noget flere mere the a an some more them us".split())
# "den", "det", "de" after a sentence's first word are its object too ("Saml de små skoler"), unless a verb in the
# present tense or a modal follows them: then they open a clause after a noun ("Hundeskov, det mangler vi").
_DEFINITE = frozenset("den det de".split())


def _object_follows(tokens: list[str]) -> bool:
    """Whether the sentence's second word is an object or article, so that its first word is an imperative."""
    if len(tokens) < 2:
        return False
    if tokens[1] in _OBJECTS:
        return True
    third = tokens[2] if len(tokens) > 2 else ""
    return tokens[1] in _DEFINITE and bool(third) and not third.endswith("r") and third not in _MODALS
_IMPERATIVE_MARKERS = frozenset("please lets let's".split())  # "please make", "let's build"
_SENTENCE_END = re.compile(r"[.!?;:\n]+")
# Closed-class Danish words the stop lists lack that are read as content words: adverbs of degree, frequency and
# manner, comparatives, a conjunction, abbreviations. They stay features (the clustering is unchanged) but never
# name a topic ("Hundeskov · gerne", "Bus · kl").
NEVER_NAMES = frozenset(
    """andre gerne ligesom kl ca hele helt altid ofte tit mere flere mest flest mindre færre især faktisk egentlig
    virkelig rigtig rigtigt stadig endnu allerede snart længere bedre bedst""".split()
)
# Danish adverbials made of a closed-class word and a noun (time, extent, manner): the noun there is not a topic.
_ADVERBIAL_PHRASES = frozenset(
    tuple(p.split())
    for p in """i dag|i går|i morgen|i aften|i nat|i år|hver dag|om dagen|om året|om ugen|om måneden|hele dagen|
    hele året|hele tiden|hele vejen|i stedet|i forvejen|i gang|i tide|for eksempel|på vej|til tider|ad gangen|
    en gang|nogle gange|mange gange|hver gang|i længden|i alt|på sigt|til sidst|for tiden|ene ende|
    hele taget|om morgenen|om aftenen|om natten|om sommeren|om vinteren|om foråret|om efteråret|om weekenden|
    i weekenden|i sommer|i vinter|om lørdagen|om søndagen|i ferien""".replace("\n", "").split("|")
)
_LOOK_THROUGH = frozenset("ikke også gerne godt lige bare jo nok altid aldrig not also just really".split())

_STEMMERS = {"da": snowballstemmer.stemmer("danish"), "en": snowballstemmer.stemmer("english")}
_LINKS = ("", "s", "e")  # Danish linking elements between compound parts (fuge-s, fuge-e)


# The word and character features, the language guess and the labels each clean every idea in turn: a cache smaller
# than the file (cluster-file of 100k comments) would miss on every call, as an LRU does on repeated scans. 1<<17
# entries of comment-sized texts hold about 40 MB.
@lru_cache(maxsize=1 << 17)
def clean_text(s: str | None) -> str:
    """Normalise a comment: Unicode NFKC, no redaction placeholders ("[navn]", ...), URLs, @/#-tags or emojis,
    letters repeated 3+ times once, lower case.

    Idempotent: ``clean_text(clean_text(s)) == clean_text(s)``.
    """
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", str(s))
    # Each pattern runs only when a character it needs is there: clean_text runs several times per idea.
    if "://" in s or "www." in s.lower():
        s = _URL.sub(" ", s)
    if "@" in s or "#" in s:
        s = _MENTION.sub(" ", s)
    if max(s, default="\0") >= _EMOJI_FROM:
        s = _EMOJI.sub(" ", s)
    s = _REPEAT.sub(r"\1", s.lower())
    if "[" in s:
        s = _PLACEHOLDER.sub(" ", s)  # last: "[navvvn]" only becomes a placeholder above
    return " ".join(s.split())  # str.split's whitespace is the regex \s's


def detect_language(tokens: list[str], default: str = "da") -> str:
    """'en' or 'da' by counting function words found in only one of the two stop lists; ties keep ``default``."""
    da = sum(t in _DA_MARKERS for t in tokens)
    en = sum(t in _EN_MARKERS for t in tokens)
    if en > da:
        return "en"
    if da > en:
        return "da"
    return default


@lru_cache(maxsize=200_000)
def _stem(word: str, language: str) -> str:
    return _STEMMERS[language].stemWord(word)


def words(s: str | None, language: str = "da") -> list[tuple[str, str]]:
    """(surface word, stem) pairs of the content words of ``s``: cleaned, stop words dropped, Snowball-stemmed.

    The stemmer is chosen per text (:func:`detect_language`), ``language`` is the default for unclear texts.
    """
    return _analyse(s, language)[1]


_MEMO: ContextVar[dict | None] = ContextVar("text_analyses", default=None)


@contextmanager
def remembered_analyses() -> Iterator[None]:
    """Inside the block, each text is cleaned, split and stemmed once: :func:`words` and :func:`tokenize` (the
    vectorizer's analyzer, run on every text again when the clustering transforms them) share the result.

    A topic run reads each text at least twice, so this saves a few percent of it; outside such a run nothing is kept.
    The remembered lists are shared: callers must not change them.
    """
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def _analyse(s: str | None, language: str) -> tuple[str, list[tuple[str, str]]]:
    memo = _MEMO.get()
    if memo is None:
        return _analysed(s, language)
    key = (s, language)
    found = memo.get(key)
    if found is None:
        found = memo[key] = _analysed(s, language)
    return found


def _tokens(s: str | None) -> list[str]:
    """The words of the cleaned text, stop words included, with a typographic apostrophe made plain."""
    return [w.replace("’", "'") for w in _WORD.findall(clean_text(s))]


def _analysed(s: str | None, language: str) -> tuple[str, list[tuple[str, str]]]:
    tokens = _tokens(s)
    lang = detect_language(tokens, language)
    out = []
    for w in tokens:
        if len(w) < 2 or w in STOP_WORDS or ("'" in w and w.split("'")[0] in STOP_WORDS):
            continue
        out.append((w, _stem(w, lang)))
    return lang, out


def noun_likeness(texts: Iterable[str | None], language: str = "da") -> dict[str, float]:
    """Per stem, the share of its occurrences in ``texts`` that are not verbs, attributive adjectives or parts of an
    adverbial by context; 0 for closed-class words no stop list has (``NEVER_NAMES``).

    A topic is named by what it is about ("hundeskov", "parking"), not by what people want to do with it ("komme",
    "holde", "make"), how big it should be ("store") or when ("i dag"). Without a tagger, the role is read off the
    closed-class word before it (modal verb, infinitive marker, article, "please"; see ``_MODALS``), the imperative
    at the start of a sentence ("Saml alle skolerne", "Lav en sti") and fixed adverbials ("hele vejen"), so this
    holds for any Danish or English corpus. Smoothed towards 1 by one pseudo-occurrence; stems never seen in such a
    context get 1.0.
    """
    seen: Counter[str] = Counter()
    other: Counter[str] = Counter()
    never: set[str] = set()
    for text in texts:
        all_tokens = _tokens(text)
        lang = detect_language(all_tokens, language)
        for sentence in _SENTENCE_END.split(clean_text(text)):
            tokens = [w.replace("’", "'") for w in _WORD.findall(sentence)]
            before = None
            for i, w in enumerate(tokens):
                if len(w) >= 2 and w not in STOP_WORDS:
                    stem = _stem(w, lang)
                    seen[stem] += 1
                    after = tokens[i + 1] if i + 1 < len(tokens) else None
                    # Danish writes noun compounds solid, so "de store træer" is an adjective; English "the bike
                    # lane" not
                    attributive = lang == "da" and before in _ARTICLES and after is not None and after not in STOP_WORDS
                    verb = before in _MODALS or (before == "at" and lang == "da" and _INFINITIVE.search(w) is not None)
                    imperative = (i == 0 and _object_follows(tokens)) or before in _IMPERATIVE_MARKERS
                    adverbial = i > 0 and (tokens[i - 1], w) in _ADVERBIAL_PHRASES
                    if verb or attributive or imperative or adverbial:
                        other[stem] += 1
                    if w in NEVER_NAMES:
                        never.add(stem)
                if w not in _LOOK_THROUGH:
                    before = w
    return {stem: 0.0 if stem in never else (n - other[stem] + 1) / (n + 1) for stem, n in seen.items()}


def proper_nouns(texts: Iterable[str | None]) -> set[str]:
    """Lower-case words that ``texts`` write with a capital inside a sentence at least as often as without, seen at
    least twice there ("aarhus", "gudenå", "english"): keywords and labels show them capitalised."""
    upper: Counter[str] = Counter()
    lower: Counter[str] = Counter()
    for text in texts:
        if not text:
            continue
        for sentence in _SENTENCE_END.split(str(text)):
            for w in _WORD.findall(sentence)[1:]:
                if w[0].isupper() and not w.isupper():
                    upper[w.lower()] += 1
                elif w.islower():
                    lower[w] += 1
    return {w for w, n in upper.items() if n >= 2 and n >= lower[w]}


def tokenize(s: str | None, language: str = "da", splitter: CompoundSplitter | None = None) -> list[str]:
    """Stems of the content words of ``s``; with a fitted ``splitter`` a compound also yields its parts' stems.

    ``tokenize("Flere cykelstier!", splitter=...)`` -> ``["fler", "cykelsti", "cykel", "sti"]``.
    """
    lang, pairs = _analyse(s, language)
    out: list[str] = []
    for _, stem in pairs:
        out.append(stem)
        if splitter is not None and lang == "da":  # compounding is written solid in Danish, not in English
            out.extend(splitter.split(stem))
    return out


class CompoundSplitter:
    """Split Danish compounds into parts that occur on their own in the corpus.

    ``fit`` learns a vocabulary (stems and surface words seen at least ``min_count`` times). ``split(stem)`` tries every
    cut ``stem = modifier + link + head`` (link "", "s" or "e", parts at least ``min_part`` letters, both in the
    vocabulary) and keeps the cut with the highest geometric mean of part frequencies, provided it beats the frequency
    of the whole word (Koehn & Knight 2003). Parts are split again once, so "motorvejsoverdækning" gives
    "motorvej", "overdækning" (and "motor", "vej" when those occur alone). No hand-made word lists.
    """

    def __init__(self, min_count: int = 2, min_part: int = 3, language: str = "da") -> None:
        self.min_count = min_count
        self.min_part = min_part
        self.language = language

    def fit(self, texts: Iterable[str | None], known: Iterable[str] = ()) -> CompoundSplitter:
        """Learn part frequencies from ``texts``; words in ``known`` (e.g. seed words) count as seen; returns self."""
        counts: Counter[str] = Counter()
        for surface, stem in words(" ".join(known), self.language):
            counts[stem] += self.min_count
            if surface != stem:
                counts[surface] += self.min_count
        for text in texts:
            for surface, stem in words(text, self.language):
                counts[stem] += 1
                if surface != stem:
                    counts[surface] += 1
        self.vocabulary_ = {w: c for w, c in counts.items() if c >= self.min_count}
        self._cache: dict[str, list[str]] = {}
        return self

    def fitted_copy(self) -> CompoundSplitter:
        """A copy with the fitted vocabulary and none of the splits made so far (those are every stem ever split)."""
        out = copy.copy(self)
        out._cache = {}
        return out

    def split(self, stem: str) -> list[str]:
        """Stems of the parts of ``stem`` (empty when it is not a compound of known parts)."""
        cached = self._cache.get(stem)
        if cached is None:
            cached = self._cache[stem] = self._split(stem, depth=2)
        return cached

    def has_head(self, word: str, head: str) -> bool:
        """True when ``word`` is ``head`` or a compound ending in it after a modifier seen in the corpus.

        Unlike :meth:`split` there is no frequency test: used to find a given word (a planner's seed) inside
        compounds, e.g. "overdækning" in "motorvejsoverdækning" even when the whole compound is common.
        """
        if word == head:
            return True
        if len(head) < self.min_part or not word.endswith(head):
            return False
        modifier = word[: -len(head)]
        return any(
            modifier.endswith(link)
            and len(modifier) - len(link) >= self.min_part
            and modifier[: len(modifier) - len(link)] in self.vocabulary_
            for link in _LINKS
        )

    def _split(self, word: str, depth: int) -> list[str]:
        best = self._best_cut(word) if depth and len(word) >= 2 * self.min_part else None
        if best is None:
            return []
        modifier, head = best
        parts = []
        for part in (modifier, head):
            stem = _stem(part, self.language)
            parts.append(stem)
            parts.extend(self._split(stem, depth - 1))
        return parts

    def _best_cut(self, word: str) -> tuple[str, str] | None:
        vocab, m = self.vocabulary_, self.min_part
        best, best_score = None, float(vocab.get(word, 0))
        for i in range(m, len(word) - m + 1):
            head = word[i:]
            if head not in vocab:
                continue
            for link in _LINKS:
                modifier = word[:i]
                if link:
                    if not modifier.endswith(link) or len(modifier) - len(link) < m:
                        continue
                    modifier = modifier[: -len(link)]
                if modifier in vocab:
                    score = math.sqrt(vocab[modifier] * vocab[head])
                    if score > best_score:
                        best, best_score = (modifier, head), score
        return best
