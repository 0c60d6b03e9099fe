"""GPU predict vs training epoch, fit overhead, and the batched experts' FLOP rate.

The scale issue "GPU: predict as fast as training": a mixture
(``MixtureOfExpertsRegressor(training="gradient", device="cuda")``) of
``--experts`` ``TorchMLPRegressor((256, 256))`` experts on ``--rows`` x
``--features`` rows.

(a) fit with ``max_epochs=--epochs`` (no early stop): the whole fit's wall
    time, the sum of its epochs (``history_[i]["seconds"]``) and the rest
    (validation of X, scaling, copies to the GPU, the final evaluation,
    export), as a fraction of the fit;
(b) ``predict`` on all rows (median of ``--repeats`` after a warm-up), with
    a breakdown of the device path (validation, copy of X, gate, batched
    experts, mixing) and, with ``--legacy``, the per-expert path (each expert
    and the gate asked one by one, ``skmoe._device_predict`` bypassed);
(c) the batched expert forward alone (X already on the GPU, the
    ``BatchedMLP`` over all rows) in ``float32``, ``tf32`` and ``bf16``, both
    the predict path (``BatchedMLP.inference``: bias and ReLU fused into each
    product) and the training forward it replaced (``eager``, one
    ``baddbmm`` per layer, separate bias and activation passes): its
    FLOP rate against the measured ``torch.mm`` peak of the same precision
    (8192^3, median of 10) and against the datasheet's dense peak of an
    H100/H200 SXM (FP32 67, TF32 495, BF16 989 TFLOP/s);
(d) ``predict`` and an epoch with every expert's ``precision`` set to
    ``tf32`` and ``bf16``, and their largest difference from float32.

Run from an older checkout (no ``skmoe._device_predict``), it measures (a)
and (b) only: the baseline.

Usage::

    python benchmarks/bench_gpu_predict.py --json out.json      # full size, CUDA
    python benchmarks/bench_gpu_predict.py --quick              # smoke run (CPU ok)
"""

import argparse
import json
import statistics
import time
import warnings

import numpy as np
import torch

from skmoe import MixtureOfExpertsRegressor
from skmoe.experts import TorchMLPRegressor

try:
    from skmoe import _device_predict
except ImportError:  # an older checkout: baseline only
    _device_predict = None

def device_key(device):
    """The key of ``_DeviceX``'s copies ('cuda' and 'cuda:0' are one device)."""
    return getattr(_device_predict, "device_key", str)(device)


DATASHEET_TFLOPS = {"float32": 67.0, "tf32": 495.0, "bf16": 989.0}


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def timed(fn, device, repeats):
    times, result = [], None
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        result = fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def data(n, d, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = np.sin(2 * X[:, 0]) + X[:, 1] * X[:, 2] + 0.5 * np.abs(X[:, 3]) + 0.1 * rng.normal(size=n)
    return X, y


def mixture(args, device, epochs, precision=None):
    extra = {} if precision is None else {"precision": precision}
    experts = [(f"mlp{i}", TorchMLPRegressor(tuple(args.hidden), random_state=i, **extra))
               for i in range(args.experts)]
    return MixtureOfExpertsRegressor(experts, training="gradient", device=str(device),
                                     batch_size=args.batch_size, max_epochs=epochs,
                                     n_iter_no_change=epochs + 1, random_state=0)


def fit_timed(args, device, X, y, epochs, precision=None):
    model = mixture(args, device, epochs, precision)
    sync(device)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    sync(device)
    total = time.perf_counter() - start
    seconds = [h["seconds"] for h in model.history_]
    return model, {"fit_s": total, "epochs_s": sum(seconds), "outside_s": total - sum(seconds),
                   "outside_fraction": (total - sum(seconds)) / total,
                   "epoch_s": seconds, "epoch_median_s": statistics.median(seconds),
                   "epoch_steady_s": statistics.median(seconds[1:] or seconds)}


def legacy_predict(model, X):
    """The per-expert path: the device path switched off."""
    import skmoe._moe as moe
    if not hasattr(moe, "device_predict_applies"):
        return model.predict(X)
    original = moe.device_predict_applies
    moe.device_predict_applies = lambda *args: False
    try:
        return model.predict(X)
    finally:
        moe.device_predict_applies = original


def predict_breakdown(model, X, device):
    """Seconds of each stage of the device path (one call, synchronised)."""
    from skmoe._torch_utils import device_array
    stages, marks = {}, [time.perf_counter()]

    def mark(name):
        sync(device)
        now = time.perf_counter()
        stages[name] = now - marks[-1]
        marks.append(now)

    Xc = model._check_X(X)
    mark("validate_X")
    Xd = device_array(Xc, device)
    mark("copy_X_to_device")
    log_w = model.gate_.log_proba_tensor(Xd)
    mark("gate")
    cache = _device_predict._DeviceX(Xc)
    cache.copies[device_key(device)] = Xd
    groups = _device_predict.torch_expert_groups(model.experts_)
    outs = [_device_predict.batched_expert_outputs(model.experts_, g, cache) for g in groups]
    mark("batched_experts")
    weights = torch.exp(log_w).cpu().numpy()
    outputs = np.concatenate([o.cpu().numpy() for o in outs], axis=1)
    mark("copy_back")
    (weights * outputs).sum(axis=1)
    mark("mix")
    stages["total"] = marks[-1] - marks[0]
    return stages


def matmul_peak(device, precision, size=8192, repeats=10):
    dtype = torch.bfloat16 if precision == "bf16" else torch.float32
    a = torch.randn(size, size, device=device, dtype=dtype)
    b = torch.randn(size, size, device=device, dtype=dtype)
    previous = torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = precision == "tf32"
    try:
        for _ in range(3):
            a @ b
        seconds, _ = timed(lambda: a @ b, device, repeats)
    finally:
        torch.backends.cuda.matmul.allow_tf32 = previous
    return 2 * size ** 3 / seconds / 1e12


def batched_rate(model, X, device, precision, repeats, eager=False):
    """The batched experts over all rows, X already on the device.

    ``eager=True``: the training forward (``baddbmm`` per layer, separate
    bias and activation passes) instead of ``BatchedMLP.inference``, the
    predict path before the fused one.
    """
    from skmoe._nn import BatchedMLP
    from skmoe._torch_utils import device_array
    experts = model.experts_
    previous = [e.precision for e in experts]
    for e in experts:
        e.precision = precision
    fused = getattr(BatchedMLP, "inference", None)
    if eager and fused is not None:
        BatchedMLP.inference = BatchedMLP.forward
    try:
        cache = _device_predict._DeviceX(X)
        cache.copies[device_key(device)] = device_array(X, device)
        groups = _device_predict.torch_expert_groups(experts)
        fn = lambda: [_device_predict.batched_expert_outputs(experts, g, cache) for g in groups]
        fn()
        seconds, _ = timed(fn, device, repeats)
    finally:
        for e, p in zip(experts, previous):
            e.precision = p
        if eager and fused is not None:
            BatchedMLP.inference = fused
    linears = [m for m in experts[0].module_ if isinstance(m, torch.nn.Linear)]
    flops = 2 * len(X) * len(experts) * sum(l.in_features * l.out_features for l in linears)
    return seconds, flops / seconds / 1e12


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--experts", type=int, default=8)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256])
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--precision-epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--legacy", action="store_true", help="also time the per-expert path")
    parser.add_argument("--profile", action="store_true",
                        help="print where the fit's time goes (cProfile, by own time)")
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    if args.quick:
        args.rows, args.epochs, args.precision_epochs, args.repeats = 20_000, 2, 1, 1
        args.hidden = [32, 32]
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    X, y = data(args.rows, args.features)
    result = {"device": name, "torch": torch.__version__, "rows": args.rows,
              "features": args.features, "experts": args.experts, "hidden": args.hidden,
              "batch_size": args.batch_size, "device_path": _device_predict is not None}
    print(f"device: {name}; torch {torch.__version__}; {args.rows:,} x {args.features}, "
          f"{args.experts} experts {tuple(args.hidden)}, batch {args.batch_size}", flush=True)

    # Warm-up: CUDA context, cuBLAS, torch's lazy imports (Adam), outside the timings.
    fit_timed(args, device, X[:20_000], y[:20_000], 1)

    if args.profile:
        import cProfile
        import pstats
        profiler = cProfile.Profile()
        profiler.enable()
    model, fit = fit_timed(args, device, X, y, args.epochs)
    if args.profile:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    result["fit"] = fit
    print(f"(a) fit, {args.epochs} epochs: {fit['fit_s']:.2f} s; epochs {fit['epochs_s']:.2f} s "
          f"(median {fit['epoch_median_s']:.3f} s, after the first {fit['epoch_steady_s']:.3f} s);"
          f" outside the epochs {fit['outside_s']:.2f} s = {100 * fit['outside_fraction']:.1f} %",
          flush=True)

    model.predict(X[:1000])
    seconds, pred = timed(lambda: model.predict(X), device, args.repeats)
    epoch = fit["epoch_steady_s"]
    result["predict_s"] = seconds
    result["predict_over_epoch"] = seconds / epoch
    print(f"(b) predict, {args.rows:,} rows: {seconds:.3f} s = {seconds / epoch:.2f} x one "
          f"epoch ({epoch:.3f} s)", flush=True)
    if _device_predict is not None:
        stages = predict_breakdown(model, X, device)
        result["predict_stages_s"] = stages
        print("    device path stages: " + ", ".join(f"{k} {v:.3f} s" for k, v in stages.items()),
              flush=True)
    if args.legacy and _device_predict is not None:
        legacy_s, legacy = timed(lambda: legacy_predict(model, X), device, args.repeats)
        result["legacy_predict_s"] = legacy_s
        result["legacy_max_abs_diff"] = float(np.max(np.abs(legacy - pred)))
        print(f"    per-expert path: {legacy_s:.3f} s; largest |difference| "
              f"{result['legacy_max_abs_diff']:.2e} (y std {y.std():.2f})", flush=True)

    if _device_predict is not None:
        result["batched"] = {}
        for precision in ("float32", "tf32", "bf16"):
            peak = matmul_peak(device, precision) if device.type == "cuda" else float("nan")
            for path in ("eager", "fused"):
                seconds, tflops = batched_rate(model, X, device, precision, args.repeats,
                                               eager=path == "eager")
                entry = {"seconds": seconds, "tflops": tflops, "measured_peak_tflops": peak,
                         "fraction_of_measured_peak": tflops / peak,
                         "fraction_of_datasheet_peak": tflops / DATASHEET_TFLOPS[precision]}
                result["batched"][precision if path == "fused" else f"{precision}_eager"] = entry
                print(f"(c) batched experts [{precision}, {path}]: {seconds:.4f} s, "
                      f"{tflops:.1f} TFLOP/s = {100 * tflops / peak:.1f} % of the measured mm "
                      f"peak {peak:.1f}, {100 * entry['fraction_of_datasheet_peak']:.1f} % of "
                      f"the datasheet {DATASHEET_TFLOPS[precision]:.0f}", flush=True)
        result["precision"] = {}
        for precision in ("tf32", "bf16"):
            m, f = fit_timed(args, device, X, y, args.precision_epochs, precision)
            m.predict(X[:1000])
            p_s, p = timed(lambda: m.predict(X), device, args.repeats)
            for e in m.experts_:
                e.precision = "float32"
            ref = m.predict(X)
            entry = {"epoch_steady_s": f["epoch_steady_s"], "predict_s": p_s,
                     "predict_max_abs_diff_vs_float32_weights_same": float(np.max(np.abs(p - ref))),
                     "train_loss_last": m.history_[-1]["train_loss"]}
            result["precision"][precision] = entry
            print(f"(d) precision={precision}: epoch {f['epoch_steady_s']:.3f} s, predict "
                  f"{p_s:.3f} s; same weights run in float32 differ by at most "
                  f"{entry['predict_max_abs_diff_vs_float32_weights_same']:.2e}", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=2)


if __name__ == "__main__":
    main()
