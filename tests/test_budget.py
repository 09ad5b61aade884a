"""The CPU budget per page: a worker stuck past it (even inside C, in a regular expression that
backtracks forever) is ended by the kernel and replaced; the pool goes on with the next page."""

from __future__ import annotations

import multiprocessing
import re
import time

import pytest

from checker.engine.budget import AnalysisFailed, BudgetPool, PageTimeout, WorkerDied


def stuck_in_c(n: int) -> bool:
    """Catastrophic backtracking: hours of CPU inside `re`'s C code for n around 40."""
    return re.fullmatch(r"(a+)+$", "a" * n + "!") is not None


def double(x: int) -> int:
    return 2 * x


def fail(message: str) -> None:
    raise ValueError(message)


def die() -> None:
    import os

    os._exit(3)


@pytest.fixture(params=["spawn", "fork"])
def pool(request):
    if request.param not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {request.param} start method on this platform")
    ctx = multiprocessing.get_context(request.param)
    with BudgetPool(1, page_seconds=1.0, initializer=None, mp_context=ctx) as p:
        yield p


def test_a_page_past_the_budget_times_out_and_the_worker_is_replaced(pool) -> None:
    assert pool.run(double, 21) == 42
    t0 = time.monotonic()
    with pytest.raises(PageTimeout, match="--page-seconds 1 s of CPU"):
        pool.run(stuck_in_c, 40)
    assert time.monotonic() - t0 < 10  # the kernel's limit, not the wall-clock net
    assert pool.replaced == 1
    assert pool.run(double, 5) == 10  # the fresh worker takes the next page


def test_an_exception_is_that_page_only_and_a_dead_worker_is_replaced(pool) -> None:
    with pytest.raises(AnalysisFailed, match="ValueError: bad page"):
        pool.run(fail, "bad page")
    assert pool.replaced == 0 and pool.run(double, 1) == 2
    with pytest.raises(WorkerDied, match="exit code 3"):
        pool.run(die)
    assert pool.replaced == 1 and pool.run(double, 2) == 4


def test_budget_must_be_positive() -> None:
    with pytest.raises(ValueError):
        BudgetPool(1, page_seconds=0)
