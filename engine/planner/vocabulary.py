"""The words the planner understands, as data: keyword phrases, stop words and refusals (issue 5).

Every word of a question must be explained by this vocabulary, a column, a value, a number or a
date; an unexplained word makes the planner decline rather than guess.
"""

from __future__ import annotations

from typing import Final

from engine.planner.demonyms import COUNTRIES

# phrase (words, singular) -> (feature, value). Longer phrases are matched first.
_KEYWORDS: Final[dict[str, tuple[str, str]]] = {}


def _add(feature: str, value: str, *phrases: str) -> None:
    for phrase in phrases:
        _KEYWORDS[phrase] = (feature, value)


_add("agg", "sum", "sum", "total", "sum of", "sum up", "add up", "combined", "altogether")
_add("agg", "mean", "mean", "average", "avg", "typical", "on average", "arithmetic mean")
_add("agg", "median", "median", "middle value")
_add("agg", "min", "min", "minimum", "smallest value", "lowest value")
_add("agg", "max", "max", "maximum", "largest value", "highest value")
_add("agg", "std", "std", "stdev", "standard deviation", "std dev", "sd", "stddev")
_add("agg", "var", "variance")
_add("super", "desc", "highest", "largest", "biggest", "most", "greatest", "top", "best")
_add("super", "asc", "lowest", "smallest", "least", "fewest", "bottom", "worst")
_add("mode", "", "most common", "most frequent", "most popular", "commonest", "mode")
_add("mode", "", "listed the most", "listed most", "listed most often", "appear the most")
_add("mode", "", "appears the most", "appeared the most", "used the most", "most often")
_add(
    "mode", "", "appears most", "appear most", "appeared most", "appears most often", "occurs most"
)
_add("mode", "", "occurs the most", "occurred the most", "occurred most", "shows up the most")
_add("count", "", "count", "count of", "tally", "frequency", "frequencies")
_add("count", "many", "how many", "number of", "how many time")  # or an amount: query._amounts
_add("distinct", "", "distinct", "unique", "different")
# "how many columns are there": the table's columns ("column" alone is a filler: "column price")
_add("columns", "", "how many column", "number of column", "count of column", "how many field")
_add("share", "", "share", "percentage", "percent", "proportion", "fraction", "%")
_add("hist", "", "distribution", "histogram", "distributed", "spread", "frequency distribution")
_add("trend", "", "trend", "over time", "evolution", "evolve", "evolved", "change over time")
_add("trend", "", "time series", "timeline", "over the year", "through time", "changed", "trended")
_add("period", "day", "daily", "per day", "by day", "each day", "day by day")
_add("period", "week", "weekly", "per week", "by week", "each week", "week by week")
_add("period", "month", "monthly", "per month", "by month", "each month", "month by month")
_add("period", "quarter", "quarterly", "per quarter", "by quarter", "each quarter")
_add("period", "year", "yearly", "annual", "annually", "per year", "by year", "each year")
_add("corr", "", "correlation", "correlate", "correlated", "corr", "relationship", "related")
_add("corr", "", "correlation coefficient", "relate", "association")
_add("matrix", "", "correlation matrix", "matrix", "heatmap", "all correlation", "correlations")
_add("scatter", "", "scatter", "scatter plot", "scatterplot", "against", "vs", "versus")
_add("color", "", "colored by", "coloured by", "color by", "colour by", "colored", "coloured")
_add("color", "", "color", "colour", "with color", "hue")
_add("describe", "", "describe", "summary", "summarize", "summarise", "statistic", "stat")
_add("describe", "", "overview", "summary statistic", "descriptive statistic", "profile")
_add("missing", "", "missing", "null", "nan", "empty", "blank", "missing value", "na")
_add("first", "", "first", "earliest", "oldest", "start", "begin", "starting", "start date")
_add("last", "", "last", "latest", "newest", "most recent", "end", "ending", "end date")
_add("range", "", "range", "date range", "range of date", "time span", "period covered", "span")
_add("head", "", "head", "preview", "sample", "first few row", "few row", "peek")
_add("sort", "", "sort", "sorted", "order by", "ordered by", "rank", "ranked", "ranking")
_add("order", "asc", "ascending", "asc", "low to high", "lowest first", "in ascending order")
_add("order", "desc", "descending", "desc", "high to low", "highest first", "descending order")
_add("order", "desc", "in descending order", "largest first", "biggest first")
_add("order", "asc", "ascending order", "smallest first")
_add("pivot", "", "pivot", "pivot table", "crosstab", "cross tab", "cross tabulation")
_add("compare", "", "compare", "comparison", "comparing", "compared")
_add("difference", "", "difference", "differ", "difference in", "how far apart")
_add("group", "", "by", "per", "each", "for each", "for every", "across", "broken down by")
_add("group", "", "split by", "grouped by", "group by", "in each", "within each", "among")
_add("group", "", "for all", "of each", "for the different", "by their", "by its", "for every")
_add("not", "", "not", "excluding", "except", "other than", "without", "exclude", "isn't")
_add("not", "", "aren't", "non", "besides")  # "other languages besides Sotho" (not "beside")
_add("contains", "", "contain", "containing", "contains", "includes", "matching")
_add("contains", "", "with the word", "in the name", "in its name", "in their name")
_add("cmp", ">", ">", "over", "above", "greater than", "more than", "higher than", "exceed")
_add("cmp", ">", "larger than", "bigger than", "exceeding")
_add("tcmp", ">", "after", "later than")
_add("cmp", ">=", ">=", "at least", "no less than", "or more")
_add("tcmp", ">=", "since", "from", "starting from", "starting")
_add("cmp", "<", "<", "under", "below", "less than", "lower than", "fewer than", "smaller than")
_add("tcmp", "<", "before", "earlier than", "prior to")
_add("cmp", "<=", "<=", "at most", "no more than", "or less", "up to")
_add("tcmp", "<=", "until", "through", "till")
_add("cmp", "==", "=", "==", "equal to", "equals", "exactly", "is equal to")
_add("cmp", "!=", "!=")
_add("between", "", "between")
_add("during", "", "in", "during", "on", "for", "of", "within")
_add("row", "", "row", "record", "entry", "observation", "line", "item", "case", "data point")
_add("row", "", "dataset", "data set", "table", "data", "sample size", "size of the data")
_add("which", "", "which", "what")
_add("much", "", "how much")
_add("list", "", "list", "list of", "a list of", "enumerate", "name all", "what are the")
# "on the list", "in this chart": the rows as the table shows them, in its order (issue 13)
_add("listed", "", "listed", "on the list", "in the list", "on this list", "in this list")
_add("listed", "", "on the chart", "on this chart", "in the chart", "in this chart", "shown")
_add("listed", "", "in the table", "in this table", "on the table", "on this table", "as listed")
# the first or last row by where it stands: "at the top of the list", "the bottom listed"
_TOP: Final = (
    "at the top",
    "top listed",
    "top of the",
    "at the top of the",
    "on top of the",
    "in the top of the",
)
_BOTTOM: Final = ("at the bottom", "bottom listed", "bottom of the", "at the bottom of the")
for _where in ("", " list", " table", " chart"):
    _add("listed", "first", *(p + _where for p in _TOP if p.endswith("the") == bool(_where)))
    _add("listed", "last", *(p + _where for p in _BOTTOM if p.endswith("the") == bool(_where)))
# the row next to another in the table's order: +1 below it, -1 above it (intents/positions.py)
_add("position", "+1", "next", "following", "right after", "directly after", "immediately after")
_add("position", "+1", "directly below", "right below", "immediately below", "just below")
_add("position", "-1", "previous", "preceding", "right before", "directly before", "just before")
_add("position", "-1", "immediately before", "directly above", "right above", "just above")
_add("position", "", "next to", "beside", "adjacent to")  # which side: not said
_add("more", "", "how many more", "how much more", "how much greater", "how much higher")
_add("more", "", "how much larger", "how much bigger", "how much longer", "how much lower")
_add("more", "", "how much smaller", "how much less", "how many fewer", "how many less")
_add("same", "", "same", "the same", "same as")  # "the same number of wins as X" (lookup.py)
_add("position", "-1", "preceded", "came before")
_add("position", "+1", "succeeded", "followed", "came after")
# Verbs that select rows as often as they link them ("what year did X win": X may have lost
# that final): read only where they link a named row to an amount ("how many medals did X win")
_add("gain", "won", "win", "won")
_add("gain", "lost", "lose", "lost")
# "which team had more titles, A or B": a choice between two named rows (intents/lookup.py)
_add("or", "", "or", "either")
_add("comparative", "desc", "more", "larger", "higher", "greater", "bigger")
_add("comparative", "asc", "less", "fewer", "smaller", "lower")
# Verbs that link a named row to the value asked ("what team did X play for", "how many points
# did X score", "the only season where …"): read only by the intents that read named rows
# (plans.SPECIAL); elsewhere they could select rows ("how many drivers finished").
_add(
    "link",
    "",
    *"""play played plays playing score scored scores scoring finish finished
    finishes come came comes receive received receives earn earned earns take took taken reach
    reached hold held release released releases produce produced appear appeared appears
    compete competed represent represented representing belong belonged belongs attend attended
    serve served lead led join joined coach coached direct directed write wrote written sing sang
    perform performed build built found founded establish established open opened locate located
    born elect elected draft drafted sign signed achieve achieved occur occurred run ran drive
    drove ride rode air aired premiere premiered publish published launch launched own owned
    operate operated design designed name named call called titled lasted lasting picked
    selected chose chosen appointed""".split(),  # not pick/select/choose: imperatives
)
_add("link", "", "took place", "take place", "takes place", "taking place", "taken place")
# "which was the only stamp set with …": a link whose value says one row answers (values.py)
_add("link", "only", "only")
_add("and", "", "and", "&")
_add("both", "", "both")  # "A and B both played which position": what the two share
# A place in a ranking ("who finished first", "which nation came in last", "ranked 2nd"): the
# row whose rank column holds that place (intents/positions.py). Only with a verb of placing or
# "in … place": "the first place listed" may be a venue.
PLACE_ORDINALS: Final = {
    "1": ("first", "1st"),
    "2": ("second", "2nd"),
    "3": ("third", "3rd"),
    "4": ("fourth", "4th"),
    "5": ("fifth", "5th"),
    "6": ("sixth", "6th"),
    "7": ("seventh", "7th"),
    "8": ("eighth", "8th"),
    "9": ("ninth", "9th"),
    "10": ("tenth", "10th"),
    "last": ("last",),
}
_PLACE_VERBS: Final = (
    "finished",
    "finish",
    "finishes",
    "came",
    "come",
    "comes",
    "came in",
    "come in",
    "placed",
    "ranked",
    "is ranked",
    "was ranked",
    "ended",
    "ended up",
    "ended up in",
    "finished in",
    "came in at",
    "ranked at",
    "ended in",
    "finishing",
    "ranking",
    "placing",
)
_PLACE_TAKERS: Final = ("won", "took", "got", "earned", "received", "achieved", "secured", "in")
for _place, _words in PLACE_ORDINALS.items():
    for _word in _words:
        _add("placed", _place, *(f"{v} {_word}" for v in _PLACE_VERBS))
        for _noun in ("place", "position"):
            _add("placed", _place, *(f"{v} {_word} {_noun}" for v in _PLACE_VERBS))
            _add("placed", _place, *(f"{v} in {_word} {_noun}" for v in _PLACE_VERBS))
            _add("placed", _place, *(f"{v} {_word} {_noun}" for v in _PLACE_TAKERS))
            _add("placed", _place, *(f"{v} the {_word} {_noun}" for v in _PLACE_TAKERS))
    if _place.isdigit():
        _add("placed", _place, f"ranked {_place}", f"ranked number {_place}", f"ranked no {_place}")

KEYWORDS: Final = dict(sorted(_KEYWORDS.items(), key=lambda kv: -len(kv[0].split())))
MAX_PHRASE: Final = max(len(p.split()) for p in KEYWORDS)

STOPWORDS: Final = frozenset(
    """a an the is are was were be been being do does did i me my we our you your it its they
    them their this that these those there here show give tell display get find see let
    please can could would will how about what's whats who whom whose where when with to at as
    into onto up out all any some value values level amount number column columns field fields
    variable variables plot chart graph draw visualize visualise visualization make create
    compute calculate calc return print report look have has had overall whole entire just
    also then than so if per cent thing things one ones kind type wise based using use used
    want need know like to of versus time over along respectively across while he she him
    his her hers
    well figure bar bars pie line lines histogram plotted drawn shown see got""".split()
)
# Verbs and fillers of how people describe records; they never change what is computed.
FILLERS: Final = frozenset(
    """live lives living observed recorded measured ever sold fell happened covered registered
    placed made logged seen found stored present appear appears exist exists available got
    standings individual individuals according""".split()
)
# "this season", "at this event", "this actor": the subject the whole table is about, not a
# filter; an otherwise unknown noun right after them is read as that subject (issue 13).
DEICTIC: Final = frozenset({"this", "these"})
# "who was the last Japanese player to finish": after "who", a noun for a person that names no
# column says again who is asked (the rows' name column answers)
WHO_NOUNS: Final = frozenset(
    """player athlete rider driver competitor contestant participant finisher runner cyclist
    swimmer skier racer person individual member""".split()
)
# "how many games were played in the season", "who won the race": with "the", at the end of the
# question and naming no column, these nouns are that subject too
WHOLE_NOUNS: Final = frozenset("season tournament competition championship race event".split())
# The last word of a column's name that says it identifies or numbers the rows ("Player ID",
# "Pick No."): not an amount (readings.names_or_orders), not the rows' names (values.py)
ID_WORDS: Final = frozenset({"id", "no", "nr"})
# Table names that also mean money ("sales by region"): never read as "count the rows".
AMOUNT_NOUNS: Final = frozenset("sale revenue turnover income spend spending profit cost".split())
# What a column of Total adds up ("how many medals", "the most goals"): things won or scored,
# not people, times or units. And the people an attendance column counts ("how many fans").
TALLY_NOUNS: Final = frozenset(
    """goal point medal vote seat win loss victory defeat draw title trophy award prize cap
    appearance run hit""".split()
)
# What a column of things won is named ("how many nations won no gold medals"): a tally, or
# a medal's colour.
WON_NOUNS: Final = TALLY_NOUNS | {"gold", "silver", "bronze"}
PEOPLE_NOUNS: Final = frozenset("people person spectator attendee fan viewer crowd".split())
ATTENDANCE_WORDS: Final = frozenset("attendance crowd spectator attendee audience viewer".split())
# without attendance, people are the one Population column ("how many people live in X"), or
# with a verb of holding the one Capacity column ("how many people can the stadium hold")
POPULATION_WORDS: Final = frozenset({"population", "inhabitants", "residents"})
LIVE_VERBS: Final = frozenset("live lives lived living reside resides".split())
CAPACITY_WORDS: Final = frozenset({"capacity"})
HOLD_VERBS: Final = frozenset("hold holds held seat seats accommodate accommodates fit".split())
ATTEND_VERBS: Final = frozenset("attend attended attending attends watched".split())
# A table of results, one game a row: a column names the opponent (or home and away teams) and
# one the result or score. There "how many games …" counts rows (elsewhere cells count games).
GAME_NOUNS: Final = frozenset({"game", "match"})
OPPONENT_WORDS: Final = frozenset({"opponent", "opposition", "opponents"})
RESULT_WORDS: Final = frozenset({"result", "score"})
# Nouns that count something held in cells, not rows: "how many goals did X score" adds goals
# up (or reads them), it does not count rows (issue 13). Never read as the rows' noun.
COUNTED_IN_CELLS: Final = frozenset(
    """goal point medal vote seat win loss victory defeat draw tie run hit title trophy award
    prize game match appearance cap people person inhabitant resident visitor spectator fan
    viewer attendee attendance crowd year day week month hour minute second time lap mile
    kilometer meter km metre foot feet inch pound dollar euro ton tonne litre liter percent""".split()
)
# Nouns that name a quantity or a property, never the thing each row is: "what date/place …"
# asks for a value, not a row's label ("which country …" does: readings.label_noun).
QUANTITY_NOUNS: Final = frozenset(
    """date time number amount kind type sort score distance height length age size value price
    rate speed weight temperature percentage percent total record result margin format""".split()
)
# `than` etc. are only stop words once the phrases that need them ("more than") have matched.
# Comparison words that mean a neighbouring row when a cell value follows them ("the club
# after Lyon", "the street above Oak Street"): +1 the row below, -1 the row above.
# Columns that rank: their highest value is the worst place ("the top position" is 1), so a
# superlative over them has no safe direction, and their values are not added up.
DURATION_WORDS: Final = frozenset({"time", "length", "duration", "runtime"})  # "how long"
RANK_WORDS: Final = frozenset("rank ranking place placing position pos seed standing".split())
# "how many races did X win", "the last year X won": a value of the one column of winners
# (Winner, Winning team, Champion) says which rows X won; of any other column, it does not.
WIN_VERBS: Final = frozenset({"win", "won", "wins", "winning"})
WINNER_WORDS: Final = frozenset({"winner", "winning", "champion", "victor"})
# "which country …" over a table of athletes: the column of their nations, not their names
NATION_NOUNS: Final = frozenset({"country", "nation"})
# "which american came in first": a people's name picks rows (by a country the table may write
# otherwise), so it never names the rows asked for as "which athlete" does
DEMONYMS: Final = frozenset(COUNTRIES) | frozenset(  # and peoples with no one country listed
    """peruvian venezuelan icelandic belarusian pakistani thai vietnamese filipino indonesian
    malaysian kiwi african algerian tunisian iraqi saudi european asian""".split()
)
NATION_WORDS: Final = frozenset({"country", "nation", "nationality", "noc"})
NEIGHBOUR_WORDS: Final = {"after": "+1", "below": "+1", "before": "-1", "above": "-1"}
