"""The CJK font embedded in PDF exports: a TrueType (glyf) face from a Debian font package.

fpdf2 subsets and embeds TrueType outlines (FontFile2) cleanly and keeps the text extractable. Noto CJK is CFF-based
(FontFile3); fpdf2 embeds it too, but copy/paste and text extraction then come out with spaces between characters,
so it is not used. The first font found wins; `./run serve` and `./run test` install `fonts-wqy-zenhei`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb.export.errors import ExportFontMissing


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int  # face number inside a .ttc collection
    package: str  # the Debian package that installs it


CANDIDATES = (
    FontFace(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0, "fonts-wqy-zenhei"),
    FontFace(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0, "fonts-wqy-microhei"),
    FontFace(Path("/usr/share/fonts/truetype/arphic/uming.ttc"), 0, "fonts-arphic-uming"),
)
DEBIAN_PACKAGE = CANDIDATES[0].package
# The family name a DOCX asks Word/LibreOffice for (w:eastAsia); DOCX files reference fonts, they do not embed them.
DOCX_EAST_ASIA_BODY = "宋体"
DOCX_EAST_ASIA_HEADING = "黑体"
DOCX_LATIN = "Times New Roman"


def find_pdf_font(candidates: tuple[FontFace, ...] = CANDIDATES) -> FontFace:
    for face in candidates:
        if face.path.is_file():
            return face
    tried = "、".join(str(f.path) for f in candidates)
    msg = f"导出 PDF 需要中文字体，未找到（已查找 {tried}）；请安装 Debian 软件包 {DEBIAN_PACKAGE}：apt-get install {DEBIAN_PACKAGE}"
    raise ExportFontMissing(msg, package=DEBIAN_PACKAGE)
