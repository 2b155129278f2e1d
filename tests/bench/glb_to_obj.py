#!/usr/bin/env python3
"""GLB (glTF 2 binary) -> OBJ with v and f lines only (UV-seam duplicates welded): Blender 3.4's
glTF importer fails on Debian 12 (numpy 1.24 dropped np.bool), its C++ OBJ importer works.

    glb_to_obj.py IN.glb OUT.obj
"""
import json, struct, sys
src, dst = sys.argv[1], sys.argv[2]
d = open(src, 'rb').read()
magic, version, length = struct.unpack_from('<III', d, 0)
assert magic == 0x46546C67 and version == 2, src + ': not a glTF 2 binary'
off, js, binc = 12, None, None
while off < length:
    clen, ctype = struct.unpack_from('<II', d, off)
    body = d[off + 8:off + 8 + clen]
    if ctype == 0x4E4F534A: js = json.loads(body)      # 'JSON'
    elif ctype == 0x004E4942: binc = body              # 'BIN\0'
    off += 8 + clen
def read(ai):
    a = js['accessors'][ai]
    bv = js['bufferViews'][a['bufferView']]
    fmt = {5126: 'f', 5125: 'I', 5123: 'H', 5121: 'B'}[a['componentType']]
    ncomp = {'SCALAR': 1, 'VEC2': 2, 'VEC3': 3}[a['type']]
    start = bv.get('byteOffset', 0) + a.get('byteOffset', 0)
    stride = bv.get('byteStride', 0) or struct.calcsize(fmt) * ncomp
    return [struct.unpack_from('<%d%s' % (ncomp, fmt), binc, start + i * stride)
            for i in range(a['count'])]
base = 0
with open(dst, 'w') as f:
    for m in js['meshes']:
        for p in m['primitives']:
            assert p.get('mode', 4) == 4, 'triangles only'
            pos = read(p['attributes']['POSITION'])
            idx = [i[0] for i in read(p['indices'])]
            key, remap, uniq = {}, [], []                  # weld UV-seam duplicates
            for v in pos:
                k = key.get(v)
                if k is None:
                    k = key[v] = len(uniq)
                    uniq.append(v)
                remap.append(k)
            f.writelines('v %.6f %.6f %.6f\n' % v for v in uniq)
            f.writelines('f %d %d %d\n' % tuple(base + remap[idx[t + j]] + 1 for j in range(3))
                         for t in range(0, len(idx), 3))
            base += len(uniq)
