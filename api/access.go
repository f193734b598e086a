package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// accessRequestBody is the body of POST /smart-accounts/{id}/access-requests.
type accessRequestBody struct {
	Role            models.Role `json:"role"`
	VirtualAccounts []string    `json:"virtualAccounts"`
	Reason          string      `json:"reason"`
	ForEmails       []string    `json:"forEmails"`
	// PartnerDomain makes it a partner's request (FEATURES AC8): by one of the partner's administrators or
	// OFMs, for the partner's people, approved as a partner grant.
	PartnerDomain string `json:"partnerDomain"`
}

// accessRequestView is an access request as the API shows it.
type accessRequestView struct {
	models.AccessRequest
	VirtualAccountNames map[string]string `json:"virtualAccountNames"`
	WaitingOn           []models.Waiting  `json:"waitingOn"`
	// PartnerName names the partner of a partner's request.
	PartnerName string `json:"partnerName,omitempty"`
}

func (s *Server) accessRequestView(c *gin.Context, ar models.AccessRequest) accessRequestView {
	v := accessRequestView{AccessRequest: ar, VirtualAccountNames: map[string]string{}, WaitingOn: ar.WaitingOn()}
	if names, err := s.vaNames(c.Request.Context(), ar); err == nil {
		v.VirtualAccountNames = names
	}
	if ar.PartnerDomain != "" {
		v.PartnerName, _ = models.PartnerName(c.Request.Context(), s.db, ar.PartnerDomain)
	}
	return v
}

// vaNames names the virtual accounts a request asks for (by id when one is gone).
func (s *Server) vaNames(ctx context.Context, ar models.AccessRequest) (map[string]string, error) {
	names := map[string]string{}
	if len(ar.VirtualAccounts) == 0 {
		return names, nil
	}
	vas, err := models.VirtualAccounts(ctx, s.db, ar.SmartAccountID)
	if err != nil {
		return nil, err
	}
	for _, id := range ar.VirtualAccounts {
		names[id] = id
	}
	for _, va := range vas {
		if _, asked := names[va.ID]; asked {
			names[va.ID] = va.Name
		}
	}
	return names, nil
}

// validate checks the request against the account: a partner's by one who speaks for the partner; a
// known role; for a virtual account role 1 to 25 of the account's virtual accounts, none for an
// account-wide one; a reason; the people it is for (none for a partner's: the partner's people).
func (b *accessRequestBody) validate(c *gin.Context, s *Server, who caller) (process.AccessRequestInput, error) {
	in := process.AccessRequestInput{SmartAccountID: who.sa.ID, Role: b.Role, Reason: strings.TrimSpace(b.Reason)}
	if strings.TrimSpace(b.PartnerDomain) != "" {
		// Who speaks for the partner comes from its rows and the caller's verified address (FEATURES AC8).
		p, err := models.PartnerRequester(c.Request.Context(), s.db, b.PartnerDomain, who.id.Email)
		if err != nil {
			return in, err
		}
		if len(b.ForEmails) > 0 {
			return in, models.Invalid("forEmails",
				"a partner's request is for the partner's people (addresses of %s): leave forEmails out", p.Domain)
		}
		in.PartnerDomain = p.Domain
	}
	if !b.Role.Valid() {
		return in, models.Invalid("role", "role must be one of SMART_ACCOUNT_ADMINISTRATOR, SMART_ACCOUNT_USER, SMART_ACCOUNT_VIEWER, SMART_ACCOUNT_APPROVER, VIRTUAL_ACCOUNT_ADMINISTRATOR, VIRTUAL_ACCOUNT_USER, VIRTUAL_ACCOUNT_VIEWER")
	}
	if b.Role.VARole() {
		if len(b.VirtualAccounts) == 0 {
			return in, models.Invalid("virtualAccounts", "a virtual account role needs the virtual accounts it is for")
		}
		if len(b.VirtualAccounts) > models.MaxAccessVAs {
			return in, models.Invalid("virtualAccounts", "at most %d virtual accounts per request; %d were given", models.MaxAccessVAs, len(b.VirtualAccounts))
		}
		vas, err := models.VirtualAccounts(c.Request.Context(), s.db, who.sa.ID)
		if err != nil {
			return in, err
		}
		for i, id := range b.VirtualAccounts {
			if !slices.ContainsFunc(vas, func(va models.VirtualAccount) bool { return va.ID == id }) {
				return in, models.Invalid(fmt.Sprintf("virtualAccounts[%d]", i), "no virtual account %s in this Smart Account", id)
			}
			if !slices.Contains(in.VirtualAccounts, id) {
				in.VirtualAccounts = append(in.VirtualAccounts, id)
			}
		}
	} else if len(b.VirtualAccounts) > 0 {
		return in, models.Invalid("virtualAccounts", "%s is a Smart Account role: leave virtualAccounts out, or ask for a virtual account role", b.Role)
	}
	switch {
	case in.Reason == "":
		return in, models.Invalid("reason", "give a reason for the administrators")
	case len(in.Reason) > 1000:
		return in, models.Invalid("reason", "reason is longer than 1000 characters")
	}
	if len(b.ForEmails) > maxNominees {
		return in, models.Invalid("forEmails", "at most %d people per request", maxNominees)
	}
	for i, raw := range b.ForEmails {
		e := models.NormalizeEmail(raw)
		if e == "myself" {
			e = who.id.Email
		}
		if !models.ValidEmail(e) {
			return in, models.Invalid(fmt.Sprintf("forEmails[%d]", i), "%q is not an email address", raw)
		}
		if !slices.Contains(in.ForEmails, e) {
			in.ForEmails = append(in.ForEmails, e)
		}
	}
	if len(in.ForEmails) == 0 && in.PartnerDomain == "" {
		in.ForEmails = []string{who.id.Email}
	}
	return in, nil
}

// requestAccess starts an access request (FEATURES AC1) for an ACTIVE account the caller can find.
func (s *Server) requestAccess(c *gin.Context) error {
	who, body, err := bind[accessRequestBody](c, s.loadFindable)
	if err != nil {
		return err
	}
	ar, err := s.startAccess(c, who, body, strings.TrimSpace(c.GetHeader("Idempotency-Key")))
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/smart-accounts/"+who.sa.ID+"/access-requests/"+ar.ID)
	c.JSON(http.StatusAccepted, s.accessRequestView(c, ar))
	return nil
}

// startAccess checks an access request and starts its process, the request's key (the Idempotency-Key
// header, or the portal form's) finding the one made before: the API and the portal's form alike.
func (s *Server) startAccess(c *gin.Context, who caller, body accessRequestBody, key string) (models.AccessRequest, error) {
	ctx := c.Request.Context()
	in, err := body.validate(c, s, who)
	if err != nil {
		return models.AccessRequest{}, err
	}
	if err := notSelectable(who.sa, models.SAActive); err != nil {
		return models.AccessRequest{}, err
	}
	if len(key) > 200 {
		return models.AccessRequest{}, models.Invalid("Idempotency-Key", "Idempotency-Key is longer than 200 characters")
	}
	scope := who.sa.ID
	if in.PartnerDomain != "" {
		scope += "\npartner\n" + in.PartnerDomain
	}
	in.RequestID = requestID(who.id.Email, "access-request\n"+scope+"\n"+key)
	if key == "" {
		in.RequestID = models.NewID()
	}
	in.Requester = models.Person{Email: who.id.Email, Name: who.id.Name}
	if _, err = s.processes.StartAccessRequest(ctx, in); err != nil && !process.IsAlreadyStarted(err) {
		return models.AccessRequest{}, err
	}
	ar, err := models.FindAccessRequest(ctx, s.db, in.RequestID)
	if err != nil {
		return ar, err
	}
	if ar.RequestedBy != who.id.Email || ar.SmartAccountID != who.sa.ID || ar.PartnerDomain != in.PartnerDomain {
		return ar, &models.Error{Code: models.CodeConflict, Field: "Idempotency-Key", Message: "this Idempotency-Key was already used for another request"}
	}
	s.log.InfoContext(ctx, "access requested", "accessRequestId", ar.ID, "smartAccountId", who.sa.ID, "by", who.id.Email, "status", ar.Status)
	return ar, nil
}

// listAccessRequests shows administrators the account's requests with the pending count (FEATURES
// AC7); others see the requests they made or are named in.
func (s *Server) listAccessRequests(c *gin.Context) error {
	who, err := s.loadAsked(c)
	if err != nil {
		return err
	}
	out, pending, err := s.accessRequestsOf(c, who, c.Query("status"))
	if err != nil {
		return err
	}
	resp := gin.H{"accessRequests": out}
	if pending != nil {
		resp["pendingCount"] = *pending
	}
	c.JSON(http.StatusOK, resp)
	return nil
}

// accessRequestsOf lists the account's requests of a status ("" for all) that the caller may see, and
// for those who see all of them the pending count: the API's list and the portal's alike.
func (s *Server) accessRequestsOf(c *gin.Context, who caller, status string) ([]accessRequestView, *int64, error) {
	ctx := c.Request.Context()
	f := models.AccessFilter{Status: models.AccessStatus(strings.ToUpper(status))}
	switch f.Status {
	case "", models.AccessPending, models.AccessApproved, models.AccessDeclined, models.AccessExpired:
	default:
		return nil, nil, models.Invalid("status", "status must be PENDING, APPROVED, DECLINED or EXPIRED")
	}
	all := who.approver() || who.id.HasRole(models.RoleCiscoSupport) || who.id.HasRole(models.RoleLicensingOps)
	if !all {
		f.RequestedBy = who.id.Email
	}
	ars, err := models.AccessRequests(ctx, s.db, who.sa.ID, f)
	if err != nil {
		return nil, nil, err
	}
	out := make([]accessRequestView, 0, len(ars))
	for _, ar := range ars {
		out = append(out, s.accessRequestView(c, ar))
	}
	if !all {
		return out, nil, nil
	}
	n, err := models.PendingAccessCount(ctx, s.db, who.sa.ID)
	if err != nil {
		return nil, nil, err
	}
	return out, &n, nil
}

// loadAsked reads the account for a caller who may see it, or who made or is named in one of its
// access requests (a stranger may ask for access to an unrestricted account, and follow the request).
// Anyone else is answered the 404 of every read of an account they cannot see, not an empty list
// that says the account exists.
func (s *Server) loadAsked(c *gin.Context) (caller, error) {
	who, err := s.load(c)
	if models.ErrorCode(err) != models.CodeNotFound {
		return who, err
	}
	found, ferr := s.loadFindable(c)
	if ferr != nil {
		return found, err
	}
	mine, ferr := models.AccessRequests(c.Request.Context(), s.db, found.sa.ID, models.AccessFilter{RequestedBy: found.id.Email, Limit: 1})
	switch {
	case ferr != nil:
		return found, ferr
	case len(mine) == 0:
		return found, err
	}
	return found, nil
}

// loadAccess reads an access request of the route's account for someone it concerns: the account's
// members (only its approvers may decide), the people mailed the task, the requester, the people it
// is for, internal staff.
func (s *Server) loadAccess(c *gin.Context) (caller, models.AccessRequest, error) {
	who, err := s.loadFindable(c)
	if err != nil {
		return who, models.AccessRequest{}, err
	}
	ar, err := models.FindAccessRequest(c.Request.Context(), s.db, c.Param("requestId"))
	if err != nil || ar.SmartAccountID != who.sa.ID {
		return who, ar, models.Errorf(models.CodeNotFound, "no access request %s on this Smart Account", c.Param("requestId"))
	}
	me := who.id.Email
	if !(who.member() || who.support() || who.id.HasRole(models.RoleCiscoApprover) || ar.RequestedBy == me ||
		slices.Contains(ar.ForEmails, me) || slices.Contains(ar.Approvers, me) || ar.DelegatedTo == me) {
		return who, ar, models.Errorf(models.CodeNotFound, "no access request %s on this Smart Account", ar.ID)
	}
	return who, ar, nil
}

func (s *Server) getAccessRequest(c *gin.Context) error {
	_, ar, err := s.loadAccess(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, s.accessRequestView(c, ar))
	return nil
}

// accessDecisionBody is the body of POST …/access-requests/{requestId}/decision.
type accessDecisionBody struct {
	Decision                process.Decision `json:"decision"`
	Reason                  string           `json:"reason"`
	DelegateTo              string           `json:"delegateTo"`
	DeclinedVirtualAccounts []string         `json:"declinedVirtualAccounts"`
}

// decideAccessRequest approves, declines or delegates through the API: the same update as the emailed
// link, whose validator refuses a decision that is not the caller's (403) or no longer possible (409).
func (s *Server) decideAccessRequest(c *gin.Context) error {
	who, ar, err := s.loadAccess(c)
	if err != nil {
		return err
	}
	var body accessDecisionBody
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	in := process.DecideInput{Decision: process.Decision(strings.ToUpper(string(body.Decision))),
		Reason: strings.TrimSpace(body.Reason), DelegateTo: body.DelegateTo, DeclinedVirtualAccounts: body.DeclinedVirtualAccounts}
	in.Actor, in.ActorRoles, in.Via = who.id.Email, who.id.Roles, process.ViaAPI
	res, ar, err := s.sendAccessDecision(c, ar, in)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"decision": res, "accessRequest": s.accessRequestView(c, ar)})
	return nil
}

// sendAccessDecision sends a decision to the request's process. The process checks every field; the
// API checks the one thing it cannot, that a delegate already holds a role on the account. A request
// that waits for no decision answers a repeat of its own decision with its outcome, anything else with
// who decided and when.
func (s *Server) sendAccessDecision(c *gin.Context, ar models.AccessRequest, in process.DecideInput) (process.DecideResult, models.AccessRequest, error) {
	ctx := c.Request.Context()
	if in.Decision == process.Delegate && models.ValidEmail(models.NormalizeEmail(in.DelegateTo)) {
		roles, err := models.RolesOn(ctx, s.db, in.DelegateTo, ar.SmartAccountID)
		if err != nil {
			return process.DecideResult{}, ar, err
		}
		if len(roles) == 0 {
			return process.DecideResult{}, ar, models.Invalid("delegateTo",
				"%s holds no role on this Smart Account; the decision can go to one of its users", models.NormalizeEmail(in.DelegateTo))
		}
	}
	var res process.DecideResult
	var err error
	if ar.Status == models.AccessPending {
		res, err = s.processes.Decide(ctx, ar.WorkflowID, in)
		if !errors.Is(err, process.ErrProcessClosed) && err != nil {
			return res, ar, err
		}
	}
	fresh, ferr := models.FindAccessRequest(ctx, s.db, ar.ID)
	if ferr != nil {
		return res, ar, ferr
	}
	if err != nil || ar.Status != models.AccessPending {
		var ok bool
		if res, ok = accessRepeat(fresh, in); !ok {
			return res, fresh, accessClosed(fresh)
		}
	}
	s.log.InfoContext(ctx, "access request decided", "accessRequestId", ar.ID, "smartAccountId", ar.SmartAccountID,
		"decision", in.Decision, "by", in.Actor, "via", in.Via)
	return res, fresh, nil
}

// ruleBody is one automation rule as clients send it.
type ruleBody struct {
	Action          models.RuleAction      `json:"action"`
	Role            models.Role            `json:"role"`
	RequesterDomain models.RequesterDomain `json:"requesterDomain"`
}

// accessRulesBody is the body of PUT …/access-rules: every rule the account is to have, in order.
type accessRulesBody struct {
	Rules []ruleBody `json:"rules"`
}

// getAccessRules shows the account's request automation settings to its administrators.
func (s *Server) getAccessRules(c *gin.Context) error {
	who, err := s.load(c)
	if err != nil {
		return err
	}
	rules, err := s.rulesOf(c, who)
	return jsonOr(c, http.StatusOK, gin.H{"rules": rules}, err)
}

// rulesOf is the account's request automation for its administrators and internal support.
func (s *Server) rulesOf(c *gin.Context, who caller) ([]ruleView, error) {
	if !who.approver() && !who.support() {
		return nil, models.Errorf(models.CodeForbidden, "only the administrators of %s see its request automation", who.sa.Name)
	}
	rules, err := models.AccessRules(c.Request.Context(), s.db, who.sa.ID)
	if err != nil {
		return nil, err
	}
	return rulesView(rules), nil
}

// putAccessRules replaces the account's rules (FEATURES AC3); the first rule that matches a request acts.
func (s *Server) putAccessRules(c *gin.Context) error {
	who, body, err := bind[accessRulesBody](c, s.load)
	if err != nil {
		return err
	}
	if len(body.Rules) > models.MaxAccessRules {
		return models.Invalid("rules", "at most %d rules", models.MaxAccessRules)
	}
	rules := make([]models.AccessRule, 0, len(body.Rules))
	for i, r := range body.Rules {
		rule, err := validRule(fmt.Sprintf("rules[%d]", i), r)
		if err != nil {
			return err
		}
		rules = append(rules, rule)
	}
	saved, err := s.setRules(c, who, rules)
	return jsonOr(c, http.StatusOK, gin.H{"rules": saved}, err)
}

// validRule checks one automation rule, its errors naming field (rules[i]): the API's list and the
// portal's form rows alike.
func validRule(field string, r ruleBody) (models.AccessRule, error) {
	switch r.Action {
	case models.RuleApprove, models.RuleDecline, models.RuleRouteVAAdmins:
	default:
		return models.AccessRule{}, models.Invalid(field+".action", "action must be APPROVE, DECLINE or ROUTE_TO_VA_ADMINS")
	}
	if r.Role != "" && !r.Role.Valid() {
		return models.AccessRule{}, models.Invalid(field+".role", "role must be a role name, or left out for any role")
	}
	if r.Action == models.RuleRouteVAAdmins && r.Role != "" && !r.Role.VARole() {
		return models.AccessRule{}, models.Invalid(field+".role", "ROUTE_TO_VA_ADMINS applies to virtual account roles only")
	}
	switch r.RequesterDomain {
	case "":
		r.RequesterDomain = models.DomainAny
	case models.DomainOwn, models.DomainOther, models.DomainAny:
	default:
		return models.AccessRule{}, models.Invalid(field+".requesterDomain", "requesterDomain must be OWN, OTHER or ANY")
	}
	return models.AccessRule{Action: r.Action, Role: r.Role, RequesterDomain: r.RequesterDomain}, nil
}

// setRules replaces the account's rules by one of its administrators (or support with a reason).
func (s *Server) setRules(c *gin.Context, who caller, rules []models.AccessRule) ([]ruleView, error) {
	ctx := c.Request.Context()
	support, err := s.adminWrite(c, who)
	if err != nil {
		return nil, err
	}
	saved, err := models.ReplaceAccessRules(ctx, s.db, who.id.Email, who.sa.ID, rules, support)
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "access rules set", "smartAccountId", who.sa.ID, "by", who.id.Email, "rules", len(saved))
	return rulesView(saved), nil
}

type ruleView struct {
	models.AccessRule
	Description string `json:"description"`
}

func rulesView(rules []models.AccessRule) []ruleView {
	out := make([]ruleView, 0, len(rules))
	for _, r := range rules {
		out = append(out, ruleView{AccessRule: r, Description: r.Describe()})
	}
	return out
}
