#!/usr/bin/env python3
"""Trains ChangeWatch's vehicle density network (VehicleDensityNetwork in functions/ChangeWatch.Detection).

Reads the tiles written by `ChangeWatch.Training export-count-tiles --out DIR` (the pipeline's prepared tile pairs of
generated scenes, with every vehicle's centre), fits a small fully convolutional network whose output, summed over an
area, is the number of vehicles whose centres lie in it (a density map at a quarter of the resolution, each vehicle a
Gaussian of sigma 1.5 cells summing to 1), and writes density.bin (float32 weights, batch normalisation folded in),
layers.json and trained-on.txt to --out, the files `train-counter --before-unit density --density DIR` assembles into a
model folder. Training only: the pipeline runs the network in C#. Needs python3-torch and python3-numpy (Debian:
`apt-get install python3-torch python3-numpy`). All tile images and their densities are held as tensors on the device
(--device cuda: a GPU; about 3 GB for the default export) and each batch is cut from them there. On the CPU the run is
deterministic for a given --seed and --threads on one machine; on a GPU the same recipe differs in the last bits from run
to run, and the CPU and GPU draw different crops from the same seed.
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


def load(data, device):
    """Every tile image of the export as tensors on the device: images (N x H x W x 3 uint8), densities (N x H/4 x W/4),
    GSDs (N), and the vehicle sightings (S x 3: image index, x, y) that crops are centred near."""
    scenes = sorted(f[:-len(".tiles")] for f in glob.glob(os.path.join(data, "*.tiles")))
    if not scenes:
        sys.exit(f"no .tiles files under {data}: run export-count-tiles first")
    images, densities, gsds, sightings = [], [], [], []
    for prefix in scenes:
        tiles, gsd = read_scene(prefix)
        for b, a, pb, pa in tiles:
            for img, pts in ((b, pb), (a, pa)):
                h, w = img.shape[:2]
                if images and img.shape != images[0].shape:
                    sys.exit(f"{prefix}: tile images of {w} x {h} px among {images[0].shape[1]} x {images[0].shape[0]}: export-count-tiles writes one size")
                sightings += [(len(images), x, y) for x, y in pts]
                images.append(img)
                densities.append(density(pts, h, w))
                gsds.append(gsd)
    return (scenes, torch.from_numpy(np.stack(images)).to(device), torch.from_numpy(np.stack(densities)).to(device),
            torch.tensor(gsds, dtype=torch.float32, device=device), torch.tensor(sightings, dtype=torch.float32, device=device))


def crops(images, densities, gsds, sightings, batch, crop, occupied, g):
    """One batch: a share `occupied` of the crops centred near a vehicle (within a third of the crop), the rest anywhere in
    any tile image; each flipped at random. Returns the network's input (B x 4 x crop x crop) and density (B x 1 x crop/4 x crop/4)."""
    device = images.device
    n, H, W = images.shape[0], images.shape[1], images.shape[2]
    r = lambda *shape: torch.rand(*shape, generator=g, device=device)
    near = r(batch) < occupied
    s = sightings[(r(batch) * len(sightings)).long().clamp(max=len(sightings) - 1)]
    jitter = ((r(2, batch) * 2 - 1) * (crop // 3)).floor()
    cx = torch.where(near, (s[:, 1] - crop / 2 + jitter[0]).floor().clamp(0, W - crop), (r(batch) * (W - crop + 1)).floor())
    cy = torch.where(near, (s[:, 2] - crop / 2 + jitter[1]).floor().clamp(0, H - crop), (r(batch) * (H - crop + 1)).floor())
    index = torch.where(near, s[:, 0].long(), (r(batch) * n).long().clamp(max=n - 1))
    cx, cy = (cx.long() // STRIDE) * STRIDE, (cy.long() // STRIDE) * STRIDE
    step = torch.arange(crop, device=device)
    x = images[index[:, None, None], (cy[:, None] + step)[:, :, None], (cx[:, None] + step)[:, None, :]]
    x = torch.cat([x.permute(0, 3, 1, 2).float() / 255.0, gsds[index][:, None, None, None].expand(batch, 1, crop, crop)], 1)
    cells = torch.arange(crop // STRIDE, device=device)
    y = densities[index[:, None, None], (cy[:, None] // STRIDE + cells)[:, :, None], (cx[:, None] // STRIDE + cells)[:, None, :]].unsqueeze(1)
    for dim in (3, 2):
        flip = (r(batch) < 0.5)[:, None, None, None]
        x, y = torch.where(flip, x.flip(dim), x), torch.where(flip, y.flip(dim), y)
    return x, y


def export(net, out, note):
    """Writes density.bin (batch normalisation folded into the convolutions, the output unscaled), layers.json and trained-on.txt."""
    layers, blobs = [], []
    for m in net.f:
        if isinstance(m, nn.MaxPool2d):
            layers.append("pool")
            continue
        conv, bn = m[0], m[1]
        s = bn.weight.detach() / torch.sqrt(bn.running_var + bn.eps)
        layers.append(f"conv {conv.in_channels} {conv.out_channels} {conv.dilation[0]}")
        blobs += [(conv.weight.detach() * s[:, None, None, None]).cpu().numpy().ravel(), (bn.bias.detach() - bn.running_mean * s).cpu().numpy().ravel()]
    layers.append(f"out {net.out.in_channels}")
    blobs += [net.out.weight.detach().cpu().numpy().ravel() / SCALE, net.out.bias.detach().cpu().numpy().ravel() / SCALE]
    os.makedirs(out, exist_ok=True)
    np.concatenate(blobs).astype("<f4").tofile(os.path.join(out, "density.bin"))
    json.dump(layers, open(os.path.join(out, "layers.json"), "w"))
    with open(os.path.join(out, "trained-on.txt"), "w") as f:
        f.write(note + "\n")
    return len(layers), sum(b.size for b in blobs)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="folder written by export-count-tiles")
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=15000)
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--crop", type=int, default=128)
    p.add_argument("--occupied", type=float, default=0.6, help="share of the crops centred near a vehicle (most tile images hold none)")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam's learning rate, a fifth of it for the last 30 %% of the steps")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="cpu, or cuda to train on a GPU (the same recipe; GPU arithmetic differs in the last bits)")
    p.add_argument("--checkpoint", type=int, default=0, help="also write --out every this many steps (0: only at the end)")
    p.add_argument("--minutes", type=float, default=0, help="fewer steps than --steps where they would not fit in this many minutes, "
                   "judged by the first 300 steps (trained-on.txt records the steps run; --steps with that number repeats the run)")
    args = p.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True, warn_only=args.device != "cpu")
    g = torch.Generator(device=args.device)
    g.manual_seed(args.seed)

    clock = time.time()
    scenes, images, densities, gsds, sightings = load(args.data, args.device)
    print(f"{len(scenes)} scenes, {len(images)} tile images, {len(sightings)} vehicle sightings, read in {time.time() - clock:.0f} s", flush=True)
    families = sorted({os.path.basename(s).split("_")[0] for s in scenes})

    net = Net().to(args.device)
    net.train()
    opt = torch.optim.Adam(net.parameters(), args.lr)
    clock, errors, counts = time.time(), [], []
    step = 0
    while step < args.steps:
        if args.minutes and step == 300:
            fit = int(args.minutes * 60 * 300 / (time.time() - clock))
            if fit < args.steps:
                print(f"{(time.time() - clock) * 1000 / 300:.1f} ms a step: {fit} steps fit in {args.minutes:g} minutes, not {args.steps}", flush=True)
                args.steps = max(fit, 301)
        for group in opt.param_groups:
            group["lr"] = args.lr if step < int(args.steps * 0.7) else args.lr / 5
        X, Y = crops(images, densities, gsds, sightings, args.batch, args.crop, args.occupied, g)
        P = net(X)
        loss = F.mse_loss(P, Y * SCALE) + (P.sum((1, 2, 3)) / SCALE - Y.sum((1, 2, 3))).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0 or step == args.steps - 1:
            errors.append((P.sum((1, 2, 3)).detach() / SCALE - Y.sum((1, 2, 3))).abs().mean().item())
            counts.append(Y.sum((1, 2, 3)).mean().item())
        if step % 1000 == 0 or step == args.steps - 1:
            print(f"step {step}: mean |count error| per crop {np.mean(errors):.2f}, mean count {np.mean(counts):.2f} (sampled since last line), {time.time() - clock:.0f} s", flush=True)
            errors, counts = [], []
        done = step + 1
        if done == args.steps or (args.checkpoint and done % args.checkpoint == 0):
            net.eval()
            note = (f"generated scenes only ({len(scenes)} scenes of families {', '.join(families)}, the pipeline's prepared tiles, both dates), "
                    f"{done} of {args.steps} steps of {args.batch} crops of {args.crop} px ({args.occupied:g} near a vehicle), lr {args.lr:g}, "
                    f"seed {args.seed}, {args.device}, torch {torch.__version__}")
            layers, weights = export(net, args.out, note)
            net.train()
            print(f"wrote {args.out} at step {done}: {layers} layers, {weights} weights, {time.time() - clock:.0f} s", flush=True)
        step += 1


if __name__ == "__main__":
    main()
