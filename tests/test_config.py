"""Settings: declared once, environment overrides with sources recorded, every value checked at
start-up (type, choices, bounds) with a message naming the fix (issue 12)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import fields, replace

import pytest

from engine.config import SETTINGS, Settings, load_settings, setting_declaration, setting_names
from engine.errors import InputError
from engine.types import Backend
from tests.conftest import ROOT, SAMPLE_DATA

CHOICE_SETTINGS = [s for s in SETTINGS if s.choices]


def test_each_setting_is_declared_once_as_a_settings_field():
    declared = {f.name for f in fields(Settings)} - {"sources"}
    assert set(setting_names()) == declared  # no field without a declaration, and no extra
    assert tuple(s.name for s in SETTINGS) == setting_names()
    defaults = Settings()
    for s in SETTINGS:
        assert getattr(defaults, s.name) == s.default, s.name
        assert isinstance(s.default, s.type), s.name
        assert s.help.strip() and s.label.strip(), s.name
        for bound in (s.min_value, s.max_value):  # same type as the value: st.number_input
            assert bound is None or type(bound) is s.type, s.name


def test_the_choice_lists_come_from_their_owners():
    from engine.llm.model_files import MODELS

    assert {s.name for s in CHOICE_SETTINGS} == {"backend", "sandbox_isolation", "local_model"}
    assert setting_declaration("backend").choices == tuple(Backend)
    assert setting_declaration("local_model").choices == tuple(MODELS)
    assert setting_declaration("sandbox_isolation").choices == ("full", "require", "reduced")


def test_environment_overrides_and_sources():
    settings = load_settings(
        env={"DECIPHER_SANDBOX_TIMEOUT_S": "5", "DECIPHER_SEND_SAMPLE_ROWS": "off"}
    )
    assert settings.sandbox_timeout_s == 5.0
    assert settings.send_sample_rows is False
    assert settings.sources["sandbox_timeout_s"] == "environment (DECIPHER_SANDBOX_TIMEOUT_S)"
    assert settings.sources["max_display_rows"] == "default"
    changed = settings.with_overrides("settings page", repair_attempts="3")
    assert changed.repair_attempts == 3 and changed.sources["repair_attempts"] == "settings page"
    assert settings.repair_attempts == 2  # frozen: the original is untouched


def test_a_backend_typo_names_the_choices_and_the_variable():
    with pytest.raises(InputError) as info:
        load_settings(env={"DECIPHER_BACKEND": "planer"})
    assert info.value.message == (
        "Setting backend must be one of auto, planner, local, openai; got 'planer'. "
        "Fix DECIPHER_BACKEND."
    )


@pytest.mark.parametrize("declared", CHOICE_SETTINGS, ids=lambda s: s.name)
def test_every_choice_setting_refuses_a_typo(declared):
    typo = declared.default + "x"
    with pytest.raises(InputError) as info:
        load_settings(env={declared.env_var: typo})
    message = info.value.message
    assert f"Setting {declared.name} must be one of " in message
    assert ", ".join(declared.choices) in message
    assert repr(typo) in message and declared.env_var in message
    for choice in declared.choices:  # and every allowed value loads
        assert getattr(load_settings(env={declared.env_var: choice}), declared.name) == choice


@pytest.mark.parametrize(
    ("name", "bad", "allowed"),
    [
        ("sandbox_timeout_s", "0", "from 0.1 to 3600"),
        ("sandbox_timeout_s", "-5", "from 0.1 to 3600"),
        ("sandbox_timeout_s", "30000", "from 0.1 to 3600"),
        ("sandbox_timeout_s", "nan", "from 0.1 to 3600"),
        ("sandbox_memory_mb", "0", "at least 64"),
        ("max_output_bytes", "-1", "at least 0"),
        ("max_result_mb", "0", "at least 1"),
        ("max_display_rows", "0", "at least 1"),
        ("repair_attempts", "-1", "from 0 to 10"),
        ("repair_attempts", "11", "from 0 to 10"),
        ("llm_temperature", "2.5", "from 0 to 2"),
        ("llm_timeout_s", "0", "from 1 to 3600"),
        ("llm_max_tokens", "0", "at least 1"),
        ("planner_min_confidence", "1.5", "from 0 to 1"),
        ("planner_min_confidence", "-0.1", "from 0 to 1"),
        ("big_table_rows", "-1", "at least 0"),
        ("duckdb_memory_mb", "-1", "at least 0"),
        ("session_memory_mb", "-256", "at least 0"),
    ],
)
def test_values_out_of_bounds_are_refused(name, bad, allowed):
    env_var = setting_declaration(name).env_var
    with pytest.raises(InputError) as info:
        load_settings(env={env_var: bad})
    message = info.value.message
    assert message.startswith(f"Setting {name} must be a ")
    assert allowed in message and repr(bad) in message and f"Fix {env_var}." in message


@pytest.mark.parametrize(
    ("name", "edge"),
    [
        ("repair_attempts", 0),
        ("repair_attempts", 10),
        ("llm_temperature", 2.0),
        ("planner_min_confidence", 1.0),
        ("sandbox_timeout_s", 0.1),
        ("duckdb_memory_mb", 0),
        ("session_memory_mb", 0),
    ],
)
def test_the_bounds_themselves_are_allowed(name, edge):
    assert getattr(load_settings(env={}, **{name: edge}), name) == edge


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"DECIPHER_SANDBOX_TIMEOUT_S": "soon"}, "Fix DECIPHER_SANDBOX_TIMEOUT_S."),
        ({"DECIPHER_MAX_DISPLAY_ROWS": "1.5"}, "must be a whole number"),
        ({"DECIPHER_SEND_SAMPLE_ROWS": "maybe"}, "must be true or false"),
    ],
)
def test_bad_values_name_the_key_and_type(env, fragment):
    with pytest.raises(InputError) as info:
        load_settings(env=env)
    assert fragment in info.value.message


def test_overrides_are_checked_and_say_where_they_came_from():
    settings = load_settings(env={})
    with pytest.raises(InputError) as info:
        settings.with_overrides("the Settings page", backend="planer")
    assert "got 'planer'" in info.value.message
    assert "the Settings page" in info.value.message and "DECIPHER_BACKEND" in info.value.message
    with pytest.raises(InputError, match="from 0 to 10"):
        settings.with_overrides(repair_attempts=11)
    with pytest.raises(InputError, match="one of full, require, reduced"):
        replace(settings, sandbox_isolation="strict")  # no way around the check
    assert settings.with_overrides(backend=Backend.LOCAL).backend == "local"


def test_unknown_override_is_refused():
    with pytest.raises(InputError, match="Unknown setting"):
        load_settings(env={}, sandbox_timeout=3)


def test_a_bad_environment_value_stops_the_cli_with_a_usage_error(tmp_path):
    """A typo exits 2 (the contract's usage error) before any work, message on stderr only."""
    proc = subprocess.run(
        [sys.executable, "-m", "engine", "ask", "--data", str(SAMPLE_DATA / "sales.csv")]
        + ["how many rows"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DECIPHER_BACKEND": "planer", "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert "Setting backend must be one of auto, planner, local, openai" in proc.stderr
    assert "got 'planer'. Fix DECIPHER_BACKEND." in proc.stderr
    assert "Traceback" not in proc.stderr


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"settings missing from README.md: {missing}"
    rows = {line.split("`")[1]: line for line in readme.splitlines() if line.startswith("| `")}
    for s in SETTINGS:  # the allowed values and bounds there are the declared ones
        row = rows[s.name]
        for choice in s.choices:
            assert f"`{choice}`" in row, (s.name, choice)
        for bound in (s.min_value, s.max_value):
            assert bound is None or f"{bound:g}" in row, (s.name, bound)
