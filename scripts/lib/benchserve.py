"""What the `overdue serve` benchmarks share: a throwaway SQLite tenant `bench`, the CLI run
against it, a loopback port, a server started on it and waited for, and percentiles."""
import http.client, socket, subprocess, sys, tempfile, time


class Bench:
    """A work directory with a SQLite database, a free port, and the release binary `bin`."""

    def __init__(self, bin, prefix):
        self.bin = bin
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.path = f"{self.work}/bench.sqlite"
        self.db = f"sqlite://{self.path}"
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"

    def overdue(self, *a):
        """Runs an `overdue` command on the tenant; exits with its error when it fails."""
        r = subprocess.run([self.bin, *a, "--db", self.db, "--tenant", "bench", "--documents", f"{self.work}/docs"], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"overdue {' '.join(a)} failed: {r.stderr}")
        return r.stdout

    def serve(self):
        """Starts `overdue serve` and returns once it answers (log in WORK/serve.log)."""
        server = subprocess.Popen(
            [self.bin, "serve", "--db", self.db, "--tenant", "bench", "--documents", f"{self.work}/docs", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=open(f"{self.work}/serve.log", "w"))
        for _ in range(400):
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                c.request("GET", "/health/live")
                c.getresponse().read()
                return server
            except OSError:
                time.sleep(0.05)
        server.terminate()
        sys.exit(f"overdue serve did not start; see {self.work}/serve.log")


def percentile(sorted_values, p):
    """The p-quantile of already sorted values (nan when empty)."""
    return sorted_values[min(len(sorted_values) - 1, int(p * len(sorted_values)))] if sorted_values else float("nan")
