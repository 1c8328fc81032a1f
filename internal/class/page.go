package class

import (
	"html/template"
	"strings"
	"sync"
)

// pageData is the live page or its exported copy (Live false: no script).
type pageData struct {
	Grid *Grid
	Live bool
	Host string // the address the page was asked for, for the join command
}

// pages are the class server's HTML templates, parsed on first use so that
// every other lab command starts without paying for them.
var pages = sync.OnceValue(parsePages)

func parsePages() *template.Template {
	return template.Must(template.New("pages").Funcs(template.FuncMap{
		"round": Round,
		"join":  strings.Join,
	}).Parse(`
{{define "index"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>lab classes</title>{{template "style"}}</head>
<body><h1>Classes</h1>
{{if not .}}<p>No class yet: run <code>lab class create NAME</code> or <code>lab class serve --class NAME</code>.</p>{{end}}
<ul>{{range .}}<li><a href="/classes/{{.ID}}">{{.Name}}</a> — join code <code>{{.Code}}</code></li>{{end}}</ul>
</body></html>
{{end}}

{{define "style"}}<style>
body{font-family:system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:.3rem .5rem;font-size:.9rem;text-align:left;vertical-align:top}
td.passed{background:#d8f5d8}
td.failed{background:#fde2e2}
td.current{background:#fff6cc}
td.stuck{background:#f8b4b4;font-weight:bold}
td.notready{color:#a00}
td.verified{outline:2px solid #1a4fa0;outline-offset:-3px}
.mark{color:#1a4fa0;font-weight:bold}
.muted{color:#777;font-size:.8rem}
</style>{{end}}

{{define "page"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Grid.Class.Name}} — lab class</title>{{template "style"}}</head>
<body>
<h1>{{.Grid.Class.Name}}</h1>
<p>Join with: <code>lab join {{if .Host}}http://{{.Host}}{{else}}URL{{end}} --code {{.Grid.Class.Code}} --name "Your Name"</code>.

{{if .Live}}<a href="/classes/{{.Grid.Class.ID}}/export.csv">CSV</a> · <a href="/classes/{{.Grid.Class.ID}}/export.html">HTML</a>{{end}}</p>
<p id="legend">Results are self-reported by each learner's lab, except cells marked <span class="mark">✔</span>: those are verified by the instructor, who ran the checks themselves (<code>lab class verify</code>), and they win over what the learner's lab reported for that step.</p>
<div id="grid">{{template "grid" .Grid}}</div>
{{if .Live}}<script>
new EventSource(location.pathname.replace(/\/$/, "") + "/events").addEventListener("grid", function (e) {
  document.getElementById("grid").innerHTML = e.data;
});
</script>{{end}}
</body></html>
{{end}}

{{define "grid"}}<p id="summary" data-learners="{{len .Rows}}" data-stuck="{{.Stuck}}" data-notready="{{.NotReady}}">{{len .Rows}} learner(s), {{.Stuck}} stuck, {{.NotReady}} not ready for every lesson. <span class="muted">as of {{.At.UTC.Format "15:04:05"}} UTC</span></p>
<table id="class-grid">
<thead><tr><th>learner</th>{{range .Steps}}<th data-step="{{.Key}}">{{.Key}}</th>{{end}}<th>readiness</th></tr></thead>
<tbody>
{{range .Rows}}<tr data-learner="{{.Learner.Name}}"><th>{{.Learner.Name}}</th>{{range .Cells}}{{if .Verified}}<td class="{{.State}} verified" data-state="{{.State}}" data-verified="yes" title="verified by the instructor: {{.State}}{{with .Last}}; last failure: {{.}}{{end}}"><span class="mark">✔</span> {{.State}}</td>{{else}}<td class="{{.State}}" data-state="{{.State}}" title="self-reported, {{.Attempts}} attempt(s){{with round .Spent}}, {{.}} spent{{end}}{{with .Last}}; last failure: {{.}}{{end}}">{{.Label}}{{with round .Spent}} <span class="muted">{{.}}</span>{{end}}</td>{{end}}{{end}}{{if .Ready}}<td class="ready" data-ready="yes">ready</td>{{else}}<td class="notready" data-ready="no">{{join .Problems "; "}}</td>{{end}}</tr>
{{end}}</tbody>
<tfoot>
<tr><th>passed</th>{{range .Steps}}<td>{{.Passed}}</td>{{end}}<td></td></tr>
<tr><th>median time</th>{{range .Steps}}<td>{{round .Median}}</td>{{end}}<td></td></tr>
<tr><th>most common failure</th>{{range .Steps}}<td data-top="{{.TopFailure}}">{{if .TopCount}}{{.TopFailure}} <span class="muted">×{{.TopCount}}</span>{{end}}</td>{{end}}<td></td></tr>
</tfoot>
</table>
{{end}}
`))
}
