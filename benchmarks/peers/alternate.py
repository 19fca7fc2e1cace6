#!/usr/bin/env python3
"""JASG and PyTorch timed in turn, window by window, for ratios that a drifting machine does not blur.

On a shared 2-vCPU guest a workload's rate moves by +-20% within minutes, so a ratio taken from two runs a
minute apart (run.sh's rounds) carries that drift. Here each peer is started once per workload, warmed up
one after the other, and then kept waiting on its standard input (``Peers --serve``, ``torch_peers.py
--serve``): the script asks each in turn for a timed window of ``--window`` seconds, ``--windows`` times,
with ``--gap`` seconds of rest between windows (an idle peer's threads stop spinning within that), and the
order of the peers is reversed every other window. Each window's ratio is JASG's rate over the better of
PyTorch as configured and with ``OMP_WAIT_POLICY=PASSIVE`` in that window; the summary gives the medians.

    benchmarks/peers/run.sh --alternate 8 [--seconds 2] [--warmup 10] [--only sgemm]...   (sets OPENBLAS_CORETYPE first)
    python3 benchmarks/peers/alternate.py [--only sgemm]... [--windows 8] [--window 2] [--warmup 10] [--gap 0.5]
                                          [--variant NAME=JVM_OPTIONS]...

``--variant`` adds a JASG peer started with those JVM options (e.g. ``--variant kc512=-Djasg.cpu.kc=512``), timed in turn
with the others, and reported against the plain JASG of the same window: an A/B of a switch that the machine's drift
does not decide. Options that name a class path (``-cp JAR``) run that build instead of ``--jar``'s, an A/B of two
builds: ``--variant before=-cp /tmp/before-benchmarks.jar``.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

WORKLOADS = ["sgemm", "mlp", "cnn", "transformer"]


class Peer:
    """One peer process in its serving mode; ``window`` asks it for one timed window and returns its rate."""

    def __init__(self, name, workload, argv, env=None):
        self.name, self.workload = name, workload
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, bufsize=1, env=env)
        self.unit = ""
        self.header = []
        self.lines = []
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{name} {workload} ended before it was ready (exit {self.proc.wait()}): "
                                   + " | ".join(self.lines[-5:]))
            self.lines.append(line.rstrip())
            if line.startswith("# ready"):
                return
            if line.startswith("#"):
                self.header.append(line.rstrip())

    def window(self, seconds):
        self.proc.stdin.write(f"window {seconds}\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError(f"{self.name} {self.workload} ended during a window (exit {self.proc.wait()})")
            f = line.split()
            if len(f) == 3 and f[0].endswith("_" + self.workload) and not f[0].startswith("#"):
                self.unit = f[2]
                return float(f[1])
            if line.startswith("# error"):
                raise RuntimeError(f"{self.name}: {line.strip()}")

    def close(self):
        try:
            self.proc.stdin.write("end\n")
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", choices=WORKLOADS)
    ap.add_argument("--windows", type=int, default=8)
    ap.add_argument("--window", type=float, default=2.0, help="seconds a window")
    ap.add_argument("--warmup", type=float, default=10.0)
    ap.add_argument("--gap", type=float, default=0.5, help="seconds of rest after each window")
    ap.add_argument("--jar", default="benchmarks/target/benchmarks.jar")
    ap.add_argument("--variant", action="append", default=[], metavar="NAME=JVM_OPTIONS",
                    help="another JASG peer with these JVM options, reported against the plain one window by window")
    args = ap.parse_args()
    variants = []
    for v in args.variant:
        name, sep, opts = v.partition("=")
        if not sep or not name or not name.isidentifier() or not opts.split():
            ap.error(f"--variant takes NAME=JVM_OPTIONS (NAME a word), got {v!r}")
        variants.append((name, opts.split()))
    if args.windows < 1 or args.window <= 0 or args.warmup < 0 or args.gap < 0:
        ap.error("--windows must be at least 1, --window positive, --warmup and --gap not negative")
    java = os.path.join(os.environ["JAVA_HOME"], "bin", "java") if os.environ.get("JAVA_HOME") else "java"
    py = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
    here = os.path.dirname(os.path.abspath(__file__))
    summary = []
    for w in args.only or WORKLOADS:
        common = ["--only", w, "--warmup", str(args.warmup), "--serve"]
        main = ["--add-modules", "jdk.incubator.vector", "dev.jasg.bench.Peers"] + common
        jasg = ["-cp", args.jar] + main
        # a variant naming its own class path runs that build (the JVM would take the last -cp, the plain one)
        own = lambda opts: [java] + opts + (main if "-cp" in opts or "-classpath" in opts else jasg)
        specs = [("jasg", [java] + jasg, None)] + [("jasg_" + n, own(opts), None) for n, opts in variants] + [
            ("torch", [py, os.path.join(here, "torch_peers.py")] + common, None),
            ("torchpassive", [py, os.path.join(here, "torch_peers.py")] + common, dict(os.environ, OMP_WAIT_POLICY="PASSIVE"))]
        peers = []
        try:
            for name, argv, env in specs:  # warmed up one after the other, so none warms up beside another
                peers.append(Peer(name, w, argv, env))
                for h in peers[-1].header:
                    print(f"# {name}: {h.lstrip('# ')}")
            rates = {p.name: [] for p in peers}
            for i in range(args.windows):
                for p in (peers if i % 2 == 0 else peers[::-1]):
                    rates[p.name].append(p.window(args.window))
                    time.sleep(args.gap)
                print(f"window {i + 1} {w} " + " ".join(f"{n} {v[-1]:.1f}" for n, v in rates.items()), flush=True)
        finally:
            for p in peers:
                p.close()
        ratios = [j / max(t, tp) for j, t, tp in zip(rates["jasg"], rates["torch"], rates["torchpassive"])]
        against = {n: [x / j for x, j in zip(rates["jasg_" + n], rates["jasg"])] for n, _ in variants}
        summary.append((w, peers[0].unit, {n: statistics.median(v) for n, v in rates.items()}, ratios, against))
    print()
    print(f"{args.windows} windows of {args.window:g} s each, peers in turn; ratio = JASG / the better PyTorch of the same window")
    print(f"{'workload':12} {'unit':10} {'jasg':>10} {'torch':>10} {'passive':>10} {'jasg/torch':>11}   (medians)   per window")
    for w, unit, med, ratios, against in summary:
        print(f"{w:12} {unit:10} {med['jasg']:10.1f} {med['torch']:10.1f} {med['torchpassive']:10.1f} "
              f"{statistics.median(ratios):11.2f}   range {min(ratios):.2f}-{max(ratios):.2f}: {', '.join(f'{r:.2f}' for r in ratios)}")
        for n, r in against.items():
            print(f"{'':12} {'':10} variant {n}: {med['jasg_' + n]:.1f} {unit}, against plain JASG {statistics.median(r):.3f} "
                  f"(range {min(r):.3f}-{max(r):.3f}: {', '.join(f'{x:.3f}' for x in r)})")


if __name__ == "__main__":
    main()
