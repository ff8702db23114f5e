#!/usr/bin/python3
"""Plain-Python PyTorch peer of towerrec's trainer, for scripts/bench_train.

The course lab's two-tower model written the way a reader of the lab would write it in PyTorch:
nn.Sequential towers (256-128-32, ReLU between, none after the last layer), F.normalize, dot product,
MSELoss, torch.optim.Adam, autograd, shuffled mini-batches gathered by index. Reads the data written
by `towerrec_bench_train data` and prints one JSON line like the C++ side.

--loss softmax: towerrec's retrieval loss the way PyTorch users write it: logits = u v^T / temperature
minus log(batch * the item's share of the training rows) (logQ correction), the same item elsewhere
in the batch masked to -inf (accidental hits), F.cross_entropy against the diagonal; every row is a
positive, as on the C++ side. --bag 1: the watched-items bag as nn.EmbeddingBag(mode="sum",
per_sample_weights=...) added to the user tower's first Linear (what towerrec's bag sum computes),
the batch's bag entries gathered with vectorised index arithmetic (no Python loop over rows).

    /usr/bin/python3 scripts/bench_train_torch.py --data DIR --batch 32 --threads 1 --epochs 3
        [--loss mse|softmax] [--bag 0|1]
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
    def __init__(self, user_in, item_in, bag_vocab=0):
        super().__init__()
        self.user = tower(user_in)
        self.item = tower(item_in)
        # The bag's rows are first-layer weight columns: its sum joins the first Linear's output.
        self.bag = (nn.EmbeddingBag(bag_vocab, self.user[0].out_features, mode="sum")
                    if bag_vocab else None)

    def towers(self, xu, xi, bag=None):
        if self.bag is None:
            hu = self.user(xu)
        else:
            index, offsets, weights = bag
            hu = self.user[1:](self.user[0](xu) + self.bag(index, offsets, per_sample_weights=weights))
        return F.normalize(hu, dim=1), F.normalize(self.item(xi), dim=1)

    def forward(self, xu, xi, bag=None):
        vu, vi = self.towers(xu, xi, bag)
        return (vu * vi).sum(dim=1)


def batch_bag(bag, users):
    """The CSR entries of `users`' bag rows, in order: (index, offsets, weights) for EmbeddingBag."""
    offsets, index, value = bag
    starts, lens = offsets[users], offsets[users + 1] - offsets[users]
    batch_offsets = torch.cumsum(lens, 0) - lens
    pos = torch.repeat_interleave(starts - batch_offsets, lens) + torch.arange(int(lens.sum()))
    return index[pos], batch_offsets, value[pos]


def softmax_loss(vu, vi, items, log_q, temperature):
    """In-batch softmax with logQ correction and accidental hits masked."""
    logits = vu @ vi.t() / temperature - log_q[items]
    n = items.shape[0]
    hit = (items[None, :] == items[:, None]) & ~torch.eye(n, dtype=torch.bool)
    logits = logits.masked_fill(hit, float("-inf"))
    return F.cross_entropy(logits, torch.arange(n))


def load(data_dir):
    with open(os.path.join(data_dir, "shape.json")) as f:
        shape = json.load(f)
    ux = np.fromfile(os.path.join(data_dir, "user_x.f32"), dtype=np.float32).reshape(-1, shape["user_in"])
    ix = np.fromfile(os.path.join(data_dir, "item_x.f32"), dtype=np.float32).reshape(-1, shape["item_in"])
    pairs = np.fromfile(os.path.join(data_dir, "pairs.i32"), dtype=np.int32).reshape(-1, 2)
    y = np.fromfile(os.path.join(data_dir, "target.f32"), dtype=np.float32)
    bag = None
    if shape.get("bag", 0):
        bag = (torch.from_numpy(np.fromfile(os.path.join(data_dir, "bag_offsets.i64"), dtype=np.int64)),
               torch.from_numpy(np.fromfile(os.path.join(data_dir, "bag_index.i32"), dtype=np.int32)
                                .astype(np.int64)),
               torch.from_numpy(np.fromfile(os.path.join(data_dir, "bag_value.f32"), dtype=np.float32)))
    return (torch.from_numpy(ux), torch.from_numpy(ix), torch.from_numpy(pairs[:, 0].astype(np.int64)),
            torch.from_numpy(pairs[:, 1].astype(np.int64)), torch.from_numpy(y), shape.get("bag", 0), bag)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--loss", choices=("mse", "softmax"), default="mse")
    ap.add_argument("--bag", type=int, default=0, help="1: the data's watched-items bag on the user tower")
    ap.add_argument("--temperature", type=float, default=0.1, help="towerrec's train.temperature default")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(42)
    ux, ix, u, i, y, vocab, bag = load(args.data)
    if args.bag and not vocab:
        raise SystemExit("--bag 1: the data has no bag (towerrec_bench_train data --bag V)")
    model = TwoTower(ux.shape[1], ix.shape[1], vocab if args.bag else 0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.MSELoss()
    n = y.shape[0]
    # logQ: each item's share of the training rows, floored at one row (as towerrec does).
    share = torch.bincount(i, minlength=ix.shape[0]).clamp(min=1).float() / n
    rates, losses = [], []
    cpu0 = time.process_time()
    for _ in range(args.epochs):
        perm = torch.randperm(n)
        start, total = time.perf_counter(), 0.0
        for s in range(0, n, args.batch):
            idx = perm[s:s + args.batch]
            bb = batch_bag(bag, u[idx]) if args.bag else None
            if args.loss == "mse":
                loss = loss_fn(model(ux[u[idx]], ix[i[idx]], bb), y[idx])
            else:
                items = i[idx]
                vu, vi = model.towers(ux[u[idx]], ix[items], bb)
                loss = softmax_loss(vu, vi, items, torch.log(idx.shape[0] * share), args.temperature)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * idx.shape[0]
        rates.append(n / (time.perf_counter() - start))
        losses.append(total / n)
    print(json.dumps({"impl": "pytorch", "batch": args.batch, "loss": args.loss,
                      "bag": vocab if args.bag else 0, "threads": torch.get_num_threads(),
                      "epochs": args.epochs, "rows": n, "rows_per_sec": sorted(rates)[len(rates) // 2],
                      "epoch_rows_per_sec": rates, "train_loss": losses,
                      "cpu_rows_per_sec": n * args.epochs / (time.process_time() - cpu0)}))


if __name__ == "__main__":
    main()
