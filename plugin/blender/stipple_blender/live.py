"""The live result: one Session per scene, fed with the head object's evaluated mesh as arrays,
and its output shown in Blender: the chart as the UV map "StippleChart", the layers as images
updated in place, a node group that composites them over the head's material exactly as
layers.h specifies (linear light), the dots as an optional vertex object.

Re-applying is debounced: a property change schedules one apply a moment later; the Session
then recomputes only what the change reaches (a shade or age edit: only the per-zone exponents,
written into an 8 x 1 image the node group reads; no texel is touched).

Images are written only where their texels changed: a re-bake rewrites the pigment; the scar
and before images only when their texels differ from the ones shown (an empty layer is a 4 x 4
transparent image, which samples alike). The zone-map image is only read through exponents
other than 1, and a bake resets them to 1: after a bake it lags (State.zone_map_stale) until
the first colour edit, a pause in the edits (SYNC_IDLE_S) or storing the layers brings it up.
Pixels go through one float32 scratch buffer per size, kept across edits.
"""
import contextlib
import hashlib
import json
import os
import time

import bpy

from . import capi

UV_NAME = "StippleChart"
GROUP_NAME = "Stipple Layers"
GROUP_NODE = "Stipple"
INSIDE_ATTRIBUTE = "stipple_inside"
LANDMARK_COLLECTION = "Stipple Landmarks"
DOTS_OBJECT = "Stipple Dots"
IMAGE_NAMES = {"pigment": "Stipple Pigment", "scar": "Stipple Scar", "before": "Stipple Before",
               "zone_map": "Stipple Zone Map", "exponents": "Stipple Exponents"}
DEBOUNCE_S = 0.15
SYNC_IDLE_S = 1.0  # pause after the last apply before a lagging zone-map image is brought up
# Blender: metres (times the scene's unit scale), +Z up, the face looking down -Y.
BLENDER_UP, BLENDER_FORWARD = "+Z", "-Y"


class State:
    """What the add-on keeps for a scene between edits (not saved: rebuilt by Generate)."""

    def __init__(self):
        self.session = None
        self.object_name = ""
        self.positions = None  # numpy float32 (n, 3), world coordinates
        self.indices = None    # numpy uint32 (t, 3)
        self.triangle_polygons = None
        self.mm_per_unit = 0.0
        self.overrides = None  # (landmarks, given) last handed over
        self.layer_size = 0
        # Reused across edits: one float32 RGBA scratch buffer per image size (no temporaries),
        # the RGBA16 texels last shown in the smooth images and that image's size (scar/before:
        # skipped when unchanged), whether the zone-map image lags the bake (it is only read
        # once exponents differ from 1), and the ms of each step of the last refresh.
        self.buffers = {}
        self.shown = {}
        self.zone_map_stale = True
        self.timings = {}

    def close(self):
        if self.session is not None:
            self.session.close()
            self.session = None


_states = {}
_suspended = 0
_pending = set()


_np = None


def numpy():
    """numpy, imported on first use (not when the add-on is enabled), once."""
    global _np
    if _np is None:
        try:
            import numpy as np
        except ImportError:
            raise capi.StippleError(capi.RUNTIME, "numpy is missing: Blender's Python needs "
                                    "numpy (on Debian: apt-get install python3-numpy)", "numpy")
        _np = np
    return _np


@contextlib.contextmanager
def timed(st, step):
    """Adds the wall time of the block to st.timings[step] (ms)."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        st.timings[step] = st.timings.get(step, 0.0) + 1000 * (time.perf_counter() - t0)


def state(scene, create=False):
    s = _states.get(scene.name)
    if s is None and create:
        s = _states[scene.name] = State()
    return s


def close_all():
    for s in _states.values():
        s.close()
    _states.clear()
    for name in list(_pending):
        _pending.discard(name)
    for timer in (_run_pending, _sync_idle):
        if bpy.app.timers.is_registered(timer):
            bpy.app.timers.unregister(timer)


def preferences(context=None):
    addon = (context or bpy.context).preferences.addons.get(__package__)
    return addon.preferences if addon else None


def library():
    prefs = preferences()
    return capi.load(prefs.library_path if prefs else "")


# ---- design ----------------------------------------------------------------------------------

def base_path(scene):
    d = scene.stipple
    if d.base_path:
        return bpy.path.abspath(d.base_path)
    folder = os.path.dirname(bpy.data.filepath) if bpy.data.filepath else os.getcwd()
    return os.path.join(folder, "design.json")


HAIRLINE_CURVE = "Stipple Hairline"


def _curve_world_points(curve):
    out = []
    for spline in curve.data.splines:
        for p in list(spline.bezier_points) + list(spline.points):
            w = curve.matrix_world @ p.co.to_3d()
            out.append((w.x, w.y, w.z))
    return out


def hairline_points(scene, st):
    """The custom hairline curve's points in the head frame (mm), or None. A curve the add-on
    made from a design and nobody moved gives back the design's own numbers (exact round
    trip); a moved one is converted through the head's frame."""
    d = scene.stipple
    curve = d.hairline_curve
    if d.template != "custom" or curve is None or st is None or st.session is None \
            or not st.session.has_head():
        return None
    world = _curve_world_points(curve)
    made = curve.get("stipple_world")
    if made is not None and len(made) == 3 * len(world) and all(
            abs(made[3 * i + k] - w[k]) < 1e-7 for i, w in enumerate(world) for k in range(3)):
        pts = curve["stipple_points_mm"]
        return [list(pts[3 * i:3 * i + 3]) for i in range(len(pts) // 3)]
    m = st.session.file_to_head()  # column-major, host (world) -> head mm
    return [[sum(m[c * 4 + r] * v for c, v in enumerate((*w, 1.0))) for r in range(3)]
            for w in world]


def ensure_hairline_curve(scene, st):
    """For a custom design with control points and no curve yet: a poly curve through them
    (head mm -> world through the inverse of the head's frame), set as the hairline curve."""
    d = scene.stipple
    if d.template != "custom" or d.hairline_curve is not None or not d.base_json:
        return
    points = json.loads(d.base_json).get("hairline", {}).get("control_points_mm")
    if not points:
        return
    from mathutils import Matrix, Vector
    m = st.session.file_to_head()
    to_world = Matrix([[m[c * 4 + r] for c in range(4)] for r in range(4)]).inverted()
    data = bpy.data.curves.get(HAIRLINE_CURVE) or bpy.data.curves.new(HAIRLINE_CURVE, "CURVE")
    data.splines.clear()
    data.dimensions = "3D"
    spline = data.splines.new("POLY")
    spline.points.add(len(points) - 1)
    world = []
    for sp, p in zip(spline.points, points):
        w = to_world @ Vector(p)
        sp.co = (w.x, w.y, w.z, 1.0)
        world.append(tuple(sp.co[:3]))  # as stored (float32)
    curve = bpy.data.objects.get(HAIRLINE_CURVE) or bpy.data.objects.new(HAIRLINE_CURVE, data)
    if curve.name not in scene.collection.objects:
        scene.collection.objects.link(curve)
    curve["stipple_points_mm"] = [c for p in points for c in p]
    curve["stipple_world"] = [c for w in world for c in w]
    with suspended():
        d.hairline_curve = curve


def design_text(scene):
    st = state(scene)
    return json.dumps(props_to_dict(scene, st), indent=2)


def props_to_dict(scene, st):
    from . import props
    props.ensure_zones(scene.stipple)
    return props.to_dict(scene.stipple, hairline_points(scene, st))


# ---- head ------------------------------------------------------------------------------------

def mesh_arrays(obj, depsgraph):
    """The evaluated mesh of `obj` in world coordinates: (positions (n, 3) float32,
    triangles (t, 3) uint32, polygon of each triangle (t,) int32)."""
    np = numpy()
    ev = obj.evaluated_get(depsgraph)
    me = ev.to_mesh()
    try:
        me.calc_loop_triangles()
        co = np.empty(len(me.vertices) * 3, np.float32)
        me.vertices.foreach_get("co", co)
        tri = np.empty(len(me.loop_triangles) * 3, np.int32)
        me.loop_triangles.foreach_get("vertices", tri)
        poly = np.empty(len(me.loop_triangles), np.int32)
        me.loop_triangles.foreach_get("polygon_index", poly)
    finally:
        ev.to_mesh_clear()
    m = np.array(obj.matrix_world, dtype=np.float64)
    world = (co.reshape(-1, 3).astype(np.float64) @ m[:3, :3].T + m[:3, 3]).astype(np.float32)
    return np.ascontiguousarray(world), tri.reshape(-1, 3).astype(np.uint32), poly


def check_head_object(obj):
    """A StippleError naming the active object when it cannot be a head."""
    if obj is None:
        raise capi.StippleError(capi.BAD_ARGUMENT, "active object: none; select the head mesh "
                                "(or import a scan with Stipple)", "object")
    if obj.type != "MESH":
        raise capi.StippleError(capi.BAD_ARGUMENT, f"active object: '{obj.name}' is not a mesh "
                                f"(type {obj.type}); select the head mesh", "object")
    if len(obj.data.polygons) == 0:
        raise capi.StippleError(capi.BAD_INPUT, f"active object: '{obj.name}' has no faces",
                                "object")


def landmark_overrides(scene):
    """(18 doubles, 6 ints) from the landmark empties the user moved, or None."""
    coll = bpy.data.collections.get(LANDMARK_COLLECTION)
    if coll is None:
        return None
    values, given = [0.0] * 18, [0] * 6
    for obj in coll.objects:
        name = obj.get("stipple_landmark")
        est = obj.get("stipple_estimated")
        if name not in capi.LANDMARK_NAMES or est is None:
            continue
        w = obj.location  # unparented; matrix_world lags until the depsgraph updates
        if max(abs(w[k] - est[k]) for k in range(3)) > 1e-6:
            i = capi.LANDMARK_NAMES.index(name)
            values[3 * i:3 * i + 3] = [w.x, w.y, w.z]
            given[i] = 1
    return (values, given) if any(given) else None


def set_head(st, overrides):
    """Hands the stored arrays (world coordinates) and the landmark overrides to the session."""
    import ctypes as C
    pos = st.positions
    idx = st.indices
    lm, gv = overrides if overrides else (None, None)
    st.session.set_head_arrays(pos.ctypes.data_as(C.POINTER(C.c_float)), len(pos),
                               idx.ctypes.data_as(C.POINTER(C.c_uint32)), len(idx),
                               st.mm_per_unit, BLENDER_UP, BLENDER_FORWARD, lm, gv)
    st.overrides = overrides


def show_landmarks(scene, st):
    """Empties at the landmarks (estimated ones where the user did not move them)."""
    coll = bpy.data.collections.get(LANDMARK_COLLECTION)
    if coll is None:
        coll = bpy.data.collections.new(LANDMARK_COLLECTION)
        scene.collection.children.link(coll)
    _, host, estimated = st.session.landmarks()
    existing = {o.get("stipple_landmark"): o for o in coll.objects}
    for i, name in enumerate(capi.LANDMARK_NAMES):
        p = host[3 * i:3 * i + 3]
        obj = existing.get(name)
        if obj is None:
            obj = bpy.data.objects.new(f"Stipple {name}", None)
            obj.empty_display_type = "SPHERE"
            obj.empty_display_size = 0.006
            obj["stipple_landmark"] = name
            coll.objects.link(obj)
        obj["stipple_estimated"] = p if estimated[i] else obj.get("stipple_estimated", p)
        if estimated[i]:
            obj.location = p


# ---- generate / apply ------------------------------------------------------------------------

def generate(context, obj):
    """Builds the scene's live result for `obj` from scratch. Raises StippleError."""
    scene = context.scene
    st = state(scene, create=True)
    st.timings = {}
    with timed(st, "library load"):
        library()
    check_head_object(obj)
    from . import props
    props.ensure_zones(scene.stipple)
    st.close()
    st.shown, st.zone_map_stale = {}, True  # write every image afresh
    prefs = preferences(context)
    st.layer_size = int(prefs.layer_size) if prefs else 2048
    with timed(st, "mesh arrays (numpy import)"):
        st.positions, st.indices, st.triangle_polygons = mesh_arrays(
            obj, context.evaluated_depsgraph_get())
    st.mm_per_unit = (1000.0 * scene.unit_settings.scale_length
                      if scene.stipple.head_units == "SCENE" else 0.0)
    st.object_name = obj.name
    with timed(st, "session + head (library)"):
        text = json.dumps(props_to_dict(scene, None), indent=2)
        st.session = capi.Session(text, base_path(scene))
        st.session.set_layer_size(st.layer_size)
        set_head(st, landmark_overrides(scene))
    ensure_hairline_curve(scene, st)
    if scene.stipple.template == "custom" and scene.stipple.hairline_curve is not None:
        st.session.apply(design_text(scene), base_path(scene))  # now with the head's frame
    with timed(st, "landmark empties"):
        show_landmarks(scene, st)
    refresh(scene, st, obj, capi.CHANGED_CHART | capi.CHANGED_LAYERS)
    obj["stipple_mesh_sha256"] = hashlib.sha256(
        st.positions.tobytes() + st.indices.tobytes()).hexdigest()
    scene["stipple_mesh_sha256"] = obj["stipple_mesh_sha256"]
    return st


def apply(scene):
    """Re-applies the properties through the Session; refreshes what changed. Returns the
    changed flags. Raises StippleError (the session keeps its previous design)."""
    st = state(scene)
    if st is None or st.session is None:
        return 0
    obj = bpy.data.objects.get(st.object_name)
    if obj is None:
        raise capi.StippleError(capi.BAD_ARGUMENT, f"head object: '{st.object_name}' no longer "
                                "exists; generate again", "object")
    st.timings = {}
    overrides = landmark_overrides(scene)
    flags = 0
    if overrides != st.overrides:
        set_head(st, overrides)
        show_landmarks(scene, st)
        flags |= capi.CHANGED_CHART | capi.CHANGED_LAYERS
    with timed(st, "design json"):
        text = design_text(scene)
    with timed(st, "apply (library)"):
        changed, _ = st.session.apply(text, base_path(scene))
    flags |= changed
    refresh(scene, st, obj, flags)
    return flags


def refresh(scene, st, obj, flags):
    """Shows what `flags` say changed; st.timings gets the ms of each step."""
    if flags & (capi.CHANGED_CHART | capi.CHANGED_REGION):
        with timed(st, "uv map"):
            build_uv(obj, st)
    if flags & (capi.CHANGED_LAYERS | capi.CHANGED_CHART):
        update_layers(st)
    elif flags & capi.CHANGED_COLOUR:
        update_exponents(st)
    with timed(st, "material"):
        ensure_material(obj)
    dots = bpy.data.objects.get(DOTS_OBJECT)
    if scene.stipple.show_dots and (dots is None or flags & (
            capi.CHANGED_DOTS | capi.CHANGED_CHART | capi.CHANGED_ZONES | capi.CHANGED_COLOUR)):
        with timed(st, "dots object"):
            build_dots(scene, st)
    elif not scene.stipple.show_dots and dots is not None:
        bpy.data.objects.remove(dots, do_unlink=True)
    with timed(st, "design hash"):
        canonical = st.session.design_json(None)
        scene["stipple_design_sha256"] = hashlib.sha256(canonical.encode()).hexdigest()


# ---- UV map, images ---------------------------------------------------------------------------

def build_uv(obj, st):
    """The chart as the UV map StippleChart (per corner: its vertex's chart UV) and the face
    attribute stipple_inside (1 where the face carries layers)."""
    np = numpy()
    me = obj.data
    nv, nt = len(st.positions), len(st.indices)
    if len(me.vertices) != nv:
        raise capi.StippleError(capi.BAD_INPUT, f"head object: '{obj.name}' has modifiers that "
                                "change its vertices; apply them first", "object")
    with timed(st, "uv map (library)"):
        uvs, inside = st.session.chart_uvs(nv, nt)
    uv = np.ctypeslib.as_array(uvs).reshape(-1, 2)
    layer = me.uv_layers.get(UV_NAME) or me.uv_layers.new(name=UV_NAME, do_init=False)
    loops = np.empty(len(me.loops), np.int32)
    me.loops.foreach_get("vertex_index", loops)
    layer.data.foreach_set("uv", uv[loops].ravel())
    face = np.zeros(len(me.polygons), np.float32)
    if st.session.head_info().triangle_count == nt:  # a face is inside when a triangle is
        face[st.triangle_polygons[np.ctypeslib.as_array(inside) != 0]] = 1.0
    else:  # degenerate triangles were dropped: the flags no longer line up; show every face
        face[:] = 1
    attr = me.attributes.get(INSIDE_ATTRIBUTE)
    if attr is None:
        attr = me.attributes.new(INSIDE_ATTRIBUTE, "FLOAT", "FACE")
    attr.data.foreach_set("value", face)
    with timed(st, "uv map mesh update"):
        me.update()


def image(key, width, height):
    """The named float image at this size (created, or resized in place). Its pixels are to be
    written next: a generated image is resized by its generated size, which allocates lazily
    (~0.01 ms) where Image.scale resamples (~100 ms at 2048²)."""
    name = IMAGE_NAMES[key]
    img = bpy.data.images.get(name)
    if img is None:
        img = bpy.data.images.new(name, 4, 4, alpha=True, float_buffer=True)
        img.colorspace_settings.name = "Non-Color"  # linear data, no view transform
        img.alpha_mode = "CHANNEL_PACKED"           # coverage, not premultiplied
    if tuple(img.size) != (width, height):
        if img.source == "GENERATED":
            img.generated_width, img.generated_height = width, height
        else:  # loaded from a file (layers saved beside the .blend)
            img.scale(width, height)
    return img


def pixel_buffer(st, width, height):
    """The add-on's float32 RGBA scratch buffer at this size, shared by the images (each is
    converted into it and copied into Blender before the next) and kept across edits: its
    pages are touched once, not once per image and edit."""
    np = numpy()
    buf = st.buffers.get((width, height))
    if buf is None:
        buf = st.buffers[(width, height)] = np.empty((height, width, 4), np.float32)
    return buf


def rgba16_to_image(st, key, pointer, width, height):
    """Image `key` from RGBA16 texels (row 0 at v = 1; Blender's row 0 is v = 0), converted
    in one pass into the kept buffer."""
    np = numpy()
    texels = np.ctypeslib.as_array(pointer, shape=(height * width * 4,)).reshape(height, width, 4)
    buf = pixel_buffer(st, width, height)
    with timed(st, key + " convert"):
        np.multiply(texels[::-1], np.float32(1.0 / 65535.0), out=buf, casting="unsafe")
    img = image(key, width, height)
    with timed(st, key + " to image"):
        img.pixels.foreach_set(buf.ravel())
        img.update()
    return img


def smooth_layer_to_image(st, key, layer):
    """Scar or before layer into its image, skipped when its texels equal the ones shown (a
    density edit re-splats the pigment only) and the image still exists at that size."""
    np = numpy()
    with timed(st, key + " fetch"):
        pix, w, h = st.session.layer_pixels(layer)
        texels = np.ctypeslib.as_array(pix, shape=(h * w * 4,))
        shown, shown_size = st.shown.get(key, (None, None))
        img = bpy.data.images.get(IMAGE_NAMES[key])
        same = (shown is not None and img is not None and tuple(img.size) == shown_size
                and shown.shape == texels.shape and np.array_equal(shown, texels))
    if same:
        return
    if not texels[3::4].any():  # no coverage anywhere: a 4 x 4 transparent image samples alike
        with timed(st, key + " empty"):
            img = image(key, 4, 4)
            img.pixels.foreach_set([0.0] * 64)
            img.update()
    else:
        img = rgba16_to_image(st, key, pix, w, h)
    if shown is None or shown.shape != texels.shape:
        shown = texels.copy()
    else:
        np.copyto(shown, texels)
    st.shown[key] = (shown, tuple(img.size))


def zone_map_to_image(st, zone_map, size):
    """The zone-map image (zone + 1 in R, G, B, 0 = none) from one byte per texel."""
    np = numpy()
    zones = np.ctypeslib.as_array(zone_map, shape=(size * size,)).reshape(size, size)[::-1]
    buf = pixel_buffer(st, size, size)
    with timed(st, "zone_map convert"):
        for c in range(3):
            buf[..., c] = zones
        buf[..., 3] = 1.0
    img = image("zone_map", size, size)
    with timed(st, "zone_map to image"):
        img.pixels.foreach_set(buf.ravel())
        img.update()
    st.zone_map_stale = False


def sync_zone_map(scene):
    """Brings a lagging zone-map image up to the last bake (before the layers are stored, and
    when the user pauses: see _sync_idle)."""
    st = state(scene)
    if st is None or st.session is None or not st.zone_map_stale:
        return
    _, _, _, zone_map, size = st.session.live_layers()
    zone_map_to_image(st, zone_map, size)


def update_layers(st):
    """The layer images from a fresh bake: pigment; scar and before where they changed; the
    zone map only when exponents other than 1 read it (else it is marked stale); exponents."""
    with timed(st, "bake (library)"):
        exps, _, pigment, zone_map, size = st.session.live_layers()
    rgba16_to_image(st, "pigment", pigment, size, size)
    st.zone_map_stale = True
    show_exponents(st, exps, zone_map, size)
    for key, layer in (("scar", capi.LAYER_SCAR), ("before", capi.LAYER_BEFORE)):
        smooth_layer_to_image(st, key, layer)


def update_exponents(st):
    with timed(st, "exponents (library)"):
        exps, colour_only, zone_map, size = _live_colour(st)
    if not colour_only:  # the session had to bake: texels changed
        update_layers(st)
        return
    show_exponents(st, exps, zone_map, size)


def _live_colour(st):
    exps, colour_only, _, zone_map, size = st.session.live_layers()
    return exps, colour_only, zone_map, size


def show_exponents(st, exps, zone_map, size):
    """The exponents image; the zone-map image first when it lags the bake and some exponent
    differs from 1 (with every exponent 1 the shader's result does not depend on the zone)."""
    if st.zone_map_stale and any(e != 1.0 for e in exps):
        zone_map_to_image(st, zone_map, size)
    with timed(st, "exponents image"):
        write_exponents(exps)


def write_exponents(exps):
    """Texel 0: identity (zone map 0, no zone); texel z: zone z-1's RGB exponents."""
    img = image("exponents", 8, 1)
    px = [1.0, 1.0, 1.0, 1.0]
    for z in range(7):
        px += exps[3 * z:3 * z + 3] + [1.0]
    img.pixels.foreach_set(px)
    img.update()


# ---- node group ------------------------------------------------------------------------------

def _socket(sockets, identifier):
    return next(s for s in sockets if s.identifier == identifier)


def _mix(nodes, links, fac, a, b):
    """Linear mix of colours a -> b by fac (ShaderNodeMix, RGBA, no clamping)."""
    m = nodes.new("ShaderNodeMix")
    m.data_type = "RGBA"
    for sock, src in ((_socket(m.inputs, "Factor_Float"), fac), (_socket(m.inputs, "A_Color"), a),
                      (_socket(m.inputs, "B_Color"), b)):
        if isinstance(src, tuple):
            sock.default_value = src
        else:
            links.new(src, sock)
    return _socket(m.outputs, "Result_Color")


def _math(nodes, links, op, a, b, c=None):
    n = nodes.new("ShaderNodeMath")
    n.operation = op
    for i, src in enumerate((a, b, c)):
        if src is None:
            continue
        if isinstance(src, (int, float)):
            n.inputs[i].default_value = src
        else:
            links.new(src, n.inputs[i])
    return n.outputs[0]


def _texture(nodes, key, uv, links, interpolation):
    t = nodes.new("ShaderNodeTexImage")
    t.image = image(key, 8, 1) if key == "exponents" else bpy.data.images.get(IMAGE_NAMES[key]) \
        or image(key, 4, 4)
    t.interpolation = interpolation
    t.extension = "EXTEND"
    links.new(uv, t.inputs["Vector"])
    return t


def node_group():
    """The shader node group compositing the layers over "Base Color" (layers.h):
        albedo = mix(base, scar.rgb, scar.a)
        before = mix(albedo, before.rgb, before.a)
        after  = albedo * mix(1, pow(pigment.rgb, exponent[zone]), pigment.a)
    coverages times the face attribute stipple_inside; output after or before by the Value node
    "After" (the before/after toggle)."""
    ng = bpy.data.node_groups.get(GROUP_NAME)
    if ng is not None:
        return ng
    ng = bpy.data.node_groups.new(GROUP_NAME, "ShaderNodeTree")
    if hasattr(ng, "interface"):  # Blender 4.0+
        ng.interface.new_socket("Base Color", in_out="INPUT", socket_type="NodeSocketColor")
        ng.interface.new_socket("Color", in_out="OUTPUT", socket_type="NodeSocketColor")
    else:
        ng.inputs.new("NodeSocketColor", "Base Color")
        ng.outputs.new("NodeSocketColor", "Color")
    nodes, links = ng.nodes, ng.links
    gin, gout = nodes.new("NodeGroupInput"), nodes.new("NodeGroupOutput")
    uvn = nodes.new("ShaderNodeUVMap")
    uvn.uv_map = UV_NAME
    uv = uvn.outputs["UV"]
    attr = nodes.new("ShaderNodeAttribute")
    attr.attribute_type = "GEOMETRY"
    attr.attribute_name = INSIDE_ATTRIBUTE
    inside = attr.outputs["Fac"]
    pig = _texture(nodes, "pigment", uv, links, "Linear")
    scar = _texture(nodes, "scar", uv, links, "Linear")
    before = _texture(nodes, "before", uv, links, "Linear")
    zmap = _texture(nodes, "zone_map", uv, links, "Closest")
    # exponent texel u = (zone + 0.5) / 8
    u = _math(nodes, links, "MULTIPLY_ADD", zmap.outputs["Color"], 1.0 / 8.0, 0.5 / 8.0)
    cxyz = nodes.new("ShaderNodeCombineXYZ")
    links.new(u, cxyz.inputs["X"])
    cxyz.inputs["Y"].default_value = 0.5
    exps = _texture(nodes, "exponents", cxyz.outputs["Vector"], links, "Closest")
    sp, se = nodes.new("ShaderNodeSeparateXYZ"), nodes.new("ShaderNodeSeparateXYZ")
    links.new(pig.outputs["Color"], sp.inputs[0])
    links.new(exps.outputs["Color"], se.inputs[0])
    cp = nodes.new("ShaderNodeCombineXYZ")
    for k in ("X", "Y", "Z"):
        links.new(_math(nodes, links, "POWER", sp.outputs[k], se.outputs[k]), cp.inputs[k])
    cov_p = _math(nodes, links, "MULTIPLY", pig.outputs["Alpha"], inside)
    cov_s = _math(nodes, links, "MULTIPLY", scar.outputs["Alpha"], inside)
    cov_b = _math(nodes, links, "MULTIPLY", before.outputs["Alpha"], inside)
    albedo = _mix(nodes, links, cov_s, gin.outputs["Base Color"], scar.outputs["Color"])
    before_col = _mix(nodes, links, cov_b, albedo, before.outputs["Color"])
    filt = _mix(nodes, links, cov_p, (1.0, 1.0, 1.0, 1.0), cp.outputs["Vector"])
    mul = nodes.new("ShaderNodeVectorMath")
    mul.operation = "MULTIPLY"
    links.new(albedo, mul.inputs[0])
    links.new(filt, mul.inputs[1])
    after = nodes.new("ShaderNodeValue")
    after.name = after.label = "After"
    after.outputs[0].default_value = 1.0
    out = _mix(nodes, links, after.outputs[0], before_col, mul.outputs["Vector"])
    links.new(out, gout.inputs["Color"])
    return ng


def ensure_material(obj):
    """The node group between the Base Color source and the Principled BSDF of every material of
    `obj` (a skin material is made for a head without one)."""
    ng = node_group()
    if not obj.data.materials:
        mat = bpy.data.materials.new("Stipple Skin")
        mat.use_nodes = True
        bsdf = mat.node_tree.nodes.get("Principled BSDF")
        bsdf.inputs["Base Color"].default_value = (0.6, 0.45, 0.38, 1.0)  # skin_linear default
        obj.data.materials.append(mat)
    for mat in obj.data.materials:
        if mat is None:
            continue
        mat.use_nodes = True
        tree = mat.node_tree
        if tree.nodes.get(GROUP_NODE) is not None:
            continue
        bsdf = next((n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"), None)
        if bsdf is None:
            continue
        g = tree.nodes.new("ShaderNodeGroup")
        g.name = g.label = GROUP_NODE
        g.node_tree = ng
        g.location = (bsdf.location.x - 250, bsdf.location.y)
        base = bsdf.inputs["Base Color"]
        if base.is_linked:
            tree.links.new(base.links[0].from_socket, g.inputs["Base Color"])
        else:
            g.inputs["Base Color"].default_value = base.default_value
        tree.links.new(g.outputs["Color"], base)


def detach_material(obj):
    """Undoes ensure_material: the Base Color source goes back to the BSDF."""
    for mat in obj.data.materials:
        if mat is None or not mat.use_nodes:
            continue
        tree = mat.node_tree
        g = tree.nodes.get(GROUP_NODE)
        if g is None:
            continue
        bsdf = next((n for n in tree.nodes if n.type == "BSDF_PRINCIPLED"), None)
        if bsdf is not None:
            src = g.inputs["Base Color"]
            if src.is_linked:
                tree.links.new(src.links[0].from_socket, bsdf.inputs["Base Color"])
            else:
                bsdf.inputs["Base Color"].default_value = src.default_value
        tree.nodes.remove(g)


def set_after(scene):
    ng = bpy.data.node_groups.get(GROUP_NAME)
    if ng is not None:
        ng.nodes["After"].outputs[0].default_value = 1.0 if scene.stipple.show_after else 0.0


# ---- dots ------------------------------------------------------------------------------------

def build_dots(scene, st):
    """The dots as a vertex-only mesh object with attributes diameter_mm, shade, zone, id."""
    np = numpy()
    pos, dia, shade, zone, ids, n = st.session.copy_dots(capi.FRAME_HOST)
    obj = bpy.data.objects.get(DOTS_OBJECT)
    if obj is None:
        me = bpy.data.meshes.new(DOTS_OBJECT)
        obj = bpy.data.objects.new(DOTS_OBJECT, me)
        scene.collection.objects.link(obj)
    me = obj.data
    me.clear_geometry()
    me.vertices.add(n)
    me.vertices.foreach_set("co", np.ctypeslib.as_array(pos) if n else np.empty(0, np.float32))
    for name, kind, data in (("diameter_mm", "FLOAT", dia), ("shade", "FLOAT", shade),
                             ("zone", "INT", zone), ("id", "INT", ids)):
        attr = me.attributes.get(name) or me.attributes.new(name, kind, "POINT")
        values = np.ctypeslib.as_array(data) if n else np.empty(0)
        if name == "id":  # the low 32 bits of the stable 64-bit id, as Blender's int
            values = (values & np.uint64(0xFFFFFFFF)).astype(np.uint32).view(np.int32)
        attr.data.foreach_set("value", values.astype(np.int32 if kind == "INT" else np.float32))
    me.update()


# ---- debounce --------------------------------------------------------------------------------

@contextlib.contextmanager
def suspended():
    """No scheduled applies while properties are set in bulk (import)."""
    global _suspended
    _suspended += 1
    try:
        yield
    finally:
        _suspended -= 1


def schedule_apply(scene):
    if _suspended or scene is None or not scene.stipple.live:
        return
    st = state(scene)
    if st is None or st.session is None:
        return
    _pending.add(scene.name)
    if bpy.app.timers.is_registered(_sync_idle):
        bpy.app.timers.unregister(_sync_idle)  # the user is editing again
    if bpy.app.timers.is_registered(_run_pending):
        bpy.app.timers.unregister(_run_pending)  # restart the wait: debounce
    bpy.app.timers.register(_run_pending, first_interval=DEBOUNCE_S)


def _run_pending():
    """Timer: applies every scene with a pending change; errors go to the status bar/log."""
    names = list(_pending)
    _pending.clear()
    for name in names:
        scene = bpy.data.scenes.get(name)
        if scene is None:
            continue
        try:
            apply(scene)
            scene.stipple.status = ""
        except capi.StippleError as e:
            scene.stipple.status = str(e)
            print(f"Stipple: {e}")
    if any(s.zone_map_stale for s in _states.values() if s.session is not None) \
            and not bpy.app.timers.is_registered(_sync_idle):
        bpy.app.timers.register(_sync_idle, first_interval=SYNC_IDLE_S)
    return None


def _sync_idle():
    """Timer: once the edits pause, the zone-map images catch up with their bakes, so that the
    next shade or age edit only writes the exponents."""
    for name in list(_states):
        scene = bpy.data.scenes.get(name)
        if scene is None:
            continue
        try:
            sync_zone_map(scene)
        except capi.StippleError as e:
            print(f"Stipple: {e}")
    return None
