"""A real Prometheus server scrapes coretel-demo and answers a PromQL query with the exact count.

The server (Debian package `prometheus`) is started by the test on loopback with its own
configuration and storage in a temporary folder, and stopped by its pid.
"""
import json
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse

from demo_harness import Demo, free_port, http_get, logger, require_peer, sum_samples, wait_until


class PrometheusScrape(unittest.TestCase):
    def setUp(self):
        prometheus = require_peer("prometheus", "prometheus")
        self.workdir = tempfile.mkdtemp(prefix="coretel-prometheus-")
        self.demo = Demo(cores=2)
        self.web_port = free_port()
        config = f"{self.workdir}/prometheus.yml"
        with open(config, "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: coretel-demo
    static_configs:
      - targets: ['127.0.0.1:{self.demo.admin_port}']
""")
        self.log = open(f"{self.workdir}/prometheus.log", "wb")
        self.server = subprocess.Popen(
            [prometheus, f"--config.file={config}", f"--storage.tsdb.path={self.workdir}/data",
             f"--web.listen-address=127.0.0.1:{self.web_port}"],
            stdout=self.log, stderr=subprocess.STDOUT)

    def tearDown(self):
        self.server.terminate()  # by pid, the one this test started
        try:
            self.server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.server.kill()
            self.server.wait(timeout=10)
        self.log.close()
        self.demo.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def query(self, promql):
        url = f"http://127.0.0.1:{self.web_port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        try:
            status, _, body = http_get(url, timeout=2)
        except OSError:
            return None
        result = json.loads(body)
        if status != 200 or result.get("status") != "success":
            return None
        return result["data"]["result"]

    def test_promql_sees_exact_counts(self):
        sent = 57
        logger(self.demo.port, [f"scraped {i}" for i in range(sent)], "--tcp", "--octet-count",
               "--rfc5424", "-p", "user.crit")
        wait_until(lambda: sum_samples(self.demo.metrics(), "syslog_receiver_messages_total") == sent,
                   what="the demo counting the messages")
        promql = 'sum(syslog_receiver_messages_total{otel_scope_network_transport="tcp",syslog_severity="critical"})'

        def answered():
            result = self.query(promql)
            return result and float(result[0]["value"][1]) == sent
        wait_until(answered, timeout=60, interval=0.5, what=f"Prometheus to answer {sent}")

        # The scrape target is healthy and target_info carries the resource.
        up = self.query('up{job="coretel-demo"}')
        self.assertEqual(up[0]["value"][1], "1")
        info = self.query("target_info")
        self.assertEqual(info[0]["metric"]["service_name"], "coretel-demo")


if __name__ == "__main__":
    unittest.main()
