"""Settings: one table, environment overrides with sources recorded, clear errors for bad values."""

from __future__ import annotations

import pytest

from engine.config import SETTINGS, Settings, load_settings, setting_names
from engine.errors import InputError
from tests.conftest import ROOT


def test_table_and_dataclass_agree():
    assert tuple(s.name for s in SETTINGS) == setting_names()
    defaults = Settings()
    for s in SETTINGS:
        assert getattr(defaults, s.name) == s.default, s.name
        assert isinstance(s.default, s.type), s.name
        assert s.help


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


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"DECIPHER_SANDBOX_TIMEOUT_S": "soon"}, "DECIPHER_SANDBOX_TIMEOUT_S"),
        ({"DECIPHER_MAX_DISPLAY_ROWS": "1.5"}, "expects int"),
        ({"DECIPHER_SEND_SAMPLE_ROWS": "maybe"}, "expects bool"),
    ],
)
def test_bad_values_name_the_key_and_type(env, fragment):
    with pytest.raises(InputError) as info:
        load_settings(env=env)
    assert fragment in info.value.message


def test_unknown_override_is_refused():
    with pytest.raises(InputError, match="Unknown setting"):
        load_settings(env={}, sandbox_timeout=3)


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if f"`{s.name}`" not in readme]
    assert not missing, f"settings missing from README.md: {missing}"
