"""Writes a .safetensors file laid out like torch.save_file(model.state_dict()):
one tensor per line of a key list ("name [d0,d1,...]"), float32 with small
random values, batchnorm running_var positive, plus the int64
`num_batches_tracked` scalar torchvision keeps for every batchnorm.

    make_state_dict.py KEYS OUT.safetensors
Standard library only (the test suite never needs numpy or torch)."""
import json
import random
import struct
import sys

keys_path, out_path = sys.argv[1], sys.argv[2]
rng = random.Random(5)
entries = []  # (name, dtype, shape, bytes)
for line in open(keys_path):
    line = line.strip()
    if not line:
        continue
    name, dims = line.split(" ", 1)
    shape = [int(d) for d in dims.strip("[]").split(",")]
    count = 1
    for d in shape:
        count *= d
    lo, hi = (0.5, 1.5) if name.endswith("running_var") else (-0.05, 0.05)
    data = struct.pack("<%df" % count, *(rng.uniform(lo, hi) for _ in range(count)))
    entries.append((name, "F32", shape, data))
    if name.endswith("running_var"):
        prefix = name[: -len("running_var")]
        entries.append((prefix + "num_batches_tracked", "I64", [], struct.pack("<q", 1000)))

header, offset = {"__metadata__": {"format": "pt"}}, 0
for name, dtype, shape, data in entries:
    header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
    offset += len(data)
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
with open(out_path, "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for _, _, _, data in entries:
        f.write(data)
