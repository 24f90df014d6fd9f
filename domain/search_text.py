"""How product text and shoppers' queries become search terms: the same rules on both sides.

Elasticsearch only compares the terms made here (its fields split them on whitespace), so
stemming, compounds and synonyms behave the same on the minimal local engine and on a full
distribution, and can be unit-tested without one.

- **Words**: accents folded, case lowered, apostrophes dropped ("L'Oréal" -> "loreal"),
  English stop words dropped, every word stemmed (Snowball English: "phones" -> "phone").
- **Compounds**: a hyphenated word also gives its parts joined ("T-Shirt" -> t, shirt,
  tshirt); a word mixing letters and digits also gives its runs ("Watch6" -> watch, 6);
  product text also gives each pair of neighbouring words joined ("Air Fryer" -> airfryer),
  and a query also tries each neighbouring pair as one word ("smart watch" -> smartwatch).
- **Synonyms**: groups kept as data in ``synonyms.txt``; a query word or phrase of a group
  may match any of its members (the shopper's own words weigh more).
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from itertools import pairwise

import Stemmer

STOP_WORDS = frozenset(
    {"a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is"}
    | {"it", "of", "on", "or", "the", "to", "with", "without"}
)
MAX_JOINED_PAIRS = 3
"""Compound variants tried per query: one per neighbouring pair, for the first few pairs."""

_APOSTROPHES = re.compile(r"['\u2019`]")
_CHUNK = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_RUNS = re.compile(r"[a-z]+|[0-9]+")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_STEMMER = Stemmer.Stemmer("english")

Phrase = tuple[str, ...]
"""Terms that must follow each other, as indexed."""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _APOSTROPHES.sub("", plain.casefold())


def _stem(word: str) -> str:
    return word if word.isdigit() else _STEMMER.stemWord(word)


def _chunks(text: str) -> list[list[str]]:
    """The words of ``text``, each as its hyphen-separated parts, stop words left out."""
    chunks = [match.group().split("-") for match in _CHUNK.finditer(_fold(text))]
    kept = [chunk for chunk in chunks if not (len(chunk) == 1 and chunk[0] in STOP_WORDS)]
    return kept or chunks


def _runs(part: str) -> list[str]:
    runs = _RUNS.findall(part)
    return runs if len(runs) > 1 else []


def index_terms(text: str, join_pairs: bool = False) -> str:
    """The terms of product text, space-separated: the words in order, then the extra
    compound forms (after them, so phrases of the words stay adjacent)."""
    words: list[str] = []
    extra: list[str] = []
    for chunk in _chunks(text):
        parts = [part for part in chunk if part not in STOP_WORDS] or chunk
        words += parts
        if len(chunk) > 1:
            extra.append("".join(chunk))
        for part in parts:
            extra += _runs(part)
    if join_pairs:
        extra += [first + second for first, second in pairwise(words)]
    stems = [_stem(word) for word in words]
    extras = [term for term in dict.fromkeys(_stem(word) for word in extra) if term not in stems]
    return " ".join(stems + extras)


def head_term(text: str) -> str:
    """The last word of a product's line ("Keurig K-Mini Coffee Maker, Black" -> maker):
    what the product is, so "coffee" ranks coffee above coffee makers."""
    words = analyze_phrase(text.split(",", 1)[0])
    return words[-1] if words else ""


def spec_text(specifications: Mapping[str, object]) -> str:
    """Specifications as words: text values as they are, true flags by their name
    ("glutenFree": true -> "gluten Free"), numbers left out."""
    words = []
    for name, value in specifications.items():
        if isinstance(value, str):
            words.append(value)
        elif value is True:
            words.append(_CAMEL.sub(" ", name))
    return " ".join(words)


@dataclass(frozen=True)
class Concept:
    """One thing the shopper asked for: any of ``alternatives`` satisfies it.

    The first alternative is the shopper's own wording; the others come from synonyms.
    """

    alternatives: tuple[Phrase, ...]

    @classmethod
    def of(cls, *alternatives: Phrase) -> "Concept":
        return cls(tuple(dict.fromkeys(alternatives)))

    @property
    def literal(self) -> Phrase:
        return self.alternatives[0]


class Synonyms:
    """Synonym groups: ``a, b, c`` (each finds the others) and ``a => b, c`` (a also finds
    b and c, not the reverse). Members are phrases, stored as the terms they index as."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._also: dict[Phrase, list[Phrase]] = {}
        for line in lines:
            entry = line.split("#", 1)[0].strip()
            if not entry:
                continue
            source, _, targets = entry.partition("=>")
            members = _phrases(source)
            if targets:
                for member in members:
                    self._add(member, _phrases(targets))
            else:
                for member in members:
                    self._add(member, members)
        self.longest = max((len(phrase) for phrase in self._also), default=1)
        self._vocabulary = {term for phrase in self._also for term in phrase}

    def _add(self, phrase: Phrase, others: list[Phrase]) -> None:
        known = self._also.setdefault(phrase, [])
        known += [other for other in others if other != phrase and other not in known]

    def of(self, phrase: Phrase) -> list[Phrase]:
        return self._also.get(phrase, [])

    def __contains__(self, phrase: Phrase) -> bool:
        return phrase in self._also

    def knows(self, word: str) -> bool:
        """The word (as a shopper typed it) is part of some synonym."""
        terms = analyze_phrase(word)
        return bool(terms) and all(term in self._vocabulary for term in terms)


def _phrases(members: str) -> list[Phrase]:
    return [phrase for member in members.split(",") if (phrase := analyze_phrase(member))]


def analyze_phrase(text: str) -> Phrase:
    """A short text as the terms it indexes as (no compound extras)."""
    return tuple(_stem(part) for chunk in _chunks(text) for part in chunk)


@cache
def default_synonyms() -> Synonyms:
    return Synonyms(files(__package__).joinpath("synonyms.txt").read_text().splitlines())


@dataclass(frozen=True)
class QueryPlan:
    """A query as readings that each must match: the words as typed, then readings where
    a neighbouring pair is one compound word. A product matching any reading matches."""

    readings: tuple[tuple[Concept, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.readings[0]


def plan_query(text: str, synonyms: Synonyms | None = None) -> QueryPlan:
    synonyms = synonyms or default_synonyms()
    units = [_Unit.of(chunk) for chunk in _chunks(text)]
    concepts = tuple(_with_synonyms(units, synonyms))
    readings = [concepts, *_joined_readings(units, synonyms)]
    return QueryPlan(tuple(dict.fromkeys(readings)))


@dataclass(frozen=True)
class _Unit:
    """A typed word: its stem; a hyphenated one: its parts in a row, or all of it joined."""

    raw: str
    forms: tuple[Phrase, ...]

    @classmethod
    def of(cls, chunk: list[str]) -> "_Unit":
        raw = "".join(chunk)
        if len(chunk) == 1:
            return cls(raw, ((_stem(raw),),))
        parts = tuple(_stem(part) for part in chunk if part not in STOP_WORDS)
        return cls(raw, (parts or (_stem(chunk[0]),), (_stem(raw),)))

    @property
    def single(self) -> bool:
        return len(self.forms) == 1


def _with_synonyms(units: list[_Unit], synonyms: Synonyms) -> Iterator[Concept]:
    """Concepts from left to right, the longest synonym phrase first ("cell phone" before
    "cell"); a word in no group stands for itself."""
    position = 0
    while position < len(units):
        for length in range(min(synonyms.longest, len(units) - position), 1, -1):
            window = units[position : position + length]
            phrase = tuple(unit.forms[0][0] for unit in window)
            if all(unit.single for unit in window) and phrase in synonyms:
                yield Concept.of(phrase, *synonyms.of(phrase))
                position += length
                break
        else:
            unit = units[position]
            yield Concept.of(*unit.forms, *synonyms.of(unit.forms[0]))
            position += 1


def _joined_readings(units: list[_Unit], synonyms: Synonyms) -> Iterator[tuple[Concept, ...]]:
    for start in range(min(len(units) - 1, MAX_JOINED_PAIRS)):
        first, second = units[start : start + 2]
        if first.single and second.single:
            joined = _Unit.of([first.raw + second.raw])
            yield tuple(_with_synonyms([*units[:start], joined, *units[start + 2 :]], synonyms))
