"""Test-session settings shared by every test file."""

import torch

# The tests fit tiny networks: with several intra-op threads on a small (or
# busy) machine, torch spends far more time synchronising threads than
# computing. One thread keeps the suite fast and its timings stable.
torch.set_num_threads(1)
