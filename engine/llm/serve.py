"""Child process: serve one GGUF with llama.cpp's OpenAI-compatible server on 127.0.0.1.

Run by `engine.llm.local_server` as `python -m engine.llm.serve MODEL_PATH CTX THREADS`. It writes
one JSON line `{"address": "http://127.0.0.1:PORT"}` to stdout once the model is loaded, then serves
until its stdin closes, so it never outlives the process that started it. A MODEL_PATH of
`/proc/self/fd/N` is the model joined in memory (issue 16), inherited: closed once it is loaded.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Final

_INHERITED: Final = "/proc/self/fd/"


def main(argv: list[str]) -> int:
    import xllamacpp

    model_path, n_ctx, n_threads = argv[0], int(argv[1]), int(argv[2])
    params = xllamacpp.CommonParams()
    params.model.path = model_path
    params.n_ctx = n_ctx
    params.n_parallel = 1  # one slot: follow-ups reuse its KV cache for the shared prefix
    params.cache_prompt = True
    # /metrics: prompt tokens read (not cached) and tokens generated, for bench/llm_speed.py
    params.endpoint_metrics = True
    # mmap off: on this VM the kernel pages idle mapped weights out, and the next first token
    # then takes minutes instead of seconds (issue 4).
    params.load_mode = xllamacpp.llama_load_mode.LLAMA_LOAD_MODE_NONE
    params.cpuparams.n_threads = n_threads
    params.cpuparams_batch.n_threads = n_threads
    params.hostnames = ["127.0.0.1"]
    params.port = 0  # a free port, chosen by the server
    params.verbosity = 0
    params.warmup = False
    server = xllamacpp.Server(params)
    if model_path.startswith(_INHERITED):  # loaded with mmap off: the memory file can go
        os.close(int(model_path.removeprefix(_INHERITED)))
    sys.stdout.write(json.dumps({"address": server.listening_address}) + "\n")
    sys.stdout.flush()
    sys.stdin.read()  # returns at EOF: the parent exited or closed the pipe
    del server
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
