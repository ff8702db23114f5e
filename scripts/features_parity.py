#!/usr/bin/python3
"""Python side of the `towerrec features` parity check (tests/serve/current_data_test.cpp).

Feeds the raw feature matrix written by `towerrec features` (and its bag files, when the tower has
a bag) to the exported TorchScript tower, exactly as the README's snippet does, and compares the
vectors with those `towerrec embed` wrote for the same run and data.

usage: features_parity.py TOWERS_DIR (users|items FEATURES.npy EMBED.npy)...

FEATURES.npy comes with FEATURES.ids and, for a tower with a bag, FEATURES.bag_rows.npy and
FEATURES.bag_items.npy; EMBED.npy with EMBED.ids (same ids, same order). Several triples share one
Python start (importing torch is the slow part). Prints the largest absolute difference of each;
exit code 0 when every one is <= 1e-5 (TOWERREC_PARITY_TOL overrides), 1 otherwise. Run it with
Debian's /usr/bin/python3 (python3-torch, numpy).
"""
import json
import os
import sys

import numpy as np
import torch


def stem(path):
    return path[:-4] if path.endswith(".npy") else path


def tower_vectors(towers, side, features):
    info = json.load(open(os.path.join(towers, "towers.json")))
    tower = torch.jit.load(os.path.join(towers, info["user_tower" if side == "users" else "item_tower"]))
    x = torch.from_numpy(np.load(features))
    bag = "watched_items" if side == "users" else "item_ids"
    with torch.no_grad():
        if bag not in info:
            return tower(x).numpy()
        rows = torch.from_numpy(np.load(stem(features) + ".bag_rows.npy"))
        items = torch.from_numpy(np.load(stem(features) + ".bag_items.npy"))
        return tower(x, rows, items).numpy()


def check(towers, side, features, embed, tol):
    if open(stem(features) + ".ids").read() != open(stem(embed) + ".ids").read():
        print(f"{stem(features)}.ids and {stem(embed)}.ids differ", file=sys.stderr)
        return False
    got = tower_vectors(towers, side, features)
    want = np.load(embed)
    if got.shape != want.shape:
        print(f"{features}: shapes differ: towers {got.shape}, embed {want.shape}", file=sys.stderr)
        return False
    diff = float(np.abs(got - want).max()) if got.size else 0.0
    print(f"{features} ({side}): {got.shape[0]} rows, max |python - embed| = {diff:.3g}")
    return diff <= tol


def main(argv):
    triples = argv[2:]
    if len(argv) < 5 or len(triples) % 3 or any(t not in ("users", "items") for t in triples[::3]):
        print(__doc__, file=sys.stderr)
        return 1
    tol = float(os.environ.get("TOWERREC_PARITY_TOL", "1e-5"))
    ok = True
    for k in range(0, len(triples), 3):
        ok &= check(argv[1], *triples[k:k + 3], tol)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
