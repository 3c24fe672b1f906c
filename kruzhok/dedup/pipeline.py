"""The probabilistic search: normalized children in, scored pairs and clusters out (Splink 5 on DuckDB).

Input is a pyarrow Table with one row per child (built from the ORM by ``search.children_frame`` or by the
bench generator) and the columns ``unique_id, surname, name, patronymic, sex, birth_date, phone, school,
municipality, national_id``. :func:`prepare` adds the normalized keys, :func:`predict` scores the pairs the
blocking rules propose, :func:`cluster` joins the pairs above a threshold into groups.

The model's m/u probabilities are set here by hand, not trained: a search over one municipality has too few
duplicates for EM to learn from, and fixed parameters make the weights the reviewer sees stable from run to run.

The family trap. Siblings and twins share surname, patronymic, phone, school and municipality — and twins the
birth date. Splink adds the comparisons as if they were independent, so five shared family fields would outvote
one different first name. Each family field therefore has a first level «first names clearly differ» with
m = u (weight 0): when the first names differ, agreement on family fields says nothing, and the first name's own
strong negative weight and the birth date decide. Different first names of a true duplicate are left to the
fuzzy levels (typos, transliteration variants). A first name only a typo away from another does not lift the
neutrality of patronymic, phone, school and municipality when the birth dates are also far apart (no swap, no
single digit): that is a brother or sister, not a second typo of the same child.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from kruzhok.dedup.normalize import COMMON_FIRST_NAMES, name_key, patronymic_root

# Names in the SQL: l/r sides of a pair.
# Two first names that are both known names (common, or frequent in the data) and differ are different names
# however close their spelling (Мария / Дарья); a close spelling of a rare one is a typo.
NOT_BOTH_KNOWN = "NOT (l.fnk AND r.fnk)"
SWAPPED_NEAR = "(damerau_levenshtein(l.fn, r.sn) <= 1 AND damerau_levenshtein(l.sn, r.fn) <= 1)"
FN_TYPO = f"(damerau_levenshtein(l.fn, r.fn) <= 1 AND {NOT_BOTH_KNOWN})"
FN_SIMILAR = (f"((jaro_winkler_similarity(l.fn, r.fn) >= 0.92 OR (damerau_levenshtein(l.fn, r.fn) <= 2 "
              f"AND least(length(l.fn), length(r.fn)) >= 4)) AND {NOT_BOTH_KNOWN})")
FN_NEAR = f"(l.fn = r.fn OR {FN_TYPO} OR {FN_SIMILAR} OR {SWAPPED_NEAR})"
FN_DIFF = f"(l.fn IS NOT NULL AND r.fn IS NOT NULL AND NOT {FN_NEAR})"
SWAPPED = "(l.fn = r.sn AND l.sn = r.fn AND l.fn <> l.sn)"
# Birth dates that no single slip explains (not equal, not day/month swapped, not one digit off).
DOB_FAR = ("(NOT (l.dob = r.dob OR (l.byear = r.byear AND l.bmon = r.bday AND l.bday = r.bmon) "
           "OR damerau_levenshtein(l.dob, r.dob) <= 1))")

# Match weights (log2 of the odds): pairs at or above REVIEW_WEIGHT go to the review queue; MERGE_WEIGHT is the
# suggested weight of the automatic merge when it is switched on (settings.DEDUP_AUTO_MERGE_WEIGHT), a weight
# at which almost no pair is wrong. The bench counts unique children by the clusters at COUNT_WEIGHT: the
# weight where a wrongly joined pair and a wrongly split one cost the count about the same (the prior of 2
# duplicates per record overstates the duplicates of the generated data about 2.4 times, 1.3 bits).
REVIEW_WEIGHT = 0.0
COUNT_WEIGHT = 3.0
MERGE_WEIGHT = 6.0
# The prior of a search is «about two duplicates per record among all pairs» of the territory, but never as
# loose as for fewer children than this: a village's 40 children are not more likely to be duplicates.
MIN_POPULATION = 20_000

# What each comparison is called in the review page (Russian msgids are marked in ``explain``).
COMPARISON_FIELDS = ("fn", "sn", "pat", "dob", "phone", "school", "muni", "sex", "nid")


_SIDE = re.compile(r"\b([lr])\.(\w+)")


def _level(sql: str, label: str, m: float | None = None, u: float | None = None, *, null: bool = False) -> dict:
    """A comparison level; its SQL is written with ``l.col``/``r.col`` (as the blocking rules are) and handed to
    Splink as ``col_l``/``col_r``."""
    level: dict = {"sql_condition": _SIDE.sub(r"\2_\1", sql), "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    else:
        level["m_probability"] = m
        level["u_probability"] = u
    return level


def _null(col: str) -> dict:
    return _level(f"l.{col} IS NULL OR r.{col} IS NULL", "null", null=True)


def _family_neutral(*, dob_far: bool = True) -> dict:
    """«First names clearly differ»: a family field agreeing is no evidence then (weight 0). With ``dob_far``
    also «first names only alike and birth dates far apart»: a sibling whose name is a typo away from a
    brother's or sister's (Алия / Алина typed once as «Алиа») shares the whole family but not the birthday —
    the shared patronymic, phone, school and municipality must not merge them either."""
    condition = f"({FN_DIFF} OR (l.fn <> r.fn AND {DOB_FAR}))" if dob_far else FN_DIFF
    return _level(condition, "first names differ", 0.5, 0.5)


def comparisons() -> list[dict]:
    return [
        {"output_column_name": "fn", "comparison_description": "first name", "comparison_levels": [
            _null("fn"),
            _level("l.fn = r.fn", "exact", 0.86, 0.012),
            _level(SWAPPED, "swapped with surname", 0.02, 0.0004),
            _level(FN_TYPO, "one letter", 0.06, 0.002),
            _level(SWAPPED_NEAR, "swapped with surname, one letter", 0.005, 0.0002),
            _level(FN_SIMILAR, "similar", 0.04, 0.005),
            _level("ELSE", "different", 0.0015, 0.974),
        ]},
        {"output_column_name": "sn", "comparison_description": "surname", "comparison_levels": [
            _null("sn"),
            _family_neutral(dob_far=False),
            _level("l.sn = r.sn", "exact", 0.82, 0.003),
            _level(SWAPPED, "swapped with first name", 0.02, 0.0004),
            _level("damerau_levenshtein(l.sn, r.sn) <= 1", "one letter", 0.07, 0.002),
            _level("jaro_winkler_similarity(l.sn, r.sn) >= 0.9", "similar", 0.04, 0.006),
            _level("ELSE", "different", 0.04, 0.989),
        ]},
        {"output_column_name": "pat", "comparison_description": "patronymic", "comparison_levels": [
            _null("pat"),
            _family_neutral(),
            _level("l.pat = r.pat", "same root", 0.9, 0.01),
            _level("damerau_levenshtein(l.pat, r.pat) <= 1", "one letter", 0.06, 0.01),
            _level("ELSE", "different", 0.02, 0.98),
        ]},
        {"output_column_name": "dob", "comparison_description": "birth date", "comparison_levels": [
            _null("dob"),
            _level("l.dob = r.dob", "exact", 0.87, 0.0002),
            _level("l.byear = r.byear AND l.bmon = r.bday AND l.bday = r.bmon", "day and month swapped", 0.04, 0.00001),
            _level("damerau_levenshtein(l.dob, r.dob) <= 1", "one digit", 0.05, 0.004),
            _level("abs(datediff('day', CAST(l.dob AS DATE), CAST(r.dob AS DATE))) <= 366", "within a year",
                   0.005, 0.08),
            _level("ELSE", "different", 0.0005, 0.917),
        ]},
        {"output_column_name": "phone", "comparison_description": "phone", "comparison_levels": [
            _null("phone"),
            _family_neutral(),
            _level("l.phone = r.phone", "same", 0.6, 0.0001),
            _level("ELSE", "different", 0.4, 0.9999),
        ]},
        {"output_column_name": "school", "comparison_description": "school", "comparison_levels": [
            _null("school"),
            _family_neutral(),
            _level("l.school = r.school", "same", 0.85, 0.004),
            _level("ELSE", "different", 0.15, 0.996),
        ]},
        {"output_column_name": "muni", "comparison_description": "municipality", "comparison_levels": [
            _null("muni"),
            _family_neutral(),
            _level("l.muni = r.muni", "same", 0.95, 0.05),
            _level("ELSE", "different", 0.05, 0.95),
        ]},
        {"output_column_name": "sex", "comparison_description": "sex", "comparison_levels": [
            _null("sex"),
            _level("l.sex = r.sex", "same", 0.97, 0.5),
            _level("ELSE", "different", 0.03, 0.5),
        ]},
        {"output_column_name": "nid", "comparison_description": "national id", "comparison_levels": [
            _null("nid"),
            _level("l.nid = r.nid", "same", 0.999, 1e-8),
            _level("ELSE", "different", 1e-6, 0.999999),
        ]},
    ]


def _close(a: str, b: str, jw: float) -> str:
    """Two keys spelled alike: Jaro-Winkler at least ``jw``, or, for short keys (where one typo already costs
    Jaro-Winkler a lot), at most two edits; a missing key does not rule the pair out."""
    return (f"(CASE WHEN {a} IS NULL OR {b} IS NULL THEN true WHEN jaro_winkler_similarity({a}, {b}) >= {jw} "
            f"THEN true WHEN least(length({a}), length({b})) > 5 THEN false "
            f"ELSE damerau_levenshtein({a}, {b}) <= 2 END)")


def _guarded(keys: str, residual: str) -> str:
    """A blocking rule: the equi-join ``keys`` and a ``residual`` test of the joined pair. Splink repeats every
    earlier rule inside the later ones (``AND NOT (rule 1 OR rule 2 …)``, to propose each pair once); the CASE
    keeps the string distances of the residual from being computed for the pairs whose keys differ."""
    return f"{keys} AND (CASE WHEN {keys} THEN {residual} ELSE false END)"


# Each rule proposes pairs on one combination of keys; together they catch every single corruption the
# generator makes (and most double ones). The pairs of a block grow with the square of the children, so the
# big blocks (a shared surname and birth date, a family's phone) only keep pairs whose other name is at least
# spelled alike: at 2.5 million children this is a quarter of the pairs to score for 0.01 % of the recall.
BLOCKING_RULES = (
    _guarded("l.sn = r.sn AND l.dob = r.dob", _close("l.fn", "r.fn", 0.75)),
    _guarded("l.fn = r.fn AND l.dob = r.dob", _close("l.sn", "r.sn", 0.75)),
    # One letter of a name and one digit of the date: the first letter of the other name is kept by a typo.
    _guarded("l.sn = r.sn AND left(l.fn, 1) = left(r.fn, 1) AND l.byear = r.byear AND l.bmon = r.bmon",
             _close("l.fn", "r.fn", 0.8)),
    _guarded("l.sn = r.sn AND left(l.fn, 1) = left(r.fn, 1) AND l.bmon = r.bmon AND l.bday = r.bday",
             _close("l.fn", "r.fn", 0.8)),
    _guarded("l.fn = r.fn AND left(l.sn, 1) = left(r.sn, 1) AND l.byear = r.byear AND l.bmon = r.bmon",
             _close("l.sn", "r.sn", 0.8)),
    _guarded("l.fn = r.fn AND left(l.sn, 1) = left(r.sn, 1) AND l.bmon = r.bmon AND l.bday = r.bday",
             _close("l.sn", "r.sn", 0.8)),
    "l.fn = r.fn AND l.byear = r.byear AND l.bmon = r.bday AND l.bday = r.bmon",
    "l.sn = r.sn AND l.byear = r.byear AND l.bmon = r.bday AND l.bday = r.bmon",
    _guarded("l.fn = r.sn AND l.sn = r.fn", "(l.byear = r.byear OR l.bmon = r.bmon)"),
    "l.phone = r.phone AND l.fn = r.fn",
    _guarded("l.phone = r.phone AND l.sn = r.sn", _close("l.fn", "r.fn", 0.8)),
    _guarded("l.dob = r.dob AND left(l.fn, 1) = left(r.fn, 1) AND left(l.sn, 1) = left(r.sn, 1)",
             f"{_close('l.fn', 'r.fn', 0.8)} AND {_close('l.sn', 'r.sn', 0.8)}"),
    _guarded("l.dob = r.dob AND left(l.fn, 1) = left(r.sn, 1) AND left(l.sn, 1) = left(r.fn, 1)",
             f"{_close('l.fn', 'r.sn', 0.8)} AND {_close('l.sn', 'r.fn', 0.8)}"),
    "l.nid = r.nid",
)


def settings(n_records: int, *, keep_bayes_factors: bool = True) -> dict:
    """The Splink settings; the prior is «about one duplicate per record» among all pairs."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "probability_two_random_records_match": min(0.5, 2.0 / max(n_records, 2)),
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": [{"blocking_rule": rule} for rule in BLOCKING_RULES],
        "retain_matching_columns": keep_bayes_factors,
        "retain_intermediate_calculation_columns": keep_bayes_factors,
    }


def _keyed(column: pa.Array | pa.ChunkedArray, fn) -> pa.Array:
    """``fn`` of every value, computed once per distinct value (names repeat a lot); "" becomes NULL."""
    column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    encoded = pc.dictionary_encode(pc.fill_null(column.cast(pa.string()), ""))
    mapped = pa.array([fn(v) or None for v in encoded.dictionary.to_pylist()], type=pa.string())
    return mapped.take(encoded.indices)


def _log(what: str, since: float) -> None:
    if os.environ.get("DEDUP_TIMING"):
        print(f"  {what}: {time.perf_counter() - since:.2f}s", file=sys.stderr)


def prepare(con: duckdb.DuckDBPyConnection, raw: pa.Table, table: str = "children") -> str:
    """Create the DuckDB table of normalized children from ``raw`` (columns ``unique_id, surname, name,
    patronymic, sex, birth_date, phone, school, municipality, national_id``); returns its name."""
    keys = pa.table({
        "unique_id": raw["unique_id"].cast(pa.int64()),
        "fn": _keyed(raw["name"], name_key),
        "sn": _keyed(raw["surname"], name_key),
        "pat": _keyed(raw["patronymic"], patronymic_root),
        "phone": raw["phone"].cast(pa.string()),
        "birth_date": raw["birth_date"],
        "school": raw["school"].cast(pa.string()),
        "muni": raw["municipality"].cast(pa.int64()),
        "sex": raw["sex"].cast(pa.string()),
        "national_id": raw["national_id"].cast(pa.string()),
    })
    con.register("_raw_keys", keys)
    _t = time.perf_counter()
    con.register("_common_names", pa.table({"name": sorted(COMMON_FIRST_NAMES)}))
    frequent = max(20, raw.num_rows // 5_000)
    # Swapped first name and surname are put back when the first name is mostly seen as a surname and the
    # surname mostly as a first name; a first name is «known» when common or frequent in the data.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _unswapped AS
        WITH f AS (SELECT fn AS t, count(*) AS c FROM _raw_keys WHERE fn IS NOT NULL GROUP BY fn),
             s AS (SELECT sn AS t, count(*) AS c FROM _raw_keys WHERE sn IS NOT NULL GROUP BY sn),
             k AS (SELECT r.*, coalesce(sf.c, 0) > 2 * coalesce(ff.c, 0) + 1
                             AND coalesce(fs.c, 0) > 2 * coalesce(ss.c, 0) + 1 AS swap
                   FROM _raw_keys r
                   LEFT JOIN s sf ON sf.t = r.fn LEFT JOIN f ff ON ff.t = r.fn
                   LEFT JOIN f fs ON fs.t = r.sn LEFT JOIN s ss ON ss.t = r.sn)
        SELECT * EXCLUDE (fn, sn, swap),
               CASE WHEN swap THEN sn ELSE fn END AS fn, CASE WHEN swap THEN fn ELSE sn END AS sn
        FROM k
    """)
    _log("unswap", _t)
    con.execute(f"""
        CREATE OR REPLACE TABLE {table} AS
        WITH counted AS (SELECT *, count(*) OVER (PARTITION BY fn) AS fn_count FROM _unswapped)
        SELECT unique_id, fn, sn, pat,
               fn IN (SELECT name FROM _common_names) OR fn_count >= {frequent} AS fnk,
               strftime(CAST(birth_date AS DATE), '%Y-%m-%d') AS dob,
               year(CAST(birth_date AS DATE)) AS byear, month(CAST(birth_date AS DATE)) AS bmon,
               day(CAST(birth_date AS DATE)) AS bday,
               CASE WHEN length(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')) >= 7
                    THEN right(regexp_replace(phone, '[^0-9]', '', 'g'), 10) END AS phone,
               nullif(school, '') AS school, muni,
               CASE WHEN sex IN ('M', 'F') THEN sex END AS sex,
               nullif(regexp_replace(coalesce(national_id, ''), '[^0-9]', '', 'g'), '') AS nid
        FROM counted
    """)
    _log("table", _t)
    con.execute("DROP TABLE _unswapped")
    con.unregister("_raw_keys")
    con.unregister("_common_names")
    return table


def connect(threads: int | None = None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"SET threads = {int(threads or os.environ.get('DEDUP_THREADS', 2))}")
    con.execute(f"SET memory_limit = '{memory_limit or os.environ.get('DEDUP_MEMORY', '3GB')}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def predict(raw: pa.Table, *, threshold_weight: float, keep_bayes_factors: bool = True,
            population: int | None = None) -> pa.Table:
    """Scored pairs at or above ``threshold_weight`` (``population``: the number of children the prior is set
    for, by default the rows given — a small hand-made set can be scored as if it were a municipality's):
    unique_id_l < unique_id_r, match_weight,
    match_probability and, with ``keep_bayes_factors``, each comparison's gamma_* level and mw_* weight (log2 of
    its Bayes factor)."""
    from splink import DuckDBAPI, Linker

    con = connect()
    try:
        table = prepare(con, raw)
        db_api = DuckDBAPI(connection=con)
        sdf = db_api.register(table)
        linker = Linker(sdf, settings(population or raw.num_rows, keep_bayes_factors=keep_bayes_factors),
                        log_level=None)
        pairs = linker.inference.predict(threshold_match_weight=threshold_weight, warning_mode="never")
        wanted = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
        if keep_bayes_factors:
            wanted += [f"{p}_{f}" for f in COMPARISON_FIELDS for p in ("gamma", "mw")]
        result = con.sql(f"SELECT {', '.join(wanted)} FROM {pairs.physical_name}").to_arrow_table()
    finally:
        con.close()
    return result


def cluster(pairs: pa.Table, *, threshold_weight: float) -> dict[int, int]:
    """Connected components of the pairs at or above ``threshold_weight``: child id → cluster id (the smallest
    id in it), for the children in at least one such pair."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    strong = pairs.filter(pc.greater_equal(pairs["match_weight"], threshold_weight))
    for a, b in zip(strong["unique_id_l"].to_pylist(), strong["unique_id_r"].to_pylist(), strict=True):
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {i: find(i) for i in list(parent)}


def probability(weight: float) -> float:
    return 1.0 / (1.0 + 2.0 ** (-weight))


def explain(row: dict) -> list[dict]:
    """Each comparison's level and its contribution (log2 of its Bayes factor) to the match weight."""
    out = []
    for field in COMPARISON_FIELDS:
        gamma = row.get(f"gamma_{field}")
        weight = row.get(f"mw_{field}")
        if gamma is None or weight is None or (isinstance(weight, float) and math.isnan(weight)):
            continue
        out.append({"field": field, "gamma": int(gamma), "weight": round(weight, 2),
                    "level": _level_label(field, int(gamma))})
    return out


def _level_label(field: str, gamma: int) -> str:
    for comparison in comparisons():
        if comparison["output_column_name"] == field:
            levels = comparison["comparison_levels"]
            # Splink numbers the non-null levels from the last (0) to the first (n-1); the null level is -1.
            if gamma == -1:
                return "null"
            non_null = [lv for lv in levels if not lv.get("is_null_level")]
            return non_null[len(non_null) - 1 - gamma]["label_for_charts"]
    return ""


def stock_settings(n_records: int) -> dict:
    """Splink's stock comparisons on the raw (lower-cased) columns: the baseline of the bench."""
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        probability_two_random_records_match=min(0.5, 2.0 / max(n_records, 2)),
        comparisons=[
            cl.NameComparison("name"),
            cl.NameComparison("surname"),
            cl.NameComparison("patronymic"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("phone"),
            cl.ExactMatch("school"),
            cl.ExactMatch("municipality"),
            cl.ExactMatch("sex"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("surname", "birth_date"),
            block_on("name", "birth_date"),
            block_on("name", "surname"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
        max_iterations=10,
        em_convergence=0.001,
    )


def stock_predict(raw: pa.Table, *, threshold_probability: float = 0.5) -> pa.Table:
    """The baseline: stock comparisons on the raw lower-cased columns, u by random sampling, m by EM, as the
    Splink tutorial does it."""
    from splink import DuckDBAPI, Linker, block_on

    con = connect()
    try:
        con.register("_raw", raw)
        con.execute("""
            CREATE TABLE children_stock AS SELECT CAST(unique_id AS BIGINT) AS unique_id,
                nullif(lower(name), '') AS name, nullif(lower(surname), '') AS surname,
                nullif(lower(patronymic), '') AS patronymic,
                strftime(CAST(birth_date AS DATE), '%Y-%m-%d') AS birth_date,
                nullif(phone, '') AS phone, CAST(school AS VARCHAR) AS school, municipality, sex
            FROM _raw""")
        con.unregister("_raw")
        db_api = DuckDBAPI(connection=con)
        sdf = db_api.register("children_stock")
        linker = Linker(sdf, stock_settings(raw.num_rows), log_level=None)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("surname", "birth_date"))
        linker.training.estimate_parameters_using_expectation_maximisation(block_on("name", "surname"))
        pairs = linker.inference.predict(threshold_match_probability=threshold_probability, warning_mode="never")
        result = con.sql(f"SELECT unique_id_l, unique_id_r, match_weight FROM {pairs.physical_name}"
                         ).to_arrow_table()
    finally:
        con.close()
    return result
