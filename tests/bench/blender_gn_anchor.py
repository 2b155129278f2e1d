# An anchor for the live Session's per-edit cost (tests/bench/session_bench.cpp), measured in the
# same run: Blender's own Geometry Nodes "Distribute Points on Faces" node in Poisson Disk mode
# producing about 100,000 points on the bundled mannequin head (mm, +Y up). Run by
# tests/bench/blender_gn_anchor.sh (which converts meshes/mannequin.glb to OBJ), or by hand:
#
#   blender -b --factory-startup -noaudio --python-exit-code 1 \
#       --python tests/bench/blender_gn_anchor.py -- MESH.obj REPEATS
#
# What it does:
# - imports the OBJ with the C++ importer (bpy.ops.wm.obj_import; Blender 3.4's glTF importer
#   fails on Debian 12's numpy 1.24), in millimetres as Blender units;
# - builds Group Input -> Distribute Points on Faces (Poisson) -> Group Output as a Geometry
#   Nodes modifier. Distance Min is 0.7 x the spacing of a hexagonal packing of 100k points on
#   the mesh's area (env GN_DISTANCE_FACTOR overrides the 0.7); Density Max starts at
#   100k / area and is calibrated (secant steps on the evaluated count, seed 0) until the count
#   is within +-2 % of 100k. Poisson mode scatters Density Max x area candidates and then
#   eliminates those closer than Distance Min, so the cost grows with the oversampling that a
#   large Distance Min needs (0.7 -> Density Max ~4.2/mm^2, ~7x the kept points);
# - times REPEATS evaluations: each sets a new Seed on the node and forces the depsgraph to
#   re-evaluate the modifier (bpy.context.evaluated_depsgraph_get() after a tag); the count is
#   read from the evaluated geometry (the point cloud instance the depsgraph exposes) on every
#   repeat, outside the timed span. One untimed warm-up evaluation precedes them.
# Prints a human line and one JSON line starting with "GN_ANCHOR_JSON ".

import json
import math
import os
import statistics
import sys
import time

import bpy

# Points to produce (env GN_TARGET, default 100,000; the add-on bench passes its dot count).
TARGET = int(os.environ.get("GN_TARGET", "100000"))
# Distance Min as a fraction of the hexagonal spacing (env GN_DISTANCE_FACTOR, default 0.7).
DISTANCE_FACTOR = float(os.environ.get("GN_DISTANCE_FACTOR", "0.7"))


def args():
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    if len(argv) < 1:
        raise SystemExit("usage: ... -- MESH.obj [REPEATS]")
    return argv[0], int(argv[1]) if len(argv) > 1 else 5


def mesh_area(me):
    return sum(p.area for p in me.polygons)


def point_count(obj):
    """Points in obj's evaluated geometry (point cloud component, or mesh vertices)."""
    dg = bpy.context.evaluated_depsgraph_get()
    n = 0
    for inst in dg.object_instances:
        if inst.object.original == obj or (inst.parent and inst.parent.original == obj):
            data = inst.object.data
            if inst.object.type == "POINTCLOUD":
                n += len(data.points)
            elif inst.object.type == "MESH":
                n += len(data.vertices)
    return n


def evaluate(obj, node, seed):
    node.inputs["Seed"].default_value = seed
    obj.update_tag()
    t0 = time.perf_counter()
    dg = bpy.context.evaluated_depsgraph_get()  # evaluates everything tagged
    obj.evaluated_get(dg)
    return time.perf_counter() - t0


def main():
    path, repeats = args()
    bpy.ops.object.select_all(action="SELECT")
    bpy.ops.object.delete()
    t0 = time.perf_counter()
    bpy.ops.wm.obj_import(filepath=path, forward_axis="NEGATIVE_Z", up_axis="Y")
    import_s = time.perf_counter() - t0
    obj = [o for o in bpy.context.scene.objects if o.type == "MESH"][0]
    me = obj.data
    area = mesh_area(me)  # mm^2 (Blender units = mm)

    hex_spacing = math.sqrt(2.0 * area / (math.sqrt(3.0) * TARGET))
    distance_min = DISTANCE_FACTOR * hex_spacing
    density = TARGET / area

    ng = bpy.data.node_groups.new("gn_anchor", "GeometryNodeTree")
    ng.inputs.new("NodeSocketGeometry", "Geometry")
    ng.outputs.new("NodeSocketGeometry", "Geometry")
    gin = ng.nodes.new("NodeGroupInput")
    gout = ng.nodes.new("NodeGroupOutput")
    dist = ng.nodes.new("GeometryNodeDistributePointsOnFaces")
    dist.distribute_method = "POISSON"
    dist.inputs["Distance Min"].default_value = distance_min
    dist.inputs["Density Max"].default_value = density
    dist.inputs["Density Factor"].default_value = 1.0
    ng.links.new(gin.outputs["Geometry"], dist.inputs["Mesh"])
    ng.links.new(dist.outputs["Points"], gout.inputs["Geometry"])
    mod = obj.modifiers.new("gn_anchor", "NODES")
    mod.node_group = ng

    # Calibrate Density Max on seed 0 (Poisson elimination removes some of the candidates).
    calib = []
    d_prev, n_prev = None, None
    for _ in range(8):
        dist.inputs["Density Max"].default_value = density
        evaluate(obj, dist, 0)
        n = point_count(obj)
        calib.append((density, n))
        if abs(n - TARGET) <= 0.02 * TARGET:
            break
        if n_prev is not None and n != n_prev:
            nd = density + (TARGET - n) * (density - d_prev) / (n - n_prev)
        else:
            nd = density * TARGET / max(n, 1)
        nd = min(max(nd, density * 0.5), density * 3.0)
        d_prev, n_prev, density = density, n, nd

    # Warm-up, then the timed repeats.
    evaluate(obj, dist, 999)
    times, counts = [], []
    for i in range(repeats):
        times.append(evaluate(obj, dist, i + 1))
        counts.append(point_count(obj))

    med_ms = statistics.median(times) * 1000.0
    rec = {
        "blender": bpy.app.version_string,
        "cpus": os.cpu_count(),
        "mesh": path,
        "mesh_vertices": len(me.vertices),
        "mesh_triangles": len(me.polygons),
        "area_mm2": round(area, 1),
        "distribute_method": dist.distribute_method,
        "distance_factor": DISTANCE_FACTOR,
        "distance_min_mm": round(distance_min, 4),
        "density_max_per_mm2": round(density, 5),
        "density_factor": 1.0,
        "calibration": [[round(d, 5), n] for d, n in calib],
        "import_s": round(import_s, 3),
        "repeats": repeats,
        "times_ms": [round(t * 1000.0, 2) for t in times],
        "median_ms": round(med_ms, 2),
        "points": counts,
        "points_median": int(statistics.median(counts)),
    }
    print(
        f"GN anchor: Blender {rec['blender']}, Distribute Points on Faces (Poisson), "
        f"area {area / 100.0:.0f} cm^2, distance_min {distance_min:.4f} mm, "
        f"density_max {density:.4f} /mm^2 -> {rec['points_median']} points; "
        f"median of {repeats}: {med_ms:.1f} ms"
    )
    print("GN_ANCHOR_JSON " + json.dumps(rec))
    sys.stdout.flush()
    if not all(abs(c - TARGET) <= 0.05 * TARGET for c in counts):
        raise SystemExit(f"point counts {counts} not within 5% of {TARGET}")


main()
