"""A notebook's session over reviewlake's Flight SQL with the ADBC driver, pandas and polars.

Arguments: URL LAKE_ROOT READER_USER READER_PASSWORD WRITER_USER WRITER_PASSWORD.
Prints one JSON document with what it saw; every check that needs
no answer from the Rust side is asserted here.
"""

import json
import sys

import adbc_driver_flightsql.dbapi as flight_sql
import pandas as pd
import polars as pl
import pyarrow as pa
from deltalake import DeltaTable

url, lake = sys.argv[1], sys.argv[2]
users = {"READER": (sys.argv[3], sys.argv[4]), "WRITER": (sys.argv[5], sys.argv[6])}
report = {}


def connect(role, password=None):
    user, known = users[role]
    return flight_sql.connect(url, db_kwargs={"username": user, "password": password or known})


def refused(action):
    try:
        action()
    except Exception as error:  # the driver raises its own DB-API error classes
        return str(error)
    raise AssertionError("the call was accepted")


# A wrong password is refused at connect time or at the first call.
def wrong_password():
    with connect("READER", password="wrong") as bad:
        with bad.cursor() as cur:
            cur.execute("SELECT 1")
            cur.fetchall()


report["wrong_password"] = refused(wrong_password)

with connect("READER") as reader, connect("WRITER") as writer:
    with reader.cursor() as cur:
        cur.execute("SELECT overall, reviews FROM gold.q01_rating_distribution ORDER BY overall")
        frame = cur.fetch_df()
        report["ratings_pandas"] = [[float(o), int(r)] for o, r in zip(frame["overall"], frame["reviews"])]

        cur.execute("SELECT overall, reviews FROM gold.q01_rating_distribution ORDER BY overall")
        polars_frame = pl.from_arrow(cur.fetch_arrow_table())
        report["ratings_polars"] = [[float(o), int(r)] for o, r in polars_frame.iter_rows()]

        cur.execute("SELECT count(*) AS n FROM gold.reviews WHERE overall >= $1", parameters=(4.0,))
        report["at_least_four"] = int(cur.fetchone()[0])

        report["reader_ingest"] = refused(
            lambda: cur.adbc_ingest("mine", pa.table({"x": [1]}), mode="create", db_schema_name="bronze")
        )
        report["reader_ctas"] = refused(lambda: (cur.execute("CREATE TABLE gold.mine AS SELECT 1 AS x"), cur.fetchall()))

    objects = reader.adbc_get_objects(depth="tables").read_all().to_pylist()
    report["schemas"] = sorted(
        schema["db_schema_name"] for catalog in objects for schema in (catalog["catalog_db_schemas"] or [])
    )
    report["gold_tables"] = sorted(
        table["table_name"]
        for catalog in objects
        for schema in (catalog["catalog_db_schemas"] or [])
        if schema["db_schema_name"] == "gold"
        for table in (schema["db_schema_tables"] or [])
    )
    report["reviews_columns"] = reader.adbc_get_table_schema("reviews", db_schema_filter="gold").names

    with writer.cursor() as cur:
        cur.execute(
            "CREATE TABLE gold.five_star AS SELECT asin, overall FROM gold.reviews WHERE overall = 5.0"
        )
        report["ctas_rows"] = int(cur.fetchone()[0])
        cur.execute("SELECT count(*) FROM gold.five_star")
        report["ctas_visible"] = int(cur.fetchone()[0])
        report["ctas_in_deltalake"] = len(DeltaTable(f"{lake}/gold/five_star").to_pandas())

        notes = pd.DataFrame({"asin": ["B001", "B002", "B003"], "note": ["keep", "watch", "drop"], "score": [1, 2, 3]})
        report["ingested"] = int(cur.adbc_ingest("analyst_notes", notes, mode="create", db_schema_name="bronze"))
        more = pd.DataFrame({"asin": ["B004"], "note": ["new"], "score": [4]})
        report["appended"] = int(cur.adbc_ingest("analyst_notes", more, mode="append", db_schema_name="bronze"))
        cur.execute("SELECT count(*), sum(score) FROM bronze.analyst_notes")
        count, total = cur.fetchone()
        report["ingest_visible"] = [int(count), int(total)]
        delta = DeltaTable(f"{lake}/bronze/analyst_notes")
        report["ingest_versions"] = delta.version()
        report["ingest_in_deltalake"] = sorted(delta.to_pandas()["asin"].tolist())

        # A frame whose columns do not match the table commits nothing.
        wrong = pd.DataFrame({"asin": ["B005"], "score": ["not a number"], "extra": [1]})
        report["mismatched_ingest"] = refused(
            lambda: cur.adbc_ingest("analyst_notes", wrong, mode="append", db_schema_name="bronze")
        )
        report["after_mismatch_version"] = DeltaTable(f"{lake}/bronze/analyst_notes").version()

        report["malformed_sql"] = refused(lambda: (cur.execute("SELEC 1"), cur.fetchall()))

print(json.dumps(report))
