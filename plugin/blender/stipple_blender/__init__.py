"""Stipple for Blender: design scalp micropigmentation (SMP) on a head in the viewport, see the
pigment on the skin live, render with Blender or with Stipple's own renderer.

A thin shell over libstipple.so.0 (the C ABI, loaded with ctypes from this folder's lib/ or the
path set in the preferences): no algorithm lives here.
"""

bl_info = {
    "name": "Stipple SMP",
    "author": "Stipple project",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "3D Viewport > Sidebar > Stipple",
    "description": "Scalp micropigmentation design and preview (Stipple engine)",
    "category": "3D View",
}

import bpy

from . import capi, live, ops, props, render, ui


class StipplePreferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    library_path: bpy.props.StringProperty(
        name="Library path", subtype="FILE_PATH",
        description="libstipple.so.0 to load instead of the one inside the add-on "
                    "(empty: the add-on's own lib/libstipple.so.0)")
    layer_size: bpy.props.EnumProperty(
        name="Viewport layer size", default="2048",
        description="Chart resolution of the layer images in the viewport (the design's "
                    "/render/layer_size is used for Stipple renders)",
        items=[(s, f"{s} px", "") for s in ("1024", "2048", "4096", "8192")])

    def draw(self, context):
        layout = self.layout
        layout.prop(self, "library_path")
        layout.prop(self, "layer_size")
        try:
            live.library()
            layout.label(text=f"libstipple {capi.version()} loaded from {capi._lib_path}",
                         icon="CHECKMARK")
        except capi.StippleError as e:
            layout.label(text=str(e), icon="ERROR")


MODULES = (props, ops, render, ui)


def register():
    bpy.utils.register_class(StipplePreferences)
    done = []
    try:
        for m in MODULES:
            m.register()
            done.append(m)
    except Exception:
        for m in reversed(done):  # a failed register leaves nothing behind either
            m.unregister()
        bpy.utils.unregister_class(StipplePreferences)
        raise


def unregister():
    for m in reversed(MODULES):
        m.unregister()
    live.close_all()
    bpy.utils.unregister_class(StipplePreferences)
