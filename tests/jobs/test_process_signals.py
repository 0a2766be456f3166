"""`scheduler.process_signals`: SIGTERM and SIGINT reach the stop on a thread of its own.

Each case runs in a child interpreter: signal handlers set in pytest's process would stay there.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

import pytest

PRELUDE = """
import os, signal, threading, time
from scheduler import process_signals
stopped = threading.Event()
calls = []
def stop():
    calls.append(threading.current_thread().name)
    stopped.set()
"""


def run(body: str) -> subprocess.CompletedProcess[str]:
    script = PRELUDE + textwrap.dedent(body)
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_sent_before_the_process_listens_waits_for_it(number: int) -> None:
    # Sent after install() but before listen(): by default, SIGTERM would kill the child
    # (exit -15) and SIGINT raise KeyboardInterrupt in the main thread.
    result = run(
        f"""
        process_signals.install()
        os.kill(os.getpid(), {int(number)})
        time.sleep(0.2)
        assert not stopped.is_set()
        process_signals.listen(stop)
        assert stopped.wait(10), "stop was not called"
        print(calls)
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['stop-signals']"


def test_a_signal_the_kernel_gives_another_thread_reaches_the_stop_and_each_calls_it() -> None:
    # numpy starts a native thread at import (OpenBLAS's), before any code of ours can set a
    # signal mask, so the kernel may give SIGTERM to it; the wakeup byte is written all the same.
    result = run(
        """
        process_signals.listen(stop)
        idle = threading.Event()
        other = threading.Thread(target=idle.wait)
        other.start()
        for _ in range(2):
            stopped.clear()
            signal.pthread_kill(other.ident, signal.SIGTERM)
            assert stopped.wait(10), "stop was not called"
        idle.set()
        print(len(calls))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2"


def test_a_failing_stop_is_logged_and_the_next_signal_still_reaches_it() -> None:
    result = run(
        """
        import logging
        logging.basicConfig(level=logging.INFO)
        attempts = []
        def flaky():
            attempts.append(1)
            if len(attempts) == 1:
                raise RuntimeError("first stop fails")
            stopped.set()
        process_signals.listen(flaky)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)
        assert stopped.wait(10), "the second signal did not reach stop"
        """
    )
    assert result.returncode == 0, result.stderr
    assert "stopping on SIGTERM failed" in result.stderr
    assert "RuntimeError: first stop fails" in result.stderr


def test_the_listening_thread_ends_if_its_socket_is_closed() -> None:
    # Rather than spin on an empty read for the rest of the process.
    result = run(
        """
        thread = process_signals.listen(stop)
        process_signals._wakeup[1].close()
        thread.join(10)
        assert not thread.is_alive()
        """
    )
    assert result.returncode == 0, result.stderr
