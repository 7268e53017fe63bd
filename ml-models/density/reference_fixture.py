"""Writes tests/ChangeWatch.Detection.Tests/Fixtures/density-network-reference.json: a tiny random network of
VehicleDensityNetwork's layer kinds (3 x 3 convolutions with dilation 1, 2, 4, 2 x 2 max pools, leaky ReLU 0.1, a 1 x 1 out)
run by torch on a random image, so the C# forward pass can be checked against torch. Run from the repository root:
/usr/bin/python3 ml-models/density/reference_fixture.py (python3-torch, python3-numpy)."""
import json, sys, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(7)
c = 4
convs = [nn.Conv2d(4, c, 3, padding=1), nn.Conv2d(c, c, 3, padding=2, dilation=2), nn.Conv2d(c, c, 3, padding=4, dilation=4), nn.Conv2d(c, c, 3, padding=1)]
out = nn.Conv2d(c, 1, 1)
rng = np.random.default_rng(7)
h, w = 20, 24
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
           "layers": ["conv 4 4 1", "pool", "conv 4 4 2", "pool", "conv 4 4 4", "conv 4 4 1", "out 4"],
           "width": w, "height": h, "gsd": 0.5, "rgb": img.ravel().tolist(), "weights": [float(v) for v in weights],
           "density": [float(v) for v in y.numpy().ravel()], "cellsWide": int(y.shape[1]), "cellsHigh": int(y.shape[0])},
          open(sys.argv[1] if len(sys.argv) > 1 else "tests/ChangeWatch.Detection.Tests/Fixtures/density-network-reference.json", "w"))
print(y.shape, float(y.sum()))
