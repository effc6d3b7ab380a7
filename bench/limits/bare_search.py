"""Search limit: the substring index queried directly (sqlite3 / psycopg), no ORM.

SQLite: a join of the FTS5 trigram table to the person table by rowid, LIMIT 20.
PostgreSQL: LIKE '%term%' served by the pg_trgm GIN index, LIMIT 20.
`unindexed` is the same LIKE with the index out of play: the cost search would have
without one.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

_PHONE = re.compile(r"^[\d\s()+\-.]+$")
COLUMNS = "p.id, p.full_name, p.primary_email, p.primary_phone"


def query_terms(fragment: str) -> list[str]:
    text = " ".join(fragment.split())
    if _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 3:
        return ["".join(ch for ch in text if ch.isdigit())]
    return [term.lower() for term in text.split(" ") if term]


def trunk_alternative(terms: list[str]) -> str | None:
    """The product reads '8 916…' as '+7 916…' and '088…' as '…88…': search the same."""
    if len(terms) == 1 and terms[0].isdigit() and len(terms[0]) >= 4:
        if terms[0].startswith("8"):
            return "7" + terms[0][1:]
        if terms[0].startswith("0"):
            return terms[0][1:]
    return None


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class BareSearch:
    def __init__(self, *, sqlite_path: str | None = None, pg_dsn: str | None = None) -> None:
        self.vendor = "postgresql" if pg_dsn else "sqlite"
        if pg_dsn:
            import psycopg

            # No prepared statements: a generic plan for `LIKE $1` cannot use the trigram
            # index, and psycopg would switch to one after five runs of the same SQL.
            self.conn: Any = psycopg.connect(pg_dsn, autocommit=True, prepare_threshold=None)
            self.seq_conn: Any = psycopg.connect(pg_dsn, autocommit=True, prepare_threshold=None)
            self.seq_conn.execute("SET enable_bitmapscan = off")
            self.seq_conn.execute("SET enable_indexscan = off")
        else:
            assert sqlite_path
            self.conn = sqlite3.connect(sqlite_path)
            self.seq_conn = self.conn

    def indexed(self, fragment: str, *, workspace_id: int) -> list[Any]:
        terms = query_terms(fragment)
        long_terms = [t for t in terms if len(t) >= 3]
        short_terms = [t for t in terms if len(t) < 3]
        if self.vendor == "sqlite":
            where, params = ["p.workspace_id = ?", "p.merged_into_id IS NULL"], [workspace_id]
            if long_terms:
                match = " AND ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
                if other := trunk_alternative(terms):
                    match = f'("{match[1:-1]}") OR ("{other}")'
                where.append("contacts_person_fts MATCH ?")
                params.append(match)
            for term in short_terms:
                where.append("p.search_text LIKE ? ESCAPE '\\'")
                params.append(_like(term))
            source = (
                ("contacts_person_fts JOIN contacts_person p ON p.id = contacts_person_fts.rowid")
                if long_terms
                else "contacts_person p"
            )
            sql = f"SELECT {COLUMNS} FROM {source} WHERE {' AND '.join(where)} LIMIT 20"
            return self.conn.execute(sql, params).fetchall()
        return self._like_query(self.conn, terms, workspace_id)

    def unindexed(self, fragment: str, *, workspace_id: int) -> list[Any]:
        terms = query_terms(fragment)
        if self.vendor == "sqlite":
            where = " AND ".join(
                ["p.workspace_id = ?", "p.merged_into_id IS NULL"]
                + ["p.search_text LIKE ? ESCAPE '\\'"] * len(terms)
            )
            sql = f"SELECT {COLUMNS} FROM contacts_person p WHERE {where} LIMIT 20"
            return self.conn.execute(sql, [workspace_id, *map(_like, terms)]).fetchall()
        return self._like_query(self.seq_conn, terms, workspace_id)

    @staticmethod
    def _like_query(conn: Any, terms: list[str], workspace_id: int) -> list[Any]:
        where = " AND ".join(
            ["p.workspace_id = %s", "p.merged_into_id IS NULL"]
            + ["p.search_text LIKE %s"] * len(terms)
        )
        params = [workspace_id, *map(_like, terms)]
        if other := trunk_alternative(terms):  # one term: (LIKE a OR LIKE b), a BitmapOr
            where = (
                where.removesuffix("p.search_text LIKE %s")
                + "(p.search_text LIKE %s OR p.search_text LIKE %s)"
            )
            params.append(_like(other))
        sql = f"SELECT {COLUMNS} FROM contacts_person p WHERE {where} LIMIT 20"
        return conn.execute(sql, params).fetchall()

    def close(self) -> None:
        self.conn.close()
        if self.seq_conn is not self.conn:
            self.seq_conn.close()
