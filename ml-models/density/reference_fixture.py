"""Writes tests/ChangeWatch.Detection.Tests/Fixtures/density-network-reference.json: a tiny random network of
VehicleDensityNetwork's layer kinds (3 x 3 convolutions with dilation 1, 2, 4, 2 x 2 max pools, leaky ReLU 0.1, a 1 x 1 out)
run by torch on a random image, so the C# forward pass can be checked against torch. Run from the repository root:
/usr/bin/python3 ml-models/density/reference_fixture.py (python3-torch, python3-numpy). With --wide it writes
density-network-reference-wide.json: 8 and 16 channels (the pass of eight output channels at a time) on a 40 x 36 image."""
import json, sys, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
wide = "--wide" in sys.argv
args = [a for a in sys.argv[1:] if a != "--wide"]
torch.manual_seed(7)
c = [8, 16, 8, 4] if wide else [4, 4, 4, 4]
convs = [nn.Conv2d(4, c[0], 3, padding=1), nn.Conv2d(c[0], c[1], 3, padding=2, dilation=2), nn.Conv2d(c[1], c[2], 3, padding=4, dilation=4), nn.Conv2d(c[2], c[3], 3, padding=1)]
out = nn.Conv2d(c[3], 1, 1)
rng = np.random.default_rng(7)
h, w = (36, 40) if wide else (20, 24)
img = rng.integers(0, 256, size=(h, w, 3)).astype(np.uint8)
x = torch.cat([torch.from_numpy(img.astype(np.float32) / 255).permute(2, 0, 1), torch.full((1, h, w), 0.5)], 0)[None]
with torch.no_grad():
    y = F.leaky_relu(convs[0](x), 0.1); y = F.max_pool2d(y, 2)
    y = F.leaky_relu(convs[1](y), 0.1); y = F.max_pool2d(y, 2)
    y = F.leaky_relu(convs[2](y), 0.1); y = F.leaky_relu(convs[3](y), 0.1)
    y = out(y)[0, 0]
weights = []
for m in convs: weights += m.weight.detach().numpy().ravel().tolist() + m.bias.detach().numpy().ravel().tolist()
weights += out.weight.detach().numpy().ravel().tolist() + out.bias.detach().numpy().ravel().tolist()
json.dump({"generator": "torch " + torch.__version__ + ", seed 7 (ml-models/density: the layer kinds of VehicleDensityNetwork)",
           "layers": [f"conv 4 {c[0]} 1", "pool", f"conv {c[0]} {c[1]} 2", "pool", f"conv {c[1]} {c[2]} 4", f"conv {c[2]} {c[3]} 1", f"out {c[3]}"],
           "width": w, "height": h, "gsd": 0.5, "rgb": img.ravel().tolist(), "weights": [float(v) for v in weights],
           "density": [float(v) for v in y.numpy().ravel()], "cellsWide": int(y.shape[1]), "cellsHigh": int(y.shape[0])},
          open(args[0] if args else f"tests/ChangeWatch.Detection.Tests/Fixtures/density-network-reference{'-wide' if wide else ''}.json", "w"))
print(y.shape, float(y.sum()))
