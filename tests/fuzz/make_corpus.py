#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into corpus/ (run from anywhere; the output is
committed, so this only reruns when the seeds change). Seeds are small valid inputs of each
format plus near-misses (truncated, wrong counts, empty), so the fuzzer starts from every
branch of the readers rather than from the file signature.

corpus/design:   the examples/ designs, minimal and broken designs.
corpus/mesh:     one byte picking the format (0 OBJ, 1 PLY, 2 STL, 3 GLB; fuzz_mesh.cpp) + a file.
corpus/png_mask: grey/grey+alpha/RGB/palette/16-bit/interlaced PNGs, and broken ones.
"""
import json
import pathlib
import struct
import zlib

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CORPUS = HERE / "corpus"


def write(kind, name, data):
    folder = CORPUS / kind
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())


# ---- designs ------------------------------------------------------------------------------
def designs():
    for example in sorted((ROOT / "examples").glob("*.json")):
        write("design", example.stem + ".json", example.read_bytes())
    write("design", "minimal.json", '{"stipple": 1, "head": {"mesh": "head.glb"}}')
    write("design", "custom_hairline.json", json.dumps({
        "stipple": 1, "head": {"mesh": "h.obj", "units": "cm", "up": "+Z", "forward": "-Y",
                               "landmarks": {"vertex": [0, 10, 0], "ear_left": [7, 0, 0]},
                               "keep": ["skin"]},
        "hairline": {"template": "custom",
                     "control_points_mm": [[-60, 40, 60], [0, 80, 90], [60, 40, 60]]},
        "mode": "total", "total_dots": 5000,
        "zones": [{"name": "crown", "weight": 2, "enabled": False}],
        "density_mask": {"image": "mask.png", "strength": 0.5},
        "scars": [{"type": "strip", "points_mm": [[-50, -20, -80], [50, -20, -80]],
                   "width_mm": 4},
                  {"type": "polygon", "points_mm": [[0, 0, 0], [1, 0, 0], [0, 1, 0]]},
                  {"type": "fue", "points_mm": [[0, 50, -90]], "radius_mm": 20}],
        "pigment": {"ink": "semi_permanent", "skin_from_mesh": True, "age_days": 0},
        "render": {"lighting": "custom", "lights": [{"azimuth_deg": 30, "elevation_deg": 20,
                                                      "intensity": 1}],
                   "background": "transparent", "views": ["back", "top"],
                   "layer_size": 1024}}, indent=1))
    write("design", "invalid_json.json", '{"stipple": 1, "head": {"mesh": ')
    write("design", "wrong_types.json",
          '{"stipple": "1", "seed": -1, "zones": {"name": 3}, "scars": [1, null, "x"],'
          ' "hairline": {"template": 7}, "pigment": {"hair_colour": "#zz"}}')
    write("design", "unknown_keys.json",
          '{"stipple": 1, "head": {"mesh": "a.ply", "unitz": "mm"}, "hairlnie": {}}')
    write("design", "nested.json", '{"stipple": 1, "notes": [[[[{"a": [[1e400]]}]]]]}')
    write("design", "empty.json", "")


# ---- meshes -------------------------------------------------------------------------------
# A tetrahedron: 4 vertices, 4 outward-facing triangles, the smallest closed surface.
VERTS = [(0.0, 0.0, 0.0), (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)]
TRIS = [(0, 2, 1), (0, 1, 3), (0, 3, 2), (1, 2, 3)]
OBJ, PLY, STL, GLB = b"\x00", b"\x01", b"\x02", b"\x03"


def obj_text(with_extras):
    lines = ["# tetrahedron", "o skin"]
    lines += ["v %g %g %g" % v for v in VERTS]
    if with_extras:
        lines += ["vt 0 0", "vt 1 0", "vt 0 1", "vn 0 0 1", "usemtl skin", "g part", "s 1"]
        lines += ["f %d/%d/1 %d/%d/1 %d/%d/1" % (a + 1, a % 3 + 1, b + 1, b % 3 + 1, c + 1,
                                                  c % 3 + 1) for a, b, c in TRIS]
        lines += ["f 1 2 3 4", "l 1 2", "p 3", "f -1 -2 -3"]
    else:
        lines += ["f %d %d %d" % (a + 1, b + 1, c + 1) for a, b, c in TRIS]
    return "\n".join(lines) + "\n"


def ply_ascii(nv=len(VERTS), nf=len(TRIS)):
    head = ["ply", "format ascii 1.0", "comment tetrahedron", "element vertex %d" % nv,
            "property float x", "property float y", "property float z",
            "element face %d" % nf, "property list uchar int vertex_indices", "end_header"]
    body = ["%g %g %g" % v for v in VERTS] + ["3 %d %d %d" % t for t in TRIS]
    return "\n".join(head + body) + "\n"


def ply_binary(endian="<", name="binary_little_endian", count_type="uchar"):
    head = ("ply\nformat %s 1.0\nelement vertex %d\nproperty float x\nproperty float y\n"
            "property float z\nproperty uchar red\nelement face %d\n"
            "property list %s int vertex_indices\nend_header\n"
            % (name, len(VERTS), len(TRIS), count_type)).encode()
    body = b"".join(struct.pack(endian + "fffB", *v, 200) for v in VERTS)
    count = {"uchar": "B", "uint": "I"}[count_type]
    body += b"".join(struct.pack(endian + count + "iii", 3, *t) for t in TRIS)
    return head + body


def normal(t):
    a, b, c = (VERTS[i] for i in t)
    u = [b[k] - a[k] for k in range(3)]
    v = [c[k] - a[k] for k in range(3)]
    return (u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0])


def stl_ascii():
    out = ["solid tetra"]
    for t in TRIS:
        out.append("facet normal %g %g %g" % normal(t))
        out.append(" outer loop")
        out += ["  vertex %g %g %g" % VERTS[i] for i in t]
        out += [" endloop", "endfacet"]
    return "\n".join(out + ["endsolid tetra"]) + "\n"


def stl_binary(count=len(TRIS)):
    out = b"binary tetrahedron".ljust(80, b" ") + struct.pack("<I", count)
    for t in TRIS:
        out += struct.pack("<3f", *normal(t))
        for i in t:
            out += struct.pack("<3f", *VERTS[i])
        out += b"\x00\x00"
    return out


def glb(nodes_nested=1, with_uv=False):
    """A glTF 2.0 binary: one mesh (positions, optional UVs, uint16 indices) under a chain of
    `nodes_nested` nodes with a translation each."""
    pos = b"".join(struct.pack("<3f", *v) for v in VERTS)
    idx = b"".join(struct.pack("<3H", *t) for t in TRIS)
    uv = b"".join(struct.pack("<2f", v[0], v[1]) for v in VERTS) if with_uv else b""
    binary = pos + idx + uv
    binary += b"\x00" * (-len(binary) % 4)
    attributes = {"POSITION": 0}
    accessors = [
        {"bufferView": 0, "componentType": 5126, "count": 4, "type": "VEC3",
         "min": [0, 0, 0], "max": [1, 1, 1]},
        {"bufferView": 1, "componentType": 5123, "count": 12, "type": "SCALAR"}]
    views = [{"buffer": 0, "byteOffset": 0, "byteLength": len(pos)},
             {"buffer": 0, "byteOffset": len(pos), "byteLength": len(idx)}]
    if with_uv:
        attributes["TEXCOORD_0"] = 2
        accessors.append({"bufferView": 2, "componentType": 5126, "count": 4, "type": "VEC2"})
        views.append({"buffer": 0, "byteOffset": len(pos) + len(idx), "byteLength": len(uv)})
    nodes = [{"children": [i + 1], "translation": [0, 0.1, 0]} for i in range(nodes_nested - 1)]
    nodes.append({"mesh": 0, "name": "skin"})
    doc = {"asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}], "nodes": nodes,
           "meshes": [{"name": "skin", "primitives": [{"attributes": attributes, "indices": 1,
                                                        "material": 0}]}],
           "materials": [{"name": "skin", "pbrMetallicRoughness": {
               "baseColorFactor": [0.8, 0.6, 0.5, 1]}}],
           "accessors": accessors, "bufferViews": views,
           "buffers": [{"byteLength": len(binary)}]}
    text = json.dumps(doc, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    chunks = struct.pack("<II", len(text), 0x4E4F534A) + text
    chunks += struct.pack("<II", len(binary), 0x004E4942) + binary
    return struct.pack("<4sII", b"glTF", 2, 12 + len(chunks)) + chunks


def meshes():
    write("mesh", "tetra.obj", OBJ + obj_text(False).encode())
    write("mesh", "tetra_uv_mixed.obj", OBJ + obj_text(True).encode())
    write("mesh", "tetra_ascii.ply", PLY + ply_ascii().encode())
    # An ASCII PLY whose header claims 10^9 vertices (issue 13) joins once harden-input lands.
    write("mesh", "tetra_binary_le.ply", PLY + ply_binary())
    write("mesh", "tetra_binary_be.ply", PLY + ply_binary(">", "binary_big_endian", "uint"))
    write("mesh", "tetra_ascii.stl", STL + stl_ascii().encode())
    write("mesh", "tetra_binary.stl", STL + stl_binary())
    write("mesh", "tetra_binary_bad_count.stl", STL + stl_binary(count=1000))
    write("mesh", "tetra.glb", GLB + glb())
    write("mesh", "tetra_uv_nested.glb", GLB + glb(nodes_nested=4, with_uv=True))
    write("mesh", "truncated.glb", GLB + glb()[:40])


# ---- PNG masks ----------------------------------------------------------------------------
def png(width, height, colour_type, bit_depth=8, interlace=0, pixels=None, extra=b"",
        palette=None):
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[colour_type]
    row_bytes = (width * channels * bit_depth + 7) // 8

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    if pixels is None:  # a gradient, one filter byte (0, 1, 2, ... cycling) per row
        raw = b""
        for y in range(height if not interlace else height * 2):
            raw += bytes([y % 5]) + bytes((x * 37 + y * 11) % 256 for x in range(row_bytes))
    else:
        raw = pixels
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0,
                                      interlace))
    if palette is not None:
        out += chunk(b"PLTE", palette)
        out += chunk(b"tRNS", b"\x80" * (len(palette) // 6))
    out += extra
    out += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    return out


def masks():
    src = ROOT / "tests" / "core" / "data" / "mask_test_gradient.png"
    write("png_mask", "mask_test_gradient.png", src.read_bytes())
    write("png_mask", "grey8.png", png(8, 6, 0))
    write("png_mask", "grey16.png", png(5, 4, 0, bit_depth=16))
    write("png_mask", "grey1.png", png(17, 3, 0, bit_depth=1))
    write("png_mask", "grey4_text.png",
          png(9, 4, 0, bit_depth=4, extra=struct.pack(">I", 9) + b"tEXtkey\x00value" +
              b"\x00\x00\x00\x00"))
    write("png_mask", "grey_alpha.png", png(4, 4, 4))
    write("png_mask", "rgb.png", png(6, 5, 2))
    write("png_mask", "rgba16.png", png(3, 3, 6, bit_depth=16))
    write("png_mask", "palette.png", png(7, 7, 3, palette=bytes(range(48))))
    write("png_mask", "interlaced.png", png(9, 9, 0, interlace=1))
    whole = png(8, 8, 0)
    write("png_mask", "truncated.png", whole[: len(whole) // 2])
    write("png_mask", "huge_header.png", png(30000, 30000, 0, pixels=b"\x00" * 64))
    write("png_mask", "not_png.png", b"GIF89a\x01\x00\x01\x00")


if __name__ == "__main__":
    designs()
    meshes()
    masks()
