package web

import (
	"bytes"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/webguard"
	"github.com/licensecentral/clc/models"
)

//go:embed pages/*.html
var pageFiles embed.FS

var (
	messagePage  = template.Must(template.ParseFS(pageFiles, "pages/layout.html", "pages/message.html"))
	devLoginPage = template.Must(template.ParseFS(pageFiles, "pages/layout.html", "pages/devlogin.html"))
)

// message is the data of the message page: what went wrong, and where to go on from there.
type message struct {
	Title    string
	Text     string
	LinkHref string
	LinkText string
}

// render writes a page. The sign-in pages are never cached and never sent on as a Referer (they carry
// a person's state); that they are never framed and run no script is webguard.Headers', which the
// server mounting these routes runs on every answer.
func render(c *gin.Context, log *slog.Logger, status int, page *template.Template, data any) {
	var buf bytes.Buffer
	if err := page.ExecuteTemplate(&buf, "layout", data); err != nil {
		log.ErrorContext(c.Request.Context(), "render page", "path", c.Request.URL.Path, "error", err)
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	webguard.Private(c.Writer.Header())
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
	c.Abort()
}

// fail answers a refusal as a page for a browser and as the API's error JSON for anything else.
func fail(c *gin.Context, log *slog.Logger, status int, e *models.Error) {
	if !wantsPage(c.Request) {
		c.AbortWithStatusJSON(status, gin.H{"error": e})
		return
	}
	m := message{Title: http.StatusText(status), Text: e.Message}
	if status == http.StatusUnauthorized || status == http.StatusBadRequest || status == http.StatusForbidden {
		m.LinkHref, m.LinkText = "/", "Back to License Central"
	}
	render(c, log, status, messagePage, m)
}

// localPath returns next when it is a path on this site, "/" otherwise, so the sign-in cannot be
// used to send someone signed in to another site (an open redirect). Browsers read "//host",
// "/\host" and paths with tabs or newlines in them as other hosts, so all of those are refused.
func localPath(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	for _, r := range next {
		if r == '\\' || r <= ' ' || r == 0x7f {
			return "/"
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return "/"
	}
	return next
}
