#!/usr/bin/env python3
"""Trains ChangeWatch's vehicle density network (VehicleDensityNetwork in functions/ChangeWatch.Detection).

Reads the tiles written by `ChangeWatch.Training export-count-tiles --out DIR` (the pipeline's prepared tile pairs of
generated scenes, with every vehicle's centre), fits a small fully convolutional network whose output, summed over an
area, is the number of vehicles whose centres lie in it (a density map at a quarter of the resolution, each vehicle a
Gaussian of sigma 1.5 cells summing to 1), and writes density.bin (float32 weights, batch normalisation folded in),
layers.json and trained-on.txt to --out, the files `train-counter --before-unit density --density DIR` assembles into a
model folder. Training only: the pipeline runs the network in C#. Needs python3-torch and python3-numpy (Debian:
`apt-get install python3-torch python3-numpy`). Deterministic for a given --seed and --threads on one machine.
"""
import argparse, glob, json, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDE = 4          # pixels per density cell
SIGMA = 1.5         # spread of one vehicle's density, cells
SCALE = 100.0       # the network is trained to output SCALE x density (the exported weights undo it)
CHANNELS = (16, 32, 48)


class Net(nn.Module):
    """conv-conv-pool, conv-conv-pool, four convs (dilation 1, 2, 4, 1), 1x1 out: the layers VehicleDensityNetwork runs."""

    def __init__(self, c=CHANNELS):
        super().__init__()

        def block(i, o, d=1):
            return nn.Sequential(nn.Conv2d(i, o, 3, padding=d, dilation=d, bias=False), nn.BatchNorm2d(o), nn.LeakyReLU(0.1))

        self.f = nn.Sequential(block(4, c[0]), block(c[0], c[0]), nn.MaxPool2d(2), block(c[0], c[1]), block(c[1], c[1]), nn.MaxPool2d(2),
                               block(c[1], c[2]), block(c[2], c[2], 2), block(c[2], c[2], 4), block(c[2], c[2]))
        self.out = nn.Conv2d(c[2], 1, 1)

    def forward(self, x):
        return self.out(self.f(x))


def read_scene(prefix):
    """The tiles of one exported scene: [(image 3xHxW uint8 tensor per date, [(x, y) per date])...] and the GSD."""
    lines = open(prefix + ".txt").read().split("\n")
    gsd = float(lines[0])
    raw = np.fromfile(prefix + ".tiles", np.uint8)
    tiles, at = [], 0
    while at < len(raw):
        w, h = (int(v) for v in raw[at:at + 8].view("<i4"))
        at += 8
        b = raw[at:at + 3 * w * h].reshape(h, w, 3); at += 3 * w * h
        a = raw[at:at + 3 * w * h].reshape(h, w, 3); at += 3 * w * h
        tiles.append([b, a, [], []])
    for line in lines[1:]:
        if not line.strip():
            continue
        t, x, y, before, after = line.split()
        if before == "1":
            tiles[int(t)][2].append((float(x), float(y)))
        if after == "1":
            tiles[int(t)][3].append((float(x), float(y)))
    return tiles, gsd


def density(points, h, w):
    d = np.zeros((h // STRIDE, w // STRIDE), np.float32)
    yy, xx = np.mgrid[0:h // STRIDE, 0:w // STRIDE]
    for x, y in points:
        g = np.exp(-((xx - (x / STRIDE - 0.5)) ** 2 + (yy - (y / STRIDE - 0.5)) ** 2) / (2 * SIGMA ** 2))
        d += g / g.sum()
    return d


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="folder written by export-count-tiles")
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=15000)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--crop", type=int, default=128)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(args.seed)

    images = []  # (image HxWx3 uint8, GSD, density tensor, points): converted to the network's input crop by crop
    scenes = sorted(f[:-len(".tiles")] for f in glob.glob(os.path.join(args.data, "*.tiles")))
    if not scenes:
        sys.exit(f"no .tiles files under {args.data}: run export-count-tiles first")
    for prefix in scenes:
        tiles, gsd = read_scene(prefix)
        for b, a, pb, pa in tiles:
            for img, pts in ((b, pb), (a, pa)):
                h, w = img.shape[:2]
                images.append((img, gsd, torch.from_numpy(density(pts, h, w)), pts))
    print(f"{len(scenes)} scenes, {len(images)} tile images, {sum(len(i[3]) for i in images)} vehicle sightings", flush=True)

    occupied = [i for i, image in enumerate(images) if image[3]]
    net = Net()
    net.train()
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    clock, crop, errors, counts = time.time(), args.crop, [], []
    for step in range(args.steps):
        if step == int(args.steps * 0.7):
            for group in opt.param_groups:
                group["lr"] = 2e-4
        xs, ys = [], []
        for _ in range(args.batch):
            # Most tile images hold no vehicle: six crops in ten come from one that does, centred near one of them.
            with_vehicles = rng.random() < 0.6
            img, gsd, y, pts = images[occupied[rng.integers(len(occupied))] if with_vehicles else rng.integers(len(images))]
            H, W = img.shape[0], img.shape[1]
            if with_vehicles:
                cx, cy = pts[rng.integers(len(pts))]
                cx = int(np.clip(cx - crop / 2 + rng.integers(-crop // 3, crop // 3), 0, W - crop))
                cy = int(np.clip(cy - crop / 2 + rng.integers(-crop // 3, crop // 3), 0, H - crop))
            else:
                cx, cy = int(rng.integers(0, W - crop + 1)), int(rng.integers(0, H - crop + 1))
            cx, cy = cx - cx % STRIDE, cy - cy % STRIDE
            xc = torch.cat([torch.from_numpy(img[cy:cy + crop, cx:cx + crop].astype(np.float32) / 255.0).permute(2, 0, 1), torch.full((1, crop, crop), gsd)], 0)
            yc = y[cy // STRIDE:(cy + crop) // STRIDE, cx // STRIDE:(cx + crop) // STRIDE]
            if rng.random() < 0.5:
                xc, yc = xc.flip(2), yc.flip(1)
            if rng.random() < 0.5:
                xc, yc = xc.flip(1), yc.flip(0)
            xs.append(xc)
            ys.append(yc)
        X, Y = torch.stack(xs), torch.stack(ys).unsqueeze(1)
        P = net(X)
        loss = F.mse_loss(P, Y * SCALE) + (P.sum((1, 2, 3)) / SCALE - Y.sum((1, 2, 3))).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        errors.append((P.sum((1, 2, 3)).detach() / SCALE - Y.sum((1, 2, 3))).abs().mean().item())
        counts.append(Y.sum((1, 2, 3)).mean().item())
        if step % 500 == 0 or step == args.steps - 1:
            print(f"step {step}: mean |count error| per crop {np.mean(errors):.2f}, mean count {np.mean(counts):.2f} (last {len(errors)} steps), {time.time() - clock:.0f} s", flush=True)
            errors, counts = [], []

    net.eval()
    layers, blobs = [], []
    for m in net.f:
        if isinstance(m, nn.MaxPool2d):
            layers.append("pool")
            continue
        conv, bn = m[0], m[1]
        s = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
        layers.append(f"conv {conv.in_channels} {conv.out_channels} {conv.dilation[0]}")
        blobs += [(conv.weight.detach() * s[:, None, None, None]).numpy().ravel(), (bn.bias.detach() - bn.running_mean * s).numpy().ravel()]
    layers.append(f"out {net.out.in_channels}")
    blobs += [net.out.weight.detach().numpy().ravel() / SCALE, net.out.bias.detach().numpy().ravel() / SCALE]
    os.makedirs(args.out, exist_ok=True)
    np.concatenate(blobs).astype("<f4").tofile(os.path.join(args.out, "density.bin"))
    json.dump(layers, open(os.path.join(args.out, "layers.json"), "w"))
    families = sorted({os.path.basename(s).split("_")[0] for s in scenes})
    with open(os.path.join(args.out, "trained-on.txt"), "w") as f:
        f.write(f"generated scenes only ({len(scenes)} scenes of families {', '.join(families)}, the pipeline's prepared tiles, both dates), "
                f"{args.steps} steps of {args.batch} crops of {crop} px, seed {args.seed}, torch {torch.__version__}\n")
    print(f"wrote {args.out}: {len(layers)} layers, {sum(b.size for b in blobs)} weights, {time.time() - clock:.0f} s", flush=True)


if __name__ == "__main__":
    main()
