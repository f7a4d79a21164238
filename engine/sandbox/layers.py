"""Which isolation layers this host gives a sandboxed child, found by trying them (issue #3).

Degraded hosts (macOS, old kernels, containers without user namespaces) lack some layers; the
probe forks a throw-away child that applies each layer in the real order, so the answer is what a
run would get, not what the kernel version suggests.
"""

from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from engine.sandbox import confine

if TYPE_CHECKING:
    from engine.sandbox.folder import RunFolder

LAYER_NAMES: Final = ("process", "namespaces", "rlimits", "landlock", "seccomp")


@dataclass(frozen=True)
class SandboxLayers:
    """The isolation layers a run gets; `notes` say what is missing and why it matters."""

    process: bool = False  # a separate, forked worker process per run
    namespaces: bool = False  # new user + network namespace: no network
    rlimits: bool = False  # address space, CPU, open files, no core files
    landlock: bool = False  # read-only Python install, writes in the run's folder only, no TCP
    seccomp: bool = False  # no sockets, exec, new processes, ptrace, signals to others
    landlock_abi: int = 0
    notes: tuple[str, ...] = field(default=())

    @property
    def active(self) -> tuple[str, ...]:
        return tuple(name for name in LAYER_NAMES if getattr(self, name))

    @property
    def complete(self) -> bool:
        return len(self.active) == len(LAYER_NAMES)

    def summary(self) -> str:
        """One line for the diagnostics panel and the CLI, e.g. 'isolation: full (...)'."""
        missing = [n for n in LAYER_NAMES if not getattr(self, n)]
        active = ", ".join(self.active) or "none"
        if not missing:
            return f"isolation: full ({active})"
        return f"isolation: reduced ({active}; missing: {', '.join(missing)})"

    def to_json(self) -> dict[str, object]:
        return {
            **{name: getattr(self, name) for name in LAYER_NAMES},
            "landlock_abi": self.landlock_abi,
            "notes": list(self.notes),
            "summary": self.summary(),
        }


def layers_from_flags(flags: dict[str, bool], abi: int) -> SandboxLayers:
    notes = []
    if not flags.get("namespaces"):
        notes.append("No user/network namespace: code could reach the network if seccomp fails.")
    if not flags.get("landlock"):
        notes.append("No Landlock: code can read files the app's user can read.")
    if not flags.get("seccomp"):
        notes.append("No seccomp: code can open sockets and start processes.")
    if not flags.get("rlimits"):
        notes.append("No rlimits: only the wall-clock timeout bounds a run.")
    return SandboxLayers(
        **{n: bool(flags.get(n)) for n in LAYER_NAMES}, landlock_abi=abi, notes=tuple(notes)
    )


@dataclass(frozen=True)
class Preparation:
    """Work done once before forking, so each child only applies (issue #3, per-run cost)."""

    readable: tuple[str, ...]  # paths the child may read (Python install, own cgroup files)
    seccomp_module: Any  # pyseccomp, imported before Landlock (it runs ldconfig to find libs)
    seccomp_program: bytes | None  # the filter precompiled to BPF, pid patched per child


def prepare() -> Preparation:
    """Compute paths and compile the seccomp filter (in the zygote, once)."""
    module = confine.load_seccomp()
    return Preparation(
        readable=confine.read_only_paths() + confine.cgroup_limit_files(),
        seccomp_module=module,
        seccomp_program=confine.seccomp_program(module),
    )


def apply_all(
    *,
    memory_mb: int,
    cpu_s: float,
    prepared: Preparation | None = None,
    folder: RunFolder | None = None,
) -> dict[str, bool]:
    """Confine the calling (forked, single-threaded) process with every layer the host has.

    With a `folder`, the run's output folder is made inside the new namespaces (a tmpfs when
    there is a mount namespace), entered, and is the one place Landlock lets it write."""
    prep = prepared or prepare()
    flags = {"process": True}
    writable: tuple[str, ...] = ()
    if folder is None:
        flags["namespaces"] = confine.unshare_user_and_net()
    else:
        flags["namespaces"], mounted = confine.unshare_namespaces()
        writable = (folder.enter(mounted),)
    max_file_bytes = folder.limits.max_file_bytes if folder is not None else 0
    flags["rlimits"] = confine.apply_rlimits(
        memory_mb=memory_mb, cpu_s=cpu_s, max_file_bytes=max_file_bytes
    )
    flags["landlock"] = confine.apply_landlock(prep.readable, writable)
    if prep.seccomp_program is not None:
        flags["seccomp"] = confine.load_seccomp_program(prep.seccomp_program, os.getpid())
    else:
        flags["seccomp"] = confine.apply_seccomp(prep.seccomp_module)
    return flags


def probe_here() -> SandboxLayers:
    """Fork a child of this process, confine it with every layer, report what took effect.

    About 10 ms. Only a fresh, single-threaded process gets a true answer: a library's fork
    handlers can start threads in the child (gRPC does), and a threaded child cannot enter a
    user namespace. The worker probes itself this way; the app asks engine/sandbox/probe.py,
    which runs this in a fresh interpreter. pyseccomp is imported before the fork.
    """
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return SandboxLayers(
            process=hasattr(os, "fork"),
            notes=("Not Linux: no namespaces, Landlock or seccomp.",),
        )
    abi = confine.landlock_abi()
    prepared = prepare()  # before the fork: the child of a threaded app only applies
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: confine, report, exit without running any Python cleanup
        code = 1
        try:
            os.close(read_fd)
            flags = apply_all(memory_mb=256, cpu_s=5, prepared=prepared)
            mask = sum(1 << i for i, name in enumerate(LAYER_NAMES) if flags.get(name))
            errors = confine.UNSHARE_ERRORS
            failed = 0 if flags.get("namespaces") or not errors else min(errors[-1], 255)
            os.write(write_fd, bytes([mask, failed]))
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    try:
        data = os.read(read_fd, 2)
    finally:
        os.close(read_fd)
        os.waitpid(pid, 0)
    mask = data[0] if data else 1
    flags = {name: bool(mask & (1 << i)) for i, name in enumerate(LAYER_NAMES)}
    layers = layers_from_flags(flags, abi)
    if len(data) == 2 and data[1]:
        why = f"namespaces: unshare failed with {errno.errorcode.get(data[1], data[1])}"
        layers = replace(layers, notes=(*layers.notes, why))
    return layers
