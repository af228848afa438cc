"""coretel-demo under hostile TCP senders on loopback: fairness, descriptor exhaustion, idle and
over-cap connections, and what is still in the sockets at shutdown.

Every test starts its own demo, talks to it over 127.0.0.1 only, stops every thread it starts,
and is bounded in time (a few seconds each).
"""
import os
import resource
import select
import signal
import socket
import threading
import time
import unittest

from demo_harness import Demo, sum_samples, wait_until

MESSAGES = "syslog_receiver_messages_total"
ERRORS = "syslog_receiver_parse_errors_total"
REFUSED = "syslog_receiver_connections_refused_total"
CLOSED = "syslog_receiver_connections_closed_total"
ACCEPTED = "syslog_receiver_connections_accepted_total"
OPEN = "syslog_receiver_connections_open"
SNAPSHOTS = "coretel_reporter_snapshots_total"

RECORD = b"<13>Nov 22 03:58:27 blaster blast: " + b"x" * 60 + b"\n"  # user.notice, LF framing
CHUNK = RECORD * ((1 << 20) // len(RECORD))  # ~1 MiB of whole records
# A blaster stops by itself after this long, whatever happens. Above the fairness test's worst
# case (up to 5 s to hand over 8 MiB on a loaded machine, 3 s for the UDP records, 1 s of
# sampling), so that the blast is still on when that test checks it.
BLAST_CAP_S = 20.0


def pinned_to_one_cpu():
    cpu = min(os.sched_getaffinity(0))
    return lambda: os.sched_setaffinity(0, {cpu})


class Blaster(threading.Thread):
    """One TCP connection sending whole records as fast as the receiver takes them, until stop(),
    the server's FIN, or BLAST_CAP_S. Counts the records it handed to the kernel."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.records = 0
        self.bytes = 0
        self.error = None
        self.fin = threading.Event()
        self._halt = threading.Event()

    def run(self):
        reader = threading.Thread(target=self._read, daemon=True)
        reader.start()
        deadline = time.monotonic() + BLAST_CAP_S
        try:
            while not self._halt.is_set() and not self.fin.is_set() and time.monotonic() < deadline:
                self.sock.sendall(CHUNK)
                self.records += CHUNK.count(b"\n")
                self.bytes += len(CHUNK)
        except OSError as e:  # a reset, or a send blocked for 5 s
            self.error = e
        finally:
            try:
                self.sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            reader.join(timeout=10)
            self.sock.close()

    def _read(self):
        try:
            while True:
                if self.sock.recv(4096) == b"":
                    self.fin.set()
                    return
        except OSError as e:
            if self.error is None:
                self.error = e

    def stop(self):
        self._halt.set()
        self.join(timeout=15)


def worker_snapshots(samples):
    """Snapshots sent by the workers' reporters (those with a CPU), not the admin's or collector's."""
    return sum(v for n, l, v in samples if n == SNAPSHOTS and "otel_scope_cpu_logical_number" in l)


def refused(samples, reason):
    return sum_samples(samples, REFUSED, syslog_connection_refusal_reason=reason)


def closed(samples, reason):
    return sum_samples(samples, CLOSED, syslog_connection_close_reason=reason)


def got_eof(sock, timeout=0.0):
    """True when the server closed `sock` (FIN) within `timeout`; False while it stays open."""
    readable, _, _ = select.select([sock], [], [], timeout)
    if not readable:
        return False
    return sock.recv(1) == b""


class Fairness(unittest.TestCase):
    """One TCP sender blasting at a one-core demo does not starve UDP or the reporter."""

    def test_udp_and_reporter_are_served_during_a_tcp_blast(self):
        demo = Demo("--report-interval-ms", "100", cores=1, preexec_fn=pinned_to_one_cpu())
        blaster = Blaster(demo.port)
        try:
            blaster.start()
            # The blast is on: 8 MiB handed over, far more than the socket buffers hold.
            wait_until(lambda: blaster.bytes >= 8 * len(CHUNK), timeout=5, what="8 MiB blasted")
            before = demo.metrics()
            tcp_before = sum_samples(before, MESSAGES, otel_scope_network_transport="tcp")
            snapshots = [worker_snapshots(before)]

            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                for i in range(50):
                    udp.sendto(b"<12>Nov 22 03:58:27 host udp: during the blast %d" % i,
                               ("127.0.0.1", demo.port))

            def udp_warnings():
                samples = demo.metrics()
                snapshots.append(worker_snapshots(samples))
                return sum_samples(samples, MESSAGES, otel_scope_network_transport="udp",
                                   syslog_severity="warning") == 50
            wait_until(udp_warnings, timeout=3, interval=0.1, what="50 UDP records during the blast")
            # The reporter keeps its 100 ms cadence: sample its snapshot count for 1 s more.
            end = time.monotonic() + 1.0
            while time.monotonic() < end:
                snapshots.append(worker_snapshots(demo.metrics()))
                time.sleep(0.1)  # the sampling period, not a wait for an event
            after = demo.metrics()
            self.assertTrue(blaster.is_alive(), "the blast ended early")  # all of this DURING it
            self.assertIsNone(blaster.error)
        finally:
            blaster.stop()
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual(sum_samples(after, ERRORS), 0)
        self.assertGreater(sum_samples(after, MESSAGES, otel_scope_network_transport="tcp"), tcp_before)
        advances = sum(1 for a, b in zip(snapshots, snapshots[1:]) if b > a)
        self.assertGreaterEqual(advances, len(snapshots) // 2,
                                f"the reporter stalled during the blast: snapshots {snapshots}")


class DescriptorExhaustion(unittest.TestCase):
    """accept4() failing with EMFILE refuses the connection (counted) and does not spin."""

    LIMIT = 64

    def test_refuses_without_spinning(self):
        limit = self.LIMIT
        demo = Demo("--idle-timeout-ms", "0", cores=1,
                    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit)))
        clients = []
        try:
            # The readiness probe's connection may still be open on the demo's side: its
            # descriptor, closed later, would free a slot during the measurement window.
            wait_until(lambda: demo.admin_connections() == 0, timeout=5,
                       what="the demo's admin connections closed")
            free = limit - demo.open_fds()
            self.assertGreater(free, 10)
            for _ in range(free + 10):  # the last ones cannot get a descriptor
                clients.append(socket.create_connection(("127.0.0.1", demo.port), timeout=5))
            # Every client beyond the limit is closed by the server (FIN).
            wait_until(lambda: sum(got_eof(c) for c in clients if c.fileno() >= 0) >= 1,
                       timeout=5, what="a refusal")
            # CPU over 2 s while the process is at its descriptor limit, with a new connection
            # attempt every 200 ms, each of which must be refused too.
            cpu_before = demo.cpu_seconds()
            late = []
            for _ in range(10):
                late.append(socket.create_connection(("127.0.0.1", demo.port), timeout=5))
                time.sleep(0.2)  # the measurement window, not a wait for an event
            cpu = demo.cpu_seconds() - cpu_before
            clients += late
            wait_until(lambda: all(got_eof(c) for c in late), timeout=2,
                       what="every attempt at the limit refused")
            eof = 0
            for c in clients:
                eof += 1 if got_eof(c) else 0
                c.close()  # frees the demo's descriptors: the admin endpoint can answer again
            total = len(clients)
            counted = wait_until(
                lambda: (lambda s: (sum_samples(s, ACCEPTED), refused(s, "descriptor_limit"))
                         if sum_samples(s, ACCEPTED) + refused(s, "descriptor_limit") == total
                         and sum_samples(s, OPEN) == 0 else None)(demo.metrics()),
                timeout=5, what=f"{total} connections accepted or refused, none open")
        finally:
            for c in clients:
                c.close()
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        accepted, refused_count = counted
        self.assertLess(cpu, 0.3, f"{cpu:.2f} s of CPU in 2 s at the descriptor limit")
        self.assertGreaterEqual(eof, 11)  # at least 1 before the window, 10 during it
        self.assertEqual(refused_count, eof)  # every refusal counted, and only those
        self.assertEqual(accepted, total - eof)


class ConnectionEnds(unittest.TestCase):
    def test_oversize_octet_count_closes_the_connection(self):
        demo = Demo(cores=1)
        try:
            before = b"<13>1 2026-11-22T03:58:27Z host app - - - before"
            after = b"<13>1 2026-11-22T03:58:27Z host app - - - after"
            with socket.create_connection(("127.0.0.1", demo.port), timeout=5) as s:
                # One valid frame, a count of 999999 (over the 64 KiB limit), then valid frames
                # that the count would swallow if it were trusted.
                s.sendall(b"%d %s999999 " % (len(before), before)
                          + b"%d %s" % (len(after), after) * 100)
                try:
                    ended = got_eof(s, timeout=5)
                except ConnectionResetError:
                    ended = True  # unread bytes at close: a reset is an end too
                self.assertTrue(ended, "the connection is still open")
            wait_until(lambda: closed(demo.metrics(), "frame_too_long") == 1,
                       what="the close counted as frame_too_long")
            samples = demo.metrics()
            self.assertEqual(sum_samples(samples, ERRORS, error_type="message_too_long"), 1)
            self.assertEqual(sum_samples(samples, ERRORS), 1)
            self.assertEqual(sum_samples(samples, MESSAGES), 1)  # "before"
            self.assertEqual(sum_samples(samples, CLOSED), 1)
        finally:
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)

    def test_idle_connection_is_closed_after_the_timeout(self):
        demo = Demo("--idle-timeout-ms", "500", cores=1)
        try:
            with socket.create_connection(("127.0.0.1", demo.port), timeout=5) as idle, \
                    socket.create_connection(("127.0.0.1", demo.port), timeout=5) as busy:
                idle.sendall(b"<13>Nov 22 03:58:27 host idle: then nothing\n")
                last_sent = time.monotonic()
                # The busy connection sends every 100 ms for 1.2 s: never idle for 500 ms.
                idle_closed_after = None
                for i in range(12):
                    busy.sendall(b"<13>Nov 22 03:58:27 host busy: %d\n" % i)
                    busy_last = time.monotonic()
                    self.assertFalse(got_eof(busy, timeout=0.1), "an active connection was closed")
                    if idle_closed_after is None and got_eof(idle):
                        idle_closed_after = time.monotonic() - last_sent
                self.assertIsNotNone(idle_closed_after, "the idle connection is still open after 1.2 s")
                self.assertGreaterEqual(idle_closed_after, 0.5)
                # Then the busy one falls idle too.
                self.assertTrue(got_eof(busy, timeout=3))
                self.assertGreaterEqual(time.monotonic() - busy_last, 0.5)
            wait_until(lambda: closed(demo.metrics(), "idle_timeout") == 2, timeout=3,
                       what="2 idle closes counted")
            samples = demo.metrics()
            self.assertEqual(sum_samples(samples, CLOSED), 2)
            self.assertEqual(sum_samples(samples, MESSAGES), 13)
        finally:
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)

    def test_connection_over_the_cap_is_refused_and_counted(self):
        demo = Demo("--max-connections", "2", cores=1)
        try:
            first = socket.create_connection(("127.0.0.1", demo.port), timeout=5)
            second = socket.create_connection(("127.0.0.1", demo.port), timeout=5)
            wait_until(lambda: sum_samples(demo.metrics(), OPEN) == 2, what="2 connections open")
            third = socket.create_connection(("127.0.0.1", demo.port), timeout=5)
            self.assertTrue(got_eof(third, timeout=5), "the third connection was not refused")
            third.close()
            for s in (first, second):
                s.sendall(b"<13>Nov 22 03:58:27 host app: still served\n")
            wait_until(lambda: sum_samples(demo.metrics(), MESSAGES) == 2, what="2 messages")
            samples = demo.metrics()
            self.assertEqual(refused(samples, "connection_limit"), 1)
            self.assertEqual(sum_samples(samples, REFUSED), 1)
            self.assertEqual(sum_samples(samples, ACCEPTED), 2)
            first.close()
            second.close()
        finally:
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)


class ShutdownDrain(unittest.TestCase):
    """SIGTERM during a blast: every record handed to the kernel is counted, the sender gets a
    FIN (no reset), and the process stops within the drain bound."""

    def test_records_in_flight_at_sigterm_are_counted(self):
        demo = Demo("--drain-timeout-ms", "4000", cores=1)
        blaster = Blaster(demo.port)
        try:
            blaster.start()
            wait_until(lambda: blaster.bytes >= 4 * len(CHUNK), timeout=5, what="4 MiB blasted")
            started = time.monotonic()
            demo.process.send_signal(signal.SIGTERM)
            # The server's FIN stops the blaster; it then closes its side.
            self.assertTrue(blaster.fin.wait(timeout=5), "no FIN from the server after SIGTERM")
            blaster.join(timeout=10)
            code, out, err = demo.stop(timeout=10)
            stopped_after = time.monotonic() - started
        finally:
            blaster.stop()
            demo.stop()
        self.assertEqual(code, 0, err)
        self.assertIsNone(blaster.error)  # no ECONNRESET, no EPIPE
        self.assertLess(stopped_after, 5.0)
        self.assertIn(f"tcp: {blaster.records} messages, 0 rejected", err)


if __name__ == "__main__":
    unittest.main()
