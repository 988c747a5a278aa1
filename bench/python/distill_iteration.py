#!/usr/bin/env python3
"""PyTorch reference timing of one MTT distillation iteration (the unrolled gradient, spec 5.3).

The same problem as bench_distill's "unrolled" mode: the ConvNet-3 for 28x28 one-channel images as
a functional network over one flat parameter vector, 10 classes x IPC synthetic images, batch_syn
images per student step, DSA (one random family per step, per-sample parameters), N student steps
unrolled with create_graph=True, the loss ||theta_N - theta*||^2 / ||theta_0 - theta*||^2, and one
backward pass to the images and the learnable lr. Only the timing matters: the images are random
normal values and the target is the start plus a little noise.

Written for Debian's python3-torch 1.13 (CPU). Run with /usr/bin/python3 where `python3` is
another interpreter without torch. --device cuda runs it on the GPU (drawn on the CPU, as
bench_distill does, then moved there before anything is timed; the clock waits for the device).

    distill_iteration.py [--width 128] [--steps 10,20,40,80] [--reps 3] [--batch 100] [--ipc 10]
                         [--threads N] [--blas one-thread|default] [--device cpu|cuda] [--json OUT]

Like bench_distill: one untimed warm-up (at the smallest N), then `reps` timed iterations per N;
the reported time is their median. An N whose memory, extrapolated from the peak RSS so far, would
exceed 85 % of MemAvailable is skipped and reported as such. Threads: --threads, else $DISTILLERY_THREADS, else every core
(bench_distill's init_runtime picks the same). BLAS: OpenBLAS on one thread, as init_runtime sets it,
unless --blas default (OpenBLAS's own thread pool, as a plain PyTorch script runs).
"""
import argparse
import ctypes
import json
import math
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn.functional as F

FAMILIES = ["color", "crop", "cutout", "flip", "scale", "rotate"]

# ParamDiffAug of the reference code (spec 4).
RATIO_SCALE = 1.2
RATIO_ROTATE_DEG = 15.0
RATIO_CROP_PAD = 0.125
RATIO_CUTOUT = 0.5
BRIGHTNESS = 1.0
SATURATION = 2.0
CONTRAST = 0.5


class FlatConvNet:
    """ConvNet (depth blocks of conv 3x3, instance norm as GroupNorm(width, width), ReLU, 2x2
    average pooling; then a linear head) evaluated on a flat parameter vector."""

    def __init__(self, channels=1, height=28, width=28, classes=10, net_width=128, depth=3):
        self.channels, self.net_width, self.depth = channels, net_width, depth
        self.slots = []  # (name, shape, offset, numel)
        self.size = 0
        c, h, w = channels, height, width
        for d in range(depth):
            pad = self.padding(d)
            self._add(f"conv{d}.weight", (net_width, c, 3, 3))
            self._add(f"conv{d}.bias", (net_width,))
            self._add(f"norm{d}.weight", (net_width,))
            self._add(f"norm{d}.bias", (net_width,))
            c = net_width
            h = (h + 2 * pad - 2) // 2
            w = (w + 2 * pad - 2) // 2
        self._add("fc.weight", (classes, c * h * w))
        self._add("fc.bias", (classes,))

    def padding(self, d):
        return 3 if d == 0 and self.channels == 1 else 1

    def _add(self, name, shape):
        numel = math.prod(shape)
        self.slots.append((name, shape, self.size, numel))
        self.size += numel

    def slot(self, theta, k):
        _, shape, offset, numel = self.slots[k]
        return theta.narrow(0, offset, numel).view(shape)

    def forward(self, x, theta):
        h = x
        k = 0
        for d in range(self.depth):
            h = F.conv2d(h, self.slot(theta, k), self.slot(theta, k + 1), stride=1, padding=self.padding(d))
            h = F.group_norm(h, self.net_width, self.slot(theta, k + 2), self.slot(theta, k + 3), eps=1e-5)
            h = F.relu(h)
            h = F.avg_pool2d(h, 2, 2)
            k += 4
        return F.linear(h.flatten(1), self.slot(theta, k), self.slot(theta, k + 1))

    def initial_parameters(self, gen):
        """PyTorch's default init: weights and biases U(+-1/sqrt(fan_in)), norm gamma 1, beta 0."""
        theta = torch.empty(self.size)
        for i, (name, shape, offset, numel) in enumerate(self.slots):
            part = theta.narrow(0, offset, numel)
            if name.startswith("norm"):
                part.fill_(1.0 if name.endswith("weight") else 0.0)
                continue
            weight_shape = self.slots[i - 1][1] if name.endswith("bias") else shape
            bound = 1.0 / math.sqrt(math.prod(weight_shape[1:]))
            part.uniform_(-bound, bound, generator=gen)
        return theta


def uniform(n, gen, lo=0.0, hi=1.0):
    return lo + (hi - lo) * torch.rand(n, generator=gen)


def dsa_draw(batch, height, width, gen):
    """One family for the batch, independent parameters per sample (DSA mode 'S')."""
    family = FAMILIES[int(torch.randint(0, len(FAMILIES), (1,), generator=gen))]
    draw = {"family": family}
    if family == "color":
        draw["a"], draw["b"], draw["c"] = uniform(batch, gen), uniform(batch, gen), uniform(batch, gen)
    elif family == "crop":
        sx, sy = int(height * RATIO_CROP_PAD + 0.5), int(width * RATIO_CROP_PAD + 0.5)
        draw["a"] = torch.randint(-sx, sx + 1, (batch,), generator=gen)
        draw["b"] = torch.randint(-sy, sy + 1, (batch,), generator=gen)
    elif family == "cutout":
        cx, cy = int(height * RATIO_CUTOUT + 0.5), int(width * RATIO_CUTOUT + 0.5)
        draw["a"] = torch.randint(0, height - cx % 2 + 1, (batch,), generator=gen)
        draw["b"] = torch.randint(0, width - cy % 2 + 1, (batch,), generator=gen)
    elif family == "flip":
        draw["a"] = uniform(batch, gen)
    elif family == "scale":
        draw["a"] = uniform(batch, gen, 1.0 / RATIO_SCALE, RATIO_SCALE)
        draw["b"] = uniform(batch, gen, 1.0 / RATIO_SCALE, RATIO_SCALE)
    else:  # rotate
        bound = RATIO_ROTATE_DEG / 180.0 * math.pi
        draw["a"] = uniform(batch, gen, -bound, bound)
    return draw


def per_sample(v, like):
    return v.to(like.dtype).view(-1, 1, 1, 1)


def affine(x, m00, m01, m10, m11):
    zeros = torch.zeros_like(m00)
    theta = torch.stack([torch.stack([m00, m01, zeros], 1), torch.stack([m10, m11, zeros], 1)], 1).to(x.dtype)
    grid = F.affine_grid(theta, list(x.shape), align_corners=True)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=True)


def dsa_apply(x, draw):
    B, _, H, W = x.shape
    family = draw["family"]
    if family == "color":
        y = x + (per_sample(draw["a"], x) - 0.5) * BRIGHTNESS
        pixel_mean = y.mean(1, keepdim=True)
        y = (y - pixel_mean) * (per_sample(draw["b"], x) * SATURATION) + pixel_mean
        image_mean = y.mean((1, 2, 3), keepdim=True)
        return (y - image_mean) * (per_sample(draw["c"], x) + CONTRAST) + image_mean
    if family == "flip":
        return torch.where(per_sample(draw["a"], x) < 0.5, x.flip(3), x)
    if family == "scale":
        zero = torch.zeros_like(draw["a"])
        return affine(x, draw["a"], zero, zero, draw["b"])
    if family == "rotate":
        a = draw["a"]
        return affine(x, a.cos(), -a.sin(), a.sin(), a.cos())
    if family == "crop":
        # Shift by (a, b) pixels; what moves in from outside is the one-pixel zero border.
        rows = (torch.arange(H, device=x.device).view(1, H, 1) + draw["a"].view(B, 1, 1) + 1).clamp(0, H + 1)
        cols = (torch.arange(W, device=x.device).view(1, 1, W) + draw["b"].view(B, 1, 1) + 1).clamp(0, W + 1)
        batch = torch.arange(B, device=x.device).view(B, 1, 1)
        padded = F.pad(x, (1, 1, 1, 1)).permute(0, 2, 3, 1)
        return padded[batch, rows, cols].permute(0, 3, 1, 2)
    # cutout
    cx, cy = int(H * RATIO_CUTOUT + 0.5), int(W * RATIO_CUTOUT + 0.5)
    rows = (torch.arange(cx, device=x.device).view(1, cx, 1) + draw["a"].view(B, 1, 1) - cx // 2).clamp(0, H - 1)
    cols = (torch.arange(cy, device=x.device).view(1, 1, cy) + draw["b"].view(B, 1, 1) - cy // 2).clamp(0, W - 1)
    batch = torch.arange(B, device=x.device).view(B, 1, 1)
    mask = torch.ones(B, H, W, device=x.device)
    mask[batch.expand(B, cx, cy), rows.expand(B, cx, cy), cols.expand(B, cx, cy)] = 0.0
    return x * mask.to(x.dtype).unsqueeze(1)


def plan_student_steps(num_images, steps, batch_syn, height, width, gen, device="cpu"):
    """MTT's batch order: a random permutation split into chunks of batch_syn, taken from the end,
    refilled when used up; one DSA draw per step. Drawn before anything is timed."""
    batch = min(batch_syn, num_images) if batch_syn > 0 else num_images
    plan, chunks = [], []
    for _ in range(steps):
        if not chunks:
            chunks = list(torch.randperm(num_images, generator=gen).split(batch))
        indices = chunks.pop()
        draw = {k: (v.to(device) if torch.is_tensor(v) else v) for k, v in dsa_draw(indices.numel(), height, width, gen).items()}
        plan.append((indices.to(device), draw))
    return plan


def match_unrolled(net, images, labels, lr, start, target, plan):
    """MTT's gradient: back-propagation through all N unrolled student steps."""
    images = images.detach().requires_grad_(True)
    alpha = torch.tensor(lr, device=images.device).requires_grad_(True)
    theta = start.detach().requires_grad_(True)
    for indices, draw in plan:
        x = dsa_apply(images.index_select(0, indices), draw)
        loss = F.cross_entropy(net.forward(x, theta), labels.index_select(0, indices))
        g = torch.autograd.grad(loss, theta, retain_graph=True, create_graph=True)[0]
        theta = theta - alpha * g
    distance = (start - target).pow(2).sum()
    loss = (theta - target).pow(2).sum() / distance
    d_images, d_lr = torch.autograd.grad(loss, [images, alpha])
    return loss.item(), d_images, d_lr.item()


def available_mib():
    """MemAvailable of /proc/meminfo in MiB, or None."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return None


def max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def blas_threads(one):
    """Like bench_distill's init_runtime: OpenBLAS on one thread (its own pool of spinning threads
    fights LibTorch's OpenMP pool) unless OPENBLAS_NUM_THREADS is set. --blas default leaves
    OpenBLAS as a plain PyTorch script has it. Returns a description for the report."""
    if "OPENBLAS_NUM_THREADS" in os.environ:
        return f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}"
    try:
        openblas = ctypes.CDLL("libopenblas.so.0")  # the instance LibTorch already loaded
    except OSError:
        return "BLAS not OpenBLAS"
    if one:
        openblas.openblas_set_num_threads(1)
    return f"OpenBLAS {openblas.openblas_get_num_threads()} thread(s)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--steps", default="10,20,40,80")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--ipc", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--blas", choices=["one-thread", "default"], default="one-thread")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--json", default="")
    args = ap.parse_args()

    threads = args.threads or int(os.environ.get("DISTILLERY_THREADS", "0") or 0) or os.cpu_count() or 1
    torch.set_num_threads(threads)
    blas = blas_threads(args.blas == "one-thread")
    steps = sorted({int(s) for s in args.steps.split(",") if s})
    if not steps or min(steps) <= 0 or args.reps <= 0:
        sys.exit("distill_iteration.py: --steps and --reps must be positive")

    classes, height, width = 10, 28, 28
    net = FlatConvNet(1, height, width, classes, args.width, 3)
    gen = torch.Generator().manual_seed(1)
    n_images = classes * args.ipc
    images = torch.randn(n_images, 1, height, width, generator=gen)
    labels = torch.arange(classes).repeat_interleave(args.ipc)
    start = net.initial_parameters(gen)
    target = start + 0.01 * torch.randn(start.shape, generator=gen)
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("distill_iteration.py: --device cuda, but this torch sees no CUDA GPU")
    images, labels, start, target = (t.to(args.device) for t in (images, labels, start, target))
    plans = {n: plan_student_steps(n_images, n, args.batch, height, width, torch.Generator().manual_seed(args.seed),
                                   args.device)
             for n in steps}

    def wait_for_device():  # CUDA runs asynchronously: the clock must wait for the device
        if args.device == "cuda":
            torch.cuda.synchronize()

    print("# Distillation iteration in PyTorch (Python): unrolled gradient\n")
    print(f"torch {torch.__version__}, device {args.device}, {torch.get_num_threads()} CPU threads, {blas}; ConvNet-3 width {args.width}, "
          f"{net.size} parameters; {n_images} images (random normal), hard labels, batch_syn {args.batch}, "
          f"DSA color_crop_cutout_flip_scale_rotate, lr 0.01; median of {args.reps} repetitions after one warm-up\n")

    rss_before = max_rss_mib()
    t0 = time.perf_counter()
    match_unrolled(net, images, labels, 0.01, start, target, plans[steps[0]])
    wait_for_device()
    print(f"[distill_iteration.py] warm-up (N={steps[0]}): {time.perf_counter() - t0:.2f} s", file=sys.stderr)

    print("| mode | N | s/iteration |\n|---|---:|---:|", flush=True)
    results = []
    largest_done = steps[0]  # the warm-up ran it
    for n in steps:
        # Memory grows linearly in N: skip an N whose extrapolated peak would not fit in RAM.
        per_step = (max_rss_mib() - rss_before) / largest_done
        avail = available_mib()
        if args.device == "cpu" and avail is not None and n > largest_done and per_step * n > 0.85 * avail:
            print(f"| unrolled | {n} | skipped: ~{per_step * n:.0f} MiB needed, {avail:.0f} available |", flush=True)
            results.append({"mode": "unrolled", "N": n, "skipped": True})
            continue
        times = []
        for r in range(args.reps):
            wait_for_device()
            t0 = time.perf_counter()
            match_unrolled(net, images, labels, 0.01, start, target, plans[n])
            wait_for_device()
            times.append(time.perf_counter() - t0)
            print(f"[distill_iteration.py] unrolled N={n} rep {r + 1}/{args.reps}: {times[-1]:.2f} s",
                  file=sys.stderr, flush=True)
        largest_done = max(largest_done, n)
        seconds = statistics.median(times)
        results.append({"mode": "unrolled", "N": n, "seconds": seconds, "times": times})
        print(f"| unrolled | {n} | {seconds:.3f} |", flush=True)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": args.device, "width": args.width, "batch": args.batch, "ipc": args.ipc, "threads": torch.get_num_threads(),
                       "torch": torch.__version__, "results": results}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
