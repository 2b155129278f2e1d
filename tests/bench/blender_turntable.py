# Renders Stipple's baked head as a turntable in Blender, to compare speed with `stipple render`.
# Run by tests/bench/blender_compare.sh, not by hand (but it can be):
#
#   blender -b --factory-startup -P tests/bench/blender_turntable.py -- \
#       --glb BAKE/head_chart.glb --albedo BAKE/albedo_chart.png --uv 1 \
#       --engine eevee --out OUT --frames 36 --render 0,1,2 --timing OUT/timing.json
#
# The scene mirrors Stipple's turntable (renderer/render/src/camera.cpp, lighting.cpp):
# - the head in its head frame (mm, +Y up, +Z out of the face; the glTF importer turns +Y up
#   into Blender's +Z up), scaled to metres;
# - an 85 mm lens on a 36 x 24 mm sensor (sensor fit vertical: 16.1 degrees across the
#   picture's height), aimed at the centre of the bounding box of the top 245 mm of the head,
#   at the smallest distance that keeps that part within 78 % of the frame in every pose;
# - the camera orbits the head at the design's elevation (8 degrees), azimuth 360 * i / N, no
#   duplicated end frame; the studio rig (key, fill, rim as sun lamps) turns with the camera;
# - a uniform dim ambient for lighting and the design's background colour (#eeeef0) for camera
#   rays only.
# It prints and writes one JSON record with the wall and CPU time (all threads) of setup
# (import, scene) and of each rendered frame (bpy.ops.render.render with write_still, so PNG
# encoding is included).

import argparse
import json
import math
import sys
import time

import bpy
from mathutils import Vector

T_START = time.perf_counter()

# Stipple's constants (renderer/render/include/stipple/render/camera.h).
HEAD_CROP_HEIGHT_MM = 245.0
HEAD_FILL_SHARE = 0.78
FOCAL_MM = 85.0
SENSOR_H_MM = 24.0

# Studio rig (renderer/render/src/lighting.cpp): direction toward the light in the rig frame
# (x camera right, y up, z toward the camera), linear colour, intensity in albedo units.
STUDIO = [
    ((-0.62, 0.62, 0.55), (1.0, 0.95, 0.88), 2.6, True),
    ((0.8, 0.1, 0.6), (0.8, 0.88, 1.0), 0.32, False),
    ((0.6, 0.5, -0.75), (1.0, 1.0, 1.0), 1.8, False),
]
STUDIO_AMBIENT = 0.07  # between the rig's sky (0.1) and ground (0.04) hemisphere terms
STUDIO_EXPOSURE = 0.8


def parseArgs():
    argv = sys.argv[sys.argv.index("--") + 1:] if "--" in sys.argv else []
    p = argparse.ArgumentParser(prog="blender_turntable.py")
    p.add_argument("--glb", required=True)
    p.add_argument("--albedo", required=True)
    p.add_argument("--uv", type=int, default=0, help="UV set index the albedo uses")
    p.add_argument("--engine", choices=["eevee", "cycles"], required=True)
    p.add_argument("--out", required=True, help="output directory for the PNG frames")
    p.add_argument("--frames", type=int, default=36, help="frames in the full turntable")
    p.add_argument("--render", default="", help="comma list of frame indices (default all)")
    p.add_argument("--width", type=int, default=1920)
    p.add_argument("--height", type=int, default=1080)
    p.add_argument("--elevation", type=float, default=8.0)
    p.add_argument("--samples", type=int, default=0, help="0: the engine's default")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--denoise", choices=["off", "oidn"], default="off")
    p.add_argument("--background", default="#eeeef0")
    p.add_argument("--timing", default="", help="write the timing JSON here")
    return p.parse_args(argv)


def srgbToLinear(c):
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def headToBlender(v):
    # glTF/head frame (x, y up, z front) -> Blender (x, y back, z up), as the importer does.
    return Vector((v[0], -v[2], v[1]))


def importHead(glb_path):
    try:
        import numpy
    except ImportError:
        print("blender_turntable.py: Blender's glTF importer needs numpy, which Debian's "
              "blender package does not pull in: apt-get install python3-numpy", file=sys.stderr)
        sys.exit(2)
    # Blender 3.4's importer uses numpy.bool, removed in numpy 1.24 (Debian 12 ships 1.24.2):
    # restore the alias for this process only.
    if "bool" not in numpy.__dict__:
        numpy.bool = bool
    bpy.ops.object.select_all(action="SELECT")
    bpy.ops.object.delete()
    bpy.ops.import_scene.gltf(filepath=glb_path)
    meshes = [o for o in bpy.context.scene.objects if o.type == "MESH"]
    if len(meshes) != 1:
        raise SystemExit("expected one mesh in %s, found %d" % (glb_path, len(meshes)))
    head = meshes[0]
    # Millimetres in the file, metres in Blender (so lens and clipping behave normally).
    root = head
    while root.parent:
        root = root.parent
    root.scale = (0.001, 0.001, 0.001)
    bpy.context.view_layer.update()
    return head


def skinMaterial(head, albedo_path, uv_index):
    mat = bpy.data.materials.new("stipple_skin")
    mat.use_nodes = True
    nodes, links = mat.node_tree.nodes, mat.node_tree.links
    bsdf = nodes["Principled BSDF"]
    bsdf.inputs["Roughness"].default_value = 0.55
    bsdf.inputs["Specular"].default_value = 0.35
    tex = nodes.new("ShaderNodeTexImage")
    tex.image = bpy.data.images.load(albedo_path)
    tex.image.colorspace_settings.name = "sRGB"
    tex.interpolation = "Linear"
    uv = nodes.new("ShaderNodeUVMap")
    uv_layers = head.data.uv_layers
    if uv_index >= len(uv_layers):
        raise SystemExit("the mesh has %d UV sets, --uv %d" % (len(uv_layers), uv_index))
    uv.uv_map = uv_layers[uv_index].name
    links.new(uv.outputs["UV"], tex.inputs["Vector"])
    links.new(tex.outputs["Color"], bsdf.inputs["Base Color"])
    head.data.materials.clear()
    head.data.materials.append(mat)


def headFramePoints(head):
    # Stipple's framingPoints(): vertices at most 245 mm below the top of the head, in the head
    # frame (mm). The object's matrix is only the mm->m scale, so local coordinates are mm.
    pts = [Vector((v.co.x, v.co.z, -v.co.y)) for v in head.data.vertices]
    top = max(p.y for p in pts)
    return [p for p in pts if p.y >= top - HEAD_CROP_HEIGHT_MM]


def eyeDirection(az_deg, el_deg):
    az, el = math.radians(az_deg), math.radians(el_deg)
    return Vector((math.sin(az) * math.cos(el), math.sin(el), math.cos(az) * math.cos(el)))


def fitFraming(points, frames, elevation_deg, width, height):
    # Stipple's fitFraming() for a turntable: target = bounding-box centre, distance = the
    # largest over all poses of the distance that keeps every point within the fill share.
    lo = Vector((min(p.x for p in points), min(p.y for p in points), min(p.z for p in points)))
    hi = Vector((max(p.x for p in points), max(p.y for p in points), max(p.z for p in points)))
    target = (lo + hi) / 2
    tan_y = (SENSOR_H_MM / 2) / FOCAL_MM
    tan_x = tan_y * width / height
    dist = 0.0
    for i in range(frames):
        to_eye = eyeDirection(360.0 * i / frames, elevation_deg)
        right = Vector((0, 1, 0)).cross(to_eye).normalized()  # forward x up, forward = -to_eye
        up = to_eye.cross(right)
        for p in points:
            q = p - target
            zc = q.dot(to_eye)
            dist = max(dist, zc + abs(q.dot(right)) / (HEAD_FILL_SHARE * tan_x))
            dist = max(dist, zc + abs(q.dot(up)) / (HEAD_FILL_SHARE * tan_y))
    return target, dist


def buildRig(target_mm, dist_mm, elevation_deg, engine):
    scene = bpy.context.scene
    # The rig: an empty at the target that spins about Blender's Z (head +Y) by the azimuth;
    # camera and lights are its children, so lights turn with the camera as in Stipple.
    rig = bpy.data.objects.new("turntable_rig", None)
    scene.collection.objects.link(rig)
    rig.location = headToBlender(target_mm) * 0.001

    cam_data = bpy.data.cameras.new("camera")
    cam_data.lens = FOCAL_MM
    cam_data.sensor_fit = "VERTICAL"
    cam_data.sensor_height = SENSOR_H_MM
    cam_data.clip_start = 0.01
    cam_data.clip_end = 10.0
    cam = bpy.data.objects.new("camera", cam_data)
    scene.collection.objects.link(cam)
    cam.parent = rig
    to_eye = headToBlender(eyeDirection(0, elevation_deg))
    cam.location = to_eye * (dist_mm * 0.001)
    cam.rotation_euler = (-to_eye).to_track_quat("-Z", "Y").to_euler()
    scene.camera = cam

    for i, (direction, colour, intensity, shadow) in enumerate(STUDIO):
        d = headToBlender(Vector(direction)).normalized()  # rig frame at azimuth 0 = head frame
        light_data = bpy.data.lights.new("studio_%d" % i, type="SUN")
        # A sun of strength pi on a white Lambertian surface facing it gives 1.0 (Blender's
        # diffuse is albedo / pi); Stipple's intensities are in those albedo units.
        light_data.energy = math.pi * intensity * STUDIO_EXPOSURE
        light_data.color = colour
        light_data.angle = math.radians(8.0 if shadow else 2.0)
        light_data.use_shadow = shadow
        light = bpy.data.objects.new("studio_%d" % i, light_data)
        scene.collection.objects.link(light)
        light.parent = rig
        light.rotation_euler = d.to_track_quat("Z", "Y").to_euler()  # light shines along -Z
    return rig


def buildWorld(background_hex):
    scene = bpy.context.scene
    world = bpy.data.worlds.new("studio")
    scene.world = world
    world.use_nodes = True
    nodes, links = world.node_tree.nodes, world.node_tree.links
    for n in list(nodes):
        nodes.remove(n)
    out = nodes.new("ShaderNodeOutputWorld")
    ambient = nodes.new("ShaderNodeBackground")
    ambient.inputs["Color"].default_value = (STUDIO_AMBIENT,) * 3 + (1,)
    backdrop = nodes.new("ShaderNodeBackground")
    h = background_hex.lstrip("#")
    rgb = [srgbToLinear(int(h[i:i + 2], 16) / 255.0) for i in (0, 2, 4)]
    backdrop.inputs["Color"].default_value = tuple(rgb) + (1,)
    path = nodes.new("ShaderNodeLightPath")
    mix = nodes.new("ShaderNodeMixShader")
    links.new(path.outputs["Is Camera Ray"], mix.inputs["Fac"])
    links.new(ambient.outputs["Background"], mix.inputs[1])
    links.new(backdrop.outputs["Background"], mix.inputs[2])
    links.new(mix.outputs["Shader"], out.inputs["Surface"])


def setupEngine(args):
    scene = bpy.context.scene
    r = scene.render
    r.resolution_x, r.resolution_y, r.resolution_percentage = args.width, args.height, 100
    r.image_settings.file_format = "PNG"
    r.image_settings.color_mode = "RGB"
    r.image_settings.compression = 15  # Blender's default
    r.film_transparent = False
    r.threads_mode = "FIXED"
    r.threads = args.threads
    # Plain sRGB out: closest to Stipple's tone mapping without Filmic's desaturation.
    scene.view_settings.view_transform = "Standard"
    scene.view_settings.look = "None"
    if args.engine == "eevee":
        r.engine = "BLENDER_EEVEE"
        if args.samples:
            scene.eevee.taa_render_samples = args.samples
        scene.eevee.use_soft_shadows = True
        scene.eevee.shadow_cascade_size = "1024"
        return {"samples": scene.eevee.taa_render_samples, "soft_shadows": True,
                "shadow_cascade_size": 1024}
    r.engine = "CYCLES"
    scene.cycles.device = "CPU"
    scene.cycles.samples = args.samples or 32
    scene.cycles.use_adaptive_sampling = False
    scene.cycles.use_denoising = args.denoise == "oidn"
    if args.denoise == "oidn":
        scene.cycles.denoiser = "OPENIMAGEDENOISE"
    scene.cycles.max_bounces = 4
    return {"samples": scene.cycles.samples, "denoise": args.denoise, "max_bounces": 4,
            "threads": args.threads}


def main():
    args = parseArgs()
    head = importHead(args.glb)
    skinMaterial(head, args.albedo, args.uv)
    points = headFramePoints(head)
    target, dist = fitFraming(points, args.frames, args.elevation, args.width, args.height)
    rig = buildRig(target, dist, args.elevation, args.engine)
    buildWorld(args.background)
    settings = setupEngine(args)
    indices = [int(s) for s in args.render.split(",") if s] or list(range(args.frames))
    setup_s = time.perf_counter() - T_START
    setup_cpu_s = time.process_time()  # all threads of this process (llvmpipe's too)
    frames = []
    for i in indices:
        t, c = time.perf_counter(), time.process_time()
        rig.rotation_euler = (0, 0, math.radians(360.0 * i / args.frames))
        bpy.context.scene.render.filepath = "%s/frame_%04d.png" % (args.out, i)
        bpy.ops.render.render(write_still=True)
        frames.append({"index": i, "seconds": time.perf_counter() - t,
                       "cpu_seconds": time.process_time() - c})
        print("STIPPLE_BENCH frame %d: %.2f s wall, %.2f s CPU"
              % (i, frames[-1]["seconds"], frames[-1]["cpu_seconds"]), flush=True)
    record = {
        "engine": args.engine,
        "blender": bpy.app.version_string,
        "settings": settings,
        "triangles": sum(len(p.vertices) - 2 for p in head.data.polygons),
        "framing": {"target_mm": list(target), "distance_mm": dist},
        "setup_s": setup_s,
        "setup_cpu_s": setup_cpu_s,
        "frames": frames,
    }
    print("STIPPLE_BENCH " + json.dumps(record), flush=True)
    if args.timing:
        with open(args.timing, "w") as f:
            json.dump(record, f, indent=2)


main()
