#!/usr/bin/env python3
"""Writes the meshes import_memory.sh measures: the largest the import limits allow
(docs/input-limits.md: 3,000,000 vertices, 2,000,000 triangles) in each format, and the
hostile headers of issue 13 (a few hundred bytes that claim billions).

    python3 tests/bench/make_limit_meshes.py OUT_DIR

The surfaces are tori on a grid (every vertex shared by six triangles, like a scan), written
with the standard library only (no numpy on the build machine).
"""
import array
import json
import math
import struct
import sys
from pathlib import Path

MAX_VERTICES = 3_000_000
MAX_TRIANGLES = 2_000_000


def torus(rows, cols, r_major=100.0, r_minor=40.0):
    """Positions (flat float list) of a rows x cols torus grid."""
    pos = array.array("f")
    for i in range(rows):
        a = 2 * math.pi * i / rows
        ca, sa = math.cos(a), math.sin(a)
        for j in range(cols):
            b = 2 * math.pi * j / cols
            ring = r_major + r_minor * math.cos(b)
            pos.extend((ring * ca, r_minor * math.sin(b), ring * sa))
    return pos


def grid_triangles(rows, cols, count):
    """The first `count` triangles of the torus grid (two per cell), flat uint32 indices."""
    idx = array.array("I")
    n = 0
    for i in range(rows):
        i1 = (i + 1) % rows
        for j in range(cols):
            if n >= count:
                return idx
            j1 = (j + 1) % cols
            a, b, c, d = i * cols + j, i * cols + j1, i1 * cols + j, i1 * cols + j1
            idx.extend((a, c, b))
            n += 1
            if n < count:
                idx.extend((b, c, d))
                n += 1
    return idx


def write_ply(path, pos, idx):
    nv, nf = len(pos) // 3, len(idx) // 3
    header = ("ply\nformat binary_little_endian 1.0\nelement vertex %d\nproperty float x\n"
              "property float y\nproperty float z\nelement face %d\n"
              "property list uchar uint vertex_indices\nend_header\n" % (nv, nf))
    with open(path, "wb") as f:
        f.write(header.encode())
        f.write(pos.tobytes())
        faces = bytearray()
        for k in range(nf):
            faces += struct.pack("<BIII", 3, idx[3 * k], idx[3 * k + 1], idx[3 * k + 2])
        f.write(faces)


def write_stl(path, pos, idx):
    nf = len(idx) // 3
    with open(path, "wb") as f:
        f.write(b"limit mesh".ljust(80, b" "))
        f.write(struct.pack("<I", nf))
        out = bytearray()
        for k in range(nf):
            v = [pos[3 * idx[3 * k + m]: 3 * idx[3 * k + m] + 3] for m in range(3)]
            out += struct.pack("<12fH", 0, 0, 0, *v[0], *v[1], *v[2], 0)
        f.write(out)


def write_obj(path, pos, idx):
    with open(path, "w") as f:
        for k in range(0, len(pos), 3):
            f.write("v %.4f %.4f %.4f\n" % (pos[k], pos[k + 1], pos[k + 2]))
        for k in range(0, len(idx), 3):
            f.write("f %d %d %d\n" % (idx[k] + 1, idx[k + 1] + 1, idx[k + 2] + 1))


def write_glb(path, pos, idx):
    nv, ni = len(pos) // 3, len(idx)
    pos_bytes, idx_bytes = pos.tobytes(), idx.tobytes()
    lo = [min(pos[k::3]) for k in range(3)]
    hi = [max(pos[k::3]) for k in range(3)]
    doc = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}],
           "nodes": [{"mesh": 0, "name": "skin"}],
           "meshes": [{"name": "skin", "primitives": [{"attributes": {"POSITION": 0},
                                                       "indices": 1}]}],
           "accessors": [{"bufferView": 0, "componentType": 5126, "count": nv, "type": "VEC3",
                          "min": lo, "max": hi},
                         {"bufferView": 1, "componentType": 5125, "count": ni,
                          "type": "SCALAR"}],
           "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": len(pos_bytes)},
                           {"buffer": 0, "byteOffset": len(pos_bytes),
                            "byteLength": len(idx_bytes)}],
           "buffers": [{"byteLength": len(pos_bytes) + len(idx_bytes)}]}
    text = json.dumps(doc).encode()
    text += b" " * (-len(text) % 4)
    binary = pos_bytes + idx_bytes
    total = 12 + 8 + len(text) + 8 + len(binary)
    with open(path, "wb") as f:
        f.write(struct.pack("<III", 0x46546C67, 2, total))
        f.write(struct.pack("<II", len(text), 0x4E4F534A) + text)
        f.write(struct.pack("<II", len(binary), 0x004E4942) + binary)


def hostile(out):
    (out / "hostile_ascii_billion.ply").write_text(
        "ply\nformat ascii 1.0\nelement vertex 1000000000\nproperty float x\n"
        "property float y\nproperty float z\nelement face 1\n"
        "property list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n")
    body = struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0) + struct.pack("<4I", 0xFFFFFFFF, 0, 1, 2)
    (out / "hostile_list_count.ply").write_bytes(
        b"ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty float x\n"
        b"property float y\nproperty float z\nelement face 1\n"
        b"property list uint int vertex_indices\nend_header\n" + body)
    (out / "hostile_billion_facets.stl").write_bytes(
        b"x".ljust(80, b" ") + struct.pack("<I", 1_000_000_000) + b"\0" * 50)
    nodes = [{"children": [i + 1]} if i + 1 < 20000 else {} for i in range(20000)]
    text = json.dumps({"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}],
                       "nodes": nodes}).encode()
    text += b" " * (-len(text) % 4)
    (out / "hostile_deep_nodes.glb").write_bytes(
        struct.pack("<III", 0x46546C67, 2, 20 + len(text)) +
        struct.pack("<II", len(text), 0x4E4F534A) + text)
    chain = "".join('\tC: "OO",%d,%d\n' % (1000 + i, 0 if i == 1 else 999 + i)
                    for i in range(1, 20001))
    (out / "hostile_deep_connections.fbx").write_text("Connections:  {\n" + chain + "}\n")
    (out / "hostile_deep_scopes.fbx").write_text(
        "; FBX 7.4.0 project file\n" + "".join("A%d: {\n" % i for i in range(100000)) +
        "}\n" * 100000)


def main():
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    # 1000 x 3000 = 3,000,000 vertices; the first 2,000,000 of the grid's 6,000,000 triangles.
    pos = torus(1000, 3000)
    idx = grid_triangles(1000, 3000, MAX_TRIANGLES)
    write_ply(out / "limit_3Mv_2Mt.ply", pos, idx)
    write_obj(out / "limit_3Mv_2Mt.obj", pos, idx)
    # STL and GLB carry no vertex count of their own: 2,000,000 triangles of a 1000 x 1000
    # torus (1,000,000 shared vertices; STL repeats them per facet, 6,000,000 before welding).
    pos = torus(1000, 1000)
    idx = grid_triangles(1000, 1000, MAX_TRIANGLES)
    write_stl(out / "limit_2Mt.stl", pos, idx)
    write_glb(out / "limit_1Mv_2Mt.glb", pos, idx)
    hostile(out)


if __name__ == "__main__":
    main()
