"""Writes one malformed tensor file for the lit tests (standard library only).

  make_corrupt.py KIND OUT

KIND is one of the names in CORRUPTIONS below; each writes a file that is
broken in exactly one way.
"""
import io
import struct
import sys
import zipfile

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, __import__("os").path.dirname(__file__))
from make_tensors import npy_bytes  # noqa: E402


def safetensors(header_json, data=b""):
    header = header_json.encode("utf-8")
    return struct.pack("<Q", len(header)) + header + data


def npz(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buffer.getvalue()


def npz_bad_crc():
    data = bytearray(npz([("h1.weight.npy", npy_bytes([4, 3], 0.5))]))
    # Flip a byte of the array data (the last one of the local entry).
    data[data.find(b"PK\x01\x02") - 1] ^= 0xFF
    return bytes(data)


def npy_with_header(header, data):
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + data


CORRUPTIONS = {
    # .npz
    "npz-not-zip": lambda: b"hello",
    "npz-truncated": lambda: npz([("h1.weight.npy", npy_bytes([4, 3], 0.5))])[:60],
    "npz-bad-crc": npz_bad_crc,
    "npz-not-npy-entry": lambda: npz([("readme.txt", b"hi")]),
    "npz-bad-npy-entry": lambda: npz([("h1.weight.npy", b"not an array")]),
    # .safetensors
    "st-header-too-long": lambda: struct.pack("<Q", 1000) + b"{}",
    "st-short": lambda: b"\x01\x02",
    "st-bad-json": lambda: safetensors('{"a": 1,'),
    "st-deep-json": lambda: safetensors("[" * 100000),
    "st-duplicate-name": lambda: safetensors(
        '{"h1.weight": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, '
        '"h1.\\u0077eight": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}', b"\0" * 8),
    "st-bad-dtype": lambda: safetensors(
        '{"h1.weight": {"dtype": "Q99", "shape": [4, 3], "data_offsets": [0, 48]}}', b"\0" * 48),
    "st-offsets-outside": lambda: safetensors(
        '{"h1.weight": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 4800]}}', b"\0" * 48),
    "st-size-mismatch": lambda: safetensors(
        '{"h1.weight": {"dtype": "F32", "shape": [4, 3], "data_offsets": [0, 40]}}', b"\0" * 40),
    # .npy
    "npy-bad-magic": lambda: b"\x93NUMPX" + npy_bytes([2, 3], 0.5)[6:],
    "npy-truncated": lambda: npy_bytes([2, 3], 0.5)[:-22],
    "npy-bad-header": lambda: npy_with_header("{'descr': '<f4', 'shape': (2, 3) ", b"\0" * 24),
    "npy-bad-dtype": lambda: npy_with_header(
        "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }", b"\0" * 48),
}


def main(argv):
    kind, out = argv[1], argv[2]
    with open(out, "wb") as f:
        f.write(CORRUPTIONS[kind]())


if __name__ == "__main__":
    main(sys.argv)
