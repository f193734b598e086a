package api

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// createSARequest is the body of POST /smart-accounts.
type createSARequest struct {
	Name            string            `json:"name"`
	Domain          string            `json:"domain"`
	NoteToApprover  string            `json:"noteToApprover"`
	Visibility      models.Visibility `json:"visibility"`
	Headquarters    *models.Address   `json:"headquarters"`
	NominatedAdmins []string          `json:"nominatedAdmins"`
	// OnBehalf ("someone else will authorize"), CustomerContacts and NoteToCustomer request the account
	// for a customer; ModifiedDomain goes on with an edited domain after a 409 (see onbehalf.go).
	OnBehalf         bool     `json:"onBehalf"`
	CustomerContacts []string `json:"customerContacts"`
	NoteToCustomer   string   `json:"noteToCustomer"`
	ModifiedDomain   bool     `json:"modifiedDomain"`
	// Type HOLDING asks for a Partner Holding Account (see holding.go); CUSTOMER is the default.
	Type models.SAType `json:"type"`
}

const maxNominees = 50

// validate checks the request and fills the defaults (domain: the requester's; "myself").
func (r *createSARequest) validate(requester string) (process.SARequest, error) {
	out := process.SARequest{NoteToApprover: strings.TrimSpace(r.NoteToApprover)}
	out.Name = strings.TrimSpace(r.Name)
	switch {
	case out.Name == "":
		return out, models.Invalid("name", "name is required")
	case len([]rune(out.Name)) > 100:
		return out, models.Invalid("name", "name is longer than 100 characters")
	case strings.IndexFunc(out.Name, unicode.IsControl) >= 0:
		return out, models.Invalid("name", "name holds control characters")
	}
	domain := r.Domain
	if strings.TrimSpace(domain) == "" {
		domain = models.EmailDomain(requester)
	}
	d, err := models.NormalizeDomain(domain)
	if err != nil {
		return out, models.Invalid("domain", "domain: %v", err)
	}
	out.Domain = d
	if len(out.NoteToApprover) > 1000 {
		return out, models.Invalid("noteToApprover", "noteToApprover is longer than 1000 characters")
	}
	switch r.Visibility {
	case "":
		out.Visibility = models.VisibilityUnrestricted
	case models.VisibilityUnrestricted, models.VisibilityRestricted:
		out.Visibility = r.Visibility
	default:
		return out, models.Invalid("visibility", "visibility must be UNRESTRICTED or RESTRICTED")
	}
	// A request on a customer's behalf may leave the address to the customer.
	if r.Headquarters == nil && !r.OnBehalf {
		return out, models.Invalid("headquarters", "headquarters is required: company, line1, city, country")
	}
	if r.Headquarters != nil && (!r.OnBehalf || !r.Headquarters.IsZero()) {
		if out.Headquarters, err = models.ValidAddress("headquarters", *r.Headquarters); err != nil {
			return out, err
		}
	}
	if len(r.NominatedAdmins) > maxNominees {
		return out, models.Invalid("nominatedAdmins", "at most %d nominated admins", maxNominees)
	}
	out.NominatedAdmins = []string{}
	for i, n := range r.NominatedAdmins {
		e := models.NormalizeEmail(n)
		if e == "myself" {
			e = requester
		}
		if !models.ValidEmail(e) {
			return out, models.Invalid(fmt.Sprintf("nominatedAdmins[%d]", i), "%q is not an email address", n)
		}
		if !contains(out.NominatedAdmins, e) {
			out.NominatedAdmins = append(out.NominatedAdmins, e)
		}
	}
	if err := r.validateType(&out); err != nil {
		return out, err
	}
	return out, r.validateOnBehalf(&out)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// requestID derives the creation request's id: from the Idempotency-Key (per requester) so a repeated
// POST finds the same process, or a fresh one.
func requestID(requester, key string) string {
	if key == "" {
		return models.NewID()
	}
	sum := sha256.Sum256([]byte(requester + "\n" + key))
	return hex.EncodeToString(sum[:16])
}

func (s *Server) createSmartAccount(c *gin.Context) error {
	id := identity(c)
	var body createSARequest
	if err := DecodeJSON(c.Request, &body); err != nil {
		return err
	}
	req, err := body.validate(id.Email)
	if err == nil && req.Type == models.SATypeHolding {
		err = s.holdingRequest(c, &req, id.Email)
	}
	if err != nil {
		return err
	}
	key := strings.TrimSpace(c.GetHeader("Idempotency-Key"))
	if len(key) > 200 {
		return models.Invalid("Idempotency-Key", "Idempotency-Key is longer than 200 characters")
	}
	sa, res, err := s.requestAccount(c, id, req, requestID(id.Email, key), key != "")
	if err != nil {
		return err
	}
	v := newAccountView(sa, res.WaitingOn)
	v.Why = res.Why
	c.Header("Location", "/api/v1/smart-accounts/"+sa.ID)
	c.JSON(http.StatusAccepted, v)
	return nil
}

// requestAccount starts the creation request rid for id (FEATURES SA1–SA6): the API and the contact's
// emailed assignment page both go through it. A repeatable request made before is answered with the
// account it made; a live account with the exact domain is a 409 with the ways forward.
func (s *Server) requestAccount(c *gin.Context, id auth.Identity, req process.SARequest, rid string, repeatable bool) (
	models.SmartAccount, process.CreateResponse, error) {
	ctx := c.Request.Context()
	req.Requester = models.Person{Email: id.Email, Name: id.Name}
	if repeatable {
		sa, ok, err := models.FindSmartAccountByRequest(ctx, s.db, rid)
		if err != nil {
			return sa, process.CreateResponse{}, err
		}
		if ok {
			return sa, process.CreateResponse{WaitingOn: sa.WaitingOn}, sameRequest(sa, req)
		}
	}
	if !models.IsPersonalMailDomain(req.Domain) && req.Type != models.SATypeHolding {
		if err := s.checkDomainFree(c, req.Domain, id); err != nil {
			return models.SmartAccount{}, process.CreateResponse{}, err
		}
	}
	res, err := s.processes.StartSACreate(ctx, rid, req)
	switch {
	case process.IsAlreadyStarted(err):
		sa, ok, ferr := models.FindSmartAccountByRequest(ctx, s.db, rid)
		if ferr != nil || !ok {
			return sa, res, models.Errorf(models.CodeConflict, "this Idempotency-Key was used for a request that was refused")
		}
		return sa, process.CreateResponse{WaitingOn: sa.WaitingOn}, sameRequest(sa, req)
	case models.ErrorCode(err) == models.CodeConflict:
		// Another request took the domain between the check and the start: answer as the check would.
		if cerr := s.checkDomainFree(c, req.Domain, id); cerr != nil {
			err = cerr
		}
		return models.SmartAccount{}, res, err
	case err != nil:
		return models.SmartAccount{}, res, err
	}
	sa, err := models.FindSmartAccount(ctx, s.db, res.SmartAccountID)
	return sa, res, err
}

// sameRequest refuses a repeated request that asks for another account than the one it made.
func sameRequest(sa models.SmartAccount, req process.SARequest) error {
	if sa.Name != req.Name || (!sa.SMB && sa.Domain != req.Domain) {
		return &models.Error{Code: models.CodeConflict, Field: "Idempotency-Key",
			Message: "this Idempotency-Key was already used for another request (" + sa.Name + ", " + sa.Domain + ")"}
	}
	return nil
}

// checkDomainFree answers 409 when a live account uses the exact domain, listing the TLD's accounts the
// caller may see and the ways forward (FEATURES SA6).
func (s *Server) checkDomainFree(c *gin.Context, domain string, id auth.Identity) error {
	ctx := c.Request.Context()
	tld, err := models.TLD(domain)
	if err != nil {
		return models.Invalid("domain", "domain: %v", err)
	}
	live, err := models.LiveAccountsForTLD(ctx, s.db, tld)
	if err != nil {
		return err
	}
	taken := false
	for _, sa := range live {
		taken = taken || sa.Domain == domain && sa.Type != models.SATypeHolding
	}
	if !taken {
		return nil
	}
	listed := make([]accountSummary, 0, len(live))
	for _, sa := range live {
		roles, err := models.RolesOn(ctx, s.db, id.Email, sa.ID)
		if err != nil {
			return err
		}
		if sa.Visibility == models.VisibilityRestricted && len(roles) == 0 && !viewer(id).Internal() {
			continue
		}
		sum := summary(sa)
		if sum.Admins, err = models.AdminEmails(ctx, s.db, sa.ID); err != nil {
			return err
		}
		sum.Actions = actionsFor(sa)
		listed = append(listed, sum)
	}
	return &models.Error{Code: models.CodeConflict, Field: "domain",
		Message: fmt.Sprintf("a Smart Account already uses the domain %s", domain),
		Details: gin.H{"tld": tld, "smartAccounts": listed, "waysForward": waysForward(tld)}}
}

// actionsFor says what a requester may do with an existing account of the TLD.
func actionsFor(sa models.SmartAccount) []string {
	switch sa.Status {
	case models.SAActive:
		return []string{"REQUEST_ACCESS"}
	case models.SAPendingCustomerAcceptance, models.SADeclinedByCustomer:
		return []string{"NOMINATE_CREATORS"}
	}
	// Activation in progress (domain approval, address step, administrators' approval): not selectable.
	return []string{}
}

// loadVisible reads an account the caller may see; others are 404, so restricted accounts stay unseen.
func (s *Server) loadVisible(c *gin.Context) (models.SmartAccount, []models.AccountRole, error) {
	ctx := c.Request.Context()
	id := identity(c)
	sa, err := models.FindSmartAccount(ctx, s.db, c.Param("id"))
	if err != nil {
		return sa, nil, err
	}
	roles, err := models.RolesOn(ctx, s.db, id.Email, sa.ID)
	if err != nil {
		return sa, nil, err
	}
	if !models.CanSee(viewer(id), sa, roles) && !isApprover(sa, id) && !s.ownsSMB(c, sa, id) {
		return sa, nil, models.Errorf(models.CodeNotFound, "no Smart Account %s", sa.ID)
	}
	return sa, roles, nil
}

// isApprover reports whether the account waits for the caller's decision, which lets them see it.
func isApprover(sa models.SmartAccount, id auth.Identity) bool {
	return sa.Status.Pending() && models.WaitsFor(sa.WaitingOn, id.Email)
}

func (s *Server) getSmartAccount(c *gin.Context) error {
	v, _, err := s.accountOf(c)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, v)
	return nil
}

// accountOf is the route's account as its caller may see it, with their roles: GET /smart-accounts/{id}
// and the portal's account page.
func (s *Server) accountOf(c *gin.Context) (accountView, []models.AccountRole, error) {
	sa, roles, err := s.loadVisible(c)
	if err != nil {
		return accountView{}, nil, err
	}
	v := myAccountView(sa, roles)
	s.decorate(c, &v, roles)
	return v, roles, nil
}

func (s *Server) smartAccountEvents(c *gin.Context) error {
	sa, _, err := s.loadVisible(c)
	if err != nil {
		return err
	}
	return eventPage(c, func(after string, limit int) ([]models.Event, error) {
		return models.AccountEvents(c.Request.Context(), s.db, sa.ID, after, limit)
	})
}

// eventPage answers a page of a history: up to limit events (1 to 500, 100 unless asked) after the
// event the query names, and next, the cursor of the page after, while the page is full.
func eventPage(c *gin.Context, list func(after string, limit int) ([]models.Event, error)) error {
	limit, err := pageLimit(c, 100, 500)
	if err != nil {
		return err
	}
	evs, err := list(c.Query("after"), limit)
	if err != nil {
		return err
	}
	if evs == nil {
		evs = []models.Event{}
	}
	resp := gin.H{"events": evs}
	if len(evs) == limit {
		resp["next"] = evs[len(evs)-1].ID
	}
	c.JSON(http.StatusOK, resp)
	return nil
}

func (s *Server) virtualAccounts(c *gin.Context) error {
	sa, _, err := s.loadVisible(c)
	if err != nil {
		return err
	}
	vas, err := models.VirtualAccounts(c.Request.Context(), s.db, sa.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"virtualAccounts": vas})
	return nil
}

func (s *Server) searchSmartAccounts(c *gin.Context) error {
	f := models.SearchFilter{Domain: c.Query("domain"), Name: c.Query("name"), Email: c.Query("email")}
	if f.Domain == "" && f.Name == "" && f.Email == "" {
		return models.Invalid("name", "give at least one of domain, name or email")
	}
	if l := c.Query("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 200 {
			return models.Invalid("limit", "limit must be between 1 and 200")
		}
		f.Limit = n
	}
	sas, err := models.SearchSmartAccounts(c.Request.Context(), s.db, f)
	if err != nil {
		return err
	}
	out := make([]accountSummary, 0, len(sas))
	for _, sa := range sas {
		out = append(out, summary(sa))
	}
	c.JSON(http.StatusOK, gin.H{"smartAccounts": out})
	return nil
}

// decisionRequest is the body of POST /smart-accounts/{id}/decision.
type decisionRequest struct {
	Decision process.Decision `json:"decision"`
	Reason   string           `json:"reason"`
}

// approvalDecision reads an APPROVE/DECLINE body (anything else is a 400) as the caller's decision
// through the API.
func approvalDecision(c *gin.Context) (process.DecideInput, error) {
	var body decisionRequest
	if err := DecodeJSON(c.Request, &body); err != nil {
		return process.DecideInput{}, err
	}
	if body.Decision != process.Approve && body.Decision != process.Decline {
		return process.DecideInput{}, models.Invalid("decision", "decision must be APPROVE or DECLINE")
	}
	id := identity(c)
	return process.DecideInput{Decision: body.Decision, Reason: strings.TrimSpace(body.Reason), Actor: id.Email,
		ActorRoles: id.Roles, Via: process.ViaAPI}, nil
}

func (s *Server) decideSmartAccount(c *gin.Context) error {
	ctx := c.Request.Context()
	in, err := approvalDecision(c)
	if err != nil {
		return err
	}
	// Only an account the caller may see can be decided on: others answer 404, never who decided them.
	sa, _, err := s.loadVisible(c)
	if err != nil {
		return err
	}
	wfID, err := decisionWorkflow(sa)
	if err != nil {
		return err
	}
	res, err := s.decideAccount(ctx, sa, in, wfID, accountClosed)
	if err != nil {
		return err
	}
	sa, err = models.FindSmartAccount(ctx, s.db, sa.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"decision": res, "smartAccount": newAccountView(sa, sa.WaitingOn)})
	return nil
}
