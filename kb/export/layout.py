"""Page geometry shared by the DOCX and PDF writers (A4, millimetres)."""

from __future__ import annotations

# Close to the GB/T 9704 official-document page (top 37, bottom 35, left 28, right 26), with a little more text.
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 30.0, 28.0, 28.0, 26.0
