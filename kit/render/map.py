"""The stakeholder map as pictures: the static map and the power-interest grid as SVG, drawn by
templates from the geometry kit.network computes (so every name reaches the SVG escaped)."""

from __future__ import annotations

from kit import network as nw
from kit.render import render


def map_svg(actors: list[dict], links: list[dict], sectors: list[str], types: list[dict], sector_label,
            type_label, title: str, lang: str = "fi") -> str:
    """A static map for the report and the projector: shape and colour by sector, size by influence,
    line colour and dash by link type, a legend, and a <title>/<desc> naming every actor and link."""
    g = nw.map_geometry(actors, links, sectors, types, sector_label, type_label)
    return render("map/map.svg", lang, g=g, title=title, desc=g["desc"])


def grid_svg(actors: list[dict], quadrants: dict, quadrant_label, title: str, lang: str = "fi") -> str:
    """The power-interest grid: four labelled quadrants, each actor a dot with its name."""
    g = nw.grid_geometry(actors, quadrants, quadrant_label)
    return render("map/grid.svg", lang, g=g, title=title, interest=quadrant_label("axis_interest"),
                  power=quadrant_label("axis_power"))
