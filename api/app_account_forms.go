package api

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// The portal's account forms (FEATURES SA1–SA6, AC1; seed 001): create a Smart Account, with the 409's
// ways forward shown as choices, and request access to an account. Each form goes through the code of
// the JSON route it mirrors: createSARequest.validate and requestAccount, startAccess.

// formsTemplate is an account form page; it shares the emailed pages' address fields (pages/order.html).
func formsTemplate(name string) *template.Template {
	t := accountsTemplate(name)
	return template.Must(t.ParseFS(pageFiles, "pages/order.html"))
}

var (
	appCreatePage = formsTemplate("account_new")
	appAskPage    = formsTemplate("account_ask")
)

// appCreateView is the form to create a Smart Account: what was typed, and why it was refused.
type appCreateView struct {
	appPage
	Form        url.Values
	Address     models.Address
	Key         string
	Failed      string
	FailedField string
	// Conflict is a 409's accounts of the TLD with what may be done with each (FEATURES SA6).
	Conflict *createConflict
}

type createConflict struct {
	TLD      string
	Accounts []accountSummary
}

// CanRequestAccess reports whether the account of a 409 may be asked for access.
func (a accountSummary) CanRequestAccess() bool { return contains(a.Actions, "REQUEST_ACCESS") }

// CanNominate reports whether the account of a 409 waits for its customer, who may be given creators.
func (a accountSummary) CanNominate() bool { return contains(a.Actions, "NOMINATE_CREATORS") }

func (s *Server) appNewAccount(c *gin.Context) {
	me := identity(c).Email
	form := url.Values{"domain": {models.EmailDomain(me)}, "visibility": {string(models.VisibilityUnrestricted)},
		"nominees": {"myself"}}
	// A partner's mail about its services with nowhere to go links here with its domain and, for a
	// Partner Holding Account, type=HOLDING (issue 13, item 6): the form starts filled with them.
	if d := strings.TrimSpace(c.Query("domain")); d != "" {
		form.Set("domain", d)
	}
	if c.Query("type") == string(models.SATypeHolding) {
		form.Set("type", string(models.SATypeHolding))
	}
	s.writeAppPage(c, http.StatusOK, appCreatePage, appCreateView{appPage: s.appPage(c, "Create a Smart Account", "directory"),
		Form: form, Key: models.NewID()})
}

// appCreateAccount requests the account as POST /smart-accounts does, the form's key its idempotency
// key so a second press finds the same request.
func (s *Server) appCreateAccount(c *gin.Context) {
	id := identity(c)
	v := appCreateView{appPage: s.appPage(c, "Create a Smart Account", "directory")}
	form, err := readForm(c.Request)
	if err == nil {
		v.Form, v.Key = form, strings.TrimSpace(form.Get("key"))
		v.Address = formAddress(form, "headquarters.", models.Address{})
		err = s.createFromForm(c, &v)
	}
	if err == nil {
		return
	}
	if v.Key == "" {
		v.Key = models.NewID()
	}
	e := asDomainError(err)
	v.Failed, v.FailedField = e.Message, e.Field
	var me *models.Error
	if errors.As(err, &me) && me.Code == models.CodeConflict && me.Field == "domain" {
		if d, ok := me.Details.(gin.H); ok {
			accounts, _ := d["smartAccounts"].([]accountSummary)
			tld, _ := d["tld"].(string)
			v.Conflict = &createConflict{TLD: tld, Accounts: accounts}
		}
	}
	if StatusOf(err) >= 500 {
		s.appError(c, err, "/app/smart-accounts/new")
		return
	}
	s.log.InfoContext(c.Request.Context(), "portal create refused", "by", id.Email, "field", e.Field, "code", e.Code)
	s.writeAppPage(c, StatusOf(err), appCreatePage, v)
}

func (s *Server) createFromForm(c *gin.Context, v *appCreateView) error {
	id := identity(c)
	if v.Key == "" || len(v.Key) > 200 {
		return models.Invalid("key", "the form has lost its key: open it again")
	}
	hq := v.Address
	body := createSARequest{Name: v.Form.Get("name"), Domain: v.Form.Get("domain"), NoteToApprover: v.Form.Get("note"),
		Visibility: models.Visibility(v.Form.Get("visibility")), Headquarters: &hq,
		NominatedAdmins: typedList(v.Form.Get("nominees")), ModifiedDomain: v.Form.Get("modifiedDomain") != "",
		Type: models.SAType(v.Form.Get("type"))}
	req, err := body.validate(id.Email)
	if err == nil && req.Type == models.SATypeHolding {
		err = s.holdingRequest(c, &req, id.Email)
	}
	if err != nil {
		return err
	}
	sa, _, err := s.requestAccount(c, id, req, requestID(id.Email, "portal\n"+v.Key), true)
	if err != nil {
		return err
	}
	c.Redirect(http.StatusSeeOther, "/app/smart-accounts/"+sa.ID)
	return nil
}

// typedList reads a list a person typed: one item a line, or separated by commas or spaces.
func typedList(s string) []string {
	out := []string{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' }) {
		out = append(out, f)
	}
	return out
}

// appAskView is the form to request access to an account: its roles and its virtual account tree.
type appAskView struct {
	appPage
	Account     accountSummary
	Roles       []models.Role
	Tree        []askNode
	Form        url.Values
	Key         string
	Max         int
	Failed      string
	FailedField string
	Done        *accessRequestView
}

// askNode is a virtual account of the request form's tree, ticked when the form had it.
type askNode struct {
	ID, Name string
	Picked   bool
	Children []askNode
}

func askTree(nodes []*models.VANode, picked []string) []askNode {
	out := []askNode{}
	for _, n := range nodes {
		out = append(out, askNode{ID: n.ID, Name: n.Name, Picked: contains(picked, n.ID), Children: askTree(n.Children, picked)})
	}
	return out
}

func pick(nodes []askNode, picked []string) []askNode {
	for i := range nodes {
		nodes[i].Picked = contains(picked, nodes[i].ID)
		nodes[i].Children = pick(nodes[i].Children, picked)
	}
	return nodes
}

var askRoles = []models.Role{models.RoleSAUser, models.RoleSAViewer, models.RoleSAAdmin, models.RoleSAApprover,
	models.RoleVAUser, models.RoleVAViewer, models.RoleVAAdmin}

// askView reads the account as POST …/access-requests does (loadFindable) and its virtual accounts.
func (s *Server) askView(c *gin.Context) (caller, appAskView, error) {
	who, err := s.loadFindable(c)
	if err != nil {
		return who, appAskView{}, err
	}
	v := appAskView{appPage: s.appPage(c, "Request access to "+who.sa.Name, "directory"), Account: summary(who.sa),
		Roles: askRoles, Max: models.MaxAccessVAs, Form: url.Values{}}
	if who.sa.Status == models.SAActive {
		vas, err := models.VirtualAccounts(c.Request.Context(), s.db, who.sa.ID)
		if err != nil {
			return who, v, err
		}
		v.Tree = askTree(models.VATree(vas), nil)
	} else {
		e := asDomainError(notSelectable(who.sa, models.SAActive))
		v.Failed = e.Message
	}
	return who, v, nil
}

func (s *Server) appAskAccess(c *gin.Context) {
	if _, v, ok := appViewed(s, c, s.askView); ok {
		v.Key = models.NewID()
		s.writeAppPage(c, http.StatusOK, appAskPage, v)
	}
}

// appRequestAccess starts the access request through startAccess, as POST …/access-requests does.
func (s *Server) appRequestAccess(c *gin.Context) {
	who, v, ok := appViewed(s, c, s.askView)
	if !ok {
		return
	}
	v.Failed = ""
	form, err := readForm(c.Request)
	if err == nil {
		v.Form, v.Key = form, strings.TrimSpace(form.Get("key"))
		v.Tree = pick(v.Tree, form["virtualAccount"])
		if v.Key == "" {
			err = models.Invalid("key", "the form has lost its key: open it again")
		}
	}
	if err == nil {
		body := accessRequestBody{Role: models.Role(form.Get("role")), VirtualAccounts: form["virtualAccount"],
			Reason: form.Get("reason"), ForEmails: typedList(form.Get("forEmails"))}
		if !body.Role.VARole() {
			body.VirtualAccounts = nil
		}
		var ar models.AccessRequest
		if ar, err = s.startAccess(c, who, body, "portal\n"+v.Key); err == nil {
			done := s.accessRequestView(c, ar)
			v.Done = &done
			s.writeAppPage(c, http.StatusOK, appAskPage, v)
			return
		}
	}
	if StatusOf(err) >= 500 {
		s.appError(c, err, "/app/directory")
		return
	}
	e := asDomainError(err)
	v.Failed, v.FailedField = e.Message, e.Field
	s.writeAppPage(c, StatusOf(err), appAskPage, v)
}
