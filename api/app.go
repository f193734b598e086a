package api

import (
	"embed"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/api/web"
	"github.com/licensecentral/clc/internal/webguard"
)

// The portal (FEATURES X7): pages under /app for the people who today need curl, signed in with the
// browser session. Each page reads through the same functions as the JSON route it stands beside
// (inventoryQuery, loadOrder, orderView), so a page never shows what that route would refuse.

// appPageFuncs adds to the emailed pages' functions what the portal's pages need.
var appPageFuncs = template.FuncMap{
	"title": statusTitle,
	"deref": func(t *time.Time) time.Time {
		if t == nil {
			return time.Time{}
		}
		return *t
	},
}

// statusTitle is a status or an action as the pages show it: lower case, words apart.
func statusTitle(s string) string { return strings.ReplaceAll(strings.ToLower(s), "_", " ") }

//go:embed pages/app/*.html
var appFiles embed.FS

func appTemplate(name string) *template.Template {
	t := template.New(name).Funcs(pageFuncs).Funcs(appPageFuncs)
	t = template.Must(t.ParseFS(appFiles, "pages/app/layout.html", "pages/app/"+name+".html"))
	return template.Must(t.ParseFS(pageFiles, "pages/picker.html"))
}

var (
	appOrdersPage   = appTemplate("orders")
	appOrderPage    = appTemplate("order")
	appErrorPage    = appTemplate("error")
	appAssignPage   = appTemplate("assign")
	appAssignedPage = appTemplate("assigned")
)

// appPage is what every portal page's layout needs besides its own data.
type appPage struct {
	Title string
	Me    string
	CSRF  string
	Nav   string
}

func (s *Server) appPage(c *gin.Context, title, nav string) appPage {
	return appPage{Title: title, Me: identity(c).Email, CSRF: web.CSRFToken(c), Nav: nav}
}

// appRoutes mounts the portal; without a configured sign-in its pages answer 503 saying so.
func (s *Server) appRoutes(r *gin.Engine) {
	app := r.Group("/app", s.signedIn)
	for _, p := range s.portalPages() {
		app.Handle(p.method, p.path, p.answer)
	}
	for _, t := range accountTabs[1:] {
		app.GET("/smart-accounts/:id/"+t.Path, s.appAccount(t.Path))
	}
}

// portalPage is a page or form of the portal and the handler that answers it.
type portalPage struct {
	method, path string
	answer       gin.HandlerFunc
}

// portalPages lists the portal's pages: the orders', then the accounts' (their tabs besides Details are
// added from accountTabs) and the account forms' (FEATURES AC3, AC6, SA8).
func (s *Server) portalPages() []portalPage {
	return []portalPage{
		{http.MethodGet, "", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/app/orders") }},
		{http.MethodGet, "/orders", s.appOrders},
		{http.MethodGet, "/orders/export.csv", s.exportOrders},
		{http.MethodGet, "/orders/assign", s.appAssign},
		{http.MethodPost, "/orders/assign", s.appAssignPost},
		{http.MethodGet, "/orders/:id", s.appOrder},
		{http.MethodPost, "/orders/:id/delegations", s.appDelegate},
		{http.MethodPost, "/orders/:id/delegations/:delegation/revoke", s.appRevoke},
		{http.MethodGet, "/directory", s.appDirectory},
		{http.MethodGet, "/requests", s.appRequests},
		{http.MethodGet, "/smart-accounts/new", s.appNewAccount},
		{http.MethodPost, "/smart-accounts/new", s.appCreateAccount},
		{http.MethodGet, "/smart-accounts/:id/request-access", s.appAskAccess},
		{http.MethodPost, "/smart-accounts/:id/request-access", s.appRequestAccess},
		{http.MethodGet, "/smart-accounts/:id", s.appAccount("")},
		{http.MethodPost, "/smart-accounts/:id/access-requests/:requestId/decision", s.appDecideAccess},
		{http.MethodPost, "/smart-accounts/:id/virtual-accounts", s.appAccountForm("virtual-accounts", s.appCreateVA)},
		{http.MethodPost, "/smart-accounts/:id/virtual-accounts/rename", s.appAccountForm("virtual-accounts", s.appRenameVA)},
		{http.MethodPost, "/smart-accounts/:id/virtual-accounts/move", s.appAccountForm("virtual-accounts", s.appMoveVA)},
		{http.MethodPost, "/smart-accounts/:id/rules", s.appAccountForm("rules", s.appSetRules)},
		{http.MethodGet, "/smart-accounts/:id/upgrade", s.appUpgradeForm},
		{http.MethodPost, "/smart-accounts/:id/upgrade", s.appUpgrade},
	}
}

// writeAppPage answers a portal page: private to the person signed in, never cached.
func (s *Server) writeAppPage(c *gin.Context, status int, t *template.Template, d any) {
	webguard.Private(c.Writer.Header())
	c.Header("Content-Type", "text/html; charset=utf-8")
	c.Status(status)
	if err := t.ExecuteTemplate(c.Writer, "layout", d); err != nil {
		s.log.ErrorContext(c.Request.Context(), "render portal page", "path", c.FullPath(), "error", err)
	}
}

// appErrorView is the page that says why a portal page shows nothing: the field the request got wrong,
// or the order that is not there for this person.
type appErrorView struct {
	appPage
	Status  int
	Message string
	Field   string
	Back    string
}

// appPageOr answers the page t with d unless err is set, which the error page answers, leading back to
// back: the portal's jsonOr.
func (s *Server) appPageOr(c *gin.Context, back string, t *template.Template, d any, err error) {
	if err != nil {
		s.appError(c, err, back)
		return
	}
	s.writeAppPage(c, http.StatusOK, t, d)
}

// appError answers the portal's error page for err, its status mapped as the JSON routes' are.
func (s *Server) appError(c *gin.Context, err error, back string) {
	status := StatusOf(err)
	if status >= 500 {
		s.log.ErrorContext(c.Request.Context(), "portal page failed", "path", c.FullPath(), "error", err)
	}
	e := asDomainError(err)
	title := map[int]string{http.StatusNotFound: "Not found", http.StatusBadRequest: "Not understood",
		http.StatusForbidden: "Not allowed", http.StatusServiceUnavailable: "Try again in a moment"}[status]
	if title == "" {
		title = "Something went wrong"
	}
	s.writeAppPage(c, status, appErrorPage, appErrorView{appPage: s.appPage(c, title, ""), Status: status,
		Message: e.Message, Field: e.Field, Back: back})
}
