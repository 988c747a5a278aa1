#!/usr/bin/env python3
"""Which instance norm makes the adjoint visit (exact and TESLA modes) cheapest?

One visit of core/distill/adjoint.cpp in PyTorch: the ConvNet-3 for 28x28 one-channel images as a
functional network, a batch of synthetic images, the student loss's gradient with create_graph,
then the vector-Jacobian product of that gradient with a random cotangent back to the images and
the parameters (the double backward). Only the instance norm differs between the variants:

  hand_written    core/nn/instance_norm.cpp: GroupNorm's fused kernels for the values and the first
                  derivative, the second derivative written out (what the networks use)
  group_norm      F.group_norm with one group per channel (what convnet.cpp used before)
  composite       mean and variance written out with elementwise ops
  var_mean        torch.var_mean and one addcmul
  instance_norm   F.instance_norm (batch_norm over [1, B*C, H, W] inside)

Each variant is first checked against group_norm in float64 (the same first and second
derivatives), then timed in interleaved rounds in one process, so that the machine's drift and
other load hit every variant alike; the median of the rounds is reported.

Written for Debian's python3-torch 1.13 (CPU); run with /usr/bin/python3.

    instance_norm_variants.py [--widths 32,128] [--batch 100] [--rounds 7] [--threads 1]
"""
import argparse
import time

import torch
import torch.nn.functional as F


def group_norm(h, w, b):
    return F.group_norm(h, h.shape[1], w, b, 1e-5)


def composite(h, w, b):
    centred = h - h.mean((2, 3), keepdim=True)
    var = (centred * centred).mean((2, 3), keepdim=True)
    return centred * (torch.rsqrt(var + 1e-5) * w.view(1, -1, 1, 1)) + b.view(1, -1, 1, 1)


def var_mean(h, w, b):
    var, mean = torch.var_mean(h, (2, 3), unbiased=False, keepdim=True)
    scale = torch.rsqrt(var + 1e-5) * w.view(1, -1, 1, 1)
    return torch.addcmul(b.view(1, -1, 1, 1) - mean * scale, h, scale)


def instance_norm(h, w, b):
    return F.instance_norm(h, weight=w, bias=b, eps=1e-5)


class _InstanceNormBackward(torch.autograd.Function):
    """GroupNorm's fused backward kernel, with its own derivative written out (second order)."""

    @staticmethod
    def forward(ctx, gy, x, w, mean, rstd):
        n, c = x.shape[:2]
        gx, gw, gb = torch.ops.aten.native_group_norm_backward(gy, x, mean, rstd, w, n, c, x[0, 0].numel(), c,
                                                               [True, True, True])
        ctx.save_for_backward(gy, x, w, mean, rstd)
        return gx, gw, gb

    @staticmethod
    def backward(ctx, vx, vw, vb):
        g, x, w, mean, rstd = ctx.saved_tensors
        n, c = x.shape[:2]
        m = x[0, 0].numel()
        r = rstd.view(n, c, 1, 1)
        gamma = w.view(1, c, 1, 1)
        xhat = torch.addcmul(-mean.view(n, c, 1, 1) * r, x, r)

        def means(a, b):
            return (a * b).mean((2, 3), keepdim=True)

        hw = (2, 3)
        g_mean = g.mean(hw, keepdim=True)
        vx_mean = vx.mean(hw, keepdim=True)
        a = means(g, xhat)
        bq = means(vx, xhat)
        q = means(vx, g) - vx_mean * g_mean - a * bq
        gr = gamma * r
        vw4 = vw.view(1, c, 1, 1)
        c1 = r * (vw4 - gr * bq)
        c2 = -r * gr * a
        c3 = -r * gr * q - c1 * a - c2 * bq
        dx = torch.addcmul(-(c1 * g_mean + c2 * vx_mean), g, c1)
        dx.addcmul_(vx, c2).addcmul_(xhat, c3)
        dg = torch.addcmul(vb.view(1, c, 1, 1) - gr * vx_mean, vx, gr).addcmul_(xhat, vw4 - gr * bq)
        dw = (r * q).sum((0, 2, 3)) * m
        return dg, dx, dw, None, None


class _InstanceNorm(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w, b):
        n, c = x.shape[:2]
        y, mean, rstd = torch.ops.aten.native_group_norm(x, w, b, n, c, x[0, 0].numel(), c, 1e-5)
        ctx.save_for_backward(x, w, mean, rstd)
        return y

    @staticmethod
    def backward(ctx, gy):
        x, w, mean, rstd = ctx.saved_tensors
        gx, gw, gb = _InstanceNormBackward.apply(gy, x, w, mean, rstd)
        return gx, gw, gb


def hand_written(h, w, b):
    return _InstanceNorm.apply(h, w, b)


VARIANTS = {"hand_written": hand_written, "group_norm": group_norm, "composite": composite, "var_mean": var_mean, "instance_norm": instance_norm}


def convnet(x, params, norm):
    h = x
    for d in range(3):
        conv_w, conv_b, norm_w, norm_b = params[4 * d:4 * d + 4]
        h = F.conv2d(h, conv_w, conv_b, padding=3 if d == 0 else 1)
        h = F.avg_pool2d(F.relu(norm(h, norm_w, norm_b)), 2)
    return F.linear(h.flatten(1), params[-2], params[-1])


def parameters(width, dtype, gen):
    params, channels = [], 1
    for _ in range(3):
        params += [0.2 * torch.randn(width, channels, 3, 3, dtype=dtype, generator=gen),
                   0.1 * torch.randn(width, dtype=dtype, generator=gen),
                   1 + 0.1 * torch.randn(width, dtype=dtype, generator=gen),
                   0.1 * torch.randn(width, dtype=dtype, generator=gen)]
        channels = width
    params += [0.05 * torch.randn(10, width * 16, dtype=dtype, generator=gen), torch.zeros(10, dtype=dtype)]
    return params


def adjoint_visit(x, y, params, cotangent, norm):
    leaves = [p.detach().requires_grad_() for p in params]
    images = x.detach().requires_grad_()
    loss = F.cross_entropy(convnet(images, leaves, norm), y)
    g = torch.autograd.grad(loss, leaves, create_graph=True)
    return torch.autograd.grad(g, [images] + leaves, cotangent)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--widths", default="32,128")
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    gen = torch.Generator().manual_seed(0)

    # The same first and second derivatives as group_norm, in float64.
    params = parameters(16, torch.float64, gen)
    x = torch.randn(8, 1, 28, 28, dtype=torch.float64, generator=gen)
    y = torch.arange(8) % 10
    cot = [torch.randn(p.shape, dtype=torch.float64, generator=gen) for p in params]
    want = adjoint_visit(x, y, params, cot, group_norm)
    for name, norm in VARIANTS.items():
        got = adjoint_visit(x, y, params, cot, norm)
        err = max((g - w).abs().max().item() for g, w in zip(got, want))
        print(f"{name:14s} max |difference| from group_norm in float64: {err:.1e}")
        assert err < 1e-10, name

    for width in (int(w) for w in a.widths.split(",")):
        params = parameters(width, torch.float32, gen)
        x = torch.randn(a.batch, 1, 28, 28, generator=gen)
        y = torch.arange(a.batch) % 10
        cot = [torch.randn(p.shape, generator=gen) for p in params]
        times = {name: [] for name in VARIANTS}
        for name, norm in VARIANTS.items():  # warm-up
            adjoint_visit(x, y, params, cot, norm)
        for _ in range(a.rounds):
            for name, norm in VARIANTS.items():
                start = time.perf_counter()
                adjoint_visit(x, y, params, cot, norm)
                times[name].append(time.perf_counter() - start)
        base = sorted(times["group_norm"])[a.rounds // 2]
        for name, t in times.items():
            median = sorted(t)[a.rounds // 2]
            print(f"width {width:4d} batch {a.batch}: {name:14s} {1000 * median:8.1f} ms  ({median / base:.2f} x group_norm)")


if __name__ == "__main__":
    main()
