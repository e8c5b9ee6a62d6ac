"""Write results/onnx_conformance.md: ONNX's node tests run against layerforge.

    python scripts/onnx_conformance.py           # write the report
    python scripts/onnx_conformance.py --check   # exit 1 if the report is stale

Per ONNX op with a layerforge counterpart: the cases, the passes and the reasons for the
rest, with totals; the mapping is tests/onnx_conformance.py, and
tests/test_onnx_conformance.py checks the same results and that the report is current.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "generated"), str(ROOT)]

import onnx_conformance as conformance  # noqa: E402

REPORT = ROOT / "results" / "onnx_conformance.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the report is current")
    args = parser.parse_args()
    results = conformance.results()
    text = conformance.render(results)
    if args.check:
        if not REPORT.exists() or REPORT.read_text() != text:
            print(f"{REPORT.relative_to(ROOT)} is stale: run python scripts/onnx_conformance.py")
            return 1
        return 0
    REPORT.write_text(text)
    passes = sum(r.status == "pass" for r in results)
    fails = sum(r.status == "fail" for r in results)
    print(f"{passes} of {len(results)} relevant cases pass, {fails} fail; wrote {REPORT.relative_to(ROOT)}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
