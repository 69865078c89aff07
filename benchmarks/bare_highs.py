"""Solve an MPS file with HiGHS alone and print what it took, as JSON.

``python -m benchmarks.bare_highs MODEL.mps --time-limit S --mip-gap G``: the reference the
product's solve is compared with (the same model, read from the file, no Python around it).
"""

from __future__ import annotations

import argparse
import json
import time

import highspy


def main() -> None:
    """Read, solve and report."""
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--time-limit", type=float, required=True)
    parser.add_argument("--mip-gap", type=float, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    highs = highspy.Highs()  # type: ignore[no-untyped-call]
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("time_limit", args.time_limit)
    highs.setOptionValue("mip_rel_gap", args.mip_gap)
    highs.readModel(args.model)
    read_s = time.perf_counter() - started
    highs.run()
    info = highs.getInfo()
    print(
        json.dumps(
            {
                "status": highs.modelStatusToString(highs.getModelStatus()),
                "objective": info.objective_function_value,
                "mip_gap": info.mip_gap,
                "read_s": read_s,
                "solve_s": time.perf_counter() - started - read_s,
            }
        )
    )


if __name__ == "__main__":
    main()
