"""The ClamAV client (dossiers/scanning.py): the INSTREAM protocol as clamd speaks it, and every way of getting no
verdict (unset, refused, silent, an error answer) being `ScannerUnavailable`, quickly."""

import io
import socket
import struct
import threading
import time

import pytest

from dossiers.scanning import ScannerUnavailable, Verdict, scan_stream, scanner_ping

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class FakeClamd:
    """One-connection-at-a-time clamd stand-in: records the command and the chunks, answers `reply`."""

    def __init__(self, reply: bytes | None):
        self.reply = reply
        self.command = b""
        self.chunks: list[bytes] = []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.address = f"tcp://127.0.0.1:{self.server.getsockname()[1]}"
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _read(self, conn, count: int) -> bytes:
        data = b""
        while len(data) < count:
            part = conn.recv(count - len(data))
            if not part:
                break
            data += part
        return data

    def _serve(self):
        conn, _ = self.server.accept()
        with conn:
            while not self.command.endswith(b"\0"):
                self.command += conn.recv(1)
            if self.command == b"zINSTREAM\0":
                while True:
                    size = struct.unpack("!L", self._read(conn, 4))[0]
                    if size == 0:
                        break
                    self.chunks.append(self._read(conn, size))
            if self.reply is None:
                time.sleep(2)  # silent: the client's timeout must end the wait
            else:
                conn.sendall(self.reply)

    def close(self):
        self.server.close()
        self.thread.join(timeout=3)


@pytest.fixture
def fake():
    servers = []

    def make(reply):
        server = FakeClamd(reply)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def test_the_bytes_go_in_length_prefixed_chunks_and_ok_is_clean(fake):
    server = fake(b"stream: OK\0")
    data = bytes(range(256)) * 600  # more than one 64 KB chunk
    stream = io.BytesIO(data)
    stream.seek(100)

    verdict = scan_stream(stream, address=server.address, timeout=2)

    assert verdict == Verdict(clean=True)
    assert server.command == b"zINSTREAM\0"
    assert b"".join(server.chunks) == data
    assert len(server.chunks) == 3
    assert stream.tell() == 0


def test_found_names_the_signature(fake):
    server = fake(b"stream: Eicar-Test-Signature.UNOFFICIAL FOUND\0")

    verdict = scan_stream(io.BytesIO(EICAR), address=server.address, timeout=2)

    assert verdict == Verdict(clean=False, signature="Eicar-Test-Signature.UNOFFICIAL")


@pytest.mark.parametrize("reply", [b"INSTREAM size limit exceeded. ERROR\0", b"", b"stream: what\0"])
def test_an_error_or_strange_answer_is_no_verdict(fake, reply):
    server = fake(reply)

    with pytest.raises(ScannerUnavailable):
        scan_stream(io.BytesIO(b"%PDF-1.4"), address=server.address, timeout=2)


def test_a_silent_daemon_times_out(fake):
    server = fake(None)
    started = time.monotonic()

    with pytest.raises(ScannerUnavailable):
        scan_stream(io.BytesIO(b"%PDF-1.4"), address=server.address, timeout=0.3)

    assert time.monotonic() - started < 1.5


def test_a_closed_port_an_unset_address_or_a_bad_scheme_is_no_verdict():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    for address in (f"tcp://127.0.0.1:{port}", "", "http://127.0.0.1:3310", "unix:///nonexistent/clamd.ctl"):
        with pytest.raises(ScannerUnavailable):
            scan_stream(io.BytesIO(b"x"), address=address, timeout=1)
        assert scanner_ping(address=address, timeout=1) is False


def test_the_real_daemon_answers(clamav):
    assert scanner_ping(address=clamav)
    assert scan_stream(io.BytesIO(b"%PDF-1.4 clean"), address=clamav).clean
    found = scan_stream(io.BytesIO(EICAR), address=clamav)
    assert not found.clean
    assert found.signature.startswith("Eicar-Test-Signature")
