"""`goldstar serve` is safe to leave running: it answers only requests meant
for it (DNS rebinding), drops clients that are too slow or too many, keeps
serving the last good site through any bad save or watcher error, and says
what is wrong with a port or an address instead of a traceback."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from kit import SMALL_SITE, run, write_site

from generator import serve
from generator.cli import main
from generator.preview import Session
from generator.serve import SiteState, Watcher, bind, host_allowed
from generator.site import BuildOptions

AS_OF = dt.date(2026, 3, 31)


# ------------------------------------------------------------------ Host
@pytest.mark.parametrize("host", [
    None, "localhost", "localhost:8000", "LocalHost:8000", "localhost.", "blog.localhost:8000",
    "127.0.0.1", "127.0.0.1:8000", "127.8.9.10:8000", "[::1]:8000", "[::1]"])
def test_loopback_names_are_answered(host: str | None) -> None:
    assert host_allowed(host, "127.0.0.1")


@pytest.mark.parametrize("host", [
    "evil.example", "evil.example:8000", "localhost.evil.example", "127.0.0.1.evil.example",
    "192.168.1.20:8000", "[::1", "[::1]x", "localhost:80:80", "localhost:http", "",
    "10.0.0.1"])
def test_other_names_are_refused(host: str) -> None:
    assert not host_allowed(host, "127.0.0.1")


def test_the_address_asked_for_is_answered() -> None:
    assert host_allowed("mybox.lan:8000", "mybox.lan")
    assert host_allowed("192.168.1.20:8000", "192.168.1.20")
    assert not host_allowed("evil.example:8000", "mybox.lan")


def test_listening_everywhere_answers_this_computers_addresses_not_other_names() -> None:
    assert host_allowed("192.168.1.20:8000", "0.0.0.0")
    assert host_allowed("[fe80::1]:8000", "::")
    assert host_allowed(socket.gethostname() + ":8000", "0.0.0.0")
    assert not host_allowed("evil.example:8000", "0.0.0.0")


@contextlib.contextmanager
def serving(files: dict[str, bytes] | None = None) -> Iterator[int]:
    state = SiteState()
    state.publish(files if files is not None else {
        "index.html": b"<!doctype html><title>t</title><body>home</body>"}, [])
    server = bind("127.0.0.1", 0, state)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        state.close()
        server.shutdown()
        server.server_close()
        thread.join(5)


def exchange(port: int, request: bytes, timeout: float = 5) -> bytes:
    """Send raw bytes, read until the server closes or the answer is complete."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data or not _complete(data):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def _complete(data: bytes) -> bool:
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return True


def test_a_request_for_another_host_is_refused_over_a_real_socket() -> None:
    with serving() as port:
        refused = exchange(port, b"GET / HTTP/1.1\r\nHost: evil.example:%d\r\n\r\n" % port)
        events = exchange(port, b"GET /__goldstar/events HTTP/1.1\r\nHost: evil.example\r\n\r\n")
        allowed = exchange(port, b"GET / HTTP/1.1\r\nHost: localhost:%d\r\n\r\n" % port)
    assert refused.startswith(b"HTTP/1.1 403 ") and b"home" not in refused
    assert b"answers only to its own address" in refused
    assert events.startswith(b"HTTP/1.1 403 ")
    assert allowed.startswith(b"HTTP/1.1 200 ") and b"home" in allowed


# ------------------------------------------------------------------ slow and many clients
@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(serve, "REQUEST_SECONDS", 0.5)
    return 0.5


def closed_within(sock: socket.socket, seconds: float, drip: bytes = b"") -> float:
    """Seconds until the server closes sock (sending `drip` a byte at a time meanwhile)."""
    started = time.monotonic()
    sock.settimeout(0.1)
    while time.monotonic() - started < seconds:
        if drip:
            with contextlib.suppress(OSError):
                sock.send(drip[:1])
            drip = drip[1:] or b"X"
        try:
            if sock.recv(65536) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except ConnectionResetError:
            return time.monotonic() - started
    pytest.fail(f"the server kept the connection open for {seconds} s")


def test_a_half_sent_request_is_dropped_after_the_deadline(short_deadline: float) -> None:
    with serving() as port, socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n")  # no blank line: never ends
        assert closed_within(sock, 10) < short_deadline + 2


def test_a_request_sent_a_byte_at_a_time_is_dropped_after_the_deadline(
        short_deadline: float) -> None:
    """Each byte arrives within any per-read timeout: only a deadline for the
    whole request stops it."""
    with serving() as port, socket.create_connection(("127.0.0.1", port)) as sock:
        assert closed_within(sock, 10, drip=b"GET / HTTP/1.1\r\nX-Slow: ") < short_deadline + 2


def test_an_idle_kept_alive_connection_is_closed(short_deadline: float) -> None:
    with serving() as port, socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        time.sleep(0.2)
        assert sock.recv(65536).startswith(b"HTTP/1.1 200 ")
        assert closed_within(sock, 10) < short_deadline + 2


def test_slow_clients_leave_no_thread_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "REQUEST_SECONDS", 2.0)
    with serving() as port:
        before = threading.active_count()
        sockets = [socket.create_connection(("127.0.0.1", port)) for _ in range(20)]
        for sock in sockets:
            sock.sendall(b"GET / HTTP/1.1\r\n")
        deadline = time.monotonic() + 5
        while threading.active_count() < before + 20 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert threading.active_count() >= before + 20  # a thread each, waiting
        deadline = time.monotonic() + 15
        while threading.active_count() > before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threading.active_count() <= before
        for sock in sockets:
            sock.close()


def test_connections_beyond_the_limit_are_closed_at_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve, "MAX_CONNECTIONS", 3)
    with serving() as port:
        held = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", port)) as extra:
            assert closed_within(extra, 5) < 2
        for sock in held:
            sock.close()
        time.sleep(0.3)
        answer = exchange(port, b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200 ")


# ------------------------------------------------------------------ ports and addresses
@pytest.mark.parametrize("port", ["99999", "-1", "65536", "http"])
def test_a_port_out_of_range_is_a_usage_error_saying_the_range(
        port: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", port])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f'argument --port: "{port}" is not a port; use a number from 1 to 65535' in err
    assert "Traceback" not in err


def test_an_address_of_another_computer_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    site = write_site(tmp_path, SMALL_SITE)
    result = run("serve", "--site", site, "--host", "192.0.2.1", "--port", "0")
    assert result.code == 1
    assert result.err.strip() == ("goldstar serve: cannot listen on 192.0.2.1 port 0: that is "
                                  "not an address of this computer; try --host 127.0.0.1")


def test_the_last_port_taken_is_an_error_saying_so_not_a_crash() -> None:
    """The next ports to try would pass 65535 (an OverflowError from socket before)."""
    with socket.socket() as taken:
        with contextlib.suppress(OSError):  # already taken by another program: as good
            taken.bind(("127.0.0.1", 65535))
            taken.listen()
        with pytest.raises(OSError, match="ports 65535 to 65535 are all in use"):
            bind("127.0.0.1", 65535, SiteState())


# ------------------------------------------------------------------ the watcher
class Watching:
    """Watcher.run() in a thread over a small site; waits for what it publishes."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.state = SiteState()
        self.watcher = Watcher(Session(BuildOptions(site_dir=site, as_of=AS_OF,
                                                    use_cache=False)), self.state)
        self.watcher.rebuild(None)
        self.thread = threading.Thread(target=self.watcher.run, daemon=True)

    def __enter__(self) -> Watching:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.watcher.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "the watcher did not stop"

    def save_until(self, path: Path, text: str, condition: Callable[[], bool],
                   what: str, timeout: float = 20) -> None:
        """Write path (again every second) until condition holds."""
        deadline = time.monotonic() + timeout
        next_save = 0.0
        while not condition():
            if time.monotonic() > deadline:
                pytest.fail(f"timed out waiting for {what}")
            if time.monotonic() > next_save:
                path.write_text(text, encoding="utf-8")
                next_save = time.monotonic() + 1
            time.sleep(0.05)

    def page(self, path: str) -> bytes:
        return self.state.files.get(path, b"")


def story(text: str) -> str:
    return f"---\ntitle: Asked for a raise\ndate: 2026-03-02\noutcome: yes\n---\n{text}\n"


def warm_up(watching: Watching, attempts: Path) -> None:
    """Wait until a save is built: the watcher runs."""
    page = "attempts/2026-03-02-raise/index.html"
    watching.save_until(attempts / "2026-03-02-raise.md", story("Warm up."),
                        lambda: b"Warm up." in watching.page(page), "the watcher")


def test_a_file_name_that_is_not_utf8_does_not_stop_the_watcher(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path, SMALL_SITE)
    raise_page = "attempts/2026-03-02-raise/index.html"
    attempts = site / "content" / "attempts"
    with Watching(site) as watching:
        warm_up(watching, attempts)
        bad = os.fsencode(attempts) + b"/bad-\xff-name.md"
        with open(bad, "w", encoding="utf-8") as f:
            f.write(story("bad name"))
        time.sleep(2)
        watching.save_until(attempts / "2026-03-02-raise.md", story("Still watching."),
                            lambda: b"Still watching." in watching.page(raise_page),
                            "a save after the bad name to be built")
    assert "Traceback" not in capsys.readouterr().err


def test_a_fifo_saved_into_content_does_not_freeze_rebuilds(tmp_path: Path) -> None:
    site = write_site(tmp_path, SMALL_SITE)
    raise_page = "attempts/2026-03-02-raise/index.html"
    attempts = site / "content" / "attempts"
    with Watching(site) as watching:
        warm_up(watching, attempts)
        os.mkfifo(attempts / "2026-03-05-pipe.md")
        (attempts / "2026-03-01-refill.md").unlink()
        os.mkfifo(attempts / "2026-03-01-refill.md")  # a FIFO where an attempt was
        watching.save_until(attempts / "2026-03-02-raise.md", story("After the pipes."),
                            lambda: b"After the pipes." in watching.page(raise_page),
                            "a save after the FIFOs to be built")


def test_an_unexpected_error_in_a_rebuild_keeps_the_last_good_site(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    site = write_site(tmp_path, SMALL_SITE)
    state = SiteState()
    watcher = Watcher(Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False)), state)
    watcher.rebuild(None)
    good = dict(state.files)

    def broken(self: Session, changed: set[Path] | None = None) -> None:
        raise RuntimeError("a bug")

    with monkeypatch.context() as patch:
        patch.setattr(Session, "build", broken)
        watcher.rebuild({site / "content" / "attempts" / "2026-03-02-raise.md"})
    # (Cards are drawn when first asked for, so compare the pages and the names.)
    assert set(state.files) == set(good)
    assert all(state.files[k] == good[k] for k in good if k.endswith(".html"))
    assert [p.message for p in state.problems] == [
        "the rebuild stopped on an unexpected error (RuntimeError: a bug)"]
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected error (RuntimeError: a bug)" in err
    (site / "content" / "attempts" / "2026-03-02-raise.md").write_text(story("Fixed."))
    watcher.rebuild({site / "content" / "attempts" / "2026-03-02-raise.md"})
    assert state.problems == []
    assert b"Fixed." in state.files["attempts/2026-03-02-raise/index.html"]


def test_a_watcher_that_fails_is_started_again_with_a_full_rebuild(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import watchfiles

    site = write_site(tmp_path, SMALL_SITE)
    state = SiteState()
    watcher = Watcher(Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False)), state)
    calls: list[set[Path] | None] = []
    runs = [0]

    def failing_watch(*paths: object, **kwargs: object) -> Iterator[set[object]]:
        runs[0] += 1
        if runs[0] == 1:
            raise RuntimeError("Unable to decode path")
        watcher.stop.set()
        return iter(())

    monkeypatch.setattr(watchfiles, "watch", failing_watch)
    monkeypatch.setattr(watcher, "rebuild", calls.append)
    watcher.run()
    assert runs[0] == 2 and calls == [None]
    assert "The file watcher stopped (Unable to decode path); starting it again." in \
        capsys.readouterr().err


def test_a_fifo_in_the_themes_static_folder_blocks_neither_serve_nor_build(
        tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    from kit import REPO

    site = write_site(tmp_path, SMALL_SITE)
    shutil.copytree(REPO / "themes" / "default", site / "themes" / "default")
    os.mkfifo(site / "themes" / "default" / "static" / "pipe.css")
    built: list[object] = []
    thread = threading.Thread(target=lambda: built.append(
        Session(BuildOptions(site_dir=site, as_of=AS_OF, use_cache=False)).build()), daemon=True)
    thread.start()
    thread.join(30)
    assert built, "serve's build hung on the FIFO"
    done = subprocess.run([sys.executable, "-m", "generator", "build", "--site", str(site),
                           "--as-of", "2026-03-31"], cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert not (site / "public" / "static" / "pipe.css").exists()
