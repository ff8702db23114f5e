#!/usr/bin/python3
"""Plain-Python PyTorch peer of towerrec's trainer, for scripts/bench_train.

The course lab's two-tower model written the way a reader of the lab would write it in PyTorch:
nn.Sequential towers (256-128-32, ReLU between, none after the last layer), F.normalize, dot product,
MSELoss, torch.optim.Adam, autograd, shuffled mini-batches gathered by index. Reads the data written
by `towerrec_bench_train data` and prints one JSON line like the C++ side.

    /usr/bin/python3 scripts/bench_train_torch.py --data DIR --batch 32 --threads 1 --epochs 3
"""
import argparse
import json
import os
import time

# Same threads as towerrec: torch.set_num_threads does not reach OpenBLAS's own pool, which would
# otherwise add threads of its own on top (towerrec pins it to 1, src/train/threads.h). Must be set
# before torch loads OpenBLAS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def tower(n_in, hidden=(256, 128), dim=32):
    layers, width = [], n_in
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, dim))
    return nn.Sequential(*layers)


class TwoTower(nn.Module):
    def __init__(self, user_in, item_in):
        super().__init__()
        self.user = tower(user_in)
        self.item = tower(item_in)

    def forward(self, xu, xi):
        vu = F.normalize(self.user(xu), dim=1)
        vi = F.normalize(self.item(xi), dim=1)
        return (vu * vi).sum(dim=1)


def load(data_dir):
    with open(os.path.join(data_dir, "shape.json")) as f:
        shape = json.load(f)
    ux = np.fromfile(os.path.join(data_dir, "user_x.f32"), dtype=np.float32).reshape(-1, shape["user_in"])
    ix = np.fromfile(os.path.join(data_dir, "item_x.f32"), dtype=np.float32).reshape(-1, shape["item_in"])
    pairs = np.fromfile(os.path.join(data_dir, "pairs.i32"), dtype=np.int32).reshape(-1, 2)
    y = np.fromfile(os.path.join(data_dir, "target.f32"), dtype=np.float32)
    return (torch.from_numpy(ux), torch.from_numpy(ix), torch.from_numpy(pairs[:, 0].astype(np.int64)),
            torch.from_numpy(pairs[:, 1].astype(np.int64)), torch.from_numpy(y))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    ux, ix, u, i, y = load(args.data)
    model = TwoTower(ux.shape[1], ix.shape[1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    n = y.shape[0]
    rates, losses = [], []
    for _ in range(args.epochs):
        perm = torch.randperm(n)
        start, total = time.perf_counter(), 0.0
        for s in range(0, n, args.batch):
            idx = perm[s:s + args.batch]
            pred = model(ux[u[idx]], ix[i[idx]])
            loss = loss_fn(pred, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
        rates.append(n / (time.perf_counter() - start))
        losses.append(total / n)
    print(json.dumps({"impl": "pytorch", "batch": args.batch, "threads": torch.get_num_threads(),
                      "epochs": args.epochs, "rows": n, "rows_per_sec": sorted(rates)[len(rates) // 2],
                      "epoch_rows_per_sec": rates, "train_loss": losses}))


if __name__ == "__main__":
    main()
