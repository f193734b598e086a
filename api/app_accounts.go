package api

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The portal's account pages (FEATURES SA9, AC1–AC7, PR2, X7; seeds 001 and 002): the Access
// Directory and an account's page with one sub-page per part. Each reads through the function its
// JSON route answers with (directoryOf, accountOf, licenseScope, usersFor, accessRequestsOf, rulesOf),
// and a part that route would refuse shows the refusal instead of its rows.

// accountFuncs adds to the portal's functions what the account pages need.
var accountFuncs = template.FuncMap{
	"has": contains,
	"inc": func(i int) int { return i + 1 },
	"ruleActions": func() []models.RuleAction {
		return []models.RuleAction{models.RuleApprove, models.RuleDecline, models.RuleRouteVAAdmins}
	},
	"ruleRoles":   func() []models.Role { return askRoles },
	"ruleDomains": func() []ruleDomain { return ruleDomains },
	"deref64": func(n *int64) int64 {
		if n == nil {
			return 0
		}
		return *n
	},
}

// accountsTemplate is a portal page of the account pages, with their shared parts (accounts.html).
func accountsTemplate(name string) *template.Template {
	t := template.New(name).Funcs(pageFuncs).Funcs(appPageFuncs).Funcs(accountFuncs)
	return template.Must(t.ParseFS(appFiles, "pages/app/layout.html", "pages/app/accounts.html", "pages/app/"+name+".html"))
}

var (
	appDirectoryPage = accountsTemplate("directory")
	appAccountPage   = accountsTemplate("account")
)

// appViewed reads what an account's page or form needs with load (the caller, and its view or request);
// a refusal is the portal's error page, leading back to the Access Directory, and ok is then false.
func appViewed[V any](s *Server, c *gin.Context, load func(*gin.Context) (caller, V, error)) (who caller, v V, ok bool) {
	who, v, err := load(c)
	if err != nil {
		s.appError(c, err, "/app/directory")
		return who, v, false
	}
	return who, v, true
}

// appDirectoryView is the Access Directory page.
type appDirectoryView struct {
	appPage
	Entries []directoryEntry
}

func (s *Server) appDirectory(c *gin.Context) {
	entries, err := s.directoryOf(c)
	s.appPageOr(c, "/app/directory", appDirectoryPage,
		appDirectoryView{appPage: s.appPage(c, "Access Directory", "directory"), Entries: entries}, err)
}

// accountTab is one sub-page of an account; Badge is the count shown beside it (AC7's pending requests).
type accountTab struct {
	Path, Label string
	Badge       *int64
}

var accountTabs = []accountTab{{"", "Details", nil}, {"licenses", "Licenses", nil},
	{"virtual-accounts", "Virtual accounts", nil}, {"users", "Users", nil},
	{"access-requests", "Access requests", nil}, {"rules", "Request automation", nil}, {"history", "Event history", nil}}

// vaLicenses is one virtual account's license totals by SKU and status.
type vaLicenses struct {
	VA     models.VirtualAccount
	Totals []models.LicenseTotal
	Sum    int
}

// appAccountView is an account's page: the account as GET /smart-accounts/{id} shows it, and the part
// the sub-page is for. Refused is the refusal of that part's JSON route, shown instead of it.
type appAccountView struct {
	appPage
	Account accountView
	Tab     string
	Tabs    []accountTab
	Refused string
	Notice  string
	// Failed and FailedField say why a form's change was refused, and the field to change; FormName is
	// the form refused and Form what it had, shown again in it.
	Failed, FailedField string
	FormName            string
	Form                url.Values
	SAAdmin             bool
	Licenses            []vaLicenses
	Tree                []*models.VANode
	VAs                 []models.VirtualAccount
	// VAOptions are the virtual accounts in tree order for the forms' lists; Renamable those the caller
	// may rename (all for an SA administrator, their own for a VA administrator).
	VAOptions, Renamable []vaOption
	// RuleRows are the rules form's rows: the account's rules, then empty rows to add one.
	RuleRows []ruleRow
	Users    []userView
	// UsersNext is the email the next page of users starts after.
	UsersNext string
	Requests  []accessRequestView
	Pending   *int64
	Rules     []ruleView
	Events    []models.Event
}

// appAccount answers the account's page for the tab (a sub-page, "" for the details).
func (s *Server) appAccount(tab string) gin.HandlerFunc {
	return func(c *gin.Context) { s.renderAccount(c, tab, accountDone{}) }
}

// accountDone is what a form just did to the account (Notice), or why it was refused (Failed, answered
// with the JSON route's status and the field it names, the form's values shown again).
type accountDone struct {
	Notice string
	Failed error
	Form   string
	Values url.Values
}

// renderAccount renders the tab after what a form did.
func (s *Server) renderAccount(c *gin.Context, tab string, done accountDone) {
	status := http.StatusOK
	v, roles, err := s.accountOf(c)
	if err != nil {
		s.appError(c, err, "/app/directory")
		return
	}
	who := caller{id: identity(c), sa: v.SmartAccount, roles: roles}
	page := appAccountView{appPage: s.appPage(c, v.Name, "directory"), Account: v, Tab: tab, Notice: done.Notice,
		SAAdmin: who.saAdmin()}
	if done.Failed != nil {
		e := asDomainError(done.Failed)
		page.Failed, page.FailedField, status = e.Message, e.Field, StatusOf(done.Failed)
		page.FormName, page.Form = done.Form, done.Values
	}
	for _, t := range accountTabs {
		if t.Path == "access-requests" {
			t.Badge = v.PendingAccessRequests
		}
		page.Tabs = append(page.Tabs, t)
	}
	if err := s.accountTab(c, who, &page); err != nil {
		if StatusOf(err) >= 500 || models.ErrorCode(err) == models.CodeNotFound {
			s.appError(c, err, "/app/smart-accounts/"+v.ID)
			return
		}
		page.Refused, status = asDomainError(err).Message, StatusOf(err)
	}
	s.writeAppPage(c, status, appAccountPage, page)
}

// accountTab reads the part the page's tab shows, through the JSON route's own function.
func (s *Server) accountTab(c *gin.Context, who caller, page *appAccountView) error {
	ctx := c.Request.Context()
	var err error
	switch page.Tab {
	case "licenses":
		return s.vaLicenses(c, page)
	case "virtual-accounts":
		page.VAs, err = models.VirtualAccounts(ctx, s.db, who.sa.ID)
		page.Tree = models.VATree(page.VAs)
		page.VAOptions = vaOptions(page.Tree, 0)
		for _, o := range page.VAOptions {
			if who.saAdmin() || who.vaAdmin(o.ID) {
				page.Renamable = append(page.Renamable, o)
			}
		}
	case "users":
		page.Users, page.UsersNext, err = s.usersFor(c, who.sa, who.roles, models.NormalizeEmail(c.Query("after")), 100)
	case "access-requests":
		page.Requests, page.Pending, err = s.accessRequestsOf(c, who, c.Query("status"))
	case "rules":
		if page.Rules, err = s.rulesOf(c, who); err == nil {
			page.RuleRows = ruleRows(page.Rules, page.FormName, page.Form)
		}
	case "history":
		page.Events, err = models.AccountEvents(ctx, s.db, who.sa.ID, "", 200)
	}
	return err
}

// vaLicenses totals the licenses of each virtual account in the caller's scope, as GET …/licenses
// with virtualAccountId answers them.
func (s *Server) vaLicenses(c *gin.Context, page *appAccountView) error {
	ctx := c.Request.Context()
	sa, _, scope, err := s.licenseScope(c)
	if err != nil {
		return err
	}
	vas, err := models.VirtualAccounts(ctx, s.db, sa.ID)
	if err != nil {
		return err
	}
	for _, va := range vas {
		if !scope.All && !contains(scope.VAs, va.ID) {
			continue
		}
		totals, err := models.LicenseTotals(ctx, s.db, sa.ID, scope, models.LicenseFilter{VirtualAccountID: va.ID})
		if err != nil {
			return err
		}
		row := vaLicenses{VA: va, Totals: totals}
		for _, t := range totals {
			row.Sum += t.Quantity
		}
		page.Licenses = append(page.Licenses, row)
	}
	return nil
}

// viaPortal records in an event that a decision came from a portal page.
const viaPortal = "portal"

// appDecideAccess approves or declines an access request in place (FEATURES AC2, AC7): the same
// loadAccess and sendAccessDecision as POST …/access-requests/{requestId}/decision, the process's
// validator refusing a decision that is not the caller's. The list is shown again with the outcome.
func (s *Server) appDecideAccess(c *gin.Context) {
	who, ar, ok := appViewed(s, c, s.loadAccess)
	if !ok {
		return
	}
	form, err := readForm(c.Request)
	if err != nil {
		s.renderAccount(c, "access-requests", accountDone{Failed: err})
		return
	}
	in := process.DecideInput{Decision: process.Decision(strings.ToUpper(form.Get("decision"))),
		Reason: strings.TrimSpace(form.Get("reason")), Actor: who.id.Email, ActorRoles: who.id.Roles, Via: viaPortal}
	if in.Decision != process.Approve && in.Decision != process.Decline {
		s.renderAccount(c, "access-requests", accountDone{Failed: models.Invalid("decision", "decision must be APPROVE or DECLINE")})
		return
	}
	res, ar, err := s.sendAccessDecision(c, ar, in)
	if err != nil {
		s.renderAccount(c, "access-requests", accountDone{Failed: err})
		return
	}
	verb := map[process.Decision]string{process.Approve: "Approved", process.Decline: "Declined"}[res.Decision]
	s.renderAccount(c, "access-requests", accountDone{Notice: fmt.Sprintf("%s the request of %s (%s): it is %s.", verb,
		ar.RequestedBy, ar.Role.Title(), strings.ToLower(string(ar.Status)))})
}
