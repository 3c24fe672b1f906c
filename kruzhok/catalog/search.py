"""The catalog's full-text index: typo-tolerant, letter-variant-tolerant search over programmes.

Each programme has one *document* — its titles (ru/kk/en), descriptions, organization names, direction names,
municipality and the settlements of its groups' venues — kept by database triggers (migration
``catalog.0005_programme_search``) in the table ``catalog_programme_search``; :func:`programme_search_refresh`
rebuilds any part of it in one set-based statement.

A query is folded like the documents (:func:`kruzhok.core.text.fold`: case, «ё», Kazakh letters) and split
into words; common words («для», «детей», «кружок»…) are dropped unless nothing else is left. A programme
matches when **every** word is found, each forgiving typos:

* PostgreSQL — each query word is looked up among the words of all documents (``catalog_search_word``,
  pg_trgm word similarity ≥ :data:`WORD_SIMILARITY`, trigram GIN index); the documents are then found by
  full text (``tsvector`` GIN index): for each query word, a word beginning with it or one of the words it
  resembles. Rank = ``ts_rank`` (title words weigh more) + 2 when the title has a query word or a
  near-exact form of it (similarity ≥ :data:`CLOSE`), + 1 when it has a looser likeness — a title match
  outranks a match in the description. (No per-row trigram work: ``word_similarity`` was computed once per
  vocabulary word.)
* SQLite — FTS5 with the ``trigram`` tokenizer finds the candidates (any trigram of the query, ordered by
  ``bm25``), and the same word-similarity rule, computed here in Python, keeps and ranks them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet

from kruzhok.core.text import fold

WORD_SIMILARITY = 0.5
MAX_EXPANSIONS = 30  # words of the documents tried for one query word, the most alike first
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
TITLE_WEIGHT = 2.0
CLOSE = 0.7  # a word this alike to the query word counts as the word itself in a title (PostgreSQL)
# Words that say nothing about which programme is meant: dropped unless the query has nothing else.
STOP_WORDS = frozenset(fold(word) for word in (
    "и", "в", "во", "на", "с", "со", "по", "для", "от", "до", "из", "к", "у", "о", "лет", "год", "года",
    "ребенка", "ребёнка", "детей", "дети", "детский", "детская", "кружок", "кружки", "кружка", "секция",
    "секции", "занятия", "the", "for", "and", "of", "kids", "children", "club", "үшін", "және", "балалар",
    "балаларға",
))


@dataclass(frozen=True)
class SearchHits:
    """One page of ranked programme ids and how many programmes match in all."""

    ids: list[int]
    ranks: dict[int, float]
    total: int


def search_words(query: str) -> list[str]:
    """The folded words of a query that take part in matching, in order, without repeats."""
    words = list(dict.fromkeys(word[:MAX_WORD_LENGTH] for word in fold(query).split()))
    content = [word for word in words if word not in STOP_WORDS]
    return (content or words)[:MAX_WORDS]


def programme_search_refresh(*, programme_ids: Iterable[int] | None = None) -> None:
    """Rebuild the search documents of these programmes (all when None) from the current rows.

    The triggers keep the index current on every write; call this after loading data with triggers off
    (``session_replication_role = replica``) or to repair the index. One set-based statement on PostgreSQL;
    on SQLite the programmes are "touched" so that their update trigger rewrites their documents.
    """
    ids = None if programme_ids is None else sorted({int(pk) for pk in programme_ids})
    if ids == []:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT kruzhok_programme_search_refresh(%s::bigint[])", [ids])
        elif ids is None:
            cursor.execute("DELETE FROM catalog_programme_search")
            cursor.execute("UPDATE catalog_programme SET id = id")
        else:
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                cursor.execute(f"UPDATE catalog_programme SET id = id WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                               chunk)


# The settings of a search's queries, for its transaction only (``SET LOCAL``): the word-similarity threshold of
# ``<%`` (pg_trgm's default, 0.6, misses «шахмты» → «шахматы»); no parallel workers: starting them costs more than
# these small queries gain, worst of all under load; and random reads priced as what they are for the catalog's
# tables and indexes, small and always cached (``random_page_cost`` 1.1 rather than the spinning-disk 4): index
# probes per match instead of whole scans. Constants, written into the SQL.
_SETTINGS_SQL = (f"SELECT set_config('pg_trgm.word_similarity_threshold', '{float(WORD_SIMILARITY)}', true),"
                 " set_config('max_parallel_workers_per_gather', '0', true),"
                 " set_config('random_page_cost', '1.1', true)")


@contextmanager
def search_transaction() -> Iterator[None]:
    """One transaction for a search's queries; its first statement goes through :func:`execute_first`, which
    sets the search's settings (PostgreSQL) in the same round trip."""
    with transaction.atomic(savepoint=False):
        yield


def execute_first(cursor, sql: str, params: Sequence) -> None:
    """Execute the first statement of a :func:`search_transaction` on ``cursor``: on PostgreSQL preceded, in the
    same round trip, by the search's settings (``SET LOCAL``, planned before the statement is), so the rows
    fetched are the statement's. Django's cursors bind parameters on the client: two statements can go at once.
    """
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    cursor.execute(f"{_SETTINGS_SQL}; {sql}", params)
    cursor.nextset()


def programme_search(*, words: Sequence[str], candidates: QuerySet, conditions: Sequence[tuple[str, Sequence]],
                     offset: int, limit: int) -> SearchHits:
    """The programmes passing the filters that match every word, best first: one page and the total.

    The filters come twice, meaning the same: ``candidates``, a Programme queryset (SQLite), and
    ``conditions``, SQL on the index row ``s`` of ``catalog_programme_search`` with its parameters
    (PostgreSQL: no join to the programmes). Run it inside :func:`search_transaction`.
    """
    if connection.vendor == "postgresql":
        return _postgres_search(words, conditions, offset, limit)
    candidates_sql, candidates_params = candidates.order_by().values("id").query.sql_with_params()
    return _sqlite_search(words, candidates_sql, list(candidates_params), offset, limit)


# --- PostgreSQL ------------------------------------------------------------------------------------------


def _postgres_search(words: Sequence[str], conditions: Sequence[tuple[str, Sequence]], offset: int,
                     limit: int) -> SearchHits:
    with connection.cursor() as cursor:
        # The words of the documents each query word resembles (its misspelling, its longer forms), most alike
        # first; words are [0-9a-zа-я]+ (folded), safe to write into a tsquery.
        execute_first(
            cursor,
            "SELECT q.n, v.word, v.similarity FROM unnest(%s::text[]) WITH ORDINALITY AS q(w, n) CROSS JOIN LATERAL"
            " (SELECT word, word_similarity(q.w, word) AS similarity FROM catalog_search_word WHERE q.w <%% word"
            " ORDER BY similarity DESC, word LIMIT %s) AS v", [list(words), MAX_EXPANSIONS])
        alike: dict[int, list[tuple[str, float]]] = {}
        for number, word, similarity in cursor.fetchall():
            alike.setdefault(number - 1, []).append((word, similarity))
        # A document has every query word: a word beginning with it, or one it resembles.
        query = " & ".join("(" + " | ".join([f"{word}:*", *(w for w, _ in alike.get(n, ()))]) + ")"
                           for n, word in enumerate(words))
        # In the title (weight A): the word itself or a near-exact form weighs 2, a looser likeness 1.
        close = [f"{word}:*A" for word in words] + [f"{w}:A" for n in alike for w, sim in alike[n] if sim >= CLOSE]
        loose = [f"{w}:A" for n in alike for w, sim in alike[n] if sim < CLOSE]
        title_rank = f"{TITLE_WEIGHT} * (s.tsv @@ to_tsquery('simple', %s))::int"
        params = [" | ".join(close)]
        if loose:
            title_rank += " + (s.tsv @@ to_tsquery('simple', %s))::int"
            params.append(" | ".join(loose))
        where = " AND ".join(["s.tsv @@ q.query", *(f"({sql})" for sql, _ in conditions)])
        sql = (f"SELECT s.programme_id, ts_rank(s.tsv, q.query) + {title_rank} AS rank, count(*) OVER () AS total"
               f" FROM catalog_programme_search s, to_tsquery('simple', %s) AS q(query) WHERE {where}"
               " ORDER BY rank DESC, s.title, s.programme_id LIMIT %s OFFSET %s")
        params = [*params, query, *(value for _, values in conditions for value in values)]
        cursor.execute(sql, [*params, limit, offset])
        rows = cursor.fetchall()
        if not rows and offset:
            cursor.execute(sql, [*params, 1, 0])  # past the last page: only the total is wanted
            first = cursor.fetchall()
            return SearchHits(ids=[], ranks={}, total=first[0][2] if first else 0)
    return SearchHits(ids=[row[0] for row in rows], ranks={row[0]: float(row[1]) for row in rows},
                      total=rows[0][2] if rows else 0)


# --- SQLite ----------------------------------------------------------------------------------------------


def _sqlite_search(words: Sequence[str], candidates_sql: str, candidates_params: list, offset: int,
                   limit: int) -> SearchHits:
    trigrams = sorted({word[i:i + 3] for word in words for i in range(len(word) - 2)})
    with connection.cursor() as cursor:
        if trigrams:
            cursor.execute(
                "SELECT rowid, title, body, bm25(catalog_programme_search, 10.0, 1.0)"
                " FROM catalog_programme_search WHERE catalog_programme_search MATCH %s"
                f" AND rowid IN ({candidates_sql})",
                [" OR ".join(f'"{trigram}"' for trigram in trigrams), *candidates_params])
        else:  # only one- and two-letter words: too short for trigrams, compare every candidate
            cursor.execute("SELECT rowid, title, body, 0 FROM catalog_programme_search"
                           f" WHERE rowid IN ({candidates_sql})", candidates_params)
        rows = cursor.fetchall()
    scored = []
    for pk, title, body, bm25 in rows:
        title_words, body_words = _word_trigrams(title), _word_trigrams(body)
        body_scores = [_similarity(word, body_words) for word in words]
        if min(body_scores) < WORD_SIMILARITY:
            continue
        score = sum(TITLE_WEIGHT * _similarity(word, title_words) for word in words) + sum(body_scores)
        scored.append((-score, bm25, fold(title), pk))
    scored.sort()
    page = scored[offset:offset + limit]
    return SearchHits(ids=[row[3] for row in page], ranks={row[3]: -row[0] for row in page}, total=len(scored))


def _trigrams(word: str) -> list[str]:
    """pg_trgm's trigrams of one word, in order: padded with two spaces before and one after."""
    padded = f"  {word} "
    return [padded[i:i + 3] for i in range(len(padded) - 2)]


def _word_trigrams(text: str) -> list[tuple[str, list[str], frozenset[str]]]:
    return [(word, trigrams, frozenset(trigrams)) for word in dict.fromkeys(fold(text).split())
            for trigrams in (_trigrams(word),)]


def _similarity(word: str, text_words: list[tuple[str, list[str], frozenset[str]]]) -> float:
    """pg_trgm's ``word_similarity`` within one word of the text (1.0 when the word begins a word of the text).

    The best, over the stretches of a text word's trigrams, of shared / (query's + stretch's − shared) trigrams.
    """
    wanted = frozenset(_trigrams(word))
    size = len(wanted)
    best = 0.0
    for candidate, sequence, trigrams in text_words:
        if candidate.startswith(word):
            return 1.0
        shared = len(wanted & trigrams)
        if shared / size <= best:  # an upper bound for any stretch of this word
            continue
        for start, first in enumerate(sequence):
            if first not in wanted:
                continue
            seen: set[str] = set()
            found = 0
            for trigram in sequence[start:]:
                if trigram not in seen:
                    seen.add(trigram)
                    found += trigram in wanted
                if trigram in wanted:
                    best = max(best, found / (size + len(seen) - found))
    return best
