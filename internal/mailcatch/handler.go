package mailcatch

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"slices"
	"strings"
)

// inboxTemplate uses html/template so mail content, which the application
// under development controls, cannot inject script into the dev inbox.
var inboxTemplate = template.Must(template.New("inbox").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Mail inbox ({{len .Messages}})</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; max-width: 60rem; }
article { border: 1px solid #ccc; border-radius: 6px; padding: 1rem; margin-bottom: 1rem; }
h2 { font-size: 1.1rem; margin: 0 0 .5rem; }
dl { display: grid; grid-template-columns: max-content auto; gap: .2rem 1rem; margin: 0 0 .5rem; }
dt { color: #666; }
dd { margin: 0; }
pre { white-space: pre-wrap; word-break: break-word; background: #f6f6f6; padding: .5rem; }
</style>
</head>
<body>
<h1>Mail inbox</h1>
<p>{{len .Messages}} message(s), newest first. <a href="{{.JSONPath}}">JSON</a></p>
{{range .Messages}}
<article id="msg-{{.ID}}">
<h2>{{if .Subject}}{{.Subject}}{{else}}(no subject){{end}}</h2>
<dl>
<dt>To</dt><dd>{{range $i, $to := .To}}{{if $i}}, {{end}}{{$to}}{{end}}</dd>
<dt>From</dt><dd>{{.From}}</dd>
<dt>Received</dt><dd><time datetime="{{.ReceivedAt.Format "2006-01-02T15:04:05Z07:00"}}">{{.ReceivedAt.Format "2006-01-02 15:04:05 UTC"}}</time></dd>
</dl>
{{if .Links}}<ul class="links">{{range .Links}}
<li><a href="{{.}}">{{.}}</a></li>{{end}}
</ul>{{end}}
{{if .Text}}<pre>{{.Text}}</pre>{{end}}
{{if .HTML}}<details><summary>HTML source</summary><pre>{{.HTML}}</pre></details>{{end}}
</article>
{{else}}
<p>No mail yet.</p>
{{end}}
</body>
</html>
`))

// Handler serves the inbox at GET prefix as an HTML page (newest first) for
// developers, and at GET prefix+".json" as []Message (oldest first) for
// scripts. It matches these exact paths itself, rather than relying on the
// mux, so it can be mounted with one or two mux entries without StripPrefix.
func (s *Server) Handler(prefix string) http.Handler {
	prefix = "/" + strings.Trim(prefix, "/")
	jsonPath := prefix + ".json"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		switch r.URL.Path {
		case jsonPath:
			s.serveJSON(w)
		case prefix, prefix + "/":
			s.serveHTML(w, jsonPath)
		default:
			http.NotFound(w, r)
		}
	})
}

func (s *Server) serveJSON(w http.ResponseWriter) {
	body, err := json.Marshal(s.Messages()) // never nil, so an empty inbox is [] not null
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(body, '\n'))
}

func (s *Server) serveHTML(w http.ResponseWriter, jsonPath string) {
	msgs := s.Messages()
	slices.Reverse(msgs)
	// Render to a buffer so a template error yields a clean 500, not half a page.
	var buf bytes.Buffer
	err := inboxTemplate.Execute(&buf, struct {
		Messages []Message
		JSONPath string
	}{msgs, jsonPath})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(buf.Bytes())
}
