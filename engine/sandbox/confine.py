"""Confinement a forked child applies to itself before it runs generated code (issue #3).

Four layers, each a raw kernel interface (Python 3.11 has no `os.unshare`, and there is no
Landlock binding in the standard library):

- a new user + network namespace: no network interfaces except a dead loopback;
- rlimits: address space (current size + the run's budget), CPU seconds, open files, no core files;
- Landlock: read-only access to the Python installation and system libraries, writes only in the
  run's own folder (issue 14: files, no links, FIFOs or devices), no `/proc`, no TCP
  bind/connect, no signals or abstract unix sockets outside the domain;
- seccomp (pyseccomp, imported in the zygote: after Landlock it could not be loaded): no socket
  creation, exec, process creation, ptrace, cross-process memory access or signals to others.

Each function returns whether its layer is now active, so probes and runs report the truth.
Only x86_64 and aarch64 syscall numbers are known; elsewhere Landlock and unshare report
unavailable and the caller decides (setting `sandbox_isolation`).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import resource
import stat
import struct
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

CLONE_NEWUSER: Final = 0x10000000
CLONE_NEWNET: Final = 0x40000000
CLONE_NEWNS: Final = 0x00020000
CLONE_THREAD: Final = 0x00010000
PR_SET_NO_NEW_PRIVS: Final = 38

# Landlock (include/uapi/linux/landlock.h)
_SYSCALLS: Final[dict[str, dict[str, int]]] = {
    "x86_64": {"create": 444, "add": 445, "restrict": 446},
    "aarch64": {"create": 444, "add": 445, "restrict": 446},
}
_RULESET_VERSION: Final = 1
_RULE_PATH_BENEATH: Final = 1
_FS_EXECUTE: Final = 1 << 0
_FS_READ_FILE: Final = 1 << 2
_FS_READ_DIR: Final = 1 << 3
# What the run's folder allows: files and folders made, written, read, removed, and moved
# within it (REFER, ABI 2: a hard link or a move needs it on both sides, so nothing from outside
# comes in). Not granted: symbolic links, FIFOs, sockets and devices, running files (EXECUTE)
# and device ioctls.
_FS_FOLDER: Final = (1 << 1) | _FS_READ_DIR | (1 << 4) | (1 << 5) | (1 << 7) | (1 << 8)
_FS_ALL_ABI1: Final = (1 << 13) - 1
_FS_REFER: Final = 1 << 13  # ABI 2
_FS_TRUNCATE: Final = 1 << 14  # ABI 3
_FS_IOCTL_DEV: Final = 1 << 15  # ABI 5
_NET_ALL: Final = (1 << 0) | (1 << 1)  # bind, connect TCP (ABI 4)
_SCOPE_ALL: Final = (1 << 0) | (1 << 1)  # abstract unix sockets, signals (ABI 6)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _RulesetAttr(ctypes.Structure):
    _fields_ = (
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    )


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = (("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32))


def _landlock_syscall(name: str) -> int | None:
    return _SYSCALLS.get(platform.machine(), {}).get(name)


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is missing or disabled."""
    nr = _landlock_syscall("create")
    if nr is None:
        return 0
    abi = _libc.syscall(nr, None, ctypes.c_size_t(0), ctypes.c_uint32(_RULESET_VERSION))
    return max(int(abi), 0)


def read_only_paths() -> tuple[str, ...]:
    """What generated code may read: the interpreter, its libraries and shared libraries.

    Lazy imports (plotly validators, pandas' optional modules) and `dlopen` need these; nothing
    else is readable: no /etc, /home, /root, /tmp, /proc, the project or the user's data.
    """
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    candidates = {
        *(os.path.join(p, lib) for p in prefixes for lib in ("lib", "lib64")),
        *sys.path,
        "/usr/lib",
        "/usr/lib64",
        "/lib",
        "/lib64",
        "/usr/local/lib",
        "/usr/share/zoneinfo",
    }
    paths: list[str] = []
    for raw in sorted(candidates):
        if not raw or not os.path.isabs(raw):
            continue
        path = Path(raw)
        if path.is_file():  # a zip on sys.path
            path = path.parent
        if path.is_dir() and not _is_broad(path):
            paths.append(str(path))
    return tuple(paths)


def cgroup_limit_files() -> tuple[str, ...]:
    """This process's own cgroup files that DuckDB reads when it creates a database.

    DuckDB 2.0 opens /proc/self/cgroup and the cgroup's CPU quota and memory limit in every
    `duckdb.connect()`, and fails when the file exists but cannot be opened. These files are
    granted read-only, one by one (not /proc or /sys/fs/cgroup), so `sql()` can connect after
    confinement and DuckDB's threads inherit every layer (issue #3).
    """
    files = ["/proc/self/cgroup", "/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/memory.max"]
    files += [f"/sys/fs/cgroup/cpu/cpu.cfs_{n}_us" for n in ("quota", "period")]
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        path = path.rstrip("/")
        if controllers == "":  # cgroup v2
            files += [f"/sys/fs/cgroup{path}/{n}" for n in ("memory.max", "cpu.max")]
        elif "memory" in controllers.split(","):
            files.append(f"/sys/fs/cgroup/memory{path}/memory.limit_in_bytes")
        elif "cpu" in controllers.split(","):
            files += [f"/sys/fs/cgroup/cpu{path}/cpu.cfs_{n}_us" for n in ("quota", "period")]
    return tuple(dict.fromkeys(f for f in files if os.path.isfile(f)))


def _is_broad(path: Path) -> bool:
    """A sys.path entry like the project root or / would expose data next to the code."""
    return path == Path("/") or not any(
        part in ("lib", "lib64", "site-packages", "zoneinfo") or part.startswith("python")
        for part in path.parts
    )


def apply_landlock(paths: Iterable[str], writable: Iterable[str] = ()) -> bool:
    """Restrict this process to reading `paths` and working inside the `writable` folders;
    refuse every other write, TCP use and outside signal."""
    abi = landlock_abi()
    if abi < 1:
        return False
    handled = _FS_ALL_ABI1
    if abi >= 2:
        handled |= _FS_REFER
    if abi >= 3:
        handled |= _FS_TRUNCATE
    if abi >= 5:
        handled |= _FS_IOCTL_DEV
    attr = _RulesetAttr(handled, _NET_ALL if abi >= 4 else 0, _SCOPE_ALL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = _libc.syscall(
        _landlock_syscall("create"), ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
    )
    if ruleset < 0:
        return False
    folder = _FS_FOLDER | _FS_READ_FILE | (_FS_REFER if abi >= 2 else 0)
    folder |= _FS_TRUNCATE if abi >= 3 else 0
    try:
        for path, writes in (*((p, False) for p in paths), *((p, True) for p in writable)):
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                # A rule on a file may only carry file rights (EINVAL otherwise).
                is_dir = stat.S_ISDIR(os.fstat(fd).st_mode)
                access = _FS_READ_FILE | _FS_EXECUTE | (_FS_READ_DIR if is_dir else 0)
                rule = _PathBeneath(folder if writes and is_dir else access, fd)
                _libc.syscall(
                    _landlock_syscall("add"),
                    ctypes.c_int(ruleset),
                    ctypes.c_int(_RULE_PATH_BENEATH),
                    ctypes.byref(rule),
                    ctypes.c_uint32(0),
                )
            finally:
                os.close(fd)
        if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        done = _libc.syscall(
            _landlock_syscall("restrict"), ctypes.c_int(ruleset), ctypes.c_uint32(0)
        )
        return done == 0
    finally:
        os.close(ruleset)


UNSHARE_ERRORS: list[int] = []  # errno of this process's failed unshare calls, for the probe


def unshare_user_and_net() -> bool:
    """Enter a new user and network namespace (works unprivileged; needs a single thread)."""
    if _libc.unshare(ctypes.c_int(CLONE_NEWUSER | CLONE_NEWNET)) == 0:
        return True
    UNSHARE_ERRORS.append(ctypes.get_errno())
    return False


def unshare_namespaces() -> tuple[bool, bool]:
    """New user and network namespaces, with a mount namespace when the host allows one (the
    run's folder is then a tmpfs of its own): (entered, with a mount namespace)."""
    if _libc.unshare(ctypes.c_int(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS)) == 0:
        return True, True
    return unshare_user_and_net(), False


def current_address_space() -> int:
    """Bytes of address space this process already uses (tables are mapped in it)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


def apply_rlimits(
    *, memory_mb: int, cpu_s: float, open_files: int = 256, max_file_bytes: int = 0
) -> bool:
    """Cap memory growth, CPU time, descriptors and the size of any file written; never write
    core files.

    RLIMIT_AS is relative: the zygote's mapped tables are already part of the address space.
    RLIMIT_NPROC is not used: root ignores it and for others it also counts threads (seccomp
    blocks process creation instead). RLIMIT_FSIZE caps each file in the run's folder (a
    write past it fails with EFBIG: Python ignores SIGXFSZ); it cannot stop O_TRUNC of a file
    elsewhere (Landlock does).
    """
    try:
        limit = current_address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        cpu = max(1, int(cpu_s) + 1)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, open_files))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_file_bytes, max_file_bytes))
    except (ValueError, OSError):
        return False
    return True


# Denied with EPERM (a clean PermissionError in Python) unless noted.
_DENIED: Final[tuple[str, ...]] = (
    "socket",
    "socketpair",
    "execve",
    "execveat",
    "fork",
    "vfork",
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_open",
    "pidfd_getfd",
    "pidfd_send_signal",
    "unshare",
    "setns",
    "mount",
    "umount2",
    "pivot_root",
    # the new mount API: the run's user namespace owns its mount namespace (issue 14)
    "open_tree",
    "move_mount",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "chroot",
    "bpf",
    "perf_event_open",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "io_uring_setup",
    "kexec_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "setpgid",
    "setsid",
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "personality",
    "rt_sigqueueinfo",
    "rt_tgsigqueueinfo",
)


def load_seccomp() -> Any:
    """The pyseccomp module, or None. Call it before Landlock: pyseccomp finds libseccomp
    with `ctypes.util.find_library`, which runs `ldconfig -p`, and exec is refused after
    Landlock (the probe said "missing: seccomp" when the import came last)."""
    try:
        import pyseccomp
    except (ImportError, OSError, RuntimeError):  # RuntimeError: "Unable to find libseccomp"
        return None
    return pyseccomp


def _syscall_filter(sc: Any, pid: int) -> Any:
    """Default allow; deny what lets code leave its process. Signals only to `pid` itself."""
    flt = sc.SyscallFilter(sc.ALLOW)
    for name in _DENIED:
        try:
            flt.add_rule(sc.ERRNO(errno.EPERM), name)
        except (OSError, ValueError, RuntimeError):
            continue  # not a syscall on this architecture
    # glibc's pthread_create tries clone3 first and falls back to clone on ENOSYS.
    flt.add_rule(sc.ERRNO(errno.ENOSYS), "clone3")
    # clone only for threads: a new process (no CLONE_THREAD) is refused.
    flt.add_rule(sc.ERRNO(errno.EPERM), "clone", sc.Arg(0, sc.MASKED_EQ, CLONE_THREAD, 0))
    # Any other pid, 0 (the process group) and -1 (everyone) are refused (compared unsigned,
    # so negative pids are large).
    for name in ("kill", "tgkill", "tkill"):
        flt.add_rule(sc.ERRNO(errno.EPERM), name, sc.Arg(0, sc.GT, pid))
        flt.add_rule(sc.ERRNO(errno.EPERM), name, sc.Arg(0, sc.LT, pid))
    return flt


def apply_seccomp(sc: Any) -> bool:
    """Compile and load the syscall filter in this process (the slow path: ~2-9 ms here).

    Applied last, on the only thread, so every thread started later (numpy, pyarrow, DuckDB)
    inherits it.
    """
    if sc is None:
        return False
    try:
        _syscall_filter(sc, os.getpid()).load()
    except (OSError, ValueError, RuntimeError):
        return False
    return True


# A pid no process can have (pid_max is at most 2**22): compiled into the zygote's filter and
# replaced by each child's pid, so children skip libseccomp's compile (issue #3, per-run cost).
_PID_PLACEHOLDER: Final = 0x3FF0_F0F1
_BPF_INSN: Final = struct.Struct("=HBBI")  # struct sock_filter: code, jt, jf, k
_SECCOMP_SYSCALL: Final = {"x86_64": 317, "aarch64": 277}
_SECCOMP_SET_MODE_FILTER: Final = 1


class _SockFprog(ctypes.Structure):
    _fields_ = (("len", ctypes.c_ushort), ("filter", ctypes.c_void_p))


def seccomp_program(sc: Any) -> bytes | None:
    """The filter as raw BPF with a pid placeholder, compiled once (in the zygote).

    Checked, not assumed: the placeholder program with a sample pid patched in must equal
    libseccomp's own program for that pid, else children compile their own (None).
    """
    if sc is None or platform.machine() not in _SECCOMP_SYSCALL:
        return None
    try:
        program = _exported_bpf(_syscall_filter(sc, _PID_PLACEHOLDER))
        sample = _exported_bpf(_syscall_filter(sc, 4242))
    except (OSError, ValueError, RuntimeError, AttributeError):
        return None
    if len(program) % _BPF_INSN.size or _patched(program, 4242) != sample:
        return None
    return program


def _exported_bpf(flt: Any) -> bytes:
    with os.fdopen(os.memfd_create("seccomp-bpf"), "w+b") as f:
        flt.export_bpf(f)
        f.seek(0)
        return f.read()


def _patched(program: bytes, pid: int) -> bytes:
    return b"".join(
        _BPF_INSN.pack(code, jt, jf, pid if k == _PID_PLACEHOLDER else k)
        for code, jt, jf, k in _BPF_INSN.iter_unpack(program)
    )


def load_seccomp_program(program: bytes, pid: int) -> bool:
    """Load a `seccomp_program` with `pid` patched in (what libseccomp's load does, minus
    the compile): no new privileges, then seccomp(SET_MODE_FILTER)."""
    code = _patched(program, pid)
    buf = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // _BPF_INSN.size, ctypes.addressof(buf))
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return False
    nr = _SECCOMP_SYSCALL[platform.machine()]
    done = _libc.syscall(
        ctypes.c_long(nr),
        ctypes.c_long(_SECCOMP_SET_MODE_FILTER),
        ctypes.c_long(0),
        ctypes.byref(fprog),
    )
    return done == 0
