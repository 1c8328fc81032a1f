package grade

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/lab-workshop/lab/internal/receipt"
)

// HTML writes the class as one self-contained page: inline CSS, no script,
// nothing loaded from anywhere (its Content-Security-Policy forbids it), so
// it can be mailed, archived or opened offline. Every status is a symbol as
// well as a colour, for readers who do not tell red from green.
func HTML(w io.Writer, c *Class) error {
	type cell struct {
		Class, Symbol, Title string
	}
	type row struct {
		Name, File, Time, Flag string
		Cells                  []cell
		Passed                 int
		Rate                   string
	}
	type failure struct {
		Step, Title, Status string
		Text                string
	}
	type student struct {
		Name     string
		Failures []failure
	}
	data := struct {
		Course, Version, Summary, Generated string
		Columns                             []Column
		Rates                               []string
		Overall                             string
		Total                               int
		Rows                                []row
		Failures                            []student
		Rejected                            []Rejection
		Superseded                          []Superseded
		Signed                              bool
		Mistakes                            bool
	}{
		Course: c.Course.ID, Version: short(c.Course.Hash), Summary: c.summary(),
		Generated: time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		Columns:   c.Columns, Overall: percent(c.Overall()), Total: c.Total(),
		Rejected: c.Rejected, Superseded: c.Superseded, Signed: c.Signed, Mistakes: c.Mistakes(),
	}
	for i := range c.Columns {
		data.Rates = append(data.Rates, percent(c.Rate(i)))
	}
	for _, s := range c.Students {
		r := row{Name: s.Name, File: s.File, Time: s.Receipt.Time.UTC().Format("2006-01-02 15:04"), Flag: s.Flag, Passed: s.Passed}
		if c.Total() > 0 {
			r.Rate = percent(float64(s.Passed) / float64(c.Total()))
		}
		var fails []failure
		for i, cl := range s.Cells {
			col := c.Columns[i]
			title := col.Key + ": " + word(cl.Status)
			if cl.Reason != "" {
				title += " (" + cl.Reason + ")"
			}
			if len(cl.Failures) > 0 {
				first, _, _ := strings.Cut(cl.Failures[0], "\n")
				title += " — " + first
			}
			status := cl.Status
			if status == "" {
				status = "unchecked"
			}
			r.Cells = append(r.Cells, cell{Class: status, Symbol: symbol(cl.Status), Title: title})
			if cl.Status == receipt.StatusFailed || cl.Status == receipt.StatusError {
				text := strings.Join(cl.Failures, "\n")
				if text == "" {
					text = cl.Reason
				}
				fails = append(fails, failure{Step: col.Label + " " + col.Key, Title: col.Title, Status: word(cl.Status), Text: text})
			}
		}
		data.Rows = append(data.Rows, r)
		if len(fails) > 0 {
			data.Failures = append(data.Failures, student{Name: s.Name, Failures: fails})
		}
	}
	if err := page.Execute(w, data); err != nil {
		return fmt.Errorf("writing HTML: %w", err)
	}
	return nil
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}

var page = template.Must(template.New("class").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Class results: {{.Course}}</title>
<style>
:root { color-scheme: light; --pass: #0b6b2b; --pass-bg: #dcf3e3; --fail: #a3160c; --fail-bg: #fbe1de;
  --err: #7a4a00; --err-bg: #fdefc6; --skip: #4b5563; --skip-bg: #eceff3; --line: #d5d9e0; }
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1d232b; background: #fff; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; }
p.meta { margin: 0 0 1rem; color: #4b5563; }
code { font: .9em ui-monospace, "DejaVu Sans Mono", monospace; }
.legend { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: .35rem; }
.wrap { overflow: auto; width: fit-content; max-width: 100%; max-height: 75vh; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: separate; border-spacing: 0; }
th, td { padding: .35rem .5rem; border-bottom: 1px solid var(--line); text-align: center; white-space: nowrap; }
thead th { position: sticky; top: 0; z-index: 2; background: #f3f5f8; border-bottom: 2px solid #9aa3b0; vertical-align: bottom; font-weight: 600; }
thead th .step { display: block; writing-mode: vertical-rl; transform: rotate(180deg); margin: 0 auto .25rem; font-weight: 400; font-size: .8rem; color: #4b5563; max-height: 11rem; overflow: hidden; text-overflow: ellipsis; }
th.name { position: sticky; left: 0; z-index: 1; background: #fff; text-align: left; font-weight: 600; min-width: 10rem; border-right: 1px solid var(--line); }
thead th.name { z-index: 3; background: #f3f5f8; }
tfoot th, tfoot td { position: sticky; bottom: 0; background: #f3f5f8; border-top: 2px solid #9aa3b0; font-weight: 600; }
tfoot th.name { z-index: 3; }
tbody tr:hover th, tbody tr:hover td.total { background: #f7f9fc; }
td.st { min-width: 2.2rem; font-weight: 700; font-size: 1.05rem; }
.passed { color: var(--pass); background: var(--pass-bg); }
.failed { color: var(--fail); background: var(--fail-bg); }
.error { color: var(--err); background: var(--err-bg); }
.skipped { color: var(--skip); background: var(--skip-bg); }
.unchecked { color: #8a93a0; }
.legend .sym { display: inline-block; width: 1.6rem; text-align: center; border-radius: 4px; font-weight: 700; }
td.total { text-align: right; font-variant-numeric: tabular-nums; }
td.total small { color: #4b5563; }
.flag { color: var(--err); font-weight: 700; }
.extra { font-style: italic; }
ol.steps { columns: 2 22rem; padding-left: 0; list-style: none; }
ol.steps li { margin: .1rem 0; }
ul.notes li { margin: .25rem 0; }
details { margin: .35rem 0; border: 1px solid var(--line); border-radius: 6px; padding: .35rem .75rem; }
summary { cursor: pointer; font-weight: 600; }
pre { white-space: pre-wrap; margin: .25rem 0 .75rem; padding: .5rem; background: #f6f7f9; border-radius: 4px; font: .85rem/1.4 ui-monospace, "DejaVu Sans Mono", monospace; }
@media print { .wrap { max-height: none; overflow: visible; } }
</style>
</head>
<body>
<header>
<h1>Class results: {{.Course}}</h1>
<p class="meta">{{.Summary}}. Generated {{.Generated}} by <code>lab grade</code>.</p>
</header>
<ul class="legend" aria-label="legend">
<li><span class="sym passed">✓</span> passed</li>
<li><span class="sym failed">✗</span> failed</li>
<li><span class="sym error">!</span> could not run</li>
<li><span class="sym skipped">-</span> skipped</li>
<li><span class="sym unchecked">·</span> not checked</li>
<li><span class="flag">⚠</span> receipt for another course version</li>
</ul>
<div class="wrap">
<table id="matrix">
<caption hidden>Students by steps</caption>
<thead><tr><th class="name" scope="col">Student</th>
{{- range .Columns}}<th scope="col" title="{{.Key}}{{if .Title}}: {{.Title}}{{end}}"{{if .Extra}} class="extra"{{end}}><span class="step">{{.Key}}</span>{{.Label}}</th>{{end -}}
<th scope="col">Total</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr><th class="name" scope="row" title="{{.File}}, {{.Time}}">{{.Name}}{{if .Flag}} <span class="flag" title="{{.Flag}}">⚠</span>{{end}}</th>
{{- range .Cells}}<td class="st {{.Class}}" title="{{.Title}}">{{.Symbol}}</td>{{end -}}
<td class="total">{{.Passed}}/{{$.Total}} <small>{{.Rate}}</small></td></tr>
{{- end}}
</tbody>
<tfoot><tr><th class="name" scope="row">Pass rate</th>{{range .Rates}}<td>{{.}}</td>{{end}}<td class="total">{{.Overall}}</td></tr></tfoot>
</table>
</div>

<h2>Steps</h2>
<ol class="steps">
{{- range .Columns}}
<li><code>{{.Label}}</code> {{.Key}}{{if .Title}} — {{.Title}}{{end}}{{if .Extra}} <em>(not in this course: from a receipt for another version)</em>{{end}}</li>
{{- end}}
</ol>

{{- if .Mistakes}}
<h2>Typical mistakes</h2>
<table id="mistakes">
<thead><tr><th scope="col">Step</th><th scope="col">Failure code</th><th scope="col">Students</th></tr></thead>
<tbody>
{{- range .Columns}}{{$col := .}}{{range .Mistakes}}
<tr><th scope="row"><code>{{$col.Label}}</code> {{$col.Key}}</th><td><code>{{.Code}}</code></td><td>{{.Students}}</td></tr>
{{- end}}{{end}}
</tbody>
</table>
{{- end}}

{{- if or .Rejected .Superseded}}
<h2>Receipts not graded</h2>
<ul class="notes" id="rejected">
{{- range .Rejected}}
<li><strong>{{.File}}</strong>{{if .Student}} ({{.Student}}){{end}}: rejected — {{.Reason}}</li>
{{- end}}
{{- range .Superseded}}
<li>{{.File}} ({{.Student}}): replaced by the newer {{.By}}</li>
{{- end}}
</ul>
{{- end}}

{{- range .Rows}}{{if .Flag}}
<p class="notes"><span class="flag">⚠</span> <strong>{{.Name}}</strong> ({{.File}}): {{.Flag}}</p>
{{- end}}{{end}}

{{- if .Failures}}
<h2>What failed</h2>
{{- range .Failures}}
<details><summary>{{.Name}} — {{len .Failures}} step(s)</summary>
{{- range .Failures}}
<p><code>{{.Step}}</code>{{if .Title}} {{.Title}}{{end}}: {{.Status}}</p>
<pre>{{.Text}}</pre>
{{- end}}
</details>
{{- end}}
{{- end}}
</body>
</html>
`))
