"""The design as Blender properties, with the design file's vocabulary, units, ranges and
tooltips (docs/design-file.md), and the conversion between them and design JSON.

The design JSON the add-on hands to the library is the last imported (canonical) design with
the properties laid over it, so fields the panel does not show (scars, the density mask, render
views, notes, the head section) survive an import/export unchanged. Export asks the library's
canonical writer for the bytes (stipple_session_design_json), so export -> import -> export is
byte-identical.
"""
import json

import bpy
from bpy.props import (BoolProperty, CollectionProperty, EnumProperty, FloatProperty,
                       FloatVectorProperty, IntProperty, PointerProperty, StringProperty)

from . import capi

# Zone defaults from docs/design-file.md: density / diameter / spread / shade / weight.
ZONE_DEFAULTS = {
    "front_transition": (40, 0.28, 0.06, 4.5, 0.55),
    "front": (65, 0.36, 0.07, 5.5, 0.9),
    "mid": (75, 0.42, 0.08, 6.0, 1.0),
    "crown": (80, 0.45, 0.09, 6.0, 1.05),
    "temples": (55, 0.34, 0.07, 5.0, 0.75),
    "sides": (70, 0.42, 0.08, 6.0, 0.95),
    "back": (70, 0.45, 0.09, 6.0, 0.95),
}

# A design with every default: the base the properties are laid over before any import.
DEFAULT_DESIGN = {"stipple": 1, "head": {"mesh": "blender_head.obj"}}

HAIRLINE_FIELDS = ("frontal_height_mm", "frontotemporal_recession_mm", "temporal_peak_mm",
                   "transition_mm", "irregularity_amplitude_mm", "irregularity_scale_mm",
                   "asymmetry_mm", "nape_height_mm", "ear_clearance_mm")
ZONE_FIELDS = ("density_per_cm2", "diameter_mm", "diameter_spread_mm", "shade", "weight")


def _changed(self, context):
    """Every design property: re-apply through the Session, debounced (live.py)."""
    from . import live
    live.schedule_apply(context.scene if context else None)


def _after_changed(self, context):
    from . import live
    live.set_after(context.scene)


def _prop_float(name, description, lo, hi, default, unit_suffix, step=10, precision=2):
    return FloatProperty(name=name, description=f"{description} ({lo}..{hi} {unit_suffix})",
                         min=lo, max=hi, default=default, step=step, precision=precision,
                         update=_changed)


class StippleZone(bpy.types.PropertyGroup):
    """One of the seven zones (/zones/<k>); `name` is the zone's design-file name."""
    enabled: BoolProperty(name="Enabled", default=True, update=_changed,
                          description="False leaves the zone untreated (/zones/<k>/enabled)")
    density_per_cm2: _prop_float(
        "Density", "Impressions per square centimetre of scalp in density mode; SMP is usually "
        "60-90, above 120 gives a helmet warning", 5.0, 150.0, 70.0, "dots/cm²", 100, 1)
    diameter_mm: _prop_float("Diameter", "Mean visible dot diameter", 0.1, 1.2, 0.4, "mm", 1, 3)
    diameter_spread_mm: _prop_float("Spread", "Standard deviation of the dot diameter",
                                    0.0, 0.3, 0.08, "mm", 1, 3)
    shade: _prop_float("Shade", "Pigment dilution: 1 lightest grey, 10 pure carbon black",
                       1.0, 10.0, 6.0, "", 10, 2)
    weight: _prop_float("Weight", "Total mode only: relative density of the zone",
                        0.0, 100.0, 1.0, "", 10, 2)


SKIN_ITEMS = [(str(k), f"Fitzpatrick {r}", f"Fitzpatrick skin type {r} ({k} of 1..6)")
              for k, r in enumerate(("I", "II", "III", "IV", "V", "VI"), start=1)]
SKIN_ITEMS.append(("MESH", "Skin from texture",
                   "Take the skin tone from the mesh's own albedo texture (/pigment/skin_from_mesh)"))


class StippleDesign(bpy.types.PropertyGroup):
    """The scene's design (Scene.stipple)."""
    name: StringProperty(name="Name", description="Title of the design (/name, ≤ 200 chars)",
                         maxlen=200, update=_changed)
    seed: StringProperty(name="Seed", default="1", update=_changed,
                         description="Seeds every random choice (/seed, an integer "
                                     "0..18446744073709551615); same seed, same dots")
    # hairline
    template: EnumProperty(name="Template", default="natural", update=_changed,
                           description="Hairline style (/hairline/template)",
                           items=[("natural", "Natural", "Restore the original line"),
                                  ("defined", "Defined", "A crisp barber line-up"),
                                  ("soft", "Soft", "A soft, broken edge"),
                                  ("receded", "Receded", "An age-appropriate receded line"),
                                  ("widows_peak", "Widow's peak", "A widow's peak"),
                                  ("custom", "Custom", "The curve object below, left to right "
                                                       "over the forehead")])
    side_profile: EnumProperty(name="Side profile", default="rounded", update=_changed,
                               description="How the front line turns into the temples "
                                           "(/hairline/side_profile)",
                               items=[("rounded", "Rounded", ""), ("sharp", "Sharp", ""),
                                      ("soft", "Soft", "")])
    frontal_height_mm: _prop_float(
        "Frontal height", "Height of the mid-frontal point above the glabella; 70 aggressive, "
        "100 conservative", 60.0, 110.0, 80.0, "mm", 50, 1)
    frontotemporal_recession_mm: _prop_float(
        "Recession", "How far the temple corners recede behind the front line (the M shape)",
        0.0, 40.0, 10.0, "mm", 50, 1)
    temporal_peak_mm: _prop_float("Temporal peaks", "Length of the temporal peaks above the "
                                  "ears", 0.0, 25.0, 10.0, "mm", 50, 1)
    transition_mm: _prop_float("Transition", "Width of the soft front zone", 5.0, 20.0, 10.0,
                               "mm", 50, 1)
    irregularity_amplitude_mm: _prop_float(
        "Irregularity", "How far the line wanders from the smooth template", 0.0, 5.0, 1.5,
        "mm", 10, 2)
    irregularity_scale_mm: _prop_float("Irregularity scale", "Wavelength of that wandering",
                                       2.0, 30.0, 6.0, "mm", 50, 1)
    asymmetry_mm: _prop_float("Asymmetry", "Left/right difference; up to 2 mm looks natural",
                              0.0, 5.0, 1.0, "mm", 10, 2)
    nape_height_mm: _prop_float("Nape height", "Nape line relative to the ear line (negative: "
                                "below it)", -90.0, 40.0, -35.0, "mm", 50, 1)
    ear_clearance_mm: _prop_float("Ear clearance", "Margin kept free of dots around the ears",
                                  0.0, 30.0, 12.0, "mm", 50, 1)
    hairline_curve: PointerProperty(
        name="Hairline curve", type=bpy.types.Object, update=_changed,
        poll=lambda self, obj: obj.type == "CURVE",
        description="Custom template: a curve whose points, left to right over the forehead, "
                    "are the hairline (/hairline/control_points_mm, ≥ 3 points)")
    # dots
    mode: EnumProperty(name="Mode", default="density", update=_changed,
                       description="How many dots (/mode)",
                       items=[("density", "Density", "Each zone's density sets its dots"),
                              ("total", "Total", "A fixed budget spread over the zones by "
                                                 "weight")])
    total_dots: IntProperty(name="Total dots", min=100, max=2_000_000, default=40000,
                            update=_changed,
                            description="Total mode: the dot budget (/total_dots, 100..2,000,000)")
    zones: CollectionProperty(type=StippleZone)
    zone_index: IntProperty(name="Zone", default=0)
    # pigment
    ink: EnumProperty(name="Ink", default="permanent", update=_changed,
                      description="Drives the ageing model (/pigment/ink)",
                      items=[("permanent", "Permanent", "Touch-up after about 4-6 years"),
                             ("temporary", "Temporary", "Fades over months to a few years")])
    skin: EnumProperty(name="Skin", default="3", update=_changed, items=SKIN_ITEMS,
                       description="Skin type under the dots (/pigment/fitzpatrick 1..6, or "
                                   "/pigment/skin_from_mesh)")
    hair_colour: FloatVectorProperty(name="Hair colour", subtype="COLOR_GAMMA", size=3, min=0.0,
                                     max=1.0, default=(0.102, 0.090, 0.078), update=_changed,
                                     description="The client's hair colour "
                                                 "(/pigment/hair_colour, sRGB)")
    age_days: _prop_float("Age", "Time since the session: 0 fresh, 30 healed, 1825 five years",
                          0.0, 3650.0, 30.0, "days", 100, 0)
    impressions_per_session: IntProperty(
        name="Impressions per session", min=1000, max=50000, default=12000, update=_changed,
        description="Impressions placed per session (/impressions_per_session, 1,000..50,000)")
    # render
    lighting: EnumProperty(name="Lighting", default="studio", update=_changed,
                           description="Lighting preset (/render/lighting)",
                           items=[("studio", "Studio", "Key, fill and rim for marketing"),
                                  ("clinic", "Clinic", "Overhead, for an honest consultation"),
                                  ("daylight", "Daylight", "Hard sun: SMP looks flattest"),
                                  ("custom", "Custom", "The rig in the design file's "
                                                       "/render/lights")])
    turntable_frames: IntProperty(name="Turntable frames", min=1, max=720, default=36,
                                  update=_changed,
                                  description="Frames over 360°, no duplicated end frame "
                                              "(/render/turntable_frames, 1..720)")
    elevation_deg: _prop_float("Elevation", "Turntable camera elevation above the head's "
                               "horizontal plane", -30.0, 60.0, 8.0, "°", 100, 1)
    width: IntProperty(name="Width", min=16, max=3840, default=1920, update=_changed,
                       description="Stipple render width (/render/width, 16..3840 px)")
    height: IntProperty(name="Height", min=16, max=2160, default=1080, update=_changed,
                        description="Stipple render height (/render/height, 16..2160 px)")
    layer_size: EnumProperty(name="Layer size", default="4096", update=_changed,
                             description="Chart resolution of the layers in Stipple renders "
                                         "(/render/layer_size); the viewport uses the add-on "
                                         "preferences' size",
                             items=[(s, f"{s} px", "") for s in ("1024", "2048", "4096",
                                                                 "8192")])
    # what the add-on does with the result (not design fields)
    base_json: StringProperty(name="Base design", options={"HIDDEN"},
                              description="The last imported design, canonical JSON")
    base_path: StringProperty(name="Design file", subtype="FILE_PATH",
                              description="The design file relative paths resolve against")
    show_after: BoolProperty(name="After", default=True,
                             description="Show the treated (after) or the untreated (before) "
                                         "look in the viewport",
                             update=_after_changed)
    live: BoolProperty(name="Live", default=True,
                       description="Re-apply the design after every change (debounced)")
    show_dots: BoolProperty(name="Dots as points", default=False, update=_changed,
                            description="Also make the dots a point object with diameter, "
                                        "shade, zone and id attributes (for Geometry Nodes)")
    pack_images: BoolProperty(name="Pack layers", default=True,
                              description="Pack the layer images into the .blend (else they "
                                          "are saved as files beside it on save)")
    status: StringProperty(name="Status", options={"SKIP_SAVE"},
                           description="The last live re-apply's error, if any")
    head_units: EnumProperty(name="Head units", default="AUTO",
                             description="Millimetres per Blender unit of the head mesh",
                             items=[("AUTO", "Infer", "Infer from the head's size (adult "
                                                      "anthropometry)"),
                                    ("SCENE", "Scene units", "Blender units times the scene's "
                                                             "unit scale, in metres")])


def ensure_zones(design):
    """The seven zones, in the library's order, at their defaults."""
    if len(design.zones) == len(capi.ZONE_NAMES):
        return
    design.zones.clear()
    for name in capi.ZONE_NAMES:
        z = design.zones.add()
        z.name = name
        d = ZONE_DEFAULTS[name]
        for field, value in zip(ZONE_FIELDS, d):
            setattr(z, field, value)


def _num(value):
    """A float property as JSON: its float32 value at 6 significant digits (idempotent, so a
    value read back into a property gives the same number again)."""
    v = float(f"{value:.6g}")
    return int(v) if v.is_integer() else v


def _hex(rgb):
    return "#" + "".join(f"{max(0, min(255, round(c * 255))):02x}" for c in rgb)


def _from_hex(text):
    return tuple(int(text[i:i + 2], 16) / 255 for i in (1, 3, 5))


def to_dict(design, hairline_points=None):
    """The design JSON (a dict) of the properties laid over the base design.
    hairline_points: the custom hairline's head-frame points (mm), or None to keep the base's."""
    d = json.loads(design.base_json) if design.base_json else json.loads(
        json.dumps(DEFAULT_DESIGN))
    d["stipple"] = 1
    d["name"] = design.name
    d["seed"] = int(design.seed) if design.seed.strip().isdigit() else design.seed
    h = d.setdefault("hairline", {})
    h["template"] = design.template
    h["side_profile"] = design.side_profile
    for f in HAIRLINE_FIELDS:
        h[f] = _num(getattr(design, f))
    if design.template == "custom":
        if hairline_points is not None:
            h["control_points_mm"] = [[round(c, 3) for c in p] for p in hairline_points]
    else:
        h.pop("control_points_mm", None)
    d["mode"] = design.mode
    if design.mode == "total":
        d["total_dots"] = design.total_dots
    else:
        d.pop("total_dots", None)
    zones = []
    for z in design.zones:
        entry = {"name": z.name, "enabled": z.enabled}
        for f in ZONE_FIELDS:
            # as the canonical writer: each mode's own field only (the other one would warn)
            if f == ("weight" if design.mode == "density" else "density_per_cm2"):
                continue
            entry[f] = _num(getattr(z, f))
        zones.append(entry)
    d["zones"] = zones
    p = d.setdefault("pigment", {})
    p["ink"] = design.ink
    if design.skin == "MESH":
        p["skin_from_mesh"] = True
        p.pop("fitzpatrick", None)
    else:
        p["skin_from_mesh"] = False
        p["fitzpatrick"] = int(design.skin)
    p["hair_colour"] = _hex(design.hair_colour)
    p["age_days"] = _num(design.age_days)
    d["impressions_per_session"] = design.impressions_per_session
    r = d.setdefault("render", {})
    r["lighting"] = design.lighting
    r["turntable_frames"] = design.turntable_frames
    r["elevation_deg"] = _num(design.elevation_deg)
    r["width"], r["height"] = design.width, design.height
    r["layer_size"] = int(design.layer_size)
    if design.lighting != "custom":
        r.pop("lights", None)
        r.pop("ambient", None)
    return d


def from_dict(design, d, canonical_text):
    """Sets the properties from a canonical design (designToJson: every field explicit) and
    keeps the text as the base. Property updates are suspended meanwhile (one apply after)."""
    from . import live
    with live.suspended():
        design.base_json = canonical_text
        design.name = d.get("name", "")
        design.seed = str(d.get("seed", 1))
        h = d.get("hairline", {})
        design.template = h.get("template", "natural")
        design.side_profile = h.get("side_profile", "rounded")
        for f in HAIRLINE_FIELDS:
            if f in h:
                setattr(design, f, h[f])
        design.mode = d.get("mode", "density")
        if "total_dots" in d:
            design.total_dots = d["total_dots"]
        ensure_zones(design)
        by_name = {z.get("name"): z for z in d.get("zones", [])}
        for z in design.zones:
            entry = by_name.get(z.name, {})
            z.enabled = entry.get("enabled", True)
            for f, default in zip(ZONE_FIELDS, ZONE_DEFAULTS[z.name]):
                setattr(z, f, entry.get(f, default))
        p = d.get("pigment", {})
        design.ink = p.get("ink", "permanent")
        design.skin = "MESH" if p.get("skin_from_mesh") else str(p.get("fitzpatrick", 3))
        design.hair_colour = _from_hex(p.get("hair_colour", "#1a1714"))
        design.age_days = p.get("age_days", 30)
        design.impressions_per_session = d.get("impressions_per_session", 12000)
        r = d.get("render", {})
        design.lighting = r.get("lighting", "studio")
        design.turntable_frames = r.get("turntable_frames", 36)
        design.elevation_deg = r.get("elevation_deg", 8)
        design.width, design.height = r.get("width", 1920), r.get("height", 1080)
        design.layer_size = str(r.get("layer_size", 4096))


CLASSES = (StippleZone, StippleDesign)


def register():
    for c in CLASSES:
        bpy.utils.register_class(c)
    bpy.types.Scene.stipple = PointerProperty(type=StippleDesign)


def unregister():
    del bpy.types.Scene.stipple
    for c in reversed(CLASSES):
        bpy.utils.unregister_class(c)
