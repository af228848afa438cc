"""coretel-demo's events on stderr (docs/events.md): the console line, exact, for every event the
demo declares in registry/syslog_receiver/events.yaml; CORETEL_LOG filtering; the parse-failure
rate limit and its suppressed count.

Peers: Debian's `logger` (bsdutils) for a TCP connection, raw UDP sockets for malformed input.
"""
import re
import socket
import time
import unittest

from demo_harness import Demo, logger, sum_samples, wait_until

ERRORS = "syslog_receiver_parse_errors_total"
CLOSED = "syslog_receiver_connections_closed_total"
# The console line (include/coretel/events/console_format.h).
LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (DEBUG|INFO |WARN |ERROR) "
                  r"\[syslog\.receiver\] (\S+)(.*)$")


def events(stderr):
    """(severity, name, {attribute: value}) of every event line, in order."""
    out = []
    for line in stderr.splitlines():
        m = LINE.match(line)
        if m:
            attributes = dict(kv.split("=", 1) for kv in m.group(3).split())
            out.append((m.group(1).strip(), m.group(2), attributes))
    return out


def send_bad_datagrams(port, count):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        for i in range(count):
            udp.sendto(b"no priority %d" % i, ("127.0.0.1", port))


class DemoEvents(unittest.TestCase):

    def test_every_declared_event_at_debug(self):
        demo = Demo(cores=1, env={"CORETEL_LOG": "debug"})
        try:
            logger(demo.port, ["over tcp"], "--tcp", "--octet-count", "--rfc5424")
            # The connection's events come first: wait for its close before the datagrams.
            wait_until(lambda: sum_samples(demo.metrics(), CLOSED) == 1, what="the TCP close")
            send_bad_datagrams(demo.port, 3)  # one event now, two suppressed
            wait_until(lambda: sum_samples(demo.metrics(), ERRORS) == 3, what="3 parse errors")
            # After the 1 s rate-limit window, the next failure carries the suppressed count.
            time.sleep(1.1)  # the rate limit's window, not a wait for an event
            send_bad_datagrams(demo.port, 1)
            wait_until(lambda: sum_samples(demo.metrics(), ERRORS) == 4, what="4 parse errors")
        finally:
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        seen = events(err)
        names = [name for _, name, _ in seen]
        self.assertEqual(names, ["syslog.receiver.start", "syslog.receiver.worker.start",
                                 "syslog.receiver.connection.accept",
                                 "syslog.receiver.connection.close",
                                 "syslog.receiver.parse.fail", "syslog.receiver.parse.fail",
                                 "syslog.receiver.stop"], err)
        by_name = {}
        for severity, name, attributes in seen:
            by_name.setdefault(name, []).append((severity, attributes))
        self.assertEqual(by_name["syslog.receiver.start"],
                         [("INFO", {"server.address": "127.0.0.1", "server.port": str(demo.port),
                                    "syslog.receiver.cores": "1"})])
        severity, accept = by_name["syslog.receiver.connection.accept"][0]
        self.assertEqual(severity, "DEBUG")
        self.assertEqual(accept["client.address"], "127.0.0.1")
        self.assertGreater(int(accept["client.port"]), 0)
        self.assertEqual(by_name["syslog.receiver.connection.close"][0][1]
                         ["syslog.connection.close_reason"], "peer_closed")
        failures = by_name["syslog.receiver.parse.fail"]
        self.assertEqual([s for s, _ in failures], ["WARN", "WARN"])
        self.assertEqual([a["error.type"] for _, a in failures], ["missing_priority"] * 2)
        self.assertEqual([a["network.transport"] for _, a in failures], ["udp", "udp"])
        self.assertEqual([a["syslog.event.suppressed"] for _, a in failures], ["0", "2"])
        self.assertEqual(by_name["syslog.receiver.stop"],
                         [("INFO", {"syslog.receiver.message.count": "1"})])

    def test_the_default_filter_hides_debug_and_coretel_log_silences(self):
        demo = Demo(cores=1, env={"CORETEL_LOG": ""})  # empty is unset: info
        try:
            logger(demo.port, ["over tcp"], "--tcp", "--octet-count", "--rfc5424")
        finally:
            code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual([name for _, name, _ in events(err)],
                         ["syslog.receiver.start", "syslog.receiver.worker.start",
                          "syslog.receiver.stop"], err)
        quiet = Demo(cores=1, env={"CORETEL_LOG": "info,syslog.receiver=off"})
        code, out, err = quiet.stop()
        self.assertEqual(code, 0, err)
        self.assertEqual(events(err), [])

    def test_a_bad_directive_is_reported_and_skipped(self):
        demo = Demo(cores=1, env={"CORETEL_LOG": "info,syslog.receiver=loud"})
        code, out, err = demo.stop()
        self.assertEqual(code, 0, err)
        self.assertIn("coretel: CORETEL_LOG directive 2 `syslog.receiver=loud`: unknown level "
                      "`loud` (debug, info, warn, error, off); skipped\n", err)
        self.assertEqual(len(events(err)), 3)  # the default applies


if __name__ == "__main__":
    unittest.main()
