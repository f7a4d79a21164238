"""Database URLs: parse `postgresql://` and `sc://`, show them without secrets (issue 15).

A `DatabaseURL` keeps its password (PostgreSQL) or token (Spark Connect) in a `Secret`, whose
`repr` and `str` are `***`: the URL's `repr`, `str`, `display` and every error raised here carry
no secret, so it cannot reach the prompt, the sandbox, history, logs or exports by accident.
Only a connector asks for the secret, through `libpq_uri()` / `spark_remote()`, at connect time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from engine.errors import InputError

Scheme = Literal["postgresql", "sc"]
POSTGRES_FORM: Final = "postgresql://user:password@host:5432/database"
SPARK_FORM: Final = "sc://host:15002 (optionally sc://host:15002/;token=...;use_ssl=true)"
POSTGRES_DEFAULT_PORT: Final = 5432
SPARK_DEFAULT_PORT: Final = 15002
# Query parameters of a PostgreSQL URL that are passed on to libpq; `options` is not: the
# connector sets the session options itself (read-only, timeout) and must not be overridden.
PG_PARAMS: Final = frozenset(
    {"sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name",
     "target_session_attrs", "gssencmode", "channel_binding"}
)  # fmt: skip
SPARK_SECRET_PARAMS: Final = frozenset({"token"})
SPARK_PARAMS: Final = frozenset({"token", "use_ssl", "user_id", "user_agent", "session_id"})
_HOST = re.compile(r"^[A-Za-z0-9._\-]+$|^\[[0-9A-Fa-f:.]+\]$")
# How a person names the database behind a table's `source` (`<scheme>://host/db.table`).
DATABASE_LABELS: Final = {"postgresql": "PostgreSQL", "sc": "Spark"}


def database_of_source(source: str) -> str | None:
    """'PostgreSQL' or 'Spark' when a table's `source` is a database's; None for a file.

    The prompt, the planner and the pages read it to treat a database table as one (issue 15).
    """
    scheme = source.split("://", 1)[0].lower() if "://" in source else ""
    return DATABASE_LABELS.get(scheme)


class Secret:
    """A password or token: shown as `***` everywhere; `reveal()` is the only way to read it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "***" if self._value else "''"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self):  # never pickled with its value (history, the sandbox)
        raise TypeError("a Secret cannot be pickled")


@dataclass(frozen=True)
class DatabaseURL:
    """A parsed database URL. `display` is the redacted form to show; `secret` never prints."""

    scheme: Scheme
    host: str
    port: int
    database: str = ""  # PostgreSQL database; empty for Spark
    user: str = ""
    params: tuple[tuple[str, str], ...] = ()  # non-secret parameters, in order
    secret: Secret = field(default_factory=lambda: Secret(""), compare=False)

    @property
    def kind(self) -> str:
        """`postgresql` or `spark`: which connector serves it."""
        return "postgresql" if self.scheme == "postgresql" else "spark"

    @property
    def display(self) -> str:
        """The URL without password or token, e.g. `postgresql://ann@db:5432/sales`."""
        user = f"{quote(self.user, safe='')}@" if self.user else ""
        host = f"{self.host}:{self.port}"
        if self.scheme == "postgresql":
            query = "&".join(f"{k}={quote(v, safe='')}" for k, v in self.params)
            return f"postgresql://{user}{host}/{self.database}" + (f"?{query}" if query else "")
        extra = "".join(f";{k}={v}" for k, v in self.params)
        return f"sc://{host}" + (f"/{extra}" if extra else "")

    def source_for(self, table: str) -> str:
        """The contract's `Table.source` for one table: `<scheme>://host/db.table`."""
        database = self.database or "spark"
        return f"{self.scheme}://{self.host}/{database}.{table}"

    def __str__(self) -> str:
        return self.display

    def __repr__(self) -> str:
        return f"DatabaseURL({self.display!r})"

    def libpq_uri(self, extra: dict[str, str] | None = None) -> str:
        """The connection URI for libpq, password included: pass it to the driver, never show it."""
        if self.scheme != "postgresql":
            raise InputError(f"{self.display} is not a PostgreSQL URL")
        auth = quote(self.user, safe="")
        if self.secret:
            auth += ":" + quote(self.secret.reveal(), safe="")
        params = list(self.params) + list((extra or {}).items())
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params)
        at = f"{auth}@" if auth else ""
        uri = f"postgresql://{at}{self.host}:{self.port}/{quote(self.database, safe='')}"
        return uri + (f"?{query}" if query else "")

    def spark_remote(self) -> str:
        """The `sc://` string for SparkSession.builder.remote(), token included: never show it."""
        if self.scheme != "sc":
            raise InputError(f"{self.display} is not a Spark Connect URL")
        params = list(self.params)
        if self.secret:
            params.append(("token", self.secret.reveal()))
        extra = "".join(f";{k}={v}" for k, v in params)
        return f"sc://{self.host}:{self.port}" + (f"/{extra}" if extra else "")


def parse_database_url(text: str) -> DatabaseURL:
    """Parse `postgresql://user:pass@host:port/db` (or `postgres://`) or `sc://host:port/;k=v`.

    Raises InputError naming the expected form; the message never repeats the password.
    """
    raw = (text or "").strip()
    scheme = raw.split("://", 1)[0].lower() if "://" in raw else ""
    if scheme in ("postgresql", "postgres"):
        return _postgres(raw)
    if scheme == "sc":
        return _spark(raw)
    shown = _redacted_text(raw)
    raise InputError(
        f"'{shown}' is not a database URL. Use {POSTGRES_FORM} for PostgreSQL "
        f"or {SPARK_FORM} for Spark Connect."
    )


def _postgres(raw: str) -> DatabaseURL:
    shown = _redacted_text(raw)
    try:
        parts = urlsplit(raw)
        port = parts.port or POSTGRES_DEFAULT_PORT
    except ValueError:
        raise InputError(
            f"'{shown}' has a bad port. Use {POSTGRES_FORM}; percent-encode '@', ':' and '/' in "
            "the password (%40, %3A, %2F)."
        ) from None
    host = parts.hostname or ""
    database = unquote(parts.path.lstrip("/"))
    if not host or not _HOST.match(host):
        raise InputError(f"'{shown}' names no host. Use {POSTGRES_FORM}.")
    if not database or "/" in database:
        raise InputError(f"'{shown}' names no database. Use {POSTGRES_FORM}.")
    if parts.fragment:
        raise InputError(f"'{shown}' has a '#' part. Use {POSTGRES_FORM}; encode '#' as %23.")
    params = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key not in PG_PARAMS:
            allowed = ", ".join(sorted(PG_PARAMS))
            raise InputError(f"'{shown}': parameter '{key}' is not accepted (allowed: {allowed}).")
        params.append((key, value))
    return DatabaseURL(
        scheme="postgresql",
        host=host,
        port=port,
        database=database,
        user=unquote(parts.username or ""),
        params=tuple(params),
        secret=Secret(unquote(parts.password or "")),
    )


def _spark(raw: str) -> DatabaseURL:
    shown = _redacted_text(raw)
    rest = raw.split("://", 1)[1]
    netloc, _, tail = rest.partition("/")
    host, _, port_text = netloc.rpartition(":") if ":" in netloc else (netloc, "", "")
    if "@" in netloc or not host or not _HOST.match(host):
        raise InputError(f"'{shown}' names no host. Use {SPARK_FORM}.")
    if port_text and not port_text.isdigit() or port_text and not 0 < int(port_text) < 65536:
        raise InputError(f"'{shown}' has a bad port. Use {SPARK_FORM}.")
    params: list[tuple[str, str]] = []
    token = ""
    for item in filter(None, tail.split(";")):
        key, eq, value = item.partition("=")
        if not eq or key not in SPARK_PARAMS:
            allowed = ", ".join(sorted(SPARK_PARAMS))
            raise InputError(f"'{shown}': parameter '{key}' is not accepted (allowed: {allowed}).")
        if key in SPARK_SECRET_PARAMS:
            token = value
        else:
            params.append((key, value))
    return DatabaseURL(
        scheme="sc",
        host=host,
        port=int(port_text) if port_text else SPARK_DEFAULT_PORT,
        params=tuple(params),
        secret=Secret(token),
    )


_PASSWORD = re.compile(r"(://[^:/@\s]*:)\S*@")
_TOKEN = re.compile(r"(token=)[^;\s]*", re.IGNORECASE)


def _redacted_text(raw: str) -> str:
    """Any text that may hold a URL, with `user:password@` and `token=` values starred."""
    return _TOKEN.sub(r"\1***", _PASSWORD.sub(r"\1***@", raw))


def redact(text: str, *secrets: Secret) -> str:
    """`text` with every secret (raw and percent-encoded) and URL password replaced by `***`.

    Connectors pass driver error messages through it before raising (issue 15: a password never
    reaches an exception).
    """
    out = _redacted_text(text)
    for secret in secrets:
        value = secret.reveal()
        if value:
            for form in {value, quote(value, safe=""), quote(value)}:
                out = out.replace(form, "***")
    return out
