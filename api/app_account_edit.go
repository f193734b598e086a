package api

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// The portal's account changes (FEATURES AC3, AC6, SA8; seed 002): the virtual account tree's forms
// (create, rename, move), the request automation form and the SMB upgrade. Each form reads the account
// as its JSON route does (load: a stranger gets the same 404) and goes through that route's own function
// (addVirtualAccount, changeVirtualAccount, validRule and setRules, startSMBUpgrade), so a page never
// allows what the API refuses; a refusal shows the form again with what was typed and the field named.

// accountForm does one form's change for the caller and answers the notice to show.
type accountForm func(c *gin.Context, who caller, form url.Values) (notice string, err error)

// appAccountForm answers a form posted from an account's tab: the account read as the JSON route reads
// it, the form's change, and the tab shown again with the notice or the refusal.
func (s *Server) appAccountForm(tab string, do accountForm) gin.HandlerFunc {
	return func(c *gin.Context) {
		who, err := s.load(c)
		if err != nil {
			s.appError(c, err, "/app/directory")
			return
		}
		form, err := readForm(c.Request)
		if err != nil {
			s.renderAccount(c, tab, accountDone{Failed: err})
			return
		}
		notice, err := do(c, who, form)
		if err != nil {
			if StatusOf(err) >= 500 {
				s.appError(c, err, "/app/smart-accounts/"+who.sa.ID+"/"+tab)
				return
			}
			s.renderAccount(c, tab, accountDone{Failed: err, Form: form.Get("form"), Values: form})
			return
		}
		s.renderAccount(c, tab, accountDone{Notice: notice})
	}
}

// vaOption is a virtual account in a form's list, indented by its depth in the tree.
type vaOption struct {
	ID, Label string
}

func vaOptions(nodes []*models.VANode, depth int) []vaOption {
	out := []vaOption{}
	for _, n := range nodes {
		out = append(out, vaOption{ID: n.ID, Label: strings.Repeat("\u00a0\u00a0", depth) + n.Name})
		out = append(out, vaOptions(n.Children, depth+1)...)
	}
	return out
}

// Value is what the named form had in key when it was refused, to show it again; other forms start empty.
func (v appAccountView) Value(form, key string) string {
	if v.FormName != form {
		return ""
	}
	return v.Form.Get(key)
}

func (s *Server) appCreateVA(c *gin.Context, who caller, form url.Values) (string, error) {
	va, err := s.addVirtualAccount(c, who, vaRequest{Name: form.Get("name"), Description: form.Get("description"),
		ParentID: form.Get("parentId")})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Created the virtual account %s.", va.Name), nil
}

func (s *Server) appRenameVA(c *gin.Context, who caller, form url.Values) (string, error) {
	name := form.Get("name")
	va, err := s.changeVirtualAccount(c, who, form.Get("virtualAccountId"), vaChange{Name: &name})
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Renamed the virtual account to %s.", va.Name), nil
}

func (s *Server) appMoveVA(c *gin.Context, who caller, form url.Values) (string, error) {
	va, err := s.changeVirtualAccount(c, who, form.Get("virtualAccountId"), vaChange{Move: true, MoveTo: form.Get("parentId")})
	if err != nil {
		return "", err
	}
	if va.ParentID == nil {
		return fmt.Sprintf("Moved %s to the top level.", va.Name), nil
	}
	return fmt.Sprintf("Moved %s.", va.Name), nil
}

// ruleRow is one row of the rules form: a rule, or an empty row (no action) to add one.
type ruleRow struct {
	Index                         int
	Action, Role, RequesterDomain string
}

// ruleDomain is a choice of the rules form's requester list.
type ruleDomain struct{ Value, Label string }

var ruleDomains = []ruleDomain{{string(models.DomainAny), "anyone"},
	{string(models.DomainOwn), "people of the account's own domain"},
	{string(models.DomainOther), "anyone outside the account's domain"}}

// emptyRuleRows is how many empty rows the rules form offers to add rules with.
const emptyRuleRows = 3

// ruleRows are the rows of the rules form: what a refused form had, else the account's rules; then
// empty rows up to models.MaxAccessRules.
func ruleRows(rules []ruleView, formName string, form url.Values) []ruleRow {
	var rows []ruleRow
	if formName == "rules" {
		for i := 0; i < models.MaxAccessRules && form.Has(ruleField(i, "action")); i++ {
			rows = append(rows, ruleRow{Index: i, Action: form.Get(ruleField(i, "action")), Role: form.Get(ruleField(i, "role")),
				RequesterDomain: form.Get(ruleField(i, "requesterDomain"))})
		}
		return rows
	}
	for i, r := range rules {
		rows = append(rows, ruleRow{Index: i, Action: string(r.Action), Role: string(r.Role),
			RequesterDomain: string(r.RequesterDomain)})
	}
	for i := len(rows); i < len(rules)+emptyRuleRows && i < models.MaxAccessRules; i++ {
		rows = append(rows, ruleRow{Index: i, RequesterDomain: string(models.DomainAny)})
	}
	return rows
}

func ruleField(i int, key string) string { return "rules[" + strconv.Itoa(i) + "]." + key }

// appSetRules replaces the account's rules with the form's rows in their order, a row without an action
// left out; each row is checked by the API's validRule, named by its row.
func (s *Server) appSetRules(c *gin.Context, who caller, form url.Values) (string, error) {
	var rules []models.AccessRule
	for i := 0; i < models.MaxAccessRules && form.Has(ruleField(i, "action")); i++ {
		body := ruleBody{Action: models.RuleAction(form.Get(ruleField(i, "action"))), Role: models.Role(form.Get(ruleField(i, "role"))),
			RequesterDomain: models.RequesterDomain(form.Get(ruleField(i, "requesterDomain")))}
		if body.Action == "" {
			continue
		}
		r, err := validRule(fmt.Sprintf("rules[%d]", i), body)
		if err != nil {
			return "", err
		}
		rules = append(rules, r)
	}
	saved, err := s.setRules(c, who, rules)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("Saved %d rules.", len(saved)), nil
}

// appUpgradeView is the SMB upgrade form (seed 002): its defaults from upgradeInfoOf, or what was typed.
type appUpgradeView struct {
	appPage
	Account     accountView
	Form        url.Values
	Address     models.Address
	Failed      string
	FailedField string
	// Refused says why this account cannot be upgraded by the caller now; the form is not shown.
	Refused string
}

var appUpgradePage = formsTemplate("account_upgrade")

// upgradeView reads the account as the API's upgrade does and the form's defaults for the caller.
func (s *Server) upgradeView(c *gin.Context) (caller, appUpgradeView, error) {
	who, err := s.load(c)
	if err != nil {
		return who, appUpgradeView{}, err
	}
	v := appUpgradeView{appPage: s.appPage(c, "Upgrade "+who.sa.Name, "directory"), Account: newAccountView(who.sa, nil),
		Form: url.Values{}}
	info, err := s.upgradeInfoOf(c, who.id, who.sa)
	if err != nil {
		return who, v, err
	}
	switch {
	case !who.sa.SMB:
		v.Refused = who.sa.Name + " is a standard Smart Account already."
	case !info.Eligible:
		v.Refused = info.Reason
	default:
		d := info.Defaults
		v.Form = url.Values{"name": {d.Name}, "domain": {d.Domain}, "visibility": {string(d.Visibility)}}
		v.Address = d.Headquarters
	}
	return who, v, nil
}

func (s *Server) appUpgradeForm(c *gin.Context) {
	if _, v, ok := appViewed(s, c, s.upgradeView); ok {
		s.writeAppPage(c, http.StatusOK, appUpgradePage, v)
	}
}

// appUpgrade starts the upgrade through startSMBUpgrade, as POST …/upgrade does, and shows the account
// with what the upgrade waits for.
func (s *Server) appUpgrade(c *gin.Context) {
	who, v, ok := appViewed(s, c, s.upgradeView)
	if !ok {
		return
	}
	form, err := readForm(c.Request)
	if err == nil {
		v.Form, v.Address = form, formAddress(form, "headquarters.", models.Address{})
		hq := v.Address
		var st upgradeStarted
		st, err = s.startSMBUpgrade(c, who, upgradeRequest{Name: form.Get("name"), Domain: form.Get("domain"),
			Headquarters: &hq, Visibility: models.Visibility(form.Get("visibility"))})
		if err == nil {
			notice := fmt.Sprintf("Upgrade to %s requested: it is %s.", st.Upgrade.Domain, statusTitle(string(st.Upgrade.Status)))
			for _, w := range st.WaitingOn {
				notice += " It waits for " + w.Who + " (" + w.Action + ")."
			}
			s.renderAccount(c, "", accountDone{Notice: notice})
			return
		}
	}
	if StatusOf(err) >= 500 {
		s.appError(c, err, "/app/smart-accounts/"+who.sa.ID)
		return
	}
	e := asDomainError(err)
	v.Failed, v.FailedField = e.Message, e.Field
	s.writeAppPage(c, StatusOf(err), appUpgradePage, v)
}
