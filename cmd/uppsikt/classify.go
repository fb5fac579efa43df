package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/uppsikt/uppsikt/moderation"
	"github.com/uppsikt/uppsikt/rules"
)

// classifyInput is one line of "uppsikt classify" input.
type classifyInput struct {
	ID   json.RawMessage `json:"id"`
	Text *string         `json:"text"`
	Lang string          `json:"lang"`
}

// classifyOutput is one line of its output: the measuring contract.
type classifyOutput struct {
	ID         json.RawMessage  `json:"id"`
	Categories []string         `json:"categories"`
	Question   bool             `json:"question"`
	Register   bool             `json:"register"`
	Lang       string           `json:"lang,omitempty"`
	Hits       []moderation.Hit `json:"hits"`
	// Model is the learned model's opinion (scores per category and
	// signal, with the features behind those over their thresholds).
	Model *moderation.ModelOpinion `json:"model,omitempty"`
}

// maxClassifyLine bounds one input line (a comment of several megabytes is
// still accepted).
const maxClassifyLine = 16 << 20

// runClassify reads JSON Lines {"id","text","lang"} on stdin and writes one
// verdict line per input. Bad lines are reported on stderr with their line
// number and skipped.
func runClassify(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "classify", "[-packs DIR] [-model on|shadow|off] [-today YYYY-MM-DD] < comments.jsonl")
	dir := fs.String("packs", "", "a folder of extra rule packs, used with the embedded ones")
	mode := fs.String("model", moderation.ModelOn, "the learned model: on (its categories join the rules'), shadow (scores only) or off")
	today := fs.String("today", "", "reference date for identity numbers (default: today)")
	if err := parseFlags(fs, args, false); err != nil {
		return err
	}
	ref := time.Now()
	if *today != "" {
		t, err := time.Parse(time.DateOnly, *today)
		if err != nil {
			return fmt.Errorf("%w: -today: %w", errUsage, err)
		}
		ref = t
	}
	opts := rules.Options{Today: ref, Dir: *dir, ModelMode: *mode}
	switch *mode {
	case moderation.ModelOn, moderation.ModelShadow:
		m, err := rules.DefaultModel()
		if err != nil {
			return err
		}
		opts.Model = m
	case moderation.ModelOff:
	default:
		return fmt.Errorf("%w: -model %q: on, shadow or off", errUsage, *mode)
	}
	eng, err := rules.LoadDefault(opts)
	if err != nil {
		return fmt.Errorf("loading rule packs: %w", err)
	}
	in := bufio.NewReaderSize(env.stdin, 64<<10)
	out := bufio.NewWriter(env.stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	line, bad := 0, 0
	var buf []byte
	for {
		var rerr error
		buf, rerr = readLine(in, buf[:0], maxClassifyLine)
		if rerr == io.EOF && len(buf) == 0 {
			break
		}
		line++
		if line%1024 == 0 && ctx.Err() != nil {
			break
		}
		switch {
		case errors.Is(rerr, errLineTooLong):
			bad++
			fmt.Fprintf(env.stderr, "uppsikt classify: line %d: longer than %d bytes\n", line, maxClassifyLine)
			continue
		case rerr != nil && rerr != io.EOF:
			_ = out.Flush()
			return fmt.Errorf("reading line %d: %w", line, rerr)
		}
		if len(trimSpace(buf)) == 0 {
			continue
		}
		var in classifyInput
		if err := json.Unmarshal(buf, &in); err != nil {
			bad++
			fmt.Fprintf(env.stderr, "uppsikt classify: line %d: %v\n", line, err)
			continue
		}
		if in.Text == nil || len(in.ID) == 0 {
			bad++
			fmt.Fprintf(env.stderr, "uppsikt classify: line %d: needs \"id\" and \"text\"\n", line)
			continue
		}
		v := eng.Classify(*in.Text, in.Lang)
		if err := enc.Encode(classifyOutput{ID: in.ID, Categories: v.Categories, Question: v.Question, Register: v.Register, Lang: v.Language, Hits: v.Hits, Model: v.Model}); err != nil {
			return fmt.Errorf("writing verdicts: %w", err)
		}
		if rerr == io.EOF {
			break
		}
	}
	if err := out.Flush(); err != nil {
		return fmt.Errorf("writing verdicts: %w", err)
	}
	if bad > 0 {
		fmt.Fprintf(env.stderr, "uppsikt classify: %d bad line(s) skipped\n", bad)
	}
	return ctx.Err()
}

var errLineTooLong = errors.New("line too long")

// readLine appends one line of r (without its newline) to buf. A line longer
// than limit is read to its end and dropped with errLineTooLong, so that one
// huge line does not stop the rest.
func readLine(r *bufio.Reader, buf []byte, limit int) ([]byte, error) {
	tooLong := false
	for {
		chunk, err := r.ReadSlice('\n')
		if !tooLong {
			if len(buf)+len(chunk) > limit+1 {
				tooLong, buf = true, buf[:0]
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue
		case err != nil:
			if tooLong {
				return buf, errLineTooLong
			}
			return buf, err
		}
		if tooLong {
			return buf[:0], errLineTooLong
		}
		return buf[:len(buf)-1], nil
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
