# The Blender add-on's speed in Blender 3.4 background mode, on the mannequin with the demo
# design (examples/natural.json), the add-on installed from the built zip. Run by
# tests/bench/blender_addon_bench.sh, or by hand (BLENDER_USER_SCRIPTS with the add-on
# installed):
#
#   blender -b --factory-startup -noaudio --python-exit-code 1 \
#       --python tests/bench/blender_addon_bench.py -- MANNEQUIN.obj DESIGN.json REPEATS
#
# - "Generate" from a cold add-on: the add-on is enabled but unused (library not loaded, numpy
#   not imported); the design's properties are set without the library; then one
#   bpy.ops.stipple.generate() on the mannequin object (Blender's OBJ importer, mm scaled to
#   metres) is timed: library load, head from the evaluated mesh, chart UV map, dots, layer
#   bake at the preferences' 2048², layer images, node group, landmark empties.
# - Live edits, each timed around the add-on's apply (what the debounce timer runs: Session
#   apply, then whatever must be shown: exponents image / layer images / UV map), alternating
#   between two values, REPEATS times: zone shade (front 5.5 <-> 7.5), age (30 <-> 1825 days),
#   one zone's density (front 65 <-> 50 dots/cm²).
# Prints one line per measure and a JSON line starting with "ADDON_BENCH_JSON ".
import json
import os
import statistics
import sys
import time

import addon_utils
import bpy


def steps(st):
    """The add-on's per-step ms of its last refresh (live.State.timings), rounded."""
    return {k: round(v, 1) for k, v in st.timings.items()}


def main():
    argv = sys.argv[sys.argv.index("--") + 1:]
    obj_path, design_path, repeats = argv[0], argv[1], int(argv[2]) if len(argv) > 2 else 7
    addon_utils.enable("stipple_blender", default_set=True, handle_error=None)
    from stipple_blender import live, props
    for o in list(bpy.data.objects):
        bpy.data.objects.remove(o, do_unlink=True)
    bpy.ops.wm.obj_import(filepath=obj_path)
    obj = bpy.context.selected_objects[0]
    obj.scale = (0.001, 0.001, 0.001)
    bpy.context.view_layer.objects.active = obj
    scene = bpy.context.scene
    design = json.load(open(design_path))
    design["head"] = {"mesh": obj_path}
    props.ensure_zones(scene.stipple)
    props.from_dict(scene.stipple, design, json.dumps(design))
    scene.stipple.base_path = design_path
    scene.stipple.live = False
    assert "numpy" not in sys.modules or True  # Blender itself may import numpy; reported below
    numpy_loaded = "numpy" in sys.modules

    # Time spent inside the library (C ABI calls), to tell it from the add-on's own work.
    from stipple_blender import capi
    lib_ms = [0.0]

    def timed(fn):
        def wrapper(*a, **k):
            t0 = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                lib_ms[0] += 1000 * (time.perf_counter() - t0)
        return wrapper

    for name in ("apply", "set_head_arrays", "live_layers", "layer_pixels", "chart_uvs",
                 "landmarks", "design_json", "figures", "warnings", "dot_count",
                 "set_layer_size", "file_to_head"):
        setattr(capi.Session, name, timed(getattr(capi.Session, name)))
    t = time.perf_counter()
    result = bpy.ops.stipple.generate()
    cold_ms = 1000 * (time.perf_counter() - t)
    assert result == {"FINISHED"}, result
    st = live.state(scene)
    dots = st.session.dot_count()
    cold_lib = lib_ms[0]
    print(f"cold Generate: {cold_ms:.0f} ms, of which in the library {cold_lib:.0f} ms ({dots} "
          f"dots, numpy already imported: {numpy_loaded})")
    cold_steps = steps(st)
    print(f"cold Generate, the refresh's steps: {cold_steps}")

    def edit(label, setter, values):
        times, libs, flags, last = [], [], 0, {}
        for i in range(repeats):
            setter(values[i % 2])
            lib_ms[0] = 0.0
            t0 = time.perf_counter()
            flags = live.apply(scene)
            times.append(1000 * (time.perf_counter() - t0))
            libs.append(lib_ms[0])
            last = steps(st)
        med = statistics.median(times)
        print(f"{label}: median {med:.1f} ms of {repeats} ({', '.join(f'{x:.1f}' for x in times)})"
              f", in the library {statistics.median(libs):.1f} ms; flags {flags}")
        print(f"{label}, the last refresh's steps: {last}")
        return {"median_ms": round(med, 2), "times_ms": [round(x, 2) for x in times],
                "library_median_ms": round(statistics.median(libs), 2), "flags": flags,
                "last_steps_ms": last}

    front = scene.stipple.zones["front"]
    rec = {
        "blender": bpy.app.version_string, "cpus": os.cpu_count(),
        "load": os.getloadavg(), "dots": dots, "cold_generate_ms": round(cold_ms, 1),
        "cold_generate_library_ms": round(cold_lib, 1), "cold_steps_ms": cold_steps,
        "layer_size": st.layer_size,
        "shade": edit("zone shade (front 5.5 <-> 7.5)",
                      lambda v: setattr(front, "shade", v), (7.5, 5.5)),
        "age": edit("age_days (30 <-> 1825)",
                    lambda v: setattr(scene.stipple, "age_days", v), (1825, 30)),
        "density": edit("one zone density (front 65 <-> 50)",
                        lambda v: setattr(front, "density_per_cm2", v), (50, 65)),
    }
    print("ADDON_BENCH_JSON " + json.dumps(rec))


main()
