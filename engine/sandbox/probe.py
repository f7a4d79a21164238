"""Which isolation layers this host gives a run, asked from the app (the Settings page, CLI).

The app's own process may have threads a fork cannot shed: with a Spark connection open, gRPC's
fork handlers start threads in every forked child, and a threaded child cannot enter a user
namespace (EINVAL), so a probe forked from the app reported no namespaces while every worker had
them. The worker is a fresh interpreter; so is this probe, started like the worker, which
prints what `layers.probe_here` found. A complete answer is kept for
the app's life; a missing layer is asked again next time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from typing import Final

from engine.sandbox.layers import SandboxLayers, layers_from_flags
from engine.sandbox.supervisor import BASE_ENV, ROOT

PROBE_TIMEOUT_S: Final = 60.0
_PROBE: Final = (
    "import json, sys\n"
    "from engine.sandbox.layers import LAYER_NAMES, probe_here\n"
    "here = probe_here()\n"
    "flags = {name: getattr(here, name) for name in LAYER_NAMES}\n"
    "sys.stdout.write(json.dumps({'flags': flags, 'landlock_abi': here.landlock_abi, "
    "'notes': list(here.notes)}))\n"
)
_COMPLETE: list[SandboxLayers] = []


def probe_layers() -> SandboxLayers:
    """The layers a run gets on this host, probed in a fresh interpreter (about 0.2 s)."""
    if _COMPLETE:
        return _COMPLETE[0]
    try:
        done = subprocess.run(
            [sys.executable, "-s", "-c", _PROBE],
            capture_output=True,
            text=True,
            timeout=PROBE_TIMEOUT_S,
            cwd=ROOT,
            env=dict(BASE_ENV),
        )
        found = json.loads(done.stdout.strip().splitlines()[-1])
        layers = layers_from_flags(found["flags"], int(found["landlock_abi"]))
        extra = tuple(n for n in found["notes"] if n not in layers.notes)
        layers = replace(layers, notes=layers.notes + extra)
    except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError) as exc:
        return SandboxLayers(notes=(f"The layers could not be probed: {exc}",))
    if layers.complete:
        _COMPLETE.append(layers)
    return layers
