"""The catalog's search index: one document per programme, kept by the database itself.

The document of a programme is its titles (ru/kk/en), descriptions, organization names, direction names
(ru/kk/en), the municipality of the organization and the settlements of its groups' venues. Triggers keep it
current on every path that writes those rows — pages, the admin, imports, ``bulk_create``, ``COPY`` — and
``kruzhok.catalog.search.programme_search_refresh`` rebuilds any part of it on demand.

* PostgreSQL: ``CREATE EXTENSION pg_trgm``; ``kruzhok_fold(text)`` folds text exactly as the Python
  ``kruzhok.core.text.fold`` does (case, «ё», Kazakh letters, punctuation); ``catalog_programme_search``
  holds the folded ``title``, a ``tsvector`` of title and document (GIN index) and the programme's own
  filterable facts (public or not, organization, municipality, direction, ages, level, funding, form, adapted)
  so that a text search with filters reads no other table; ``catalog_search_word`` holds every
  word of the documents once (trigram GIN index), so that a misspelled query word finds the words it
  resembles, and through them the documents; ``kruzhok_programme_search_refresh(ids)`` rebuilds the documents
  of ``ids`` (all when NULL) and adds their words, set-based. Bulk inserts of programmes and groups are
  handled per statement (transition tables), other changes per row, only when a column the document uses
  changes. No foreign key to ``catalog_programme`` (it would stop Django's test flush from truncating it): a
  TRUNCATE trigger empties the index with the programmes, a DELETE trigger drops their documents.
* SQLite: an FTS5 table with the ``trigram`` tokenizer (case-insensitive; the Kazakh letters, «ё» and «й»
  are folded by ``replace`` in the document). Triggers write a programme's document on insert and update;
  changes elsewhere (groups, venues, names) "touch" the programme rows (``SET id = id``), whose update
  trigger rewrites the document. Caution, as with the seat-counting triggers of ``enrollment``: SQLite
  refuses to rebuild a table (Django's ``_remake_table``: many AddField/AlterField/AddConstraint) that these
  triggers name — catalog_programme, _group, _venue, _organization, _direction, territory_settlement,
  _municipality — while they exist; such a migration must drop them first and create them again after.
"""

from django.db import migrations

from kruzhok.core.migration_sql import sql_per_vendor

# --- PostgreSQL --------------------------------------------------------------------------------------

# ``kruzhok.core.text.fold``: these characters map to these (upper-case Cyrillic and Kazakh, «ё», «й»); then
# lower() for Latin; anything but [0-9a-zа-я] becomes one space. Translating upper case explicitly keeps the
# result independent of the database's LC_CTYPE.
FOLD_FROM = "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯЁӘҒҚҢӨҰҮҺІёәғқңөұүһій"
FOLD_TO = "абвгдежзииклмнопрстуфхцчшщъыьэюяеагкноуухиеагкноуухии"

POSTGRES_UP = f"""
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE OR REPLACE FUNCTION kruzhok_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT btrim(regexp_replace(lower(translate(value, '{FOLD_FROM}', '{FOLD_TO}')), '[^0-9a-zа-я]+', ' ', 'g'))
$$;

-- The document (its folded title and tsvector) and the programme's own filterable facts: a text search
-- with filters reads this table alone.
CREATE TABLE catalog_programme_search (
    programme_id bigint PRIMARY KEY,
    organization_id bigint NOT NULL,
    municipality_id bigint NOT NULL,
    municipality_ids bigint[] NOT NULL,
    direction_id bigint NOT NULL,
    age_from smallint NOT NULL,
    age_to smallint NOT NULL,
    is_public boolean NOT NULL,
    adapted_ovz boolean NOT NULL,
    level text NOT NULL,
    funding text NOT NULL,
    form text NOT NULL,
    title text NOT NULL,
    tsv tsvector NOT NULL
);
CREATE INDEX catalog_programme_search_tsv ON catalog_programme_search USING gin (tsv);
CREATE INDEX catalog_programme_search_places ON catalog_programme_search USING gin (municipality_ids);
-- The catalog without query text: programmes by title, read in index order and stopped after a page, and
-- counted from the index alone (the filterable columns are in it).
CREATE INDEX catalog_programme_catalog ON catalog_programme (title, id)
    INCLUDE (status, organization_id, direction_id, level, funding, form, adapted_ovz, age_from, age_to);
-- The group and timetable filters answered from the index alone (no seat counter in them: the counters'
-- updates stay HOT).
CREATE INDEX catalog_group_catalog ON catalog_group (programme_id)
    INCLUDE (is_active, age_from, age_to, venue_id, enrollment_opens_at, enrollment_closes_at);
CREATE INDEX catalog_scheduleslot_catalog ON catalog_scheduleslot (group_id) INCLUDE (weekday, starts_at, ends_at);
-- Every word of the documents once: a misspelled query word is matched against these (trigrams), and the
-- documents are then found by the words it resembles (full text) — no trigram work on whole documents.
CREATE TABLE catalog_search_word (word text PRIMARY KEY);
CREATE INDEX catalog_search_word_trgm ON catalog_search_word USING gin (word gin_trgm_ops);

CREATE OR REPLACE FUNCTION kruzhok_programme_search_refresh(ids bigint[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    written integer;
BEGIN
    IF ids IS NULL THEN
        ids := ARRAY(SELECT id FROM catalog_programme);
        DELETE FROM catalog_programme_search s
         WHERE NOT EXISTS (SELECT 1 FROM catalog_programme p WHERE p.id = s.programme_id);
        TRUNCATE catalog_search_word;  -- words of changed or deleted documents go too
    ELSE
        DELETE FROM catalog_programme_search s
         WHERE s.programme_id = ANY(ids)
           AND NOT EXISTS (SELECT 1 FROM catalog_programme p WHERE p.id = s.programme_id);
    END IF;
    INSERT INTO catalog_programme_search AS s (programme_id, organization_id, municipality_id, municipality_ids,
                                               direction_id, age_from, age_to, is_public, adapted_ovz, level,
                                               funding, form, title, tsv)
    SELECT doc.id, doc.organization_id, doc.municipality_id, doc.municipality_ids, doc.direction_id, doc.age_from,
           doc.age_to,
           doc.is_public, doc.adapted_ovz, doc.level, doc.funding, doc.form, doc.title,
           setweight(to_tsvector('simple', doc.title), 'A') || setweight(to_tsvector('simple', doc.body), 'D')
      FROM (
        SELECT p.id, p.organization_id, o.municipality_id, p.direction_id, p.age_from, p.age_to,
               -- where its groups meet: the organization's municipality and those of its groups' venues
               ARRAY(SELECT o.municipality_id UNION
                     SELECT t.municipality_id FROM catalog_group g
                       JOIN catalog_venue v ON v.id = g.venue_id
                       JOIN territory_settlement t ON t.id = v.settlement_id
                      WHERE g.programme_id = p.id) AS municipality_ids,
               p.status = 'published' AND o.is_active AS is_public, p.adapted_ovz, p.level, p.funding, p.form,
               kruzhok_fold(concat_ws(' ', p.title, p.title_kk, p.title_en)) AS title,
               kruzhok_fold(concat_ws(' ',
                   p.description, p.description_kk, p.description_en,
                   o.short_name, o.name, d.name, d.name_kk, d.name_en, m.name, m.name_kk, m.name_en,
                   (SELECT string_agg(DISTINCT concat_ws(' ', t.name, t.name_kk, t.name_en), ' ')
                      FROM catalog_group g
                      JOIN catalog_venue v ON v.id = g.venue_id
                      JOIN territory_settlement t ON t.id = v.settlement_id
                     WHERE g.programme_id = p.id))) AS body
          FROM catalog_programme p
          JOIN catalog_organization o ON o.id = p.organization_id
          JOIN catalog_direction d ON d.id = p.direction_id
          JOIN territory_municipality m ON m.id = o.municipality_id
         WHERE p.id = ANY(ids)
      ) AS doc
    ON CONFLICT (programme_id) DO UPDATE
       SET organization_id = EXCLUDED.organization_id, municipality_id = EXCLUDED.municipality_id,
           municipality_ids = EXCLUDED.municipality_ids,
           direction_id = EXCLUDED.direction_id, age_from = EXCLUDED.age_from, age_to = EXCLUDED.age_to,
           is_public = EXCLUDED.is_public, adapted_ovz = EXCLUDED.adapted_ovz, level = EXCLUDED.level,
           funding = EXCLUDED.funding, form = EXCLUDED.form, title = EXCLUDED.title, tsv = EXCLUDED.tsv
     WHERE (s.organization_id, s.municipality_id, s.municipality_ids, s.direction_id, s.age_from, s.age_to, s.is_public,
            s.adapted_ovz, s.level, s.funding, s.form, s.title, s.tsv)
           IS DISTINCT FROM (EXCLUDED.organization_id, EXCLUDED.municipality_id, EXCLUDED.municipality_ids,
            EXCLUDED.direction_id,
            EXCLUDED.age_from, EXCLUDED.age_to, EXCLUDED.is_public, EXCLUDED.adapted_ovz, EXCLUDED.level,
            EXCLUDED.funding, EXCLUDED.form, EXCLUDED.title, EXCLUDED.tsv);
    GET DIAGNOSTICS written = ROW_COUNT;
    INSERT INTO catalog_search_word (word)
    SELECT DISTINCT lexeme FROM catalog_programme_search s, unnest(tsvector_to_array(s.tsv)) AS lexeme
     WHERE s.programme_id = ANY(ids)
    ON CONFLICT (word) DO NOTHING;
    RETURN written;
END;
$$;

-- Statement level: a bulk insert (bulk_create, COPY) refreshes its rows in one statement.
CREATE OR REPLACE FUNCTION kruzhok_programme_search_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kruzhok_programme_search_refresh(ARRAY(SELECT id FROM new_rows));
    RETURN NULL;
END;
$$;
CREATE OR REPLACE FUNCTION kruzhok_programme_search_groups_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kruzhok_programme_search_refresh(
        ARRAY(SELECT DISTINCT programme_id FROM new_rows WHERE venue_id IS NOT NULL));
    RETURN NULL;
END;
$$;
CREATE OR REPLACE FUNCTION kruzhok_programme_search_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM catalog_programme_search WHERE programme_id IN (SELECT id FROM old_rows);
    RETURN NULL;
END;
$$;
CREATE OR REPLACE FUNCTION kruzhok_programme_search_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE catalog_programme_search, catalog_search_word;
    RETURN NULL;
END;
$$;
-- Row level, fired only when a column of the document changes: the programmes the changed row reaches.
CREATE OR REPLACE FUNCTION kruzhok_programme_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'catalog_programme' THEN
        PERFORM kruzhok_programme_search_refresh(ARRAY[NEW.id]);
    ELSIF TG_TABLE_NAME = 'catalog_group' THEN
        PERFORM kruzhok_programme_search_refresh(ARRAY[OLD.programme_id, NEW.programme_id]);
    ELSIF TG_TABLE_NAME = 'catalog_organization' THEN
        PERFORM kruzhok_programme_search_refresh(
            ARRAY(SELECT id FROM catalog_programme WHERE organization_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'catalog_direction' THEN
        PERFORM kruzhok_programme_search_refresh(ARRAY(SELECT id FROM catalog_programme WHERE direction_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'catalog_venue' THEN
        PERFORM kruzhok_programme_search_refresh(ARRAY(SELECT programme_id FROM catalog_group WHERE venue_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'territory_settlement' THEN
        PERFORM kruzhok_programme_search_refresh(ARRAY(
            SELECT g.programme_id FROM catalog_group g JOIN catalog_venue v ON v.id = g.venue_id
             WHERE v.settlement_id = NEW.id));
    ELSIF TG_TABLE_NAME = 'territory_municipality' THEN
        PERFORM kruzhok_programme_search_refresh(ARRAY(
            SELECT p.id FROM catalog_programme p JOIN catalog_organization o ON o.id = p.organization_id
             WHERE o.municipality_id = NEW.id));
    END IF;
    RETURN NULL;
END;
$$;
CREATE OR REPLACE FUNCTION kruzhok_programme_search_group_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM kruzhok_programme_search_refresh(ARRAY[OLD.programme_id]);
    RETURN NULL;
END;
$$;

CREATE TRIGGER programme_search_insert AFTER INSERT ON catalog_programme
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION kruzhok_programme_search_inserted();
CREATE TRIGGER programme_search_delete AFTER DELETE ON catalog_programme
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION kruzhok_programme_search_deleted();
CREATE TRIGGER programme_search_truncate AFTER TRUNCATE ON catalog_programme
    FOR EACH STATEMENT EXECUTE FUNCTION kruzhok_programme_search_truncated();
CREATE TRIGGER programme_search_update AFTER UPDATE ON catalog_programme FOR EACH ROW
    WHEN ((OLD.title, OLD.title_kk, OLD.title_en, OLD.description, OLD.description_kk, OLD.description_en,
           OLD.organization_id, OLD.direction_id, OLD.status, OLD.level, OLD.funding, OLD.form, OLD.adapted_ovz,
           OLD.age_from, OLD.age_to)
          IS DISTINCT FROM (NEW.title, NEW.title_kk, NEW.title_en, NEW.description, NEW.description_kk,
                            NEW.description_en, NEW.organization_id, NEW.direction_id, NEW.status, NEW.level,
                            NEW.funding, NEW.form, NEW.adapted_ovz, NEW.age_from, NEW.age_to))
    EXECUTE FUNCTION kruzhok_programme_search_changed();
CREATE TRIGGER programme_search_group_insert AFTER INSERT ON catalog_group
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION kruzhok_programme_search_groups_inserted();
CREATE TRIGGER programme_search_group_update AFTER UPDATE OF venue_id, programme_id ON catalog_group FOR EACH ROW
    WHEN (OLD.venue_id IS DISTINCT FROM NEW.venue_id OR OLD.programme_id IS DISTINCT FROM NEW.programme_id)
    EXECUTE FUNCTION kruzhok_programme_search_changed();
CREATE TRIGGER programme_search_group_delete AFTER DELETE ON catalog_group FOR EACH ROW
    WHEN (OLD.venue_id IS NOT NULL) EXECUTE FUNCTION kruzhok_programme_search_group_deleted();
CREATE TRIGGER programme_search_organization_update
    AFTER UPDATE OF name, short_name, municipality_id, is_active ON catalog_organization FOR EACH ROW
    WHEN ((OLD.name, OLD.short_name, OLD.municipality_id, OLD.is_active)
          IS DISTINCT FROM (NEW.name, NEW.short_name, NEW.municipality_id, NEW.is_active))
    EXECUTE FUNCTION kruzhok_programme_search_changed();
CREATE TRIGGER programme_search_direction_update AFTER UPDATE OF name, name_kk, name_en ON catalog_direction
    FOR EACH ROW WHEN ((OLD.name, OLD.name_kk, OLD.name_en) IS DISTINCT FROM (NEW.name, NEW.name_kk, NEW.name_en))
    EXECUTE FUNCTION kruzhok_programme_search_changed();
CREATE TRIGGER programme_search_venue_update AFTER UPDATE OF settlement_id ON catalog_venue FOR EACH ROW
    WHEN (OLD.settlement_id IS DISTINCT FROM NEW.settlement_id)
    EXECUTE FUNCTION kruzhok_programme_search_changed();
CREATE TRIGGER programme_search_settlement_update
    AFTER UPDATE OF name, name_kk, name_en, municipality_id ON territory_settlement FOR EACH ROW
    WHEN ((OLD.name, OLD.name_kk, OLD.name_en, OLD.municipality_id)
          IS DISTINCT FROM (NEW.name, NEW.name_kk, NEW.name_en, NEW.municipality_id))
    EXECUTE FUNCTION kruzhok_programme_search_changed();
CREATE TRIGGER programme_search_municipality_update
    AFTER UPDATE OF name, name_kk, name_en ON territory_municipality
    FOR EACH ROW WHEN ((OLD.name, OLD.name_kk, OLD.name_en) IS DISTINCT FROM (NEW.name, NEW.name_kk, NEW.name_en))
    EXECUTE FUNCTION kruzhok_programme_search_changed();

SELECT kruzhok_programme_search_refresh(NULL);
"""

POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS programme_search_insert ON catalog_programme;
DROP TRIGGER IF EXISTS programme_search_delete ON catalog_programme;
DROP TRIGGER IF EXISTS programme_search_truncate ON catalog_programme;
DROP TRIGGER IF EXISTS programme_search_update ON catalog_programme;
DROP TRIGGER IF EXISTS programme_search_group_insert ON catalog_group;
DROP TRIGGER IF EXISTS programme_search_group_update ON catalog_group;
DROP TRIGGER IF EXISTS programme_search_group_delete ON catalog_group;
DROP TRIGGER IF EXISTS programme_search_organization_update ON catalog_organization;
DROP TRIGGER IF EXISTS programme_search_direction_update ON catalog_direction;
DROP TRIGGER IF EXISTS programme_search_venue_update ON catalog_venue;
DROP TRIGGER IF EXISTS programme_search_settlement_update ON territory_settlement;
DROP TRIGGER IF EXISTS programme_search_municipality_update ON territory_municipality;
DROP FUNCTION IF EXISTS kruzhok_programme_search_inserted();
DROP FUNCTION IF EXISTS kruzhok_programme_search_groups_inserted();
DROP FUNCTION IF EXISTS kruzhok_programme_search_deleted();
DROP FUNCTION IF EXISTS kruzhok_programme_search_truncated();
DROP FUNCTION IF EXISTS kruzhok_programme_search_changed();
DROP FUNCTION IF EXISTS kruzhok_programme_search_group_deleted();
DROP FUNCTION IF EXISTS kruzhok_programme_search_refresh(bigint[]);
DROP TABLE IF EXISTS catalog_programme_search;
DROP TABLE IF EXISTS catalog_search_word;
DROP INDEX IF EXISTS catalog_programme_catalog;
DROP INDEX IF EXISTS catalog_group_catalog;
DROP INDEX IF EXISTS catalog_scheduleslot_catalog;
DROP FUNCTION IF EXISTS kruzhok_fold(text);
"""

# --- SQLite ------------------------------------------------------------------------------------------

# FTS5's trigram tokenizer folds case itself; these letters it keeps apart are replaced in the document.
SQLITE_FOLD = {"Ё": "Е", "ё": "е", "Й": "И", "й": "и", "Ә": "А", "ә": "а", "Ғ": "Г", "ғ": "г", "Қ": "К", "қ": "к",
               "Ң": "Н", "ң": "н", "Ө": "О", "ө": "о", "Ұ": "У", "ұ": "у", "Ү": "У", "ү": "у", "Һ": "Х", "һ": "х",
               "І": "И", "і": "и"}


def _sqlite_fold(expression: str) -> str:
    for letter, replacement in SQLITE_FOLD.items():
        expression = f"replace({expression}, '{letter}', '{replacement}')"
    return expression


def _joined(*columns: str) -> str:
    return " || ' ' || ".join(columns)


SQLITE_SETTLEMENTS = (
    "(SELECT ifnull(group_concat(" + _sqlite_fold("names") + ", ' '), '') FROM (SELECT DISTINCT"
    " t.name || ' ' || t.name_kk || ' ' || t.name_en AS names FROM catalog_group g"
    " JOIN catalog_venue v ON v.id = g.venue_id JOIN territory_settlement t ON t.id = v.settlement_id"
    " WHERE g.programme_id = p.id))"
)
SQLITE_DOCUMENT = (
    "INSERT INTO catalog_programme_search (rowid, title, body) SELECT p.id, "
    + _sqlite_fold(_joined("p.title", "p.title_kk", "p.title_en")) + ", "
    + _sqlite_fold(_joined("p.title", "p.title_kk", "p.title_en", "p.description", "p.description_kk",
                           "p.description_en", "o.short_name", "o.name", "d.name", "d.name_kk", "d.name_en", "m.name",
                           "m.name_kk", "m.name_en"))
    + " || ' ' || " + SQLITE_SETTLEMENTS
    + " FROM catalog_programme p JOIN catalog_organization o ON o.id = p.organization_id"
    " JOIN catalog_direction d ON d.id = p.direction_id JOIN territory_municipality m ON m.id = o.municipality_id"
    " WHERE p.id = NEW.id;"
)


def _touch(where: str) -> str:
    return f"UPDATE catalog_programme SET id = id WHERE {where};"


SQLITE_TRIGGERS = {
    "programme_search_insert": f"AFTER INSERT ON catalog_programme BEGIN {SQLITE_DOCUMENT} END",
    "programme_search_update": ("AFTER UPDATE ON catalog_programme BEGIN"
                                f" DELETE FROM catalog_programme_search WHERE rowid = OLD.id; {SQLITE_DOCUMENT} END"),
    "programme_search_delete": ("AFTER DELETE ON catalog_programme BEGIN"
                                " DELETE FROM catalog_programme_search WHERE rowid = OLD.id; END"),
    "programme_search_group_insert": ("AFTER INSERT ON catalog_group WHEN NEW.venue_id IS NOT NULL BEGIN "
                                      + _touch("id = NEW.programme_id") + " END"),
    "programme_search_group_update": ("AFTER UPDATE OF venue_id, programme_id ON catalog_group"
                                      " WHEN OLD.venue_id IS NOT NEW.venue_id OR OLD.programme_id IS NOT NEW.programme_id"
                                      " BEGIN " + _touch("id IN (OLD.programme_id, NEW.programme_id)") + " END"),
    "programme_search_group_delete": ("AFTER DELETE ON catalog_group WHEN OLD.venue_id IS NOT NULL BEGIN "
                                      + _touch("id = OLD.programme_id") + " END"),
    "programme_search_organization_update": (
        "AFTER UPDATE OF name, short_name, municipality_id ON catalog_organization"
        " WHEN OLD.name IS NOT NEW.name OR OLD.short_name IS NOT NEW.short_name"
        " OR OLD.municipality_id IS NOT NEW.municipality_id BEGIN " + _touch("organization_id = NEW.id") + " END"),
    "programme_search_direction_update": (
        "AFTER UPDATE OF name, name_kk, name_en ON catalog_direction"
        " WHEN OLD.name IS NOT NEW.name OR OLD.name_kk IS NOT NEW.name_kk OR OLD.name_en IS NOT NEW.name_en"
        " BEGIN " + _touch("direction_id = NEW.id") + " END"),
    "programme_search_venue_update": (
        "AFTER UPDATE OF settlement_id ON catalog_venue WHEN OLD.settlement_id IS NOT NEW.settlement_id BEGIN "
        + _touch("id IN (SELECT programme_id FROM catalog_group WHERE venue_id = NEW.id)") + " END"),
    "programme_search_settlement_update": (
        "AFTER UPDATE OF name, name_kk, name_en ON territory_settlement"
        " WHEN OLD.name IS NOT NEW.name OR OLD.name_kk IS NOT NEW.name_kk OR OLD.name_en IS NOT NEW.name_en BEGIN "
        + _touch("id IN (SELECT g.programme_id FROM catalog_group g JOIN catalog_venue v ON v.id = g.venue_id"
                 " WHERE v.settlement_id = NEW.id)") + " END"),
    "programme_search_municipality_update": (
        "AFTER UPDATE OF name, name_kk, name_en ON territory_municipality"
        " WHEN OLD.name IS NOT NEW.name OR OLD.name_kk IS NOT NEW.name_kk OR OLD.name_en IS NOT NEW.name_en BEGIN "
        + _touch("organization_id IN (SELECT id FROM catalog_organization WHERE municipality_id = NEW.id)")
        + " END"),
}

SQLITE_UP = [
    "CREATE VIRTUAL TABLE catalog_programme_search USING fts5(title, body, tokenize = 'trigram')",
    *(f"CREATE TRIGGER {name} {body}" for name, body in SQLITE_TRIGGERS.items()),
    _touch("1 = 1"),
]
SQLITE_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_TRIGGERS),
    "DROP TABLE IF EXISTS catalog_programme_search",
]


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_group_allocation_group_held_count_and_more"),
        ("territory", "0002_alter_population_population_unique_cell_and_more"),
    ]

    operations = [
        sql_per_vendor(
            forward={"postgresql": [POSTGRES_UP], "sqlite": SQLITE_UP},
            backward={"postgresql": [POSTGRES_DOWN], "sqlite": SQLITE_DOWN},
        ),
    ]
