"""The N-panel tab "Stipple" in the 3D viewport: head, hairline, zones, pigment, render."""
import bpy

from . import capi, live, props


class STIPPLE_UL_zones(bpy.types.UIList):
    def draw_item(self, context, layout, data, item, icon, active_data, active_propname):
        row = layout.row(align=True)
        row.prop(item, "enabled", text="")
        row.label(text=item.name.replace("_", " "))
        row.label(text=f"{item.density_per_cm2:.0f}/cm²  {item.diameter_mm:.2f} mm  "
                       f"shade {item.shade:.1f}")


class StipplePanel:
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "Stipple"


class STIPPLE_PT_head(StipplePanel, bpy.types.Panel):
    bl_label = "Stipple"

    def draw(self, context):
        layout = self.layout
        d = context.scene.stipple
        try:
            live.library()
        except capi.StippleError as e:
            layout.label(text=str(e), icon="ERROR")
            return
        st = live.state(context.scene)
        row = layout.row(align=True)
        row.operator("stipple.generate", icon="PLAY")
        row.operator("stipple.import_scan", icon="IMPORT", text="Scan")
        if st is not None and st.session is not None:
            layout.label(text=f"Head: {st.object_name}", icon="MESH_DATA")
        layout.prop(d, "head_units")
        row = layout.row(align=True)
        row.operator("stipple.import_design", text="Open Design", icon="FILE_FOLDER")
        row.operator("stipple.export_design", text="Save Design", icon="FILE_TICK")
        row = layout.row(align=True)
        row.prop(d, "live")
        row.prop(d, "show_after", toggle=True, text="After" if d.show_after else "Before")
        row.operator("stipple.apply", text="", icon="FILE_REFRESH")
        if d.status:
            layout.label(text=d.status, icon="ERROR")


class STIPPLE_PT_hairline(StipplePanel, bpy.types.Panel):
    bl_label = "Hairline"
    bl_parent_id = "STIPPLE_PT_head"

    def draw(self, context):
        d, col = context.scene.stipple, self.layout.column(align=True)
        col.prop(d, "template")
        col.prop(d, "side_profile")
        if d.template == "custom":
            col.prop(d, "hairline_curve")
        for f in props.HAIRLINE_FIELDS:
            col.prop(d, f)
        self.layout.prop(d, "seed")


class STIPPLE_PT_zones(StipplePanel, bpy.types.Panel):
    bl_label = "Zones"
    bl_parent_id = "STIPPLE_PT_head"

    def draw(self, context):
        d, layout = context.scene.stipple, self.layout
        layout.prop(d, "mode", expand=True)
        if d.mode == "total":
            layout.prop(d, "total_dots")
        layout.template_list("STIPPLE_UL_zones", "", d, "zones", d, "zone_index", rows=7)
        if 0 <= d.zone_index < len(d.zones):
            z, col = d.zones[d.zone_index], layout.column(align=True)
            col.prop(z, "density_per_cm2" if d.mode == "density" else "weight")
            col.prop(z, "diameter_mm")
            col.prop(z, "diameter_spread_mm")
            col.prop(z, "shade")
        layout.prop(d, "impressions_per_session")
        layout.prop(d, "show_dots")
        row = layout.row(align=True)
        row.operator("stipple.add_scar", icon="ADD")
        row.operator("stipple.clear_scars", text="", icon="X")


class STIPPLE_PT_pigment(StipplePanel, bpy.types.Panel):
    bl_label = "Pigment"
    bl_parent_id = "STIPPLE_PT_head"

    def draw(self, context):
        d, layout = context.scene.stipple, self.layout
        layout.prop(d, "ink")
        layout.prop(d, "skin")
        layout.prop(d, "hair_colour")
        layout.prop(d, "age_days")
        row = layout.row(align=True)
        for label, days in (("Fresh", 0), ("Healed", 30), ("1 year", 365), ("5 years", 1825)):
            row.operator("stipple.age_preset", text=label).days = days
        layout.prop(d, "pack_images")
        layout.operator("stipple.store_layers")


class STIPPLE_PT_render(StipplePanel, bpy.types.Panel):
    bl_label = "Render"
    bl_parent_id = "STIPPLE_PT_head"

    def draw(self, context):
        d, layout = context.scene.stipple, self.layout
        layout.prop(d, "lighting")
        layout.prop(d, "turntable_frames")
        layout.prop(d, "elevation_deg")
        row = layout.row(align=True)
        row.prop(d, "width")
        row.prop(d, "height")
        layout.prop(d, "layer_size")
        layout.operator("stipple.setup_turntable", icon="CAMERA_DATA")
        layout.operator("stipple.render", icon="RENDER_ANIMATION")


CLASSES = (STIPPLE_UL_zones, STIPPLE_PT_head, STIPPLE_PT_hairline, STIPPLE_PT_zones,
           STIPPLE_PT_pigment, STIPPLE_PT_render)


def register():
    for c in CLASSES:
        bpy.utils.register_class(c)


def unregister():
    for c in reversed(CLASSES):
        bpy.utils.unregister_class(c)
