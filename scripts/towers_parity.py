#!/usr/bin/python3
"""Python side of the export parity check (tests/serve/torchscript_export_test.cpp).

Loads an export directory written by `towerrec export` with torch.jit.load and embeds raw feature
matrices, so the C++ test can compare Python's vectors with LibTorch's and the trainer's.

usage: towers_parity.py TOWERS_DIR USER_RAW.npy ITEM_RAW.npy USER_OUT.npy ITEM_OUT.npy
                        [USER_BAG.npy ITEM_BAG.npy]

The raw inputs are float32 [rows, n_features] in towers.json's feature order; the outputs are float32
[rows, dim]. Towers with a bag (towers.json "watched_items" / "item_ids") also take the bag entries:
[nnz, 2] arrays of (row, position in that list), passed as bag_rows and bag_items (int64). Exit code 0 on success, 1 with a message on stderr otherwise. Run it with Debian's
/usr/bin/python3 (python3-torch, numpy).
"""
import json
import os
import sys

import numpy as np
import torch


def embed(module, raw_path, n_features, side, bag_path=None, has_bag=False):
    raw = np.load(raw_path)
    if raw.dtype != np.float32 or raw.ndim != 2 or raw.shape[1] != n_features:
        raise SystemExit(f"{raw_path}: expected float32 [rows, {n_features}] raw {side} features, "
                         f"found {raw.dtype} {list(raw.shape)}")
    with torch.no_grad():
        if not has_bag:
            return module(torch.from_numpy(raw)).numpy()
        bag = np.load(bag_path).reshape(-1, 2).astype(np.int64) if bag_path else np.zeros((0, 2), np.int64)
        rows = torch.from_numpy(np.ascontiguousarray(bag[:, 0]))
        items = torch.from_numpy(np.ascontiguousarray(bag[:, 1]))
        return module(torch.from_numpy(raw), rows, items).numpy()


def main(argv):
    if len(argv) not in (6, 8):
        print(__doc__, file=sys.stderr)
        return 1
    towers, user_raw, item_raw, user_out, item_out = argv[1:6]
    user_bag, item_bag = argv[6:8] if len(argv) == 8 else (None, None)
    with open(os.path.join(towers, "towers.json")) as f:
        info = json.load(f)
    user = torch.jit.load(os.path.join(towers, info["user_tower"]))
    item = torch.jit.load(os.path.join(towers, info["item_tower"]))
    np.save(user_out, embed(user, user_raw, len(info["user_features"]), "user", user_bag,
                            "watched_items" in info))
    np.save(item_out, embed(item, item_raw, len(info["item_features"]), "item", item_bag,
                            "item_ids" in info))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
