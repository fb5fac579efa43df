#!/usr/bin/python3
"""Makes DejaVuSans-WinAnsi.ttf and DejaVuSans-Bold-WinAnsi.ttf: DejaVu Sans
cut down to the characters of Windows-1252, for uppsikt's single-byte PDF
fonts (pdf.NewWinAnsi). Ghostscript reads the whole font file of a
single-byte TrueType font for every document, so the 50 KB cut takes about
half the time of the 750 KB original. Needs Debian's python3-fonttools.

Run from this folder: /usr/bin/python3 subset-winansi.py
"""
from fontTools import subset
from fontTools.ttLib import TTFont

CP1252 = (set(range(0x20, 0x7F)) | set(range(0xA0, 0x100)) | {
    0x20AC, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x017D,
    0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x017E, 0x0178,
})

for name in ("DejaVuSans", "DejaVuSans-Bold"):
    opts = subset.Options()
    opts.hinting = True
    opts.glyph_names = True
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    opts.name_legacy = True
    opts.name_languages = ["*"]
    opts.layout_features = []
    font = TTFont(name + ".ttf")
    s = subset.Subsetter(opts)
    s.populate(unicodes=CP1252)
    s.subset(font)
    font.save(name + "-WinAnsi.ttf")
