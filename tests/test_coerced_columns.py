"""A column coerced to numbers that does not hold them goes back before it runs
(engine/coerced_columns.py), on the real sandbox with the scripted model."""

from __future__ import annotations

from tests.test_answer_failures import ask_model

COERCED = (
    "n = pd.to_numeric(deaths['No. of deaths'], errors='coerce')\n"
    "result = deaths.loc[n.idxmax(), 'Country']"
)
MEDIAN = "result = deaths.loc[deaths['No. of deaths_median'].idxmax(), 'Country']"


def load_deaths(session, tmp_path) -> None:
    path = tmp_path / "deaths.csv"
    path.write_text(
        "Country,No. of deaths,No. of deaths_median\n"
        'Angola,"13316[9970-16600]",13316\nChad,40,40\nMali,"298[110-510]",298\n'
    )
    session.load(path)


def test_a_coerced_text_column_goes_back_and_the_numeric_column_answers(session, tmp_path):
    """'298[110-510]' coerced is NaN: only the plain numbers would be compared, and Chad's
    plain 40 would win. The model is told before any run, and the median column answers."""
    load_deaths(session, tmp_path)
    turn, server = ask_model(session, "which country has the most deaths?", [COERCED, MEDIAN])
    assert turn.ok and turn.code == MEDIAN and turn.result.answer.text == "Angola"
    (attempt,) = turn.attempts
    assert attempt.result.error.kind == "input"  # not run: the check's words
    repair = server.requests[1].messages[-1]["content"]
    assert repair.startswith("That code was not run: The code makes the column 'No. of deaths'")
    assert "'No. of deaths_median'" in repair


def test_kept_after_its_repair_the_coercion_is_not_given_as_the_answer(session, tmp_path):
    """The repair coerces again: the code runs, and its result is kept to check, not given
    (the same code again would end the repairs unrun)."""
    load_deaths(session, tmp_path)
    again = COERCED.replace("n.idxmax()", "n.astype(float).idxmax()")
    turn, _ = ask_model(
        session, "which country has the most deaths?", [COERCED, again], repair_attempts=1
    )
    assert not turn.ok and turn.result.answer.text == "Chad"
    error = turn.result.error
    assert error.kind == "unsupported" and "turns most of its values into missing" in error.message


def load_ships(session, tmp_path) -> None:
    """wtq-train nt-4194's shape: a launch date and the place of launch."""
    path = tmp_path / "ships.csv"
    path.write_text(
        "Launched,Ship,Location\n"
        '1878-03-06,City of Rio de Janeiro,"Chester, Pennsylvania"\n'
        "1878-05-13,Bayern,Wilhelmshaven\n"
        '1879-06-13,Pegasus,"Devonport, Devon"\n'
    )
    session.load(path)


PLACES_AS_DATES = (
    "ships['Location'] = pd.to_datetime(ships['Location'], errors='coerce')\n"
    "result = int((ships['Location'].dt.year == 1878).sum())"
)
LAUNCH_DATES = "result = int((ships['Launched'].dt.year == 1878).sum())"


def test_places_coerced_to_dates_go_back_with_the_date_column(session, tmp_path):
    """Every place would become NaT and the count 0, given as the answer; the model is told
    before any run which column holds dates, and its repair counts 2."""
    load_ships(session, tmp_path)
    question = "how many ships were launched in 1878?"
    turn, server = ask_model(session, question, [PLACES_AS_DATES, LAUNCH_DATES])
    assert turn.ok and turn.code == LAUNCH_DATES and turn.result.answer.value == 2
    (attempt,) = turn.attempts
    assert attempt.result.error.kind == "input"  # not run: the check's words
    repair = server.requests[1].messages[-1]["content"]
    assert "makes the column 'Location' dates with pd.to_datetime" in repair
    assert "'Chester, Pennsylvania'" in repair and "('Launched')" in repair


def test_dates_written_as_text_are_coerced_without_a_word(session, tmp_path):
    """Cells with no digit that name a month ('March', 'Sept.') are dates a reader may mean:
    coercing them is left alone."""
    path = tmp_path / "launches.csv"
    path.write_text("Day,Ship\nMarch,Rio\nSept.,Bayern\n13 June,Pegasus\n")
    session.load(path)
    code = "result = int(pd.to_datetime(launches['Day'], errors='coerce').notna().sum())"
    turn, server = ask_model(session, "how many launch days are there?", [code])
    assert turn.code == code and not turn.attempts and len(server.requests) == 1
