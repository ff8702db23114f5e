#!/usr/bin/python3
"""Peer of scripts/bench_cf: the course lab's DENSE collaborative-filtering training in plain PyTorch.

The lab (C3 W2 practice lab 1) computes its cost over the whole [n_movies, n_users] matrix, masked by R:
    J = 1/2 sum(((X W^T + b - Y) * R)^2) + lambda/2 (sum W^2 + sum X^2)
with W, X, b ~ N(0, 1), Adam lr 0.1, mean normalisation. This does the same with torch autograd and
prints iterations per second as JSON. Run with /usr/bin/python3 (Debian's, which has torch).
"""
import argparse
import json
import os
import time

import numpy as np
import pandas as pd
import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="the c3w2-collab-filtering-lab directory")
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--features", type=int, default=100)
    ap.add_argument("--lambda_", type=float, default=1.0)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    Y = pd.read_csv(os.path.join(args.data, "small_movies_Y.csv"), header=None).to_numpy(np.float32)
    R = pd.read_csv(os.path.join(args.data, "small_movies_R.csv"), header=None).to_numpy(np.float32)
    # The lab's normalizeRatings: per-movie mean over rated entries.
    Ymean = (Y.sum(1) / (R.sum(1) + 1e-12)).reshape(-1, 1)
    Ynorm = torch.from_numpy(Y - Ymean * R)
    Rt = torch.from_numpy(R)
    n_movies, n_users = Y.shape

    g = torch.Generator().manual_seed(1234)
    W = torch.randn(n_users, args.features, generator=g).requires_grad_()
    X = torch.randn(n_movies, args.features, generator=g).requires_grad_()
    b = torch.randn(1, n_users, generator=g).requires_grad_()
    opt = torch.optim.Adam([W, X, b], lr=args.lr)

    def step():
        opt.zero_grad()
        j = (X @ W.T + b - Ynorm) * Rt
        cost = 0.5 * (j ** 2).sum() + args.lambda_ / 2 * ((X ** 2).sum() + (W ** 2).sum())
        cost.backward()
        opt.step()
        return cost.item()

    step()  # warm-up (allocations), not timed
    t0 = time.perf_counter()
    for _ in range(args.iterations):
        cost = step()
    secs = time.perf_counter() - t0
    print(json.dumps({"impl": "python-dense", "iterations": args.iterations, "seconds": secs,
                      "iterations_per_second": args.iterations / secs, "final_cost": cost,
                      "threads": args.threads, "cells": int(n_movies * n_users),
                      "ratings": int(R.sum())}))


if __name__ == "__main__":
    main()
