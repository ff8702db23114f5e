#!/usr/bin/env python3
"""Writes the seed corpora fuzz/seeds/<target>/ (small synthetic inputs, committed).

Each input is what the target's run() takes: a first byte that picks the file (low 4 bits) and the
target's flags (high 4 bits), then the file's content. Run from anywhere: python3 fuzz/make_seeds.py
"""
import io
import os
import shutil

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SEEDS = os.path.join(HERE, "seeds")


def write(target, name, data):
    d = os.path.join(SEEDS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def seed(first, content):
    if isinstance(content, str):
        content = content.encode("latin-1")
    return bytes([first]) + content


def npy(arr):
    b = io.BytesIO()
    np.save(b, arr)
    return b.getvalue()


def main():
    shutil.rmtree(SEEDS, ignore_errors=True)
    # movielens: 0 ratings.csv, 1 movies.csv, 2 users.csv; flag 1 (0x10) = duplicates: error.
    write("movielens", "ratings", seed(0, "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n"
                                          "1,1,3,9\n2,3,0.5,1\n"))
    write("movielens", "movies", seed(1, 'movieId,title,genres\r\n1,"Toy Story (1995)",Adventure|'
                                         'Animation\r\n2,Heat (1995),Action\r\n3,X,(no genres listed)\r\n'))
    write("movielens", "users", seed(0x12, '\xef\xbb\xbfuserId,age,gender,occupation\n1,25,F,"a,b"\n'
                                           "2,,M,x\n"))
    # ml100k: 0 u.data, 1 u.item, 2 u.user, 3 u.genre.
    write("ml100k", "data", seed(0, "1\t1\t5\t874965758\n1\t2\t3\t876893171\n2\t1\t4\t878542960\n"))
    flags = "|".join(["0"] * 18)
    write("ml100k", "item", seed(1, f"1|Toy Story (1995)|01-Jan-1995||http://x|1|{flags}\n"
                                    f"2|B|||u|{flags}|1\n3|C (1990)|5-Feb-1990||u|0|{flags}\n"))
    write("ml100k", "user", seed(2, "1|24|M|technician|85711\n2|53|F|other|94043\n"))
    write("ml100k", "genre", seed(3, "".join(f"g{i}|{i}\n" for i in range(19))))
    # ml1m: 0 ratings.dat, 1 movies.dat, 2 users.dat.
    write("ml1m", "ratings", seed(0x10, "1::1::5::978300760\n1::2::3::978302109\n2::1::4::978301968\n"))
    write("ml1m", "movies", seed(1, "1::Toy Story (1995)::Animation|Children's|Comedy\n"
                                    "2::Jumanji (1995)::Adventure\n3::Caf\xe9 (1996)::Drama\n"))
    write("ml1m", "users", seed(2, "1::F::1::10::48067\n2::M::56::16::70072\n"))
    # content_lab: files in FileSet order; flag 1 = raw matrices, flag 2 = no content_movie_list.csv.
    content = [
        ("user_header", "user id,rating count,rating ave,Action,Drama\n"),
        ("item_header", "movie id,year,ave rating,Action,Drama\n"),
        ("user_train", "2,3,4.0,4.5,3.5\n2,3,4.0,4.5,3.5\n7,1,3.0,0,3.0\n"),
        ("item_train", "6874,2003,4.0,1,0\n8798,2004,3.8,1,1\n6874,2003,4.0,1,0\n"),
        ("y_train", "4.0\n3.5\n0.5\n"),
        ("item_vecs", "6874,2003,4.0,1,0\n8798,2004,3.8,1,1\n"),
        ("movie_list", "movieId,title,genres\n6874,Kill Bill: Vol. 1 (2003),Action|Crime\n"
                       "8798,Collateral (2004),Action|Drama\n"),
    ]
    for i, (name, text) in enumerate(content):
        write("content_lab", name, seed(i, text))
    write("content_lab", "raw", seed(0x10 | 2, content[2][1]))
    write("content_lab", "no_list", seed(0x20 | 5, content[5][1]))
    # cf_lab: Y, R, X, W, b, list; flag 1 = Dataset, flag 2 = no small_movie_list.csv.
    cf = [
        ("Y", "5,0\n0,3.5\n4,4\n"), ("R", "1,0\n0,1\n1,1\n"), ("X", "0.1,0.2\n0.3,0.4\n0.5,0.6\n"),
        ("W", "1,2\n3,4\n"), ("b", "0.5,-0.5\n"),
        ("list", ',mean rating,number of ratings,title\n0,5.0,1,Toy Story (1995)\n'
                 '1,3.5,1,"Heat, The (1995)"\n2,4.0,2,Untitled\n'),
    ]
    for i, (name, text) in enumerate(cf):
        write("cf_lab", name, seed(i, text))
    write("cf_lab", "dataset", seed(0x10, cf[0][1]))
    write("cf_lab", "dataset_no_list", seed(0x30 | 1, cf[1][1]))
    # numeric_csv: 0 columns from the first row, 1 three named columns, 2 a header file.
    write("numeric_csv", "auto", seed(0, "1,2.5,-3e2\n4,5,6\n"))
    write("numeric_csv", "named", seed(1, "1,2,3\r\n4,5,6\r\n"))
    write("numeric_csv", "header", seed(2, 'a,"b c",d\n'))
    # delimited_reader: bits 0-1 separator (, tab | ::), bit 2 quotes.
    write("delimited_reader", "csv", seed(4, 'a,b,c\n1,"x ""y"", z",3.5\r\n-2,,1e3\n'))
    write("delimited_reader", "tab", seed(1, "1\t2\t3\n4\t5\t6"))
    write("delimited_reader", "pipe", seed(2, "1|Toy|01-Jan-1995\n"))
    write("delimited_reader", "colons", seed(3, "1::F::1::10::48067\n"))
    # yaml_config: 0 config file, 1 one --set override, 2 a file plus --set train.epochs=2.
    with open(os.path.join(HERE, "..", "configs", "ml-100k.yaml"), encoding="utf-8") as f:
        write("yaml_config", "ml-100k", seed(0, f.read().encode("utf-8")))
    write("yaml_config", "small", seed(0, "data:\n  format: movielens\n  rating_min: 0.5\n"
                                          "train:\n  lr: 0.01\nmodel:\n  user_hidden: [64, 32]\n"))
    write("yaml_config", "set", seed(1, "train.lr=0.002"))
    write("yaml_config", "file_and_set", seed(2, "train:\n  lr: 0.5\n"))
    # npy: 0 float32 whole, 1 int64 whole, 2 float32 streamed, 3 ids.
    write("npy", "f4_2d", seed(0, npy(np.arange(6, dtype="<f4").reshape(2, 3))))
    write("npy", "i8_1d", seed(1, npy(np.arange(4, dtype="<i8"))))
    write("npy", "i4_2d", seed(1, npy(np.arange(4, dtype="<i4").reshape(2, 2))))
    write("npy", "f4_stream", seed(2, npy(np.ones((7, 2), dtype="<f4"))))
    write("npy", "ids", seed(3, "u1\nu2\r\nu3"))


if __name__ == "__main__":
    main()
