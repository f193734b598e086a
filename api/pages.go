package api

import (
	"embed"
	"html/template"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/webguard"
	"github.com/licensecentral/clc/models"
)

//go:embed pages/*.html
var pageFiles embed.FS

// pageTime is how pages show an instant.
const pageTime = "2 Jan 2006 15:04 UTC"

var pageFuncs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format(pageTime)
	},
	// address is what the addressFields part shows: an address, its fields named with the prefix.
	"address": func(prefix string, a models.Address) addressForm { return addressForm{Prefix: prefix, Address: a} },
}

// addressForm is an address in a form, its field names prefixed (headquarters.) where the form has more.
type addressForm struct {
	Prefix  string
	Address models.Address
}

func pageTemplate(name string) *template.Template {
	return template.Must(template.New(name).Funcs(pageFuncs).ParseFS(pageFiles, "pages/layout.html", "pages/order.html",
		"pages/picker.html", "pages/"+name+".html"))
}

var (
	taskPage       = pageTemplate("task")
	messagePage    = pageTemplate("message")
	acceptancePage = pageTemplate("acceptance")
	accessPage     = pageTemplate("access")
	delegationPage = pageTemplate("delegation")
	assignPage     = pageTemplate("assign")
	holdingPage    = pageTemplate("holding")
)

// choice is one submit button of a task form.
type choice struct {
	Value, Label, Class string
}

// taskView is what a task page shows of its task.
type taskView struct {
	Title, Ask                                  string
	Recipient, OrderID                          string
	AccountName, Domain, TLD, Visibility, Note  string
	RequesterName, RequesterEmail, Headquarters string
	RequestedAt, Deadline                       time.Time
	Choices                                     []choice
}

// pageData is what the layout and the message page show; the form pages add their own fields.
type pageData struct {
	Title     string
	Status    int
	Message   string
	Detail    string
	Bad       bool
	Task      *taskView
	FormError string
	Reason    string
}

// renderError answers a page that says why nothing happened; refusals that concern the person (a link
// not valid, not theirs) are marked as errors, a task that is simply over is said neutrally.
func (s *Server) renderError(c *gin.Context, err error, task *taskView) {
	status := StatusOf(err)
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "page failed", "path", c.FullPath(), "error", err)
	}
	title := map[int]string{http.StatusNotFound: "Link not valid", http.StatusGone: "Link no longer usable",
		http.StatusConflict: "Already decided", http.StatusForbidden: "Not yours to decide", http.StatusBadRequest: "Not understood",
		http.StatusServiceUnavailable: "Try again in a moment", http.StatusRequestEntityTooLarge: "Too much sent"}[status]
	if title == "" {
		title = "Something went wrong"
	}
	bad := status != http.StatusConflict && status != http.StatusGone
	s.renderMessage(c, status, pageData{Title: title, Message: asDomainError(err).Message, Bad: bad, Task: task})
}

func (s *Server) renderMessage(c *gin.Context, status int, d pageData) {
	d.Status = status
	s.writePage(c, status, messagePage, d)
}

// writePage answers an emailed link's page with the headers every such page needs.
func (s *Server) writePage(c *gin.Context, status int, t *template.Template, d any) {
	// The token is in the URL: keep it out of caches, search engines and the Referer of any link
	// followed. No framing, no script and no sniffing are webguard.Headers', on every answer.
	webguard.Private(c.Writer.Header())
	c.Header("X-Robots-Tag", "noindex")
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := t.ExecuteTemplate(c.Writer, "layout", d); err != nil {
		s.log.ErrorContext(c.Request.Context(), "render page", "error", err)
	}
}
