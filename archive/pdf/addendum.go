package pdf

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/uppsikt/uppsikt/moderation"
)

// Addendum is what a decision addendum shows: the decision on a review
// case about a comment, filed under the case's register number, and the
// SHA-256 of the evidence PDF it completes (and of the comment's previous
// addendum), so that the records chain: evidence PDF → addendum → the
// next addendum.
type Addendum struct {
	Language       string // sv, da or en: the municipality's; sv when empty or unknown
	Municipality   string
	RegisterNumber string
	AccountName    string
	AccountKey     string
	Platform       moderation.Platform
	CommentID      string // the platform's id of the comment
	PermalinkURL   string
	CaseID         int64
	Version        int      // the comment version the case is about
	Categories     []string // the case's categories, in words of Language
	// Decision is the decision that settled the case; Earlier are the
	// case's decisions before it (an escalation, the first approval of a
	// removal by two reviewers, an approval reopened because the platform
	// refused the removal), oldest first.
	Decision moderation.Decision
	Earlier  []moderation.Decision
	// EvidenceSHA256 is the evidence PDF of the comment the addendum
	// completes, made at EvidenceAt and showing the comment up to version
	// EvidenceVersion.
	EvidenceSHA256  string
	EvidenceVersion int
	EvidenceAt      time.Time
	// PreviousSHA256 is the comment's previous decision addendum (of an
	// earlier case), "" when there is none.
	PreviousSHA256 string
	MadeAt         time.Time
	Location       *time.Location // the municipality's time zone; nil for UTC only
}

// AddendumJSONName is the name of the decision record attached to the
// addendum.
const AddendumJSONName = "decision.json"

// addendumLabels are the fixed texts of an addendum in one language.
type addendumLabels struct {
	title, intro, municipality, register, account, comment, permalink, caseID, version    string
	decisionHeading, decision, by, at, reason, categories, earlier                        string
	chainHeading, evidence, evidenceShows, evidenceAt, previous, none, made, footer, page string
	firstApproval                                                                         string // an earlier removal approval: the first of two reviewers'
	kinds, surfaces                                                                       map[string]string
}

var addendumTexts = map[string]addendumLabels{
	"sv": {
		title:        "Beslut i granskningsärende",
		intro:        "Bilaga till bevisunderlaget för kommentaren: beslutet i granskningen och diarienumret. Bevis-PDF:en och bilagan hör ihop genom kontrollsumman nedan.",
		municipality: "Kommun", register: "Diarienummer", account: "Konto", comment: "Kommentar-id", permalink: "Permalänk",
		caseID: "Ärende i uppsikt", version: "Granskad version",
		decisionHeading: "Beslut", decision: "Beslut", by: "Beslutat av", at: "Tidpunkt", reason: "Motivering",
		categories: "Kategorier", earlier: "Tidigare steg",
		chainHeading: "Handlingar som bilagan hör till", evidence: "Bevis-PDF som bilagan kompletterar (SHA-256)",
		evidenceShows: "Bevis-PDF:en visar", evidenceAt: "Bevis-PDF:en upprättad", previous: "Föregående beslutsbilaga för kommentaren (SHA-256)", none: "ingen",
		made: "Upprättad", footer: "uppsikt – beslutsbilaga", page: "Sida %d av {nb}",
		firstApproval: "Första godkännandet av borttagningen (två granskare)",
		kinds: map[string]string{
			moderation.DecideRemove: "Borttagning godkänd", moderation.DecideKeep: "Kommentaren behålls",
			moderation.DecideRegister: "Endast diarieföring", moderation.DecideEscalate: "Eskalerat till en administratör",
			moderation.DecideReopen: "Återöppnat: plattformen vägrade borttagningen",
		},
		surfaces: map[string]string{"web": "uppsikts webbsida", "slack": "Slack", "cli": "kommandoraden", "platform": "plattformen"},
	},
	"da": {
		title:        "Afgørelse i moderationssag",
		intro:        "Bilag til bevismaterialet for kommentaren: afgørelsen og journalnummeret. Bevis-PDF'en og bilaget hører sammen gennem kontrolsummen nedenfor.",
		municipality: "Kommune", register: "Journalnummer", account: "Konto", comment: "Kommentar-id", permalink: "Permalink",
		caseID: "Sag i uppsikt", version: "Gennemgået version",
		decisionHeading: "Afgørelse", decision: "Afgørelse", by: "Truffet af", at: "Tidspunkt", reason: "Begrundelse",
		categories: "Kategorier", earlier: "Tidligere trin",
		chainHeading: "Dokumenter, som bilaget hører til", evidence: "Bevis-PDF, som bilaget supplerer (SHA-256)",
		evidenceShows: "Bevis-PDF'en viser", evidenceAt: "Bevis-PDF'en udarbejdet", previous: "Forrige afgørelsesbilag for kommentaren (SHA-256)", none: "ingen",
		made: "Udarbejdet", footer: "uppsikt – afgørelsesbilag", page: "Side %d af {nb}",
		firstApproval: "Første godkendelse af sletningen (to moderatorer)",
		kinds: map[string]string{
			moderation.DecideRemove: "Sletning godkendt", moderation.DecideKeep: "Kommentaren bevares",
			moderation.DecideRegister: "Kun journalisering", moderation.DecideEscalate: "Eskaleret til en administrator",
			moderation.DecideReopen: "Genåbnet: platformen afviste sletningen",
		},
		surfaces: map[string]string{"web": "uppsikts webside", "slack": "Slack", "cli": "kommandolinjen", "platform": "platformen"},
	},
	"en": {
		title:        "Decision on a review case",
		intro:        "Addendum to the evidence of the comment: the review decision and the register number. The evidence PDF and this addendum belong together through the checksum below.",
		municipality: "Municipality", register: "Register number", account: "Account", comment: "Comment id", permalink: "Permalink",
		caseID: "Case in uppsikt", version: "Version reviewed",
		decisionHeading: "Decision", decision: "Decision", by: "Decided by", at: "Time", reason: "Reason",
		categories: "Categories", earlier: "Earlier steps",
		chainHeading: "Records the addendum belongs to", evidence: "Evidence PDF this addendum completes (SHA-256)",
		evidenceShows: "The evidence PDF shows", evidenceAt: "Evidence PDF made", previous: "Previous decision addendum of the comment (SHA-256)", none: "none",
		made: "Made", footer: "uppsikt – decision addendum", page: "Page %d of {nb}",
		firstApproval: "First approval of the removal (two reviewers)",
		kinds: map[string]string{
			moderation.DecideRemove: "Removal approved", moderation.DecideKeep: "Comment kept",
			moderation.DecideRegister: "Registered only", moderation.DecideEscalate: "Escalated to an administrator",
			moderation.DecideReopen: "Reopened: the platform refused the removal",
		},
		surfaces: map[string]string{"web": "uppsikt's web page", "slack": "Slack", "cli": "the command line", "platform": "the platform"},
	},
}

func labelsFor(lang string) addendumLabels {
	if l, ok := addendumTexts[lang]; ok {
		return l
	}
	return addendumTexts["sv"]
}

// DecisionKind is a decision kind in words of lang (sv, da, en; sv when
// unknown), the code itself when the kind is unknown.
func DecisionKind(lang, kind string) string {
	if w := labelsFor(lang).kinds[kind]; w != "" {
		return w
	}
	return kind
}

// AddendumTitle returns the document title of a decision addendum.
func AddendumTitle(a Addendum) string {
	l := labelsFor(a.Language)
	return Clean(joinNonEmpty(" – ", a.RegisterNumber, l.title, a.CommentID))
}

// LayoutAddendum draws the decision addendum with fpdf in the embedded
// DejaVu fonts, before the conversion to PDF/A.
func LayoutAddendum(a Addendum) ([]byte, error) {
	l := labelsFor(a.Language)
	loc := a.Location
	if loc == nil {
		loc = time.UTC
	}
	when := func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		s := t.UTC().Format("2006-01-02 15:04:05") + " UTC"
		if loc != time.UTC {
			s += " / " + t.In(loc).Format("2006-01-02 15:04:05 MST") + " (" + loc.String() + ")"
		}
		return s
	}
	f := fpdf.New("P", "mm", "A4", "")
	AddFonts(f)
	f.SetMargins(marginMM, marginMM, marginMM)
	f.SetAutoPageBreak(true, marginMM+5)
	f.AliasNbPages("{nb}")
	f.SetTitle(ASCII(AddendumTitle(a)), false)
	f.SetCreator("uppsikt", false)
	f.SetProducer("uppsikt (fpdf)", false)
	if !a.MadeAt.IsZero() {
		f.SetCreationDate(a.MadeAt)
		f.SetModificationDate(a.MadeAt)
	}
	f.SetFooterFunc(func() {
		f.SetY(-marginMM)
		f.SetFont(FontFamily, "", 8)
		f.SetTextColor(90, 90, 90)
		f.CellFormat(0, 5, Clean(joinNonEmpty(" – ", a.RegisterNumber, l.footer)), "", 0, "L", false, 0, "")
		f.SetX(marginMM)
		f.CellFormat(0, 5, fmt.Sprintf(l.page, f.PageNo()), "", 0, "R", false, 0, "")
		f.SetTextColor(0, 0, 0)
	})
	heading := func(s string, size float64) {
		f.SetFont(FontFamily, "B", size)
		f.MultiCell(0, size*0.55, Clean(s), "", "L", false)
		f.Ln(1)
	}
	row := func(label, value string) { Row(f, Clean(label), Clean(value)) }
	decider := func(d moderation.Decision) string {
		s := d.By
		if w := l.surfaces[d.Surface]; w != "" {
			s += " (" + w + ")"
		}
		return s
	}

	f.AddPage()
	heading(l.title, 17)
	f.SetFont(FontFamily, "", 10)
	f.MultiCell(0, 5, Clean(l.intro), "", "L", false)
	f.Ln(4)
	row(l.register, a.RegisterNumber)
	row(l.municipality, a.Municipality)
	row(l.account, joinNonEmpty(" ", a.AccountName, paren(a.AccountKey), paren(string(a.Platform))))
	row(l.comment, a.CommentID)
	row(l.permalink, a.PermalinkURL)
	row(l.caseID, strconv.FormatInt(a.CaseID, 10))
	if a.Version > 0 {
		row(l.version, strconv.Itoa(a.Version))
	}

	f.Ln(4)
	heading(l.decisionHeading, 13)
	row(l.decision, DecisionKind(a.Language, a.Decision.Kind))
	row(l.by, decider(a.Decision))
	row(l.at, when(a.Decision.At))
	row(l.reason, a.Decision.Reason)
	row(l.categories, strings.Join(a.Categories, ", "))
	for i, d := range a.Earlier {
		kind := DecisionKind(a.Language, d.Kind)
		next := a.Decision
		if i+1 < len(a.Earlier) {
			next = a.Earlier[i+1]
		}
		if d.Kind == moderation.DecideRemove && next.Kind == moderation.DecideRemove {
			kind = l.firstApproval // the first of two reviewers
		}
		row(l.earlier, joinNonEmpty(" – ", kind, decider(d), when(d.At), d.Reason))
	}

	f.Ln(4)
	heading(l.chainHeading, 13)
	row(l.evidence, a.EvidenceSHA256)
	if a.EvidenceVersion > 0 {
		row(l.evidenceShows, "version "+strconv.Itoa(a.EvidenceVersion)) // the same word in sv, da and en
	}
	row(l.evidenceAt, when(a.EvidenceAt))
	prev := a.PreviousSHA256
	if prev == "" {
		prev = l.none
	}
	row(l.previous, prev)
	row(l.made, when(a.MadeAt))

	if err := f.Error(); err != nil {
		return nil, fmt.Errorf("pdf: addendum layout: %w", err)
	}
	var buf bytes.Buffer
	if err := f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: addendum layout: %w", err)
	}
	return buf.Bytes(), nil
}

// addendumRecord is the decision addendum as data, attached to the PDF.
type addendumRecord struct {
	RegisterNumber  string                `json:"register_number"`
	Municipality    string                `json:"municipality"`
	Account         string                `json:"account"`
	Platform        string                `json:"platform"`
	CommentID       string                `json:"comment_id"`
	Permalink       string                `json:"permalink"`
	CaseID          int64                 `json:"case_id"`
	Version         int                   `json:"version"`
	Categories      []string              `json:"categories"`
	Decision        moderation.Decision   `json:"decision"`
	Earlier         []moderation.Decision `json:"earlier_decisions,omitempty"`
	EvidenceSHA256  string                `json:"evidence_sha256"`
	EvidenceVersion int                   `json:"evidence_version"`
	PreviousSHA256  string                `json:"previous_addendum_sha256,omitempty"`
	MadeAt          time.Time             `json:"made_at"`
}

// RenderAddendum lays out the decision addendum and converts it to
// PDF/A-3b with the decision as JSON attached (AddendumJSONName).
func RenderAddendum(ctx context.Context, a Addendum, opts Options) ([]byte, error) {
	draft, err := LayoutAddendum(a)
	if err != nil {
		return nil, err
	}
	rec, err := json.MarshalIndent(addendumRecord{
		RegisterNumber: a.RegisterNumber, Municipality: a.Municipality, Account: a.AccountKey, Platform: string(a.Platform),
		CommentID: a.CommentID, Permalink: a.PermalinkURL, CaseID: a.CaseID, Version: a.Version, Categories: a.Categories,
		Decision: a.Decision, Earlier: a.Earlier, EvidenceSHA256: a.EvidenceSHA256, EvidenceVersion: a.EvidenceVersion,
		PreviousSHA256: a.PreviousSHA256, MadeAt: a.MadeAt.UTC(),
	}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("pdf: addendum record: %w", err)
	}
	mod := a.MadeAt
	if mod.IsZero() {
		mod = time.Now()
	}
	att := Attachment{Name: AddendumJSONName, MIME: "application/json", Description: "The review decision as data",
		Relationship: "Data", Data: rec, ModTime: mod}
	meta := Metadata{Title: AddendumTitle(a), Subject: labelsFor(a.Language).title, Author: "uppsikt"}
	return ConvertPDFA3(ctx, draft, meta, []Attachment{att}, opts)
}
