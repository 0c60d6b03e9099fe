"""Batched torch MLP experts vs a per-expert loop, one training epoch on a GPU.

(a) One epoch of minibatch Adam on the mixture's negative log-likelihood:
    16 MLP experts (64 -> 256 -> 256 -> 1) plus the gate (MLPGate default,
    one hidden layer of 32) on 1,000,000 x 64 rows. Both versions run the
    trainer's own epoch (``skmoe._gradient.train_epoch``) on the same GPU;
    they differ only in the experts' forward: one ``BatchedMLP`` (one
    ``baddbmm`` per layer for all experts) or a Python loop over 16
    ``nn.Sequential`` MLPs. Epoch times are medians of ``--repeats``
    interleaved runs; the ratio is loop / batched.
(b) Achieved TFLOP/s of the batched epoch (matmul FLOPs of the forward and
    backward passes of experts and gate), as a fraction of the GPU's
    measured matmul peak (median of large square ``torch.mm`` calls in the
    same precision).
(c) The library path: ``MixtureOfExpertsRegressor(training="gradient")``
    with 16 ``TorchMLPRegressor((256, 256))`` experts, one epoch
    (``history_[0]["seconds"]``).

Precision modes: ``fp32`` (torch's default: TF32 off) and ``tf32``. Step
modes: ``eager`` (one kernel launch per op) and, with ``--graphs``, ``CUDA
graphs`` (each full-batch step replayed as one graph, as the trainer does on
a GPU; see ``skmoe._gradient.Stepper``). Both versions use the trainer's
``Stepper`` and the fused CUDA Adam.

Usage::

    python benchmarks/bench_gpu_batched.py --graphs         # full size, on CUDA
    python benchmarks/bench_gpu_batched.py --quick          # small smoke run (CPU ok)
"""

import argparse
import json
import statistics
import time

import numpy as np
import torch

from skmoe import MixtureOfExpertsRegressor, MLPGate
from skmoe._gradient import Stepper
from skmoe._joint import JointMixture, TrainingData, _ExpertGroup
from skmoe._nn import make_mlp
from skmoe.experts import TorchMLPRegressor


class LoopMixture(JointMixture):
    """The same mixture, experts called one after the other in a Python loop."""

    def __init__(self, gate, mlps, log_variance):
        super().__init__(gate, [], [], len(mlps), regression=True, log_variance=log_variance)
        self.mlps = torch.nn.ModuleList(mlps)

    def forward(self, z_gate, z_expert, fixed_out):
        log_g = torch.log_softmax(self.gate(z_gate), dim=1)
        out = torch.cat([mlp(z_expert) for mlp in self.mlps], dim=1)   # (b, M)
        return log_g, out


def build(kind, n_features, n_experts, hidden, gate_hidden, device, seed=0):
    torch.manual_seed(seed)
    mlps = [make_mlp(n_features, hidden, 1) for _ in range(n_experts)]
    gate = make_mlp(n_features, gate_hidden, n_experts)
    log_variance = torch.zeros(n_experts)
    if kind == "batched":
        group = _ExpertGroup(list(range(n_experts)), mlps, (hidden, "relu", 0.0, 1))
        model = JointMixture(gate, [group], [], n_experts, True, log_variance)
    else:
        model = LoopMixture(gate, mlps, log_variance)
    return model.to(device)


def synchronize(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def make_stepper(model, data, batch_size, device, graphs):
    # As in the trainer: fused CUDA Adam (one launch for all parameters), and
    # optionally each full-batch step replayed as one CUDA graph.
    cuda = device.type == "cuda"
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=cuda or None,
                                 capturable=graphs)
    return Stepper(model, optimizer, data, batch_size, "nll", graphs=graphs and cuda)


def time_epoch(stepper, device, seed):
    train = torch.arange(len(stepper.data.y), device=device)
    generator = torch.Generator().manual_seed(seed)
    synchronize(device)
    start = time.perf_counter()
    stepper.epoch(train, generator)
    synchronize(device)
    return time.perf_counter() - start


def epoch_flops(n_rows, n_features, n_experts, hidden, gate_hidden):
    """Matmul FLOPs of one epoch: forward, weight gradients, input gradients."""
    def mlp(widths, copies):
        total = 0
        for layer, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
            passes = 2 if layer == 0 else 3   # no input gradient for the data
            total += passes * 2 * a * b * copies
        return total
    per_row = (mlp([n_features, *hidden, 1], n_experts)
               + mlp([n_features, *gate_hidden, n_experts], 1))
    return per_row * n_rows


def matmul_peak(device, size, repeats=10):
    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    times = []
    for _ in range(repeats + 2):
        synchronize(device)
        start = time.perf_counter()
        torch.mm(a, b)
        synchronize(device)
        times.append(time.perf_counter() - start)
    return 2 * size ** 3 / statistics.median(times[2:]) / 1e12


def library_epoch(X, y, n_experts, hidden, batch_size, device):
    moe = MixtureOfExpertsRegressor(
        TorchMLPRegressor(hidden_layer_sizes=hidden), n_experts=n_experts,
        training="gradient", max_epochs=1, validation_fraction=0.0, batch_size=batch_size,
        gate=MLPGate(), device=str(device), random_state=0).fit(X, y)
    return moe.history_[0]["seconds"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=64)
    parser.add_argument("--experts", type=int, default=16)
    parser.add_argument("--hidden", type=int, nargs="+", default=[256, 256])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[1024, 4096, 16384])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--modes", nargs="+", default=["fp32", "tf32"])
    parser.add_argument("--peak-size", type=int, default=8192)
    parser.add_argument("--graphs", action="store_true",
                        help="also time each step replayed as a CUDA graph")
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke test")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.batch_sizes, args.repeats, args.peak_size = 20_000, [1024], 1, 1024
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    print(f"device: {name}; torch {torch.__version__}; {args.rows:,} x {args.features} rows, "
          f"{args.experts} experts {tuple(args.hidden)}, gate (32,)")
    hidden, gate_hidden = tuple(args.hidden), (32,)
    gen = torch.Generator(device=device).manual_seed(0)
    X = torch.randn(args.rows, args.features, device=device, generator=gen)
    y = torch.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * torch.randn(
        args.rows, device=device, generator=gen)
    data = TrainingData(X, X, torch.empty(args.rows, 0, device=device), y,
                        torch.ones(args.rows, device=device))
    flops = epoch_flops(args.rows, args.features, args.experts, hidden, gate_hidden)
    results = []
    for mode in args.modes:
        torch.backends.cuda.matmul.allow_tf32 = mode == "tf32"
        peak = matmul_peak(device, args.peak_size)
        for graphs in ([False, True] if args.graphs and device.type == "cuda" else [False]):
            label = "CUDA graphs" if graphs else "eager"
            for batch_size in args.batch_sizes:
                steppers = {kind: make_stepper(build(kind, args.features, args.experts, hidden,
                                                     gate_hidden, device),
                                               data, batch_size, device, graphs)
                            for kind in ("batched", "loop")}
                times = {"batched": [], "loop": []}
                for kind in times:   # warm-up epoch (kernel choice, allocator, capture)
                    time_epoch(steppers[kind], device, seed=0)
                for repeat in range(args.repeats):
                    for kind in times:
                        times[kind].append(time_epoch(steppers[kind], device, seed=repeat + 1))
                batched, loop = (statistics.median(times[k]) for k in ("batched", "loop"))
                achieved = flops / batched / 1e12
                results.append({"mode": mode, "steps": label, "batch_size": batch_size,
                                "batched_s": batched, "loop_s": loop,
                                "speedup": loop / batched, "tflops": achieved,
                                "peak_tflops": peak, "fraction_of_peak": achieved / peak})
                print(f"[{mode}, {label}] batch {batch_size:6d}: batched {batched:7.3f} s/epoch, "
                      f"loop {loop:7.3f} s/epoch, speed-up x{loop / batched:5.2f}; batched "
                      f"{achieved:6.1f} TFLOP/s = {100 * achieved / peak:5.1f}% of the "
                      f"measured matmul peak {peak:6.1f} TFLOP/s", flush=True)
                del steppers
    torch.backends.cuda.matmul.allow_tf32 = False
    Xn, yn = X.cpu().numpy().astype(np.float64), y.cpu().numpy().astype(np.float64)
    del X, y, data
    for batch_size in args.batch_sizes[-1:]:
        seconds = library_epoch(Xn, yn, args.experts, hidden, batch_size, device)
        results.append({"mode": "fp32", "batch_size": batch_size, "library_epoch_s": seconds})
        print(f"[fp32] MixtureOfExpertsRegressor(training='gradient'), batch {batch_size}: "
              f"{seconds:.3f} s for one epoch (history_[0]['seconds'])", flush=True)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"device": name, "torch": torch.__version__, "rows": args.rows,
                       "flops_per_epoch": flops, "results": results}, fh, indent=1)


if __name__ == "__main__":
    main()
