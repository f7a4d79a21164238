"""The sandbox: generated code runs in confined, forked children of a pre-warmed zygote (issue #3).

The operating system is the boundary (namespaces, rlimits, Landlock, seccomp), not a blocklist.
`Sandbox.run` always returns a `RunResult`; failures are values.
"""

from __future__ import annotations

from engine.sandbox.layers import SandboxLayers
from engine.sandbox.probe import probe_layers
from engine.sandbox.supervisor import Sandbox, SandboxTable

__all__ = ["Sandbox", "SandboxLayers", "SandboxTable", "probe_layers"]
