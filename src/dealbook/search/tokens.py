"""The search index's tokens: character n-grams spelled in ASCII, so no tokenizer can split them.

A normalised value ("云帆物流") becomes, in this order:

- *start* tokens for its first character, first two and first three (`S云 P云帆`, …),
- one *bigram* token per pair of neighbouring characters (`B云帆 B帆物 B物流`),
- the start token of three characters again (`R云帆物`), then one *trigram* token per three
  neighbouring characters (`T云帆物 T帆物流`),
- one *unigram* token per distinct character (`U云 U帆 U物 U流`).

Bigrams sit at consecutive positions, and so do `R` and the trigrams. A value holds the
fragment `q` (n characters) exactly when
- n ≥ 3: the phrase of q's n-2 trigrams occurs (neighbouring trigrams overlap by two
  characters, so the phrase is the contiguous substring q, and nothing else);
- n = 2: q's bigram occurs;
- n = 1: q's unigram occurs.
It *starts* with q when its start token of min(n, 3) characters occurs, followed for n ≥ 4
by q's trigrams (`R(q0q1q2) T(q0q1q2) T(q1q2q3) …`; R sits right before the first trigram
only). Trigrams and three-character starts make long fragments cheap: their postings are
short, and PostgreSQL's phrase check (on the table row) rarely meets a row that holds all
of a phrase's tokens apart.

Every token is spelled `<slot letter><organisation id><kind letter><characters>`: a letter
a–p naming what is indexed (account name, contact e-mail, …), the organisation's id in
decimal, the kind (`s`, `p`, `r` for the starts, `b`, `t`, `u`), then each character's code
(see `_code`: 2 symbols for the first 360 code points, 3 for CJK ideographs, 5 for the
rest; the first symbol says which, so a run of codes reads back one way only). So
`c17b2p2q` is the bigram "ab" of a contact name in organisation 17. Only lowercase ASCII
letters and digits, starting with a letter: SQLite's unicode61 tokenizer keeps each token
whole, and PostgreSQL gets them as literal lexemes. One organisation's tokens never equal
another's, so a query reads only its own organisation's postings.

On PostgreSQL the organisation's id is followed by the record's *bucket* — `v` and the record's
id divided by `BUCKET_SIZE` (`c17v3b2p2q`: a contact with an id from 196,608 to 262,143) —
so that one posting list holds a bucket's records only. A search reads the buckets newest
first and stops once it has its candidates: it never gathers every posting of a common
fragment (a bigram in 25,000 deal names), which GIN would otherwise collect whole before
handing over the first row. SQLite's FTS5 reads a posting list lazily, in rowid order, and
stops by itself: its tokens carry no bucket.

Both engines' query languages are written here too, from the same tokens: an FTS5 MATCH
expression for SQLite and a tsquery literal for PostgreSQL.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_SHORT = 10 * 36  # code points below: two symbols, the first a digit
_CJK_FIRST, _CJK_SYMBOLS = 0x4E00, "abcdefghijklmnopq"  # 17 × 36² ≥ the CJK block
_LONG_SYMBOLS = "rstuvwxyz"  # 9 × 36⁴ > 0x10FFFF
MAX_SLOTS = 16  # slot letters a–p; an entry's id is object_id * MAX_SLOTS + slot
BUCKET_SIZE = 2**16  # record ids per bucket (PostgreSQL's tokens); never change without reindex
BUCKET_PLACEHOLDER = "~"  # in a query's namespace: the bucket, filled in by the SQL


def _base36(number: int, width: int) -> str:
    symbols = []
    for _position in range(width):
        number, digit = divmod(number, 36)
        symbols.append(_DIGITS[digit])
    return "".join(reversed(symbols))


def _encode(character: str) -> str:
    number = ord(character)
    if number < _SHORT:
        return _base36(number, 2)
    offset = number - _CJK_FIRST
    if 0 <= offset < len(_CJK_SYMBOLS) * 36 * 36:
        return _CJK_SYMBOLS[offset // 1296] + _base36(offset % 1296, 2)
    return _LONG_SYMBOLS[number // 36**4] + _base36(number % 36**4, 4)


_CODES: dict[str, str] = {}  # a few thousand distinct characters in practice


def _code(character: str) -> str:
    """A character as 2, 3 or 5 symbols; the first symbol tells the length (prefix-free)."""
    code = _CODES.get(character)
    if code is None:
        code = _encode(character)
        if len(_CODES) < 200_000:
            _CODES[character] = code
    return code


def namespace(org_id: int, slot: int, bucket: int | str | None = None) -> str:
    """The prefix of every token of `slot` (what is indexed) in organisation `org_id`; with
    `bucket` (PostgreSQL: `bucket_of` the record, or `BUCKET_PLACEHOLDER` in a query), of
    that bucket's records only."""
    if not 0 <= slot < MAX_SLOTS:
        raise ValueError(f"slot {slot} is outside 0–{MAX_SLOTS - 1}")
    prefix = f"{chr(ord('a') + slot)}{int(org_id)}"
    if bucket is None:
        return prefix
    if bucket != BUCKET_PLACEHOLDER:
        bucket = int(bucket)
    return f"{prefix}v{bucket}"


def bucket_of(object_id: int) -> int:
    """The bucket of a record's tokens on PostgreSQL (see the module docstring)."""
    return object_id // BUCKET_SIZE


def _grams(codes: list[str], size: int) -> list[str]:
    return ["".join(codes[start : start + size]) for start in range(len(codes) - size + 1)]


def _split(ns: str, value: str) -> tuple[list[str], list[str]]:
    """(tokens that need their position — starts, bigrams, trigrams —, unigrams)."""
    codes = [_code(character) for character in value]
    positional = [f"{ns}s{codes[0]}"]
    pairs = [first + second for first, second in itertools.pairwise(codes)]
    if pairs:
        positional.append(f"{ns}p{pairs[0]}")
        positional.extend([f"{ns}b{pair}" for pair in pairs])
    triples = [pair + third for pair, third in zip(pairs, codes[2:], strict=False)]
    if triples:
        positional.append(f"{ns}r{triples[0]}")
        positional.extend([f"{ns}t{triple}" for triple in triples])
    return positional, [f"{ns}u{code}" for code in dict.fromkeys(codes)]


def value_tokens(ns: str, value: str) -> list[str]:
    """The tokens of a normalised value, in index order (empty for an empty value)."""
    if not value:
        return []
    positional, unigrams = _split(ns, value)
    return positional + unigrams


def value_document(ns: str, value: str) -> str:
    """What goes into the FTS5 column for a value: its tokens separated by spaces."""
    return " ".join(value_tokens(ns, value))


def value_tsvector(ns: str, value: str) -> str:
    """A PostgreSQL tsvector literal for a value: starts, bigrams and trigrams with their
    positions (phrases need them), unigrams without (they are only ever looked up alone)."""
    if not value:
        return ""
    positional, unigrams = _split(ns, value)
    return " ".join(
        [f"{token}:{position}" for position, token in enumerate(positional, start=1)] + unigrams
    )


def contains_phrase(ns: str, key: str) -> list[str]:
    """The tokens whose phrase means "holds `key`"."""
    codes = [_code(character) for character in key]
    if len(codes) == 1:
        return [f"{ns}u{codes[0]}"]
    if len(codes) == 2:
        return [f"{ns}b{codes[0]}{codes[1]}"]
    return [f"{ns}t{gram}" for gram in _grams(codes, 3)]


def prefix_phrase(ns: str, key: str) -> list[str]:
    """The tokens whose phrase means "starts with `key`"."""
    codes = [_code(character) for character in key]
    if len(codes) == 1:
        return [f"{ns}s{codes[0]}"]
    if len(codes) == 2:
        return [f"{ns}p{codes[0]}{codes[1]}"]
    start = f"{ns}r{''.join(codes[:3])}"
    return [start] if len(codes) == 3 else [start, *(f"{ns}t{gram}" for gram in _grams(codes, 3))]


# --- the engines' spellings ----------------------------------------------------------------


def fts5_query(phrases: Iterable[Sequence[str]]) -> str:
    """An FTS5 MATCH expression: any of the phrases (each one a quoted token sequence)."""
    return " OR ".join(f'"{" ".join(phrase)}"' for phrase in phrases)


def tsquery_literal(phrases: Iterable[Sequence[str]]) -> str:
    """A PostgreSQL tsquery literal: any of the phrases (`<->`: the next position)."""
    return " | ".join(f"({' <-> '.join(phrase)})" for phrase in phrases)
