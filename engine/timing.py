"""How long a turn took, in words (issue 16): the model's time and the run's, never one for both.

A new user read "Answered by the local model in 151 ms" for an answer that took 148 s: the
notebook showed the sandbox run only. The model's time (every draft and repair, summed on the
turn by engine/answer/loop.py) and the runs' time are stated apart, and their sum is the answer's.
"""

from __future__ import annotations

from engine.types import Turn


def duration_text(ms: float) -> str:
    """'151 ms', '2.4 s', '148 s', '2 min 28 s': the unit a person reads at each size."""
    if ms < 1_000:
        return f"{ms:,.0f} ms"
    if ms < 9_950:
        return f"{ms / 1_000:.1f} s"
    seconds = round(ms / 1_000)
    if seconds < 180:  # "148 s" reads at once; minutes from three on
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"


def run_ms(turn: Turn) -> float:
    """The sandbox's time for the turn: its last run and every earlier attempt's."""
    return turn.result.elapsed_ms + sum(a.result.elapsed_ms for a in turn.attempts)


def total_ms(turn: Turn) -> float:
    """The whole answer's time: the model's drafts and repairs, then the runs."""
    return (turn.llm_ms or 0.0) + run_ms(turn)


def timing_text(turn: Turn) -> str:
    """'model 148 s, run 151 ms', or 'run 12 ms' when no model wrote the code ('' when
    nothing ran and no model was asked)."""
    parts = []
    if turn.llm_ms:
        parts.append(f"model {duration_text(turn.llm_ms)}")
    if run_ms(turn) or turn.code is not None:
        parts.append(f"run {duration_text(run_ms(turn))}")
    return ", ".join(parts)
