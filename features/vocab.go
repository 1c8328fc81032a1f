package features

import "strings"

// Sentence is one Gherkin sentence an author may write in a scenario: the
// pattern lab matches it with, an example, and the failure codes its check
// can give (see FailureCodes).
type Sentence struct {
	Pattern string   `json:"pattern"`
	Example string   `json:"example"`
	Codes   []string `json:"codes"`
}

// Vocabulary lists every sentence lab knows, in the order lab matches
// them, the way godog --definitions does, with examples and codes.
func Vocabulary() []Sentence {
	var out []Sentence
	for _, d := range (&world{}).definitions() {
		out = append(out, Sentence{
			Pattern: strings.TrimSuffix(strings.TrimPrefix(d.Expr, "^"), "$"),
			Example: d.Example,
			Codes:   d.Codes,
		})
	}
	return out
}
