"""Rendering: "Set up turntable" (a Blender camera rig and lights for Eevee or Cycles) and
"Render with Stipple" (the C ABI's offscreen renderer writing stills / a turntable into a
folder, on a worker thread with its own session, progress in the status bar, Esc to cancel)."""
import json
import math
import os
import threading

import bpy
from mathutils import Vector

from . import capi, live
from .ops import reported, reported_invoke

RIG = "Stipple Turntable"
CAMERA = "Stipple Camera"
LIGHT_PREFIX = "Stipple Light"

# (name, type, azimuth deg (0 = from the camera, + = camera's right), elevation deg,
#  energy (W for area lights, strength for the sun), size m)
LIGHT_PRESETS = {
    "studio": [("Key", "AREA", 35, 30, 8, 0.5), ("Fill", "AREA", -50, 10, 3, 0.8),
               ("Rim", "AREA", 160, 40, 6, 0.4)],
    "clinic": [("Overhead", "AREA", 0, 75, 10, 1.2), ("Front", "AREA", 0, 10, 2, 1.0)],
    "daylight": [("Sun", "SUN", 40, 50, 3.0, 0.0)],
}


def head_bounds(obj):
    corners = [obj.matrix_world @ Vector(c) for c in obj.bound_box]
    lo = Vector([min(c[k] for c in corners) for k in range(3)])
    hi = Vector([max(c[k] for c in corners) for k in range(3)])
    return (lo + hi) / 2, (hi - lo).length / 2


def engine_id(engine):
    if engine == "CYCLES":
        return "CYCLES"
    ids = {i.identifier for i in bpy.types.RenderSettings.bl_rna.properties["engine"].enum_items}
    return "BLENDER_EEVEE_NEXT" if "BLENDER_EEVEE_NEXT" in ids else "BLENDER_EEVEE"


def setup_turntable(context, obj, frames, elevation_deg, lighting, engine):
    """A pivot at the head's centre turning once over `frames` frames (frame_end = frames; the
    keyframe at frames + 1 is 360 degrees, so no frame repeats the first), a camera on it at
    `elevation_deg` framing the head, lights of the preset parented to the pivot (they turn
    with the camera, as in Stipple's renderer). Returns the camera."""
    scene = context.scene
    centre, radius = head_bounds(obj)
    for o in [o for o in bpy.data.objects if o.name.startswith((RIG, CAMERA, LIGHT_PREFIX))]:
        bpy.data.objects.remove(o, do_unlink=True)
    pivot = bpy.data.objects.new(RIG, None)
    scene.collection.objects.link(pivot)
    pivot.location = centre
    cam_data = bpy.data.cameras.new(CAMERA)
    cam_data.lens = 85
    cam = bpy.data.objects.new(CAMERA, cam_data)
    scene.collection.objects.link(cam)
    cam.parent = pivot
    fov = cam_data.angle
    distance = radius * 1.15 / math.tan(fov / 2)
    e = math.radians(elevation_deg)
    cam.location = (0.0, -distance * math.cos(e), distance * math.sin(e))
    cam.rotation_euler = (math.pi / 2 - e, 0.0, 0.0)  # looks along +Y, tilted down by e
    cam_data.clip_start, cam_data.clip_end = distance / 100, distance * 10
    scene.camera = cam
    for name, kind, az, el, energy, size in LIGHT_PRESETS.get(lighting, LIGHT_PRESETS["studio"]):
        data = bpy.data.lights.new(f"{LIGHT_PREFIX} {name}", kind)
        data.energy = energy * (radius / 0.15) ** 2 if kind != "SUN" else energy
        if kind == "AREA":
            data.size = size * radius / 0.15
        light = bpy.data.objects.new(f"{LIGHT_PREFIX} {name}", data)
        scene.collection.objects.link(light)
        light.parent = pivot
        a, b = math.radians(az), math.radians(el)
        d = distance * 0.8
        light.location = (d * math.cos(b) * math.sin(a), -d * math.cos(b) * math.cos(a),
                          d * math.sin(b))
        track = light.constraints.new("TRACK_TO")
        track.target = pivot
        track.track_axis, track.up_axis = "TRACK_NEGATIVE_Z", "UP_Y"
    pivot.rotation_euler = (0, 0, 0)
    pivot.keyframe_insert("rotation_euler", index=2, frame=1)
    pivot.rotation_euler = (0, 0, 2 * math.pi)
    pivot.keyframe_insert("rotation_euler", index=2, frame=frames + 1)
    for fc in pivot.animation_data.action.fcurves:
        for k in fc.keyframe_points:
            k.interpolation = "LINEAR"
    scene.frame_start, scene.frame_end = 1, frames
    scene.render.engine = engine_id(engine)
    return cam


class STIPPLE_OT_setup_turntable(bpy.types.Operator):
    """A camera circling the head (N frames, no duplicated end frame), lights of the preset, and
    the render engine"""
    bl_idname = "stipple.setup_turntable"
    bl_label = "Set Up Turntable"
    bl_options = {"REGISTER", "UNDO"}
    frames: bpy.props.IntProperty(name="Frames", min=1, max=720, default=36,
                                  description="Frames over 360° (1..720)")
    elevation_deg: bpy.props.FloatProperty(name="Elevation", min=-30, max=60, default=8,
                                           description="Camera elevation (-30..60°)")
    lighting: bpy.props.EnumProperty(name="Lighting", default="studio",
                                     items=[(k, k.title(), "") for k in LIGHT_PRESETS])
    engine: bpy.props.EnumProperty(name="Engine", default="EEVEE",
                                   items=[("EEVEE", "Eevee", ""), ("CYCLES", "Cycles", "")])

    def invoke(self, context, event):
        d = context.scene.stipple
        self.frames, self.elevation_deg = d.turntable_frames, d.elevation_deg
        if d.lighting in LIGHT_PRESETS:
            self.lighting = d.lighting
        return self.execute(context)

    @reported
    def execute(self, context):
        st = live.state(context.scene)
        obj = bpy.data.objects.get(st.object_name) if st else context.active_object
        live.check_head_object(obj)
        setup_turntable(context, obj, self.frames, self.elevation_deg, self.lighting,
                        self.engine)
        self.report({"INFO"}, f"Stipple: turntable of {self.frames} frames set up")
        return {"FINISHED"}


# ---- Render with Stipple ------------------------------------------------------------------

def expected_files(design, what):
    """How many image files a render folder job writes before its videos and manifest (for the
    progress bar)."""
    r = design.get("render", {})
    n = 0
    if what & capi.RENDER_STILLS:
        n += len(r.get("views", []))
        if what & capi.RENDER_BEFORE_AFTER:
            n *= 4
    if what & capi.RENDER_TURNTABLE:
        n += r.get("turntable_frames", 36) * (2 if r.get("top_view", True) else 1)
    return max(n, 1)


class RenderJob:
    """A render on its own thread with its own session (stipple.h THREADS: a session is used by
    one thread at a time, render_folder makes its own GL context on any thread)."""

    def __init__(self, session, out_dir, what):
        self.session, self.out_dir, self.what = session, out_dir, what
        self.cancel = capi.Cancel()
        self.error, self.files = None, 0
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        try:
            self.files = self.session.render_folder(self.out_dir, self.what, self.cancel)
        except capi.StippleError as e:
            self.error = e
        except Exception as e:  # noqa: BLE001 - reported on the main thread
            self.error = capi.StippleError(capi.INTERNAL, f"{type(e).__name__}: {e}")


def render_session(scene):
    """A new session with the scene's design and the live head (arrays and landmarks)."""
    st = live.state(scene)
    if st is None or st.session is None:
        raise capi.StippleError(capi.NO_HEAD, "head: press Generate first", "object")
    design = live.props_to_dict(scene, st)
    session = capi.Session(json.dumps(design), live.base_path(scene))
    try:
        live_session, st.session = st.session, session
        live.set_head(st, st.overrides)  # the same head, into the new session
    finally:
        st.session = live_session
    return session, design


class STIPPLE_OT_render(bpy.types.Operator):
    """Render stills and a turntable of the design with Stipple's renderer into a folder"""
    bl_idname = "stipple.render"
    bl_label = "Render with Stipple"
    directory: bpy.props.StringProperty(name="Folder", subtype="DIR_PATH",
                                        default="//stipple_render/")
    stills: bpy.props.BoolProperty(name="Stills", default=True)
    turntable: bpy.props.BoolProperty(name="Turntable", default=True)
    mp4: bpy.props.BoolProperty(name="MP4", default=False)
    gif: bpy.props.BoolProperty(name="GIF", default=False)
    contact_sheet: bpy.props.BoolProperty(name="Contact sheet", default=False)
    overwrite: bpy.props.BoolProperty(name="Overwrite", default=False)
    wait: bpy.props.BoolProperty(name="Wait", default=False, options={"HIDDEN", "SKIP_SAVE"},
                                 description="Block until done (scripts and tests)")

    def flags(self):
        what = 0
        for on, flag in ((self.stills, capi.RENDER_STILLS),
                         (self.turntable, capi.RENDER_TURNTABLE), (self.mp4, capi.RENDER_MP4),
                         (self.gif, capi.RENDER_GIF),
                         (self.contact_sheet, capi.RENDER_CONTACT_SHEET),
                         (self.overwrite, capi.RENDER_OVERWRITE)):
            if on:
                what |= flag
        return what

    def start(self, context):
        folder = os.path.abspath(bpy.path.abspath(self.directory))
        parent = folder
        while not os.path.isdir(parent):
            parent = os.path.dirname(parent)
        if not os.access(parent, os.W_OK):
            raise capi.StippleError(capi.BAD_INPUT, f"folder: {folder} is not writable "
                                    f"({parent} is read-only); choose another folder",
                                    "directory")
        session, design = render_session(context.scene)
        self._job = RenderJob(session, folder, self.flags())
        self._expected = expected_files(design, self.flags())
        self._folder = folder
        self._job.thread.start()

    def finish(self, context):
        job = self._job
        job.session.close()
        job.cancel.close()
        if job.error is not None:
            raise job.error
        self.report({"INFO"}, f"Stipple: {job.files} files written to {self._folder}")
        return {"FINISHED"}

    @reported
    def execute(self, context):
        self.start(context)
        self._job.thread.join()
        return self.finish(context)

    @reported_invoke
    def invoke(self, context, event):
        if self.wait or context.window is None:
            return self.execute(context)
        self.start(context)
        self._cancelled = False
        wm = context.window_manager
        self._timer = wm.event_timer_add(0.25, window=context.window)
        wm.progress_begin(0, self._expected)
        wm.modal_handler_add(self)
        return {"RUNNING_MODAL"}

    def modal(self, context, event):
        wm = context.window_manager
        if event.type == "ESC" and not self._cancelled:
            self._cancelled = True
            self._job.cancel.request()  # stops after the current frame
            context.workspace.status_text_set("Stipple render: cancelling...")
        if event.type != "TIMER":
            return {"PASS_THROUGH"}
        done = len([f for f in os.listdir(self._folder) if not f.startswith(".")]) \
            if os.path.isdir(self._folder) else 0
        wm.progress_update(min(done, self._expected))
        context.workspace.status_text_set(
            f"Stipple render: {min(done, self._expected)}/{self._expected} images")
        if self._job.thread.is_alive():
            return {"PASS_THROUGH"}
        wm.event_timer_remove(self._timer)
        wm.progress_end()
        context.workspace.status_text_set(None)
        try:
            return self.finish(context)
        except capi.StippleError as e:
            if self._cancelled and e.status == capi.RUNTIME:
                self.report({"WARNING"}, f"Stipple: render cancelled ({e})")
            else:
                self.report({"ERROR"}, f"Stipple: {e}")
            return {"CANCELLED"}


CLASSES = (STIPPLE_OT_setup_turntable, STIPPLE_OT_render)


def register():
    for c in CLASSES:
        bpy.utils.register_class(c)


def unregister():
    for c in reversed(CLASSES):
        bpy.utils.unregister_class(c)
