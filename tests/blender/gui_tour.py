"""A new user's tour of the add-on in Blender's real window (not a CTest: run it under Xvfb and
look at the screenshots). Installs the zip through the preferences' installer, imports the
mannequin as a scan, opens the demo design, lowers the hairline, shows the pigment in Material
Preview, and renders a turntable with Stipple (contact sheet). Writes OUT/blender_sidebar.png,
OUT/blender_viewport.png and OUT/turntable/.

    blender -b --factory-startup --python-expr "import bpy; bpy.ops.wm.save_as_mainfile(
        filepath='/tmp/empty.blend')"        # opening a file skips the splash screen
    xvfb-run -a -s "-screen 0 1600x1000x24" blender --factory-startup -noaudio \
        --window-geometry 0 0 1600 1000 --enable-event-simulate /tmp/empty.blend \
        --python tests/blender/gui_tour.py -- ZIP SOURCE OUT

Blender 3.4 has no Python API to choose the sidebar's tab, so the script clicks the "Stipple"
tab with Blender's event simulation (hence --enable-event-simulate: real input is ignored).
"""
import os
import shutil
import sys

import addon_utils
import bpy

ZIP, SOURCE, OUT = sys.argv[sys.argv.index("--") + 1:][:3]
os.makedirs(OUT, exist_ok=True)


def view3d():
    win = bpy.context.window_manager.windows[0]
    area = next(a for a in win.screen.areas if a.type == "VIEW_3D")
    region = next(r for r in area.regions if r.type == "WINDOW")
    return win, area, region


def step_install():
    bpy.ops.preferences.addon_install(filepath=ZIP, overwrite=True)
    addon_utils.enable("stipple_blender", default_set=True, handle_error=None)
    return 1.0


def step_design():
    for o in list(bpy.data.objects):
        bpy.data.objects.remove(o, do_unlink=True)
    win, area, region = view3d()
    with bpy.context.temp_override(window=win, area=area, region=region):
        bpy.ops.stipple.import_scan(filepath=os.path.join(SOURCE, "meshes", "mannequin.glb"))
        bpy.ops.stipple.import_design(filepath=os.path.join(SOURCE, "examples", "natural.json"))
        scene = bpy.context.scene
        scene.stipple.live = False
        scene.stipple.frontal_height_mm = 78  # the user lowers the hairline a little
        scene.stipple.zones["front"].shade = 6.0
        bpy.ops.stipple.apply()
        space = area.spaces[0]
        space.shading.type = "MATERIAL"
        space.show_region_ui = True
        space.overlay.show_floor = False
        import math
        from mathutils import Euler
        region.data.view_rotation = Euler((math.radians(65), 0, math.radians(-35))).to_quaternion()
        bpy.ops.view3d.view_selected()
        for o in bpy.context.view_layer.objects:
            o.select_set(False)
    return 90.0  # Eevee compiles its shaders on llvmpipe (slowly, on a loaded machine)


def step_click_tab():
    """Clicks the sidebar's "Stipple" tab (the tabs run down the sidebar's right edge; Item,
    Tool, View come first, so the click walks down until the Stipple panel is drawn)."""
    win, area, _ = view3d()
    ui = next(r for r in area.regions if r.type == "UI")
    x = ui.x + ui.width - 10
    for y in range(ui.y + ui.height - 30, ui.y + ui.height - 400, -25):
        win.event_simulate("MOUSEMOVE", "NOTHING", x=x, y=y)
        win.event_simulate("LEFTMOUSE", "PRESS", x=x, y=y)
        win.event_simulate("LEFTMOUSE", "RELEASE", x=x, y=y)
        _click_targets.append(y)
    return 1.0


_click_targets = []


def step_screenshots():
    win, area, region = view3d()
    with bpy.context.temp_override(window=win, area=area, region=region):
        bpy.ops.screen.screenshot(filepath=os.path.join(OUT, "blender_sidebar.png"))
        # the viewport alone, closer, for the pigment
        area.spaces[0].show_region_ui = False
        area.spaces[0].overlay.show_overlays = False
        region.data.view_distance *= 0.55
        region.data.view_location.z += 0.06
    return 15.0


def step_viewport():
    """Full-window screenshot cropped to the 3D viewport (screenshot_area gives an empty image
    when run from a timer)."""
    import numpy as np
    win, area, region = view3d()
    full = os.path.join(OUT, "window.png")
    with bpy.context.temp_override(window=win, area=area, region=region):
        bpy.ops.screen.screenshot(filepath=full)
    img = bpy.data.images.load(full)
    w, h = img.size
    px = np.empty(w * h * 4, np.float32)
    img.pixels.foreach_get(px)
    px = px.reshape(h, w, 4)[area.y:area.y + area.height, area.x:area.x + area.width]
    out = bpy.data.images.new("viewport", px.shape[1], px.shape[0])
    out.pixels.foreach_set(px.ravel())
    out.filepath_raw = os.path.join(OUT, "blender_viewport.png")
    out.file_format = "PNG"
    out.save()
    os.remove(full)
    return 0.5


def step_turntable():
    win, area, region = view3d()
    scene = bpy.context.scene
    with bpy.context.temp_override(window=win, area=area, region=region):
        bpy.ops.stipple.setup_turntable(frames=12, elevation_deg=8, lighting="studio",
                                        engine="EEVEE")
        scene.stipple.width = scene.stipple.height = 320
        scene.stipple.layer_size = "2048"
        folder = os.path.join(OUT, "turntable")
        shutil.rmtree(folder, ignore_errors=True)
        scene.stipple.turntable_frames = 12
        bpy.ops.stipple.render(directory=folder, stills=False, turntable=True,
                               contact_sheet=True, wait=True)
    print("TOUR DONE", sorted(os.listdir(folder))[:5], flush=True)
    bpy.ops.wm.quit_blender()
    return None


STEPS = [step_install, step_design, step_click_tab, step_screenshots, step_viewport,
         step_turntable]


def run():
    try:
        delay = STEPS.pop(0)()
    except Exception:
        import traceback
        traceback.print_exc()
        os._exit(1)
    return delay if STEPS else None


bpy.app.timers.register(run, first_interval=2.0)
