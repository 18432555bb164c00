#!/usr/bin/env python3
"""Reads what each tool of bench/peers.sh wrote and turns it into results and a Markdown table.

  table.py record CASE TOOL WALL_MS CASE_DIR   one JSON line: the checks TOOL failed in CASE
  table.py line RESULTS CASE                   a one-line progress summary of CASE
  table.py table OUT                           the Markdown tables, from OUT/results.jsonl etc.

A tool *noticed* a fault when a check fails (or warns) under the fault that does not fail (or warn)
on the healthy mock at the same MCP version. Only check identifiers and verdicts are kept: no
credential any tool obtained is read or written here.
"""

import glob
import json
import os
import statistics
import sys

TOOLS = ["authspec", "authlab", "conformance", "mcpjam"]
NAMES = {
    "authspec": "authspec",
    "authlab": "mcp-authlab",
    "conformance": "conformance `authorization`",
    "mcpjam": "MCPJam `OAuthConformanceTest`",
}


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def first_line(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                if line.strip():
                    return line.strip()[:200]
    except OSError:
        pass
    return ""


def last_line(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
        return lines[-1][:200] if lines else ""
    except OSError:
        return ""


def read_authspec(d):
    rep = load_json(os.path.join(d, "authspec.out"))
    if not isinstance(rep, dict):
        return {"ran": False, "note": first_line(os.path.join(d, "authspec.err"))}
    res = rep.get("results", [])
    return {
        "ran": True,
        "verdict": rep.get("verdict"),
        "fails": sorted(r["id"] for r in res if r.get("outcome") == "fail" and r.get("level") == "must"),
        "warns": sorted(r["id"] for r in res if r.get("outcome") == "fail" and r.get("level") != "must"),
        "skips": sum(1 for r in res if r.get("outcome") == "skip"),
        "version": rep.get("tool", {}).get("version") if isinstance(rep.get("tool"), dict) else rep.get("tool"),
    }


def read_authlab(d):
    rep = load_json(os.path.join(d, "authlab.out"))
    login = last_line(os.path.join(d, "authlab-login.log"))
    if not isinstance(rep, dict):
        return {"ran": False, "note": first_line(os.path.join(d, "authlab.err")), "login": login}
    res = rep.get("results", [])
    return {
        "ran": True,
        "verdict": f"{rep.get('conformance')} {rep.get('grade')}",
        "fails": sorted(r["id"] for r in res if r.get("status") in ("fail", "error")),
        "warns": sorted(r["id"] for r in res if r.get("status") == "warn"),
        "skips": sum(1 for r in res if r.get("status") == "skip"),
        "login": login,
        "version": rep.get("version"),
    }


def read_conformance(d):
    checks = []
    for path in sorted(glob.glob(os.path.join(d, "conformance", "*", "checks.json"))):
        got = load_json(path)
        if isinstance(got, list):
            checks.extend(got)
    if not checks:
        return {"ran": False, "note": last_line(os.path.join(d, "conformance.log"))}
    fails = sorted({c["id"] for c in checks if c.get("status") == "FAILURE"})
    return {
        "ran": True,
        "verdict": "fail" if fails else "pass",
        "fails": fails,
        "warns": sorted({c["id"] for c in checks if c.get("status") == "WARNING"}),
        "skips": sum(1 for c in checks if c.get("status") == "SKIPPED"),
        "errors": sorted({(c.get("errorMessage") or "")[:160] for c in checks if c.get("status") == "FAILURE"}),
    }


def read_mcpjam(d):
    rep = load_json(os.path.join(d, "mcpjam.out"))
    if not isinstance(rep, dict):
        return {"ran": False, "note": first_line(os.path.join(d, "mcpjam.err"))}
    steps = rep.get("steps", [])
    failed = [s for s in steps if s.get("status") == "failed"]
    return {
        "ran": True,
        "verdict": "pass" if rep.get("passed") else "fail",
        "fails": sorted({s["step"] for s in failed}),
        "warns": [],
        "skips": sum(1 for s in steps if s.get("status") == "skipped"),
        "errors": sorted({(s.get("error") or "")[:160] for s in failed}),
        "summary": (rep.get("summary") or rep.get("crashed") or "")[:200],
    }


READERS = {"authspec": read_authspec, "authlab": read_authlab, "conformance": read_conformance, "mcpjam": read_mcpjam}


def record(case, tool, wall_ms, d):
    out = {"case": case, "tool": tool, "wall_ms": int(wall_ms)}
    out.update(READERS[tool](d))
    print(json.dumps(out, sort_keys=True))


def load_results(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    return rows


def index(rows):
    return {(r["case"], r["tool"]): r for r in rows}


def noticed(by, case, tool):
    """The checks that fail or warn in CASE but not on the healthy mock at the same version."""
    r = by.get((case, tool))
    if not r or not r.get("ran"):
        return None
    base = by.get(("healthy@" + case.split("@", 1)[1], tool), {})
    new_f = [i for i in r.get("fails", []) if i not in base.get("fails", [])]
    new_w = [i for i in r.get("warns", []) if i not in base.get("warns", []) and i not in base.get("fails", [])]
    return new_f, new_w


def cell(found):
    if found is None:
        return "did not run"
    f, w = found
    if not f and not w:
        return "–"
    parts = [f"`{i}`" for i in f] + [f"`{i}` (warn)" for i in w]
    return "✓ " + ", ".join(parts)


def line(path, case):
    by = index(load_results(path))
    return " | ".join(f"{t}: {cell(noticed(by, case, t)) if not case.startswith('healthy@') else by.get((case, t), {}).get('verdict')} ({by.get((case, t), {}).get('wall_ms')} ms)" for t in TOOLS)


def median(xs):
    return statistics.median(xs) if xs else None


def table(out):
    rows = load_results(os.path.join(out, "results.jsonl"))
    by = index(rows)
    cases = []
    for r in rows:
        if r["case"] not in cases:
            cases.append(r["case"])
    healthy = [c for c in cases if c.startswith("healthy@")]
    faults = [c for c in cases if not c.startswith("healthy@")]
    timing = {}
    tpath = os.path.join(out, "timing.jsonl")
    if os.path.exists(tpath):
        for t in load_results(tpath):
            timing.setdefault(t["tool"], []).append(t["wall_ms"])

    lines = ["| tool | healthy verdict | faults noticed | wall time, healthy mock (median, min–max) |", "|---|---|---|---|"]
    for t in TOOLS:
        verdicts = "; ".join(
            f"{c.split('@')[1]}: {by.get((c, t), {}).get('verdict', 'did not run')}"
            + (f" (fails {', '.join('`%s`' % i for i in by[(c, t)].get('fails', []))})" if by.get((c, t), {}).get("fails") else "")
            for c in healthy
        )
        n = sum(1 for c in faults if (x := noticed(by, c, t)) and (x[0] or x[1]))
        ts = timing.get(t, [])
        tm = f"{median(ts) / 1000:.2f} s ({min(ts) / 1000:.2f}–{max(ts) / 1000:.2f}, n={len(ts)})" if ts else "–"
        lines.append(f"| {NAMES[t]} | {verdicts} | {n}/{len(faults)} | {tm} |")
    lines.append("")
    lines.append("| fault @ MCP version | " + " | ".join(NAMES[t] for t in TOOLS) + " |")
    lines.append("|---|" + "---|" * len(TOOLS))
    for c in faults:
        lines.append(f"| `{c}` | " + " | ".join(cell(noticed(by, c, t)) for t in TOOLS) + " |")
    lines.append("")
    lines.append("Per-case wall time (ms, one run each): " + "; ".join(
        f"{c}: " + "/".join(str(by.get((c, t), {}).get("wall_ms", "-")) for t in TOOLS) for c in cases
    ) + f" ({'/'.join(TOOLS)})")
    print("\n".join(lines))


def main(argv):
    if len(argv) >= 5 and argv[0] == "record":
        record(argv[1], argv[2], argv[3], argv[4])
    elif len(argv) >= 3 and argv[0] == "line":
        print(line(argv[1], argv[2]))
    elif len(argv) >= 2 and argv[0] == "table":
        table(argv[1])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
