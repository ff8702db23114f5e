#!/usr/bin/python3
"""Peer: the course lab's two-tower model in plain Python PyTorch, on a towerrec run's own split.

The split is read back from the run directory (test = the rows of RUN/test_predictions.csv, train =
every other rating), so both programs see exactly the same training and test ratings. Features are
the lab's only, computed with pandas from the training ratings:
  item: release year, average rating, genre flags;
  user: rating count, average rating, per-genre average rating (0 where the user rated none).
Both scaled with a StandardScaler fit on the training rows, targets min-max scaled to [-1, 1];
towers 256-128-32 with ReLU, L2-normalised outputs, dot product, MSE, Adam (the lab: lr 0.01,
30 epochs, batch 32). Prints one JSON line with the test RMSE/MAE in stars.

    scripts/peer_lab_model.py --data ../shared/data/ml-latest-small --run RUN_DIR [--epochs 30]
"""
import argparse
import json
import os
import re
import time

import numpy as np
import pandas as pd
import torch


def lab_features(ratings, movies, genres):
    """Lab feature tables indexed by movieId / userId, from `ratings` (the training split)."""
    years = movies["title"].str.extract(r"\((\d{4})\)\s*$")[0].astype(float)
    items = pd.DataFrame({"year": years.fillna(years.median()).values}, index=movies["movieId"])
    item_avg = ratings.groupby("movieId")["rating"].mean()
    items["avg"] = item_avg.reindex(items.index).fillna(ratings["rating"].mean())
    flags = pd.DataFrame({g: movies["genres"].str.split("|").apply(lambda gs, g=g: float(g in gs)).values
                          for g in genres}, index=movies["movieId"])
    items = pd.concat([items, flags], axis=1)

    grouped = ratings.groupby("userId")["rating"]
    users = pd.DataFrame({"count": grouped.size(), "avg": grouped.mean()})
    per = ratings.merge(flags, left_on="movieId", right_index=True)
    for g in genres:
        rated = per[per[g] > 0].groupby("userId")["rating"].mean()
        users["g_" + g] = rated.reindex(users.index).fillna(0.0)
    return users, items


class Tower(torch.nn.Module):
    def __init__(self, d_in, hidden=(256, 128), d_out=32):
        super().__init__()
        layers, d = [], d_in
        for h in hidden:
            layers += [torch.nn.Linear(d, h), torch.nn.ReLU()]
            d = h
        layers.append(torch.nn.Linear(d, d_out))
        self.net = torch.nn.Sequential(*layers)

    def forward(self, x):
        return torch.nn.functional.normalize(self.net(x), dim=1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", required=True, help="MovieLens latest directory (ratings.csv, movies.csv)")
    ap.add_argument("--run", required=True, help="towerrec run directory (test_predictions.csv)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=0.01)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    ratings = pd.read_csv(os.path.join(args.data, "ratings.csv"))
    movies = pd.read_csv(os.path.join(args.data, "movies.csv"))
    test_keys = pd.read_csv(os.path.join(args.run, "test_predictions.csv"))[["user_id", "item_id"]]
    test_keys.columns = ["userId", "movieId"]
    merged = ratings.merge(test_keys.assign(_test=1), on=["userId", "movieId"], how="left")
    is_test = merged["_test"].notna().values
    train, test = ratings[~is_test], ratings[is_test]
    if len(test) != len(test_keys):
        raise SystemExit(f"{args.run}: {len(test_keys)} test rows, {len(test)} found in ratings.csv")

    genres = sorted({g for gs in movies["genres"] for g in gs.split("|") if g != "(no genres listed)"})
    users, items = lab_features(train, movies, genres)

    def scaled(table, fit_rows):
        mu, sd = fit_rows.mean(0), fit_rows.std(0)
        sd[sd == 0] = 1
        return ((table - mu) / sd).astype(np.float32)

    u_tab = users.values.astype(np.float64)
    i_tab = items.values.astype(np.float64)
    u_row = {u: r for r, u in enumerate(users.index)}
    i_row = {m: r for r, m in enumerate(items.index)}
    tu = np.array([u_row[u] for u in train["userId"]])
    ti = np.array([i_row[m] for m in train["movieId"]])
    u_x = torch.from_numpy(scaled(u_tab, u_tab[tu]))  # the lab scales the training rows' features
    i_x = torch.from_numpy(scaled(i_tab, i_tab[ti]))
    lo, hi = train["rating"].min(), train["rating"].max()
    y = torch.tensor(((train["rating"].values - lo) / (hi - lo) * 2 - 1), dtype=torch.float32)
    tu, ti = torch.from_numpy(tu), torch.from_numpy(ti)

    user_tower, item_tower = Tower(u_x.shape[1]), Tower(i_x.shape[1])
    params = list(user_tower.parameters()) + list(item_tower.parameters())
    opt = torch.optim.Adam(params, lr=args.lr)
    start = time.perf_counter()
    for epoch in range(args.epochs):
        perm = torch.randperm(len(y))
        total = 0.0
        for s in range(0, len(y), args.batch):
            b = perm[s:s + args.batch]
            pred = (user_tower(u_x[tu[b]]) * item_tower(i_x[ti[b]])).sum(1)
            loss = torch.nn.functional.mse_loss(pred, y[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
    seconds = time.perf_counter() - start

    # Test users/items without training ratings have no row: the lab has no cold start; predict the
    # training mean for them (counted, and rare on a random split).
    with torch.no_grad():
        known = np.array([u in u_row and m in i_row for u, m in zip(test["userId"], test["movieId"])])
        pred = np.full(len(test), train["rating"].mean())
        qu = torch.tensor([u_row[u] for u, k in zip(test["userId"], known) if k])
        qi = torch.tensor([i_row[m] for m, k in zip(test["movieId"], known) if k])
        p = (user_tower(u_x[qu]) * item_tower(i_x[qi])).sum(1).numpy()
        pred[known] = (p + 1) / 2 * (hi - lo) + lo
    err = pred - test["rating"].values
    print(json.dumps({"model": "python_lab_two_tower", "test_rmse": float(np.sqrt(np.mean(err ** 2))),
                      "test_mae": float(np.mean(np.abs(err))), "train_rows": int(len(train)),
                      "test_rows": int(len(test)), "test_rows_cold": int((~known).sum()),
                      "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
                      "train_seconds": round(seconds, 1)}))


if __name__ == "__main__":
    main()
