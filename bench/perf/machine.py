"""Machine section: the CPU, its ISA features and the register-only peaks
measured by bench/peak/peak.c."""

import os
import platform
import re
import subprocess
from pathlib import Path

# The features the kernels and peaks depend on: /proc/cpuinfo flag -> name.
FEATURES = [
    ("avx2", "AVX2"), ("fma", "FMA"), ("avx512f", "AVX-512F"), ("avx512bw", "AVX-512BW"),
    ("avx512vl", "AVX-512VL"), ("avx512_vnni", "AVX512-VNNI"), ("avx_vnni", "AVX-VNNI"),
    ("avx512_bf16", "AVX512-BF16"), ("avx512_fp16", "AVX512-FP16"), ("amx_tile", "AMX-TILE"),
    ("amx_int8", "AMX-INT8"), ("avx_vnni_int8", "AVX-VNNI-INT8"),
]

# peak.c's sequence names; the int8 and fp32 ceilings, best first.
INT8_PEAKS = ["vnni_zmm", "avxvnni_ymm", "maddwd_zmm", "maddwd_ymm"]
FP32_PEAKS = ["fma_zmm", "fma_ymm"]


def cpuinfo():
    text = Path("/proc/cpuinfo").read_text()
    model = re.search(r"^model name\s*:\s*(.*)$", text, re.M)
    flags = re.search(r"^flags\s*:\s*(.*)$", text, re.M)
    flags = set(flags.group(1).split()) if flags else set()
    caches = []
    cache_dir = Path("/sys/devices/system/cpu/cpu0/cache")
    for index in sorted(cache_dir.glob("index*")):
        try:
            level = (index / "level").read_text().strip()
            kind = (index / "type").read_text().strip()
            size = (index / "size").read_text().strip()
        except OSError:
            continue
        if kind != "Instruction":
            caches.append(f"L{level} {size}")
    return {
        "model": model.group(1).strip() if model else platform.processor(),
        "cpus": os.cpu_count(),
        "hypervisor": "hypervisor" in flags,
        "present": [name for flag, name in FEATURES if flag in flags],
        "absent": [name for flag, name in FEATURES if flag not in flags],
        "caches": caches,
        "kernel": platform.release(),
    }


def peaks(binary, *args):
    """{name: {"gmacs", "per_cycle", "what"} or {"na": line}}, clock_ghz.
    args go to peak (seconds per repetition, sequences to mask)."""
    out = subprocess.run([str(binary), *map(str, args)], capture_output=True, text=True, check=True).stdout
    result, clock = {}, None
    for line in out.splitlines():
        head, _, what = line.partition(" : ")
        fields = head.split()
        if fields[0] == "clock_ghz":
            clock = float(fields[1])
        elif "not available" in line:
            result[fields[0]] = {"na": line.split(" ", 1)[1]}
        else:
            result[fields[0]] = {"gmacs": float(fields[1]), "per_cycle": float(fields[2]), "what": what}
    return result, clock


def reference_peak(peak_table, names):
    """The first available of names: (name, GMAC/s)."""
    for name in names:
        if "gmacs" in peak_table.get(name, {}):
            return name, peak_table[name]["gmacs"]
    return None, None
