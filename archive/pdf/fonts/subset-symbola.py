#!/usr/bin/python3
"""Makes Symbola-uppsikt.ttf: the emoji and symbols of Symbola (Debian's
fonts-symbola, "free for any use", see LICENSE-Symbola.txt) that DejaVu Sans
lacks, for the fallback font of uppsikt's PDFs (archive/pdf, text.go).

fpdf reads only the Basic Multilingual Plane of a TrueType font (cmap format
4), so the characters above it are moved into the Private Use Area, where
text.go draws them and says in the PDF's text layer (/ActualText) which
characters they stand for:

  U+1F000–U+1FAFF (emoji, flags, playing cards) → U+E000 + (c − 0x1F000)
  U+1D400–U+1D7FF (mathematical letters, "𝐛𝐨𝐥𝐝" text) → U+EB00 + (c − 0x1D400)
  U+E0020–U+E007F (tags, of subdivision flags)  → U+F020 + (c − 0xE0020)

Characters of the BMP that DejaVu Sans lacks keep their code point, and so
do all of the symbol blocks (U+2000–U+2BFF, U+3000–U+303F, U+3200–U+32FF),
so that an emoji sequence such as 👩‍⚕️ is drawn in one font. U+F8FF is
Symbola's □, drawn for a character above the BMP that none of these ranges
holds. Needs
Debian's python3-fonttools and fonts-symbola.

Run from this folder: /usr/bin/python3 subset-symbola.py
"""
from fontTools import subset
from fontTools.ttLib import TTFont

SRC = "/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"
dejavu = set(TTFont("DejaVuSans.ttf").getBestCmap())


def SYMBOLS(c):
    """Symbol blocks kept whole, so that an emoji sequence is drawn in one font."""
    return 0x2000 <= c <= 0x2BFF or 0x3000 <= c <= 0x303F or 0x3200 <= c <= 0x32FF

font = TTFont(SRC)
cmap = font.getBestCmap()
moved = {}
for c, g in cmap.items():
    if 0x1F000 <= c <= 0x1FAFF:
        moved[0xE000 + c - 0x1F000] = g
    elif 0x1D400 <= c <= 0x1D7FF:
        moved[0xEB00 + c - 0x1D400] = g
    elif c <= 0xFFFF and not 0xE000 <= c <= 0xF8FF and (c not in dejavu or SYMBOLS(c)):
        moved[c] = g
# Variation selectors, of no width.
for c in range(0xFE00, 0xFE10):
    if c in cmap:
        moved[c] = cmap[c]
# Tags (U+E0020–U+E007F, the subdivision flags) → U+F020–U+F07F, drawn as
# the zero-width joiner: nothing.
for c in range(0xE0020, 0xE0080):
    moved[0xF000 + c - 0xE0000] = cmap[0x200D]
# The box drawn for a character no font of uppsikt has.
moved[0xF8FF] = cmap[0x25A1]

opts = subset.Options()
opts.hinting = False
opts.glyph_names = True
opts.notdef_outline = True
opts.name_IDs = ["*"]
opts.name_legacy = True
opts.name_languages = ["*"]
opts.layout_features = []
s = subset.Subsetter(opts)
s.populate(glyphs=sorted(set(moved.values())))
s.subset(font)

# One Windows Unicode BMP subtable (format 4), which fpdf reads.
from fontTools.ttLib.tables._c_m_a_p import cmap_format_4
t = cmap_format_4(4)
t.platformID, t.platEncID, t.language = 3, 1, 0
t.cmap = moved
font["cmap"].tables = [t]
font.save("Symbola-uppsikt.ttf")
print(len(moved), "characters")
