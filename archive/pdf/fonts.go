package pdf

import _ "embed"

// DejaVu Sans, regular and bold; licence in fonts/LICENSE-DejaVu.txt. The
// WinAnsi files are the same fonts cut down to the characters of
// Windows-1252 by fonts/subset-winansi.py, for NewWinAnsiCut.
var (
	//go:embed fonts/DejaVuSans.ttf
	dejaVuSans []byte
	//go:embed fonts/DejaVuSans-Bold.ttf
	dejaVuSansBold []byte
	//go:embed fonts/DejaVuSans-WinAnsi.ttf
	dejaVuSansWinAnsi []byte
	//go:embed fonts/DejaVuSans-Bold-WinAnsi.ttf
	dejaVuSansBoldWinAnsi []byte
)

// The symbol font: Symbola's emoji and symbols, moved into the Basic
// Multilingual Plane by fonts/subset-symbola.py; licence in
// fonts/LICENSE-Symbola.txt.
//
//go:embed fonts/Symbola-uppsikt.ttf
var symbolaUppsikt []byte
