"""The history database's schema, as numbered migrations (style.md rule 12, like Datasette's
`internal_db.py`): `HistoryStore` applies the missing ones when it opens a file, so a file
written by an older version is brought up to date and one from a newer version is refused.
"""

from __future__ import annotations

from typing import Final

# Numbered migrations: MIGRATIONS[i] brings the schema from version i to i + 1.
MIGRATIONS: Final[tuple[str, ...]] = (
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE TABLE turns (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        question TEXT,
        code TEXT,
        answer_text TEXT NOT NULL DEFAULT '',
        backend TEXT,
        ok INTEGER NOT NULL,
        data TEXT NOT NULL
    );
    CREATE INDEX turns_by_session ON turns(session_id, id);
    CREATE TABLE datasets (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        table_name TEXT NOT NULL,
        stored_name TEXT NOT NULL,
        original_name TEXT NOT NULL,
        sheet TEXT,
        format TEXT NOT NULL DEFAULT '',
        sha256 TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        added_at TEXT NOT NULL,
        UNIQUE (session_id, table_name)
    );
    """,
    # 2: a turn's whole result table as Parquet (issue 12); NULL for turns kept before, or
    # without a table: those show their kept rows.
    "ALTER TABLE turns ADD COLUMN result_file TEXT;",
    # 3: the files a turn's code wrote, kept in a folder beside its Parquet file, and for a table
    # made from a result, the turn it came from (issue 14); NULL for everything kept before.
    """
    ALTER TABLE turns ADD COLUMN files_dir TEXT;
    ALTER TABLE datasets ADD COLUMN from_turn INTEGER;
    """,
    # 4: the databases a session is connected to (issue 15), by redacted URL: never a secret.
    """
    CREATE TABLE databases (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        added_at TEXT NOT NULL,
        UNIQUE (session_id, url)
    );
    """,
    # 5: a table loaded as the sample a new session starts with (issue 16): the user's first own
    # table takes the lead from it, also after a restart. 0 for everything kept before.
    "ALTER TABLE datasets ADD COLUMN stand_in INTEGER NOT NULL DEFAULT 0;",
)
SCHEMA_VERSION: Final = len(MIGRATIONS)
