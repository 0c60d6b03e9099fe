"""The batched torch experts' predict against its chunk of rows, and a profile.

Bench (c) of ``bench_gpu_predict.py`` (8 ``TorchMLPRegressor`` experts
(256, 256), 10^6 x 64, X already on the device) with the rows per batched
forward set through ``DEVICE_PREDICT_ELEMENTS`` (``None``: the default, half
a million rows here), in TF32 and bf16, as a share of the measured matmul
peak; median of three timings of ten calls each. ``--profile`` prints
``torch.profiler``'s table of one default TF32 call (three times). CUDA only::

    PYTHONPATH=$PWD python benchmarks/bench_gpu_chunks.py --profile
"""

import argparse
import os
import sys
import warnings

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_gpu_predict import batched_rate, data, matmul_peak, mixture  # noqa: E402

from skmoe import _device_predict  # noqa: E402
from skmoe._torch_utils import device_array  # noqa: E402

CHUNKS = (None, 16_384, 32_768, 65_536, 131_072, 262_144)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        parser.error("needs a CUDA device")
    device = torch.device("cuda")
    settings = argparse.Namespace(experts=8, hidden=[256, 256], batch_size=4096)
    X, y = data(1_000_000, 64)
    warnings.simplefilter("ignore")
    model = mixture(settings, device, 2)
    model.fit(X[:50_000], y[:50_000])
    peaks = {p: matmul_peak(device, p) for p in ("tf32", "bf16")}
    flops = 2 * len(X) * 8 * (64 * 256 + 256 * 256 + 256)
    print(f"{torch.cuda.get_device_name(device)}, torch {torch.__version__}; matmul peak "
          + ", ".join(f"{p} {v:.0f} TFLOP/s" for p, v in peaks.items()))
    default = _device_predict.DEVICE_PREDICT_ELEMENTS
    for rows in CHUNKS:
        _device_predict.DEVICE_PREDICT_ELEMENTS = default if rows is None else rows * 8 * 256
        for precision in ("tf32", "bf16"):
            seconds = float(np.median([batched_rate(model, X, device, precision, 10)[0]
                                       for _ in range(3)]))
            print(f"rows per chunk {rows or 'default'}: {precision} {seconds * 1e3:.2f} ms = "
                  f"{100 * flops / seconds / 1e12 / peaks[precision]:.1f} % of the peak",
                  flush=True)
    _device_predict.DEVICE_PREDICT_ELEMENTS = default
    if args.profile:
        from torch.profiler import ProfilerActivity, profile
        experts = model.experts_
        for expert in experts:
            expert.precision = "tf32"
        cache = _device_predict._DeviceX(X)
        cache.copies[_device_predict.device_key(device)] = device_array(X, device)
        groups = _device_predict.torch_expert_groups(experts)

        def call():
            return [_device_predict.batched_expert_outputs(experts, g, cache) for g in groups]

        call()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
            for _ in range(3):
                call()
            torch.cuda.synchronize()
        for key in ("cuda_time_total", "cpu_time_total"):
            print(prof.key_averages().table(sort_by=key, row_limit=15,
                                            max_name_column_width=50))


if __name__ == "__main__":
    main()
