#!/usr/bin/python3
"""Is the planted signal of `towerrec generate` learnable from features? A quick independent peer:
random 80/20 split, mean baselines vs a small two-tower MLP on user features (demographics, per-genre
average rating and log count from the training split) and item features (genres, year, shrunk average
rating, log count). Usage: /usr/bin/python3 scripts/synthetic_signal_check.py DIR [EPOCHS]"""
import sys

import numpy as np
import pandas as pd
import torch

d = sys.argv[1]
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 15
torch.manual_seed(0)
rng = np.random.default_rng(0)
r = pd.read_csv(f"{d}/ratings.csv")
m = pd.read_csv(f"{d}/movies.csv")
u = pd.read_csv(f"{d}/users.csv")
n_users, n_items = u.userId.max(), m.movieId.max()
test = rng.random(len(r)) < 0.2
tr, te = r[~test], r[test]
mu = tr.rating.mean()

def rmse(pred, y):
    return float(np.sqrt(np.mean((pred - y) ** 2)))

# Baselines
item_sum = np.bincount(tr.movieId, tr.rating - mu, n_items + 1)
item_cnt = np.bincount(tr.movieId, None, n_items + 1)
b_i = item_sum / (item_cnt + 10)
user_sum = np.bincount(tr.userId, tr.rating - mu - b_i[tr.movieId], n_users + 1)
user_cnt = np.bincount(tr.userId, None, n_users + 1)
b_u = user_sum / (user_cnt + 10)
print(f"global mean      RMSE {rmse(mu, te.rating.values):.4f}")
print(f"item mean        RMSE {rmse(mu + b_i[te.movieId], te.rating.values):.4f}")
print(f"user+item bias   RMSE {rmse(mu + b_i[te.movieId] + b_u[te.userId], te.rating.values):.4f}")

# Item features
genres = sorted({g for s in m.genres for g in s.split("|") if g != "(no genres listed)"})
G = np.zeros((n_items + 1, len(genres)), np.float32)
for mid, s in zip(m.movieId, m.genres):
    for g in s.split("|"):
        if g in genres:
            G[mid, genres.index(g)] = 1
year = np.zeros(n_items + 1, np.float32)
year[m.movieId] = m.title.str.extract(r"\((\d{4})\)$")[0].astype(float).values
item_x = np.column_stack([G, (year - 2000) / 15, b_i, np.log1p(item_cnt)]).astype(np.float32)
# User features
occ = sorted(u.occupation.unique())
U = np.zeros((n_users + 1, 3 + len(occ)), np.float32)
U[u.userId, 0] = (u.age - 34) / 12
U[u.userId, 1] = (u.gender == "M")
U[u.userId, 2] = (u.gender == "F")
for uid, o in zip(u.userId, u.occupation):
    U[uid, 3 + occ.index(o)] = 1
Gr = G[tr.movieId.values]
dev = (tr.rating.values - mu)[:, None] * Gr
gs = np.zeros((n_users + 1, len(genres)), np.float32)
gc = np.zeros((n_users + 1, len(genres)), np.float32)
np.add.at(gs, tr.userId.values, dev)
np.add.at(gc, tr.userId.values, Gr)
user_x = np.column_stack([U, gs / (gc + 3), np.log1p(gc)]).astype(np.float32)

def tower(n_in):
    return torch.nn.Sequential(torch.nn.Linear(n_in, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64),
                               torch.nn.ReLU(), torch.nn.Linear(64, 32))

ut, it = tower(user_x.shape[1]), tower(item_x.shape[1])
opt = torch.optim.Adam(list(ut.parameters()) + list(it.parameters()), lr=1e-3)
UX, IX = torch.from_numpy(user_x), torch.from_numpy(item_x)
tu, ti = torch.from_numpy(tr.userId.values), torch.from_numpy(tr.movieId.values)
ty = torch.from_numpy(tr.rating.values.astype(np.float32)) - mu
eu, ei = torch.from_numpy(te.userId.values), torch.from_numpy(te.movieId.values)
for epoch in range(epochs):
    perm = torch.randperm(len(tu))
    for k in range(0, len(perm), 256):
        b = perm[k:k + 256]
        pred = (ut(UX[tu[b]]) * it(IX[ti[b]])).sum(1)
        loss = ((pred - ty[b]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
with torch.no_grad():
    pred = (ut(UX[eu]) * it(IX[ei])).sum(1).numpy() + mu
print(f"two-tower        RMSE {rmse(np.clip(pred, 0.5, 5), te.rating.values):.4f}  ({epochs} epochs)")
