"""Warm-up shared by the peer workers (torch_bench.py, opencv_bench.py).

A module of its own so that the OpenCV worker can use it without importing
torch (see opencv_bench.py).
"""

import time

# Warm-up time of every side (netc bench's kWarmupMs): on a 2-core VM a small
# network's calls run slow for their first 10-20 ms.
WARMUP_S = 0.1


def warm_up(call, budget_s):
    """Calls `call` 3 times, or 2 if a call takes over budget_s / 10, and more
    until WARMUP_S has passed."""
    begin = time.perf_counter()
    calls = 0
    while True:
        start = time.perf_counter()
        call()
        calls += 1
        now = time.perf_counter()
        if calls >= 2 and now - start > budget_s / 10:
            return
        if calls >= 3 and now - begin >= WARMUP_S:
            return
