"""Concurrent ADBC clients running dashboard queries over reviewlake's Flight SQL.

Arguments: URL USER PASSWORD CLIENTS SECONDS. Every client has its own connection and runs the
queries below in its own order until SECONDS pass; every answer is compared with the one a
single client got first. Prints one JSON document: requests, queries/s, latency percentiles,
errors and wrong answers.
"""

import json
import sys
import threading
import time

import adbc_driver_flightsql.dbapi as flight_sql

url, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
clients, seconds = int(sys.argv[4]), float(sys.argv[5])

QUERIES = [
    ("SELECT * FROM gold.q19_kpis", ()),
    ("SELECT overall, reviews FROM gold.q01_rating_distribution ORDER BY overall", ()),
    ("SELECT * FROM gold.q08_sentiment_overview ORDER BY 1", ()),
    ("SELECT * FROM gold.q06_reviews_by_year ORDER BY 1", ()),
    ("SELECT * FROM gold.q11_top_categories ORDER BY 1, 2", ()),
    ("SELECT * FROM gold.q15_negative_by_brand ORDER BY 1, 2", ()),
    ("SELECT count(*) AS n, round(avg(overall), 6) AS rating FROM gold.reviews WHERE overall >= $1", (4.0,)),
]


def connect():
    return flight_sql.connect(url, db_kwargs={"username": user, "password": password})


def answer(cursor, sql, parameters):
    cursor.execute(sql, parameters) if parameters else cursor.execute(sql)
    return cursor.fetch_arrow_table().to_pylist()


with connect() as reference_connection, reference_connection.cursor() as cursor:
    expected = [answer(cursor, sql, parameters) for sql, parameters in QUERIES]

latencies, errors, wrong = [], [], [0]
lock = threading.Lock()
start = threading.Barrier(clients + 1)


def client(index):
    mine, failures, mistakes = [], [], 0
    with connect() as connection, connection.cursor() as cursor:
        start.wait()
        deadline = time.monotonic() + seconds
        position, stride = index * 3, 1 + 2 * index
        while time.monotonic() < deadline:
            number = position % len(QUERIES)
            position += stride
            sql, parameters = QUERIES[number]
            sent = time.perf_counter()
            try:
                rows = answer(cursor, sql, parameters)
                mistakes += rows != expected[number]
            except Exception as error:
                failures.append(str(error))
            mine.append(time.perf_counter() - sent)
    with lock:
        latencies.extend(mine)
        errors.extend(failures)
        wrong[0] += mistakes


threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
for thread in threads:
    thread.start()
start.wait()
began = time.perf_counter()
for thread in threads:
    thread.join()
elapsed = time.perf_counter() - began

latencies.sort()


def percentile(q):
    return latencies[min(len(latencies) - 1, max(0, int(len(latencies) * q + 0.999999) - 1))] * 1e3


print(json.dumps({
    "requests": len(latencies),
    "queries_per_second": len(latencies) / elapsed,
    "p50_ms": percentile(0.50),
    "p95_ms": percentile(0.95),
    "p99_ms": percentile(0.99),
    "max_ms": latencies[-1] * 1e3,
    "errors": len(errors),
    "first_errors": errors[:3],
    "wrong_answers": wrong[0],
}))
