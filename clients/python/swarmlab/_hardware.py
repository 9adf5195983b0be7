"""Hardware report of the current process with the standard library: CPU and memory from /proc (Linux; portable
fallbacks elsewhere), GPUs from `nvidia-smi` when it is installed. The fields match the TypeScript SDK's."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from typing import Any, Dict, List, Optional

_MB = 1024 * 1024


def _round(x: float, digits: int = 1) -> float:
    return round(float(x), digits)


def query_gpus(timeout: float = 3.0) -> List[Dict[str, Any]]:
    """GPUs as `nvidia-smi` sees them; empty when it is absent or fails (no GPU, no driver)."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, "--query-gpu=index,name,utilization.gpu,memory.used,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=timeout, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return parse_nvidia_smi(out)


def parse_nvidia_smi(csv: str) -> List[Dict[str, Any]]:
    gpus = []
    for line in csv.splitlines():
        cols = [c.strip() for c in line.split(",")]
        if len(cols) < 5 or cols[0] == "":
            continue
        gpus.append({
            "index": _num(cols[0], int),
            "name": cols[1],
            "utilizationPercent": _num(cols[2], float),
            "memoryUsedMb": _num(cols[3], float),
            "memoryTotalMb": _num(cols[4], float),
        })
    return gpus


def _num(s: str, kind: type) -> Any:
    try:
        return kind(s)
    except ValueError:
        return 0


def _meminfo() -> Dict[str, int]:
    """MemTotal / MemAvailable in bytes from /proc/meminfo; sysconf elsewhere (available unknown → free)."""
    out: Dict[str, int] = {}
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("MemTotal", "MemAvailable", "MemFree"):
                    out[key] = int(rest.split()[0]) * 1024
    except OSError:
        try:
            page = os.sysconf("SC_PAGE_SIZE")
            out["MemTotal"] = page * os.sysconf("SC_PHYS_PAGES")
            out["MemFree"] = page * os.sysconf("SC_AVPHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            pass
    return out


def _rss_bytes() -> Optional[int]:
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        try:
            import resource  # noqa: PLC0415 - POSIX only; max RSS as a fallback

            r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            return r * 1024 if os.uname().sysname != "Darwin" else r
        except (ImportError, OSError):
            return None


def _process_start_wall() -> float:
    """When this process started (time.monotonic() scale), so the first CPU sample covers its whole life."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            fields = f.read().rpartition(")")[2].split()
        start_ticks = int(fields[19])  # field 22 of stat: starttime, in clock ticks since boot
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
        return time.monotonic() - max(age, 0.0)
    except (OSError, ValueError, IndexError):
        return time.monotonic() - time.process_time()


class HardwareProbe:
    """Measures CPU use between successive calls (the first call measures since the process started)."""

    def __init__(self) -> None:
        self._last_cpu = 0.0
        self._last_time = _process_start_wall()

    def report(self, gpus: bool = True) -> Dict[str, Any]:
        gpu_list = query_gpus() if gpus else []
        now = time.monotonic()
        t = os.times()
        cpu = t.user + t.system
        elapsed = now - self._last_time
        cpu_percent = (cpu - self._last_cpu) / elapsed * 100 if elapsed > 0 else 0.0
        self._last_cpu, self._last_time = cpu, now
        mem = _meminfo()
        rss = _rss_bytes()
        try:
            load = [round(x, 2) for x in os.getloadavg()]
        except (OSError, AttributeError):
            load = []
        report: Dict[str, Any] = {
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "cpuPercent": _round(max(cpu_percent, 0.0)),
            "cpus": os.cpu_count() or 1,
            "loadAverage": load,
            "gpus": gpu_list,
        }
        if rss is not None:
            report["rssMb"] = _round(rss / _MB)
        if "MemTotal" in mem:
            report["memoryTotalMb"] = round(mem["MemTotal"] / _MB)
        free = mem.get("MemAvailable", mem.get("MemFree"))
        if free is not None:
            report["memoryFreeMb"] = round(free / _MB)
        return report
