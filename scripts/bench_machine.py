#!/usr/bin/python3
"""The machine header every scripts/bench_* prints first, and one BLAS kernel for every contender.

A ratio measured on one machine holds on another only when both sides ran the same BLAS kernel: Debian's
OpenBLAS 0.3.21 runs some current CPUs on its Prescott (SSE3) kernels, where towerrec picks a better one
at start-up (src/core/blas_kernel.h) but a Python peer would not. So the header asks `towerrec inspect
--system` which kernel towerrec runs on, then exports OPENBLAS_CORETYPE=<that kernel> to this process
and everything it starts (towerrec, the bench binaries, PyTorch, numpy, Faiss: all load the same
libblas.so.3), and checks through numpy that a peer really loads it.

    from bench_machine import machine_header   # Python benches: prints, then sets os.environ
    eval "$(scripts/bench_machine.py --shell BIN)"   # shell benches: prints, then exports

A user-set OPENBLAS_CORETYPE is kept (towerrec never overrides it either) and reported as such.
"""
import os
import subprocess
import sys

PY = "/usr/bin/python3"

# Asks numpy's BLAS (the same libblas.so.3 the PyTorch and Faiss peers load) for its kernel.
PEER_CORE = r"""
import ctypes, numpy
try:
    lib = ctypes.CDLL("libblas.so.3")
    lib.openblas_get_corename.restype = ctypes.c_char_p
    print(lib.openblas_get_corename().decode())
except Exception as e:
    print("unknown (%s)" % e)
"""


def system_report(cli, gemm_seconds=1.0, env=None):
    """`towerrec inspect --system` as a dict of its "key: value" lines."""
    r = subprocess.run([cli, "inspect", "--system", "--quiet", "--gemm-seconds", str(gemm_seconds)],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    if r.returncode != 0:  # an older binary without inspect --system
        return {"cpu": f"unknown ({cli} has no `inspect --system`)"}
    out = r.stdout
    fields = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def machine_header(cli, out=sys.stdout, gemm_seconds=1.0):
    """Prints the header and sets OPENBLAS_CORETYPE in os.environ; returns inspect --system's fields."""
    f = system_report(cli, gemm_seconds)
    core_line = f.get("blas core", "")
    core = core_line.split(" ")[0] if core_line else ""
    if core and not os.environ.get("OPENBLAS_CORETYPE"):
        os.environ["OPENBLAS_CORETYPE"] = core
    peer = subprocess.run([PY, "-c", PEER_CORE], stdout=subprocess.PIPE, text=True).stdout.strip()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"# cpu: {f.get('cpu', 'unknown')}; flags: {f.get('cpu flags', '')}", file=out)
    print(f"# blas: {core_line or 'not OpenBLAS'}; peers run with OPENBLAS_CORETYPE="
          f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')} (numpy's BLAS reports {peer})", file=out)
    print(f"# simd: {f.get('simd', '?')}; top-K kernel: {f.get('top-K kernel', '?')}", file=out)
    print(f"# gemm: {f.get('gemm', '?')}; libtorch {f.get('libtorch', '?')}; load average {load}",
          file=out, flush=True)
    return f


def main():
    if len(sys.argv) != 3 or sys.argv[1] != "--shell":
        sys.exit("usage: bench_machine.py --shell TOWERREC_BINARY")
    header = []

    class Lines:
        def write(self, s):
            header.append(s)

        def flush(self):
            pass

    machine_header(sys.argv[2], out=Lines())
    for line in "".join(header).splitlines():
        print("echo " + "'" + line.replace("'", "'\\''") + "'")
    core = os.environ.get("OPENBLAS_CORETYPE")
    if core:
        print(f"export OPENBLAS_CORETYPE={core}")


if __name__ == "__main__":
    main()
