"""The floor under `custos audit bench`: what SQLite alone gives on this disk for the same writes.

Writes rows shaped like the audit log's (a ~420-byte record with its leaf hash and search columns,
the time index, and the inner tree nodes of 16 leaves and more it completes, keyed as Custos keys
them) in transactions of
1, 8, 64 and 256 rows, with WAL and synchronous=FULL, one thread, no encoding, hashing or task
scheduling. A transaction of N rows is what group commit makes of N concurrent appenders at best.

    python3 Benchmarks/audit/sqlite_floor.py [--preload 300000] [--seconds 3]
"""
import argparse
import hashlib
import json
import os
import sqlite3
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("--preload", type=int, default=300_000)
parser.add_argument("--seconds", type=float, default=3.0)
args = parser.parse_args()

folder = tempfile.mkdtemp(prefix="custos-sqlite-floor-")
db = sqlite3.connect(os.path.join(folder, "floor.sqlite"), isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA cache_size = -65536")
db.execute(
    "CREATE TABLE audit_record (idx INTEGER PRIMARY KEY, record BLOB NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL, "
    "event TEXT, agent TEXT, sponsor TEXT, authorized_by TEXT, action TEXT, decision TEXT, session TEXT, leaf BLOB)")
db.execute("CREATE INDEX audit_record_time ON audit_record (time)")
db.execute("CREATE TABLE audit_tree (last INTEGER, level INTEGER, hash BLOB, PRIMARY KEY (last, level)) WITHOUT ROWID")

size = 0


def append(rows):
    global size
    db.execute("BEGIN IMMEDIATE")
    for _ in range(rows):
        i = size
        record = os.urandom(420)
        db.execute(
            "INSERT INTO audit_record VALUES (?, ?, ?, 'decision', NULL, ?, 'dana@example.com', ?, 'call_tool', 'allow', ?, ?)",
            (i, record, i, f"agent-{i % 1000}", f'User::"u{i % 5000}"', f"s-{i % 20000}", hashlib.sha256(record).digest()))
        level = 4  # smaller subtrees are computed from the leaves, not stored
        while (i + 1) % (1 << level) == 0:  # the inner nodes leaf i completes
            db.execute("INSERT INTO audit_tree VALUES (?, ?, ?)", (i, level, os.urandom(32)))
            level += 1
        size += 1
    db.execute("COMMIT")


db.execute("PRAGMA synchronous = OFF")
while size < args.preload:
    append(1000)
db.execute("PRAGMA synchronous = FULL")
result = {"preloaded": args.preload}
for rows in [1, 8, 64, 256]:
    started, transactions = time.perf_counter(), 0
    while time.perf_counter() - started < args.seconds:
        append(rows)
        transactions += 1
    elapsed = time.perf_counter() - started
    result[f"rows_per_second_{rows}_per_transaction"] = int(transactions * rows / elapsed)
print(json.dumps(result, sort_keys=True))
