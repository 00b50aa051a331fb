"""Writes small tensor files for the lit tests, with the standard library only
(struct, zipfile, json): no numpy.

  make_tensors.py OUT NAME=D0xD1x...[:VALUE] ...

OUT's extension picks the format: .npy (one tensor; NAME is ignored), .npz
(numpy.savez layout: one NAME.npy entry per tensor) or .safetensors. Every
element is VALUE (default 0.5), stored as little-endian float32. A scalar shape
is written as '-'.
"""
import json
import struct
import sys
import zipfile


def parse_spec(spec):
    name, _, rest = spec.partition("=")
    shape_text, _, value_text = rest.partition(":")
    shape = [] if shape_text in ("", "-") else [int(d) for d in shape_text.split("x")]
    value = float(value_text) if value_text else 0.5
    return name, shape, value


def count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def npy_bytes(shape, value):
    dims = ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "")
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % dims
    # Pad so that the data starts at a multiple of 64 bytes, ending in '\n'.
    total = 10 + len(header) + 1
    header += " " * ((64 - total % 64) % 64) + "\n"
    data = struct.pack("<%df" % count(shape), *([value] * count(shape)))
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data


def safetensors_bytes(tensors):
    header, blobs, offset = {}, [], 0
    for name, shape, value in tensors:
        data = struct.pack("<%df" % count(shape), *([value] * count(shape)))
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def main(argv):
    out, tensors = argv[1], [parse_spec(s) for s in argv[2:]]
    if out.endswith(".npy"):
        _, shape, value = tensors[0]
        with open(out, "wb") as f:
            f.write(npy_bytes(shape, value))
    elif out.endswith(".npz"):
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
            for name, shape, value in tensors:
                z.writestr(name + ".npy", npy_bytes(shape, value))
    elif out.endswith(".safetensors"):
        with open(out, "wb") as f:
            f.write(safetensors_bytes(tensors))
    else:
        sys.exit("make_tensors.py: unknown extension: " + out)


if __name__ == "__main__":
    main(sys.argv)
