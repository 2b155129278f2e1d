"""Operators: generate from the active mesh, import a scan, apply, design import/export, age
presets, layers storage. Every failure is a Blender report naming the field and what is
accepted (the library's message); nothing raises into Blender."""
import functools
import json
import os
import traceback

import bpy
from bpy_extras.io_utils import ExportHelper, ImportHelper

from . import capi, live, props


def _guard(op, call):
    """A StippleError becomes an ERROR report and CANCELLED, anything else an ERROR report
    naming it as a bug (and the traceback in the console): nothing raises into Blender."""
    try:
        return call()
    except capi.StippleError as e:
        op.report({"ERROR"}, f"Stipple: {e}")
    except Exception as e:  # noqa: BLE001
        traceback.print_exc()
        op.report({"ERROR"}, f"Stipple internal error ({type(e).__name__}): {e}")
    return {"CANCELLED"}


def reported(method):
    """An operator's execute(self, context) under _guard (Blender checks the arity)."""

    @functools.wraps(method)
    def wrapper(self, context):
        return _guard(self, lambda: method(self, context))

    return wrapper


def reported_invoke(method):
    """An operator's invoke(self, context, event) under _guard."""

    @functools.wraps(method)
    def wrapper(self, context, event):
        return _guard(self, lambda: method(self, context, event))

    return wrapper


def report_warnings(op, st):
    for w in st.session.warnings()[:8]:
        op.report({"WARNING"}, f"Stipple: {w}")


class STIPPLE_OT_generate(bpy.types.Operator):
    """Use the active mesh object as the head: chart UVs, layers, node group, landmarks"""
    bl_idname = "stipple.generate"
    bl_label = "Generate"
    bl_options = {"REGISTER", "UNDO"}

    @reported
    def execute(self, context):
        st = live.generate(context, context.active_object)
        f = st.session.figures()
        report_warnings(self, st)
        self.report({"INFO"}, f"Stipple: {f.dots} dots over {f.area_cm2:.0f} cm², "
                              f"{f.sessions:.1f} sessions")
        return {"FINISHED"}


class STIPPLE_OT_apply(bpy.types.Operator):
    """Apply the design to the head now (the panel also does it live)"""
    bl_idname = "stipple.apply"
    bl_label = "Apply"
    bl_options = {"REGISTER", "UNDO"}

    @reported
    def execute(self, context):
        st = live.state(context.scene)
        if st is None or st.session is None:
            return bpy.ops.stipple.generate()
        live.apply(context.scene)
        context.scene.stipple.status = ""
        report_warnings(self, st)
        return {"FINISHED"}


class STIPPLE_OT_import_scan(bpy.types.Operator, ImportHelper):
    """Import a client's scan with Stipple's importer (OBJ, PLY, STL, glTF/GLB, FBX; units and
    axes inferred) and use it as the head"""
    bl_idname = "stipple.import_scan"
    bl_label = "Import Scan"
    bl_options = {"REGISTER", "UNDO"}
    filter_glob: bpy.props.StringProperty(default="*.obj;*.ply;*.stl;*.gltf;*.glb;*.fbx",
                                          options={"HIDDEN"})

    @reported
    def execute(self, context):
        live.library()
        scene = context.scene
        props.ensure_zones(scene.stipple)
        path = os.path.abspath(bpy.path.abspath(self.filepath))
        base = json.loads(scene.stipple.base_json) if scene.stipple.base_json else {}
        head = {"mesh": path, "units": "auto"}
        if base.get("head", {}).get("mesh") == path:
            head = base["head"]  # the design's own head section for this scan
        design = live.props_to_dict(scene, None)
        design["head"] = head
        session = capi.Session(json.dumps(design), live.base_path(scene))
        try:
            session.load_head(path)
            pos, nv, idx, nt = session.copy_head_mesh(capi.FRAME_HEAD)
        finally:
            session.close()
        design["head"] = head  # the exported design names the scan (the CLI renders the same)
        scene.stipple.base_json = json.dumps(design, indent=2)
        obj = self.make_object(context, os.path.splitext(os.path.basename(path))[0], pos, nv,
                               idx, nt)
        scene.stipple.head_units = "SCENE"
        scene.unit_settings.scale_length = 1.0
        live.generate(context, obj)
        self.report({"INFO"}, f"Stipple: imported {path} ({nv} vertices)")
        return {"FINISHED"}

    @staticmethod
    def make_object(context, name, pos, nv, idx, nt):
        """The head mesh in Blender's frame: head mm (+Y up, +Z forward) -> metres, +Z up,
        -Y forward: (x, -z, y) / 1000."""
        np = live.numpy()
        p = np.ctypeslib.as_array(pos).reshape(-1, 3).astype(np.float64) / 1000.0
        co = np.stack([p[:, 0], -p[:, 2], p[:, 1]], axis=1).astype(np.float32)
        tri = np.ctypeslib.as_array(idx).astype(np.int32)
        me = bpy.data.meshes.new(name)
        me.vertices.add(nv)
        me.vertices.foreach_set("co", co.ravel())
        me.loops.add(3 * nt)
        me.loops.foreach_set("vertex_index", tri)
        me.polygons.add(nt)
        me.polygons.foreach_set("loop_start", np.arange(0, 3 * nt, 3, dtype=np.int32))
        try:  # needed up to Blender 3.6; read-only (derived from loop_start) from 4.0
            me.polygons.foreach_set("loop_total", np.full(nt, 3, np.int32))
        except (AttributeError, TypeError, RuntimeError):
            pass
        me.polygons.foreach_set("use_smooth", np.ones(nt, bool))
        me.update(calc_edges=True)
        me.validate()
        obj = bpy.data.objects.new(name, me)
        context.scene.collection.objects.link(obj)
        for o in context.view_layer.objects:
            o.select_set(False)
        obj.select_set(True)
        context.view_layer.objects.active = obj
        return obj


def _design_from_file(path):
    """(dict, canonical text) of a design file, checked by the library (newer versions, bad
    fields and unknown fields are refused with the field named)."""
    live.library()
    session = capi.Session.from_file(path)
    try:
        text = session.design_json(None)
    finally:
        session.close()
    return json.loads(text), text


class STIPPLE_OT_import_design(bpy.types.Operator, ImportHelper):
    """Read a Stipple design file (JSON) into the panel"""
    bl_idname = "stipple.import_design"
    bl_label = "Import Design"
    bl_options = {"REGISTER", "UNDO"}
    filename_ext = ".json"
    filter_glob: bpy.props.StringProperty(default="*.json", options={"HIDDEN"})

    @reported
    def execute(self, context):
        path = os.path.abspath(bpy.path.abspath(self.filepath))
        d, text = _design_from_file(path)
        scene = context.scene
        with live.suspended():
            scene.stipple.hairline_curve = None  # a new design brings its own line
        props.from_dict(scene.stipple, d, text)
        scene.stipple.base_path = path
        st = live.state(scene)
        if st is not None and st.session is not None:
            live.ensure_hairline_curve(scene, st)
            live.apply(scene)
        self.report({"INFO"}, f"Stipple: design '{d.get('name', '')}' read from {path}")
        return {"FINISHED"}


class STIPPLE_OT_export_design(bpy.types.Operator, ExportHelper):
    """Write the design as a Stipple design file (canonical JSON; paths relative to its
    folder)"""
    bl_idname = "stipple.export_design"
    bl_label = "Export Design"
    filename_ext = ".json"
    filter_glob: bpy.props.StringProperty(default="*.json", options={"HIDDEN"})

    @reported
    def execute(self, context):
        live.library()
        scene = context.scene
        path = os.path.abspath(bpy.path.abspath(self.filepath))
        st = live.state(scene)
        session = capi.Session(json.dumps(live.props_to_dict(scene, st)), live.base_path(scene))
        try:
            text = session.design_json(os.path.dirname(path))
        finally:
            session.close()
        folder = os.path.dirname(path) or "."
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as e:
            raise capi.StippleError(capi.BAD_INPUT, f"{path}: the folder {folder} is not "
                                    f"writable ({e.strerror}); choose another folder",
                                    "filepath")
        if not os.access(folder, os.W_OK):
            raise capi.StippleError(capi.BAD_INPUT, f"{path}: the folder {folder} is not "
                                    "writable; choose another folder", "filepath")
        tmp = os.path.join(folder, f".{os.path.basename(path)}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            os.replace(tmp, path)  # atomic: never a half-written design under the final name
        except OSError as e:
            if os.path.exists(tmp):
                os.remove(tmp)
            raise capi.StippleError(capi.RUNTIME, f"{path}: cannot write ({e.strerror})",
                                    "filepath")
        self.report({"INFO"}, f"Stipple: design written to {path}")
        return {"FINISHED"}


class STIPPLE_OT_age_preset(bpy.types.Operator):
    """Set the treatment's age (/pigment/age_days)"""
    bl_idname = "stipple.age_preset"
    bl_label = "Age"
    bl_options = {"REGISTER", "UNDO"}
    days: bpy.props.FloatProperty(name="Days", min=0, max=3650)

    def execute(self, context):
        context.scene.stipple.age_days = self.days
        return {"FINISHED"}


class STIPPLE_OT_add_scar(bpy.types.Operator):
    """Add the selected curves and empties as scars (/scars): an open curve is a strip scar
    (its bevel depth x 2 the width, else 3 mm), a closed one a polygon scar, an empty an FUE
    donor region (its display size x scale the radius). A snapshot: moving the object later
    does not move the scar"""
    bl_idname = "stipple.add_scar"
    bl_label = "Add Scars from Selection"
    bl_options = {"REGISTER", "UNDO"}
    camouflage: bpy.props.BoolProperty(name="Camouflage", default=True,
                                       description="Dots continue over the scar tissue")

    @reported
    def execute(self, context):
        scene = context.scene
        st = live.state(scene)
        if st is None or st.session is None:
            raise capi.StippleError(capi.NO_HEAD, "scars: press Generate first (scars are "
                                    "placed in the head's frame)", "object")
        m = st.session.file_to_head()

        def head_mm(w):
            return [round(sum(m[c * 4 + r] * v for c, v in enumerate((w[0], w[1], w[2], 1.0))),
                          3) for r in range(3)]

        scars = []
        for obj in context.selected_objects:
            if obj.type == "EMPTY" and not obj.get("stipple_landmark"):
                radius = obj.empty_display_size * max(obj.scale) * 1000.0
                scars.append({"type": "fue", "center_mm": head_mm(obj.location),
                              "radius_mm": round(min(max(radius, 5.0), 120.0), 3),
                              "camouflage": self.camouflage})
            elif obj.type == "CURVE":
                for spline in obj.data.splines:
                    pts = [head_mm(obj.matrix_world @ p.co.to_3d())
                           for p in list(spline.bezier_points) + list(spline.points)]
                    if spline.use_cyclic_u:
                        scars.append({"type": "polygon", "points_mm": pts,
                                      "camouflage": self.camouflage})
                    else:
                        width = obj.data.bevel_depth * 2000.0 or 3.0
                        scars.append({"type": "strip", "points_mm": pts,
                                      "width_mm": round(width, 3),
                                      "camouflage": self.camouflage})
        if not scars:
            raise capi.StippleError(capi.BAD_ARGUMENT, "scars: select curves (strip or polygon "
                                    "scars) or empties (FUE regions) besides the head",
                                    "selection")
        base = live.props_to_dict(scene, st)
        previous = scene.stipple.base_json
        base.setdefault("scars", []).extend(scars)
        scene.stipple.base_json = json.dumps(base, indent=2)
        try:
            live.apply(scene)  # the library checks them (naming /scars/<i>/...)
        except capi.StippleError:
            scene.stipple.base_json = previous
            raise
        self.report({"INFO"}, f"Stipple: {len(scars)} scar(s) added")
        return {"FINISHED"}


class STIPPLE_OT_clear_scars(bpy.types.Operator):
    """Remove every scar from the design (/scars)"""
    bl_idname = "stipple.clear_scars"
    bl_label = "Clear Scars"
    bl_options = {"REGISTER", "UNDO"}

    @reported
    def execute(self, context):
        scene = context.scene
        base = json.loads(scene.stipple.base_json) if scene.stipple.base_json else {}
        base["scars"] = []
        scene.stipple.base_json = json.dumps(base, indent=2)
        live.apply(scene)
        return {"FINISHED"}


class STIPPLE_OT_store_layers(bpy.types.Operator):
    """Pack the layer images into the .blend, or save them beside it (Pack layers option)"""
    bl_idname = "stipple.store_layers"
    bl_label = "Store Layers"

    @reported
    def execute(self, context):
        n = store_layers(context.scene)
        self.report({"INFO"}, f"Stipple: {n} layer images stored")
        return {"FINISHED"}


def store_layers(scene):
    """Packs the layer images, or saves them as OpenEXR files in //stipple_layers/ (the .blend
    must be saved for that). Returns how many images were stored."""
    live.sync_zone_map(scene)
    n = 0
    for name in live.IMAGE_NAMES.values():
        img = bpy.data.images.get(name)
        if img is None:
            continue
        if scene.stipple.pack_images:
            img.pack()
        else:
            if not bpy.data.filepath:
                raise capi.StippleError(capi.BAD_ARGUMENT, "layers: save the .blend first, or "
                                        "turn on Pack layers", "pack_images")
            folder = os.path.join(os.path.dirname(bpy.data.filepath), "stipple_layers")
            os.makedirs(folder, exist_ok=True)
            if img.packed_file:
                img.unpack(method="REMOVE")
            img.filepath_raw = "//stipple_layers/" + name.replace(" ", "_") + ".exr"
            img.file_format = "OPEN_EXR"
            img.save()
        n += 1
    return n


@bpy.app.handlers.persistent
def _save_pre(*_):
    for scene in bpy.data.scenes:
        if hasattr(scene, "stipple") and bpy.data.images.get(live.IMAGE_NAMES["pigment"]):
            try:
                store_layers(scene)
            except capi.StippleError as e:
                print(f"Stipple: {e}")
            break


@bpy.app.handlers.persistent
def _undo_post(*_):
    """After an undo/redo the properties are the earlier ones: bring the live result along."""
    for scene in bpy.data.scenes:
        live.schedule_apply(scene)


@bpy.app.handlers.persistent
def _load_post(*_):
    live.close_all()  # sessions belong to the file that made them


CLASSES = (STIPPLE_OT_generate, STIPPLE_OT_apply, STIPPLE_OT_import_scan,
           STIPPLE_OT_import_design, STIPPLE_OT_export_design, STIPPLE_OT_age_preset,
           STIPPLE_OT_store_layers, STIPPLE_OT_add_scar, STIPPLE_OT_clear_scars)
HANDLERS = ((bpy.app.handlers.save_pre, _save_pre), (bpy.app.handlers.undo_post, _undo_post),
            (bpy.app.handlers.redo_post, _undo_post), (bpy.app.handlers.load_post, _load_post))


def register():
    for c in CLASSES:
        bpy.utils.register_class(c)
    for handlers, fn in HANDLERS:
        handlers.append(fn)


def unregister():
    for handlers, fn in HANDLERS:
        if fn in handlers:
            handlers.remove(fn)
    for c in reversed(CLASSES):
        bpy.utils.unregister_class(c)
