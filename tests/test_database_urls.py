"""Database URLs (issue 15): parsing, the redacted display form, and no password anywhere."""

from __future__ import annotations

import pickle

import pytest

from engine.databases import DatabaseURL, connect_database, parse_database_url, redact
from engine.errors import InputError

SECRET = "s3cr3t:p@ss/w%rd"
ENCODED = "s3cr3t%3Ap%40ss%2Fw%25rd"


@pytest.mark.parametrize(
    ("text", "scheme", "host", "port", "database", "user", "display"),
    [
        (
            f"postgresql://ann:{ENCODED}@db.example.org:6543/sales",
            "postgresql", "db.example.org", 6543, "sales", "ann",
            "postgresql://ann@db.example.org:6543/sales",
        ),
        (
            f"postgres://ann:{ENCODED}@127.0.0.1/sales?sslmode=require",
            "postgresql", "127.0.0.1", 5432, "sales", "ann",
            "postgresql://ann@127.0.0.1:5432/sales?sslmode=require",
        ),
        (
            "postgresql://ann@localhost:5432/my%20db",
            "postgresql", "localhost", 5432, "my db", "ann",
            "postgresql://ann@localhost:5432/my db",
        ),
        ("sc://spark.local:15002", "sc", "spark.local", 15002, "", "", "sc://spark.local:15002"),
        ("sc://127.0.0.1", "sc", "127.0.0.1", 15002, "", "", "sc://127.0.0.1:15002"),
        (
            f"sc://10.1.2.3:443/;use_ssl=true;token={SECRET};user_id=ann",
            "sc", "10.1.2.3", 443, "", "", "sc://10.1.2.3:443/;use_ssl=true;user_id=ann",
        ),
    ],
)  # fmt: skip
def test_parse_and_display(text, scheme, host, port, database, user, display) -> None:
    url = parse_database_url(text)
    assert (url.scheme, url.host, url.port, url.database, url.user) == (
        scheme,
        host,
        port,
        database,
        user,
    )
    assert url.display == display
    assert str(url) == display
    for shown in (url.display, str(url), repr(url), repr(url.secret), str(url.secret)):
        assert SECRET not in shown and ENCODED not in shown


def test_the_password_round_trips_only_through_the_connector_methods() -> None:
    pg = parse_database_url(f"postgresql://ann:{ENCODED}@h:1/d")
    assert pg.secret.reveal() == SECRET
    assert ENCODED in pg.libpq_uri()  # what the driver gets, percent-encoded again
    sc = parse_database_url(f"sc://h:2/;token={SECRET}")
    assert sc.spark_remote().endswith(f";token={SECRET}")


def test_source_names_host_database_and_table_never_the_user_or_password() -> None:
    url = parse_database_url(f"postgresql://ann:{ENCODED}@db:5432/shop")
    assert url.source_for("sales") == "postgresql://db/shop.sales"
    assert parse_database_url("sc://s:15002").source_for("events") == "sc://s/spark.events"


def test_a_url_with_a_secret_cannot_be_pickled_into_history_or_the_sandbox() -> None:
    url = parse_database_url(f"postgresql://ann:{ENCODED}@db:5432/shop")
    with pytest.raises(TypeError):
        pickle.dumps(url)


def test_connectors_show_only_the_redacted_url() -> None:
    connector = connect_database(f"postgresql://ann:{ENCODED}@db:5432/shop")
    assert SECRET not in repr(connector) and ENCODED not in repr(connector)
    assert isinstance(connector.url, DatabaseURL)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("mysql://root:hunter2@db/x", "postgresql://user:password@host:5432/database"),
        ("postgresql://ann:hunter2@/shop", "names no host"),
        ("postgresql://ann:hunter2@db:5432/", "names no database"),
        ("postgresql://ann:hunter2@db:99999/shop", "bad port"),
        ("postgresql://ann:hunter2@db:port/shop", "bad port"),
        ("postgresql://ann:hunter2@db/shop?options=-c%20x%3Dy", "'options' is not accepted"),
        ("sc://", "names no host"),
        ("sc://h:0", "bad port"),
        ("sc://h:15002/;token=hunter2;evil=1", "'evil' is not accepted"),
        ("", "is not a database URL"),
    ],
)
def test_malformed_urls_name_the_expected_form_and_hide_the_password(text, words) -> None:
    with pytest.raises(InputError) as caught:
        parse_database_url(text)
    assert words in caught.value.message
    assert "hunter2" not in caught.value.message
    assert "hunter2" not in str(caught.value)


def test_an_unencoded_at_sign_in_the_password_is_still_redacted() -> None:
    with pytest.raises(InputError) as caught:
        parse_database_url("postgresql://ann:pa@ss:word@db:badport/shop")
    assert "pa@ss" not in caught.value.message and "ss:word" not in caught.value.message


def test_redact_removes_raw_and_encoded_secrets_from_driver_messages() -> None:
    url = parse_database_url(f"postgresql://ann:{ENCODED}@db:5432/shop")
    message = f"could not connect with {SECRET} via postgresql://ann:{ENCODED}@db/shop"
    cleaned = redact(message, url.secret)
    assert SECRET not in cleaned and ENCODED not in cleaned
    assert "***" in cleaned
