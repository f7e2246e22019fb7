"""QR codes for the join link (segno: pure Python, SVG inline, no image files, no network)."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str, scale: int = 8, title: str = "QR", fit: bool = False) -> str:
    """The QR code as inline SVG. `fit`: without a fixed size (a viewBox only), so CSS sizes it, e.g.
    to most of the projector's height."""
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=scale, border=2, title=title,
                                    svgclass="kit-qr", xmldecl=False, dark="#000", light="#fff", omitsize=fit)
    return buf.getvalue().decode("utf-8")


def qr_terminal(url: str) -> str:
    buf = io.StringIO()
    segno.make(url, error="m").terminal(out=buf, compact=True, border=2)
    return buf.getvalue()
