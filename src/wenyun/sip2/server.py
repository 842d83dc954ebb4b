"""The SIP2 listener: asyncio, one connection per kiosk, messages ending in CR.

Each complete message goes to `Session.respond`, a sync function run in a worker thread after stale
database connections are closed; the loop itself never touches the database.

Which thread: on SQLite every message runs on ONE database thread. SQLite takes one writer at a time
anyway, so a pool of threads each with its own connection only added lock waits and the GIL passed
back and forth between them (200 kiosks flat out: p99 1.6 s with eight threads). On PostgreSQL,
which serves writers side by side, a small pool. Messages that hash a secret (a login's password, a
reader's PIN not yet accepted in this session) go to a pool of their own: PBKDF2 releases the GIL,
so a kiosk logging in costs the others nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

from .session import Reply, Session

logger = logging.getLogger("wenyun.sip2")


@dataclass(frozen=True)
class Limits:
    max_message_bytes: int = 8192  # a request is a few hundred bytes; anything this big is not a kiosk
    idle_seconds: float = 1800.0  # a kiosk that says nothing for this long is disconnected
    message_seconds: float = 30.0  # once a message has begun, the rest must come within this


def limits_from_settings() -> Limits:
    return Limits(
        max_message_bytes=settings.SIP2_MAX_MESSAGE_BYTES,
        idle_seconds=float(settings.SIP2_IDLE_TIMEOUT),
        message_seconds=float(settings.SIP2_MESSAGE_TIMEOUT),
    )


def tls_context(cert: str, key: str) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certfile=cert, keyfile=key)
    return context


def close_stale_connections() -> None:
    """Close this worker thread's database connections that broke or outlived CONN_MAX_AGE.

    Unlike a web request, a kiosk message is not followed by closing the connection: each worker
    thread keeps its own, so a message does not pay for reconnecting. An SQLite file has no server
    to time out, so its connection is kept until it fails (CONN_MAX_AGE=0 there means "per request").
    """
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        if conn.vendor == "sqlite":
            if conn.errors_occurred and not conn.is_usable():
                conn.close()
        else:
            conn.close_if_unusable_or_obsolete()


_thread = threading.local()


def _sqlite_checkpoints_apart() -> None:
    """On SQLite, this thread's connection leaves WAL checkpoints to the server's checkpointer.

    A commit that crosses SQLite's auto-checkpoint mark (1000 pages, about every hundredth check-out)
    copies the log back into the database file before it returns: 3-8 ms on this machine, the slowest
    1% of kiosk answers. `Sip2Server` checkpoints once a second from another thread instead (PASSIVE:
    it waits for no reader or writer)."""
    conn = connections["default"]
    if conn.vendor != "sqlite":
        return
    conn.ensure_connection()
    if getattr(_thread, "configured", None) is not conn.connection:
        with conn.cursor() as cursor:
            cursor.execute("PRAGMA wal_autocheckpoint=0")
        _thread.configured = conn.connection


def _respond(session: Session, raw: bytes) -> Reply:
    close_stale_connections()
    _sqlite_checkpoints_apart()
    try:
        return session.respond(raw)
    except Exception:
        # A bug must cost this kiosk its connection, never the server.
        logger.exception("SIP2 %s: the message could not be answered; closing", session.peer)
        return Reply(None, close=True)


def _checkpoint() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")


def _close_thread_connections(barrier: threading.Barrier) -> None:
    connections.close_all()
    # Hold this worker until every worker has closed its own, so each thread gets one of these calls.
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait(timeout=5)


def default_workers() -> int:
    """Database threads: one on SQLite (one writer at a time anyway), a few on PostgreSQL."""
    return 1 if connections["default"].vendor == "sqlite" else 4


# Threads for the messages that hash a password or PIN (PBKDF2 runs outside the GIL), and the checkpoints.
HASHING_WORKERS = 2
CHECKPOINT_SECONDS = 1.0


class Sip2Server:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 6001,
        limits: Limits | None = None,
        ssl_context: ssl.SSLContext | None = None,
        encoding: str = "utf-8",
        workers: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.limits = limits or Limits()
        self.ssl_context = ssl_context
        self.encoding = encoding
        # The threads that run the sync handlers; each keeps its own database connection.
        self.workers = workers or default_workers()
        self.executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="sip2")
        self.hashing = ThreadPoolExecutor(max_workers=HASHING_WORKERS, thread_name_prefix="sip2-hash")
        self.connections = 0
        self._server: asyncio.AbstractServer | None = None
        self._checkpointer: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(
            self._connection,
            self.host,
            self.port,
            ssl=self.ssl_context,
            limit=self.limits.max_message_bytes * 2,
        )
        sock = self._server.sockets[0]
        self.port = sock.getsockname()[1]
        if connections["default"].vendor == "sqlite":
            self._checkpointer = asyncio.create_task(self._checkpoints())

    async def _checkpoints(self) -> None:
        """Copy the SQLite write-ahead log back into the database file once a second, on a hashing
        thread, so no kiosk's commit waits for it (see _sqlite_checkpoints_apart)."""
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(CHECKPOINT_SECONDS)
            try:
                await loop.run_in_executor(self.hashing, _checkpoint)
            except Exception:
                logger.exception("SIP2: the WAL checkpoint failed; trying again in a second")

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        """Stop listening and end every open connection."""
        if self._server is not None:
            self._server.close()
        if self._checkpointer is not None:
            self._checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checkpointer
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
        loop = asyncio.get_running_loop()
        for executor, size in ((self.executor, self.workers), (self.hashing, HASHING_WORKERS)):
            barrier = threading.Barrier(size)
            await asyncio.gather(
                *(loop.run_in_executor(executor, _close_thread_connections, barrier) for _ in range(size))
            )
            executor.shutdown(wait=True)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peername = writer.get_extra_info("peername")
        peer = f"{peername[0]}:{peername[1]}" if peername else "?"
        session = Session(peer=peer.rsplit(":", 1)[0] if peername else None, default_encoding=self.encoding)
        self.connections += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        buffer = bytearray()
        limits = self.limits
        loop = asyncio.get_running_loop()
        try:
            while True:
                end = buffer.find(b"\r")
                if end >= 0:
                    raw = bytes(buffer[: end + 1])
                    del buffer[: end + 1]
                    if not raw.strip(b"\r\n"):
                        continue  # a bare CR or CRLF between messages
                    if len(raw) > limits.max_message_bytes:
                        logger.warning("SIP2 %s sent a message of %d bytes; closing", peer, len(raw))
                        return
                    executor = self.hashing if session.hashes(raw) else self.executor
                    reply = await loop.run_in_executor(executor, _respond, session, raw)
                    if reply.delay:
                        await asyncio.sleep(reply.delay)
                    if reply.data is not None:
                        writer.write(reply.data)
                        await writer.drain()
                    if reply.close:
                        return
                    continue
                if len(buffer) > limits.max_message_bytes:
                    logger.warning("SIP2 %s sent %d bytes without a CR; closing", peer, len(buffer))
                    return
                waiting_for_more = bool(buffer.strip(b"\n"))
                timeout = limits.message_seconds if waiting_for_more else limits.idle_seconds
                try:
                    chunk = await asyncio.wait_for(reader.read(4096), timeout)
                except TimeoutError:
                    logger.info(
                        "SIP2 %s: %s; closing", peer, "message never ended" if waiting_for_more else "idle"
                    )
                    return
                if not chunk:
                    return
                buffer += chunk
        except (ConnectionError, ssl.SSLError, OSError) as exc:
            logger.info("SIP2 %s: connection lost: %s", peer, exc)
        finally:
            self.connections -= 1
            if task is not None:
                self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError, ssl.SSLError, OSError):
                await writer.wait_closed()


class ThreadedServer:
    """The server on its own event loop in a background thread: for tests and the benchmark."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("port", 0)
        self.server = Sip2Server(**kwargs)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.server.start())
        self._ready.set()
        self.loop.run_forever()
        self.loop.close()

    @property
    def port(self) -> int:
        return self.server.port

    def __enter__(self) -> ThreadedServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the SIP2 server did not start within 10 seconds")
        return self

    def __exit__(self, *exc) -> None:
        closing = asyncio.run_coroutine_threadsafe(self.server.close(), self.loop)
        with contextlib.suppress(Exception):
            closing.result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
