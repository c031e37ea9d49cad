#!/usr/bin/env python3
"""PyTorch reference timings for the GPU comparison, shaped and timed like jcnn's JMH benchmarks.

Measures, on one CUDA GPU, in float32 with TF32 off on both cuBLAS and cuDNN (as jcnn runs by default):
  * a LeNet-5 training step (Caffe's MNIST variant, as jcnn's Models.lenet(): conv 20@5x5, max pool 2/2,
    conv 50@5x5, max pool 2/2, dense 500 + ReLU, dense 10; softmax cross-entropy; SGD momentum 0.9, weight
    decay 5e-4) at batch 64 and 256, as StepBenchmark's lenet-train-64/256;
  * forward, backward data and backward filter of AlexNet's five convolution layers at batch 128 (227x227
    input shapes, as ConvBenchmark's alexnetConv1..5) and of the 32x32 AlexNet-style network's five layers at
    batch 128 (alexnet32Conv1..5).

Each measurement: warm-up calls, then repeated calls each timed by wall clock around the call plus a device
synchronisation (as jcnn's benchmarks do) and by CUDA events; prints the median of each, one JSON object per line,
so the numbers can be committed beside jcnn's JMH results and compared as ratios.

Usage: python3 reference.py [--repeats 50] [--deterministic]   (needs torch with CUDA)
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 20, 5), nn.MaxPool2d(2, 2),
        nn.Conv2d(20, 50, 5), nn.MaxPool2d(2, 2),
        nn.Flatten(), nn.Linear(800, 500), nn.ReLU(), nn.Linear(500, 10))


# (name, N, C, H, W, K, R, S, stride, pad, groups), matching jcnn's benchmarks.Layers
CONV_LAYERS = [
    ("alexnetConv1", 128, 3, 227, 227, 96, 11, 11, 4, 0, 1),
    ("alexnetConv2", 128, 96, 27, 27, 256, 5, 5, 1, 2, 2),
    ("alexnetConv3", 128, 256, 13, 13, 384, 3, 3, 1, 1, 1),
    ("alexnetConv4", 128, 384, 13, 13, 384, 3, 3, 1, 1, 2),
    ("alexnetConv5", 128, 384, 13, 13, 256, 3, 3, 1, 1, 2),
    ("alexnet32Conv1", 128, 1, 32, 32, 32, 3, 3, 1, 1, 1),
    ("alexnet32Conv2", 128, 32, 16, 16, 64, 3, 3, 1, 1, 1),
    ("alexnet32Conv3", 128, 64, 8, 8, 96, 3, 3, 1, 1, 1),
    ("alexnet32Conv4", 128, 96, 8, 8, 96, 3, 3, 1, 1, 1),
    ("alexnet32Conv5", 128, 96, 8, 8, 64, 3, 3, 1, 1, 1),
]


def measure(call, repeats, warmup=10):
    for _ in range(warmup):
        call()
    torch.cuda.synchronize()
    walls, devices = [], []
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    for _ in range(repeats):
        t0 = time.perf_counter()
        start.record()
        call()
        stop.record()
        torch.cuda.synchronize()
        walls.append((time.perf_counter() - t0) * 1e3)
        devices.append(start.elapsed_time(stop))
    return statistics.median(walls), statistics.median(devices)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--deterministic", action="store_true",
                        help="cudnn.deterministic and no benchmark autotuning, like jcnn's deterministic algorithms")
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = args.deterministic
    torch.backends.cudnn.benchmark = not args.deterministic
    device = torch.device("cuda")
    print(json.dumps({"gpu": torch.cuda.get_device_name(0), "torch": torch.__version__,
                      "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version(),
                      "tf32": False, "deterministic": args.deterministic}))

    for batch in (64, 256):
        torch.manual_seed(1)
        model = lenet().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
        images = torch.rand(batch, 1, 28, 28, device=device)
        labels = (torch.arange(batch, device=device) % 10)

        def step():
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            return loss.item()  # jcnn's step reads its loss back too

        wall, dev = measure(step, args.repeats)
        print(json.dumps({"benchmark": "lenet-train-%d" % batch, "wall_ms": wall, "device_ms": dev,
                          "images_per_s": batch / wall * 1e3}))

    for name, n, c, h, w, k, r, s, stride, pad, groups in CONV_LAYERS:
        x = torch.rand(n, c, h, w, device=device, requires_grad=True)
        weight = torch.rand(k, c // groups, r, s, device=device, requires_grad=True)
        y = F.conv2d(x, weight, stride=stride, padding=pad, groups=groups)
        dy = torch.rand_like(y)
        flops = 2.0 * y.numel() * (c // groups) * r * s
        passes = {
            "forward": lambda: F.conv2d(x, weight, stride=stride, padding=pad, groups=groups),
            "backwardData": lambda: torch.nn.grad.conv2d_input(x.shape, weight, dy, stride=stride, padding=pad,
                                                               groups=groups),
            "backwardFilter": lambda: torch.nn.grad.conv2d_weight(x, weight.shape, dy, stride=stride, padding=pad,
                                                                  groups=groups),
        }
        for pass_name, call in passes.items():
            with torch.no_grad():
                wall, dev = measure(call, args.repeats)
            print(json.dumps({"benchmark": name, "pass": pass_name, "wall_ms": wall, "device_ms": dev,
                              "gflop_per_s": flops / wall / 1e6}))


if __name__ == "__main__":
    main()
