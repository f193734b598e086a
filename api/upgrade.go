package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// upgradeInfo tells an SMB account's owner whether the account can be upgraded, and with which
// defaults the upgrade form starts (FEATURES SA8).
type upgradeInfo struct {
	SmartAccountID string            `json:"smartAccountId"`
	Name           string            `json:"name"`
	Domain         string            `json:"domain"`
	Eligible       bool              `json:"eligible"`
	Reason         string            `json:"reason,omitempty"`
	Defaults       *upgradeDefaults  `json:"defaults,omitempty"`
	LastUpgrade    *models.SAUpgrade `json:"lastUpgrade,omitempty"`
}

type upgradeDefaults struct {
	Name         string            `json:"name"`
	Domain       string            `json:"domain"`
	Headquarters models.Address    `json:"headquarters"`
	Visibility   models.Visibility `json:"visibility"`
}

// ownEmails are the caller's address and the ones they signed in with before (same CCO id): an SMB
// account made with a personal address stays its owner's after the profile mail changed.
func (s *Server) ownEmails(c *gin.Context, id auth.Identity) ([]string, error) {
	former, err := models.FormerEmails(c.Request.Context(), s.db, id.Email, id.CCOID)
	if err != nil {
		return nil, err
	}
	return append([]string{id.Email}, former...), nil
}

// smbAccounts lists the SMB accounts the caller owns, each with its upgrade eligibility.
func (s *Server) smbAccounts(c *gin.Context, id auth.Identity) ([]upgradeInfo, error) {
	emails, err := s.ownEmails(c, id)
	if err != nil {
		return nil, err
	}
	sas, err := models.OwnedSMBAccounts(c.Request.Context(), s.db, emails)
	if err != nil {
		return nil, err
	}
	out := make([]upgradeInfo, 0, len(sas))
	for _, sa := range sas {
		info, err := s.upgradeInfoOf(c, id, sa)
		if err != nil {
			return nil, err
		}
		out = append(out, info)
	}
	return out, nil
}

func (s *Server) upgradeInfoOf(c *gin.Context, id auth.Identity, sa models.SmartAccount) (upgradeInfo, error) {
	info := upgradeInfo{SmartAccountID: sa.ID, Name: sa.Name, Domain: sa.Domain}
	last, ok, err := models.LatestUpgrade(c.Request.Context(), s.db, sa.ID)
	if err != nil {
		return info, err
	}
	if ok {
		info.LastUpgrade = &last
	}
	domain := models.EmailDomain(id.Email)
	switch {
	case models.IsPersonalMailDomain(domain):
		info.Reason = "your profile mail " + id.Email + " is a personal address: change it to your company address in your Cisco profile, then upgrade"
	case ok && last.Status.Pending():
		info.Reason = "an upgrade to " + last.Domain + " waits for " + string(last.Status)
	default:
		info.Eligible = true
		hq := sa.Headquarters
		if hq.IsZero() {
			var u models.User
			if s.db.WithContext(c.Request.Context()).Where("email = ?", id.Email).Take(&u).Error == nil {
				hq = u.Address
			}
		}
		info.Defaults = &upgradeDefaults{Name: sa.Name, Domain: domain, Headquarters: hq, Visibility: sa.Visibility}
	}
	return info, nil
}

// upgradeRequest is the body of POST /smart-accounts/{id}/upgrade.
type upgradeRequest struct {
	Name         string            `json:"name"`
	Domain       string            `json:"domain"`
	Headquarters *models.Address   `json:"headquarters"`
	Visibility   models.Visibility `json:"visibility"`
}

// upgradeSmartAccount starts the upgrade of an SMB account by its owner, once their profile mail is a
// company address; the same approval rules as a creation decide it.
func (s *Server) upgradeSmartAccount(c *gin.Context) error {
	who, body, err := bind[upgradeRequest](c, s.load)
	if err != nil {
		return err
	}
	st, err := s.startSMBUpgrade(c, who, body)
	if err != nil {
		return err
	}
	c.JSON(http.StatusAccepted, gin.H{"upgrade": st.Upgrade, "waitingOn": st.WaitingOn, "why": st.Why,
		"smartAccount": newAccountView(st.Account, nil)})
	return nil
}

// upgradeStarted is an upgrade just requested: the row, whom it waits for and why, the account after it.
type upgradeStarted struct {
	Upgrade   models.SAUpgrade
	WaitingOn []models.Waiting
	Why       string
	Account   models.SmartAccount
}

// startSMBUpgrade checks and starts the upgrade process for the caller: POST …/upgrade and the portal's
// upgrade form alike (FEATURES SA8).
func (s *Server) startSMBUpgrade(c *gin.Context, who caller, body upgradeRequest) (upgradeStarted, error) {
	ctx := c.Request.Context()
	if !who.sa.SMB || who.sa.Status != models.SAActive {
		return upgradeStarted{}, models.Errorf(models.CodeConflict, "%s is not an ACTIVE SMB account; only those are upgraded", who.sa.Name)
	}
	emails, err := s.ownEmails(c, who.id)
	if err != nil {
		return upgradeStarted{}, err
	}
	admins, err := models.AdminEmails(ctx, s.db, who.sa.ID)
	if err != nil {
		return upgradeStarted{}, err
	}
	if !slices.ContainsFunc(emails, func(e string) bool { return slices.Contains(admins, e) }) {
		return upgradeStarted{}, models.Errorf(models.CodeForbidden, "only an administrator of %s may upgrade it", who.sa.Name)
	}
	info, err := s.upgradeInfoOf(c, who.id, who.sa)
	if err != nil {
		return upgradeStarted{}, err
	}
	if info.LastUpgrade != nil && info.LastUpgrade.Status.Pending() {
		// A repeated POST starts nothing: it is told which upgrade already waits, and for what.
		return upgradeStarted{}, &models.Error{Code: models.CodeConflict, Message: info.Reason, Details: gin.H{"upgrade": info.LastUpgrade}}
	}
	if !info.Eligible {
		return upgradeStarted{}, &models.Error{Code: models.CodeRefused, Message: info.Reason, Details: gin.H{"lastUpgrade": info.LastUpgrade}}
	}
	in, err := body.validate(info.Defaults)
	if err != nil {
		return upgradeStarted{}, err
	}
	in.UpgradeID, in.SmartAccountID = models.NewID(), who.sa.ID
	in.Requester = models.Person{Email: who.id.Email, Name: who.id.Name}
	res, err := s.processes.StartUpgrade(ctx, in)
	if err != nil {
		return upgradeStarted{}, err
	}
	u, err := models.FindUpgrade(ctx, s.db, res.UpgradeID)
	if err != nil {
		return upgradeStarted{}, err
	}
	if u.ID != in.UpgradeID && !u.Status.Pending() {
		// The account's upgrade process (one id per account) still finishes an earlier, decided upgrade
		// and answered for it: this request started nothing.
		return upgradeStarted{}, &models.Error{Code: models.CodeConflict, Details: gin.H{"upgrade": u},
			Message: "the previous upgrade (" + string(u.Status) + ") is still being closed; try again in a few minutes"}
	}
	sa, err := models.FindSmartAccount(ctx, s.db, who.sa.ID)
	if err != nil {
		return upgradeStarted{}, err
	}
	s.log.InfoContext(ctx, "upgrade requested", "smartAccountId", sa.ID, "upgradeId", u.ID, "status", u.Status, "by", who.id.Email)
	waiting := res.WaitingOn
	if waiting == nil {
		waiting = []models.Waiting{}
	}
	return upgradeStarted{Upgrade: u, WaitingOn: waiting, Why: res.Why, Account: sa}, nil
}

func (b upgradeRequest) validate(d *upgradeDefaults) (process.UpgradeInput, error) {
	in := process.UpgradeInput{Name: strings.TrimSpace(b.Name), Visibility: b.Visibility}
	if in.Name == "" {
		in.Name = d.Name
	}
	if _, err := models.ValidVAName("name", in.Name); err != nil {
		return in, err
	}
	domain := b.Domain
	if strings.TrimSpace(domain) == "" {
		domain = d.Domain
	}
	var err error
	if in.Domain, err = models.NormalizeDomain(domain); err != nil {
		return in, models.Invalid("domain", "domain: %v", err)
	}
	if models.IsPersonalMailDomain(in.Domain) {
		return in, models.Invalid("domain", "%s is a personal mail domain; a standard account needs your company's domain", in.Domain)
	}
	hq := d.Headquarters
	if b.Headquarters != nil {
		hq = *b.Headquarters
	}
	if in.Headquarters, err = models.ValidAddress("headquarters", hq); err != nil {
		return in, err
	}
	switch in.Visibility {
	case "":
		in.Visibility = d.Visibility
	case models.VisibilityRestricted, models.VisibilityUnrestricted:
	default:
		return in, models.Invalid("visibility", "visibility must be UNRESTRICTED or RESTRICTED")
	}
	return in, nil
}

// decideUpgrade is an approver's decision on the account's pending upgrade through the API.
func (s *Server) decideUpgrade(c *gin.Context) error {
	ctx := c.Request.Context()
	in, err := approvalDecision(c)
	if err != nil {
		return err
	}
	sa, err := models.FindSmartAccount(ctx, s.db, c.Param("id"))
	if err != nil {
		return err
	}
	u, ok, err := models.LatestUpgrade(ctx, s.db, sa.ID)
	if err != nil {
		return err
	}
	if !ok || !s.mayReviewUpgrade(c, identity(c), sa, u) {
		return models.Errorf(models.CodeNotFound, "no upgrade of Smart Account %s waits for you", sa.ID)
	}
	var res process.DecideResult
	if u.Status.Pending() {
		res, err = s.processes.Decide(ctx, process.SMBUpgradeID(sa.ID), in)
		if errors.Is(err, process.ErrProcessClosed) {
			u, err = models.FindUpgrade(ctx, s.db, u.ID)
		}
	}
	if err == nil && !u.Status.Pending() && res.Decision == "" {
		var ok bool
		if res, ok = upgradeRepeat(u, in); !ok {
			err = upgradeClosed(u)
		}
	}
	if err != nil {
		return err
	}
	fresh, err := models.FindUpgrade(ctx, s.db, u.ID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, gin.H{"decision": res, "upgrade": fresh})
	return nil
}

// mayReviewUpgrade reports whether the caller may see an upgrade: whoever sees the account, Cisco
// staff, and the people the upgrade waits for.
func (s *Server) mayReviewUpgrade(c *gin.Context, id auth.Identity, sa models.SmartAccount, u models.SAUpgrade) bool {
	roles, err := models.RolesOn(c.Request.Context(), s.db, id.Email, sa.ID)
	return (err == nil && models.CanSee(viewer(id), sa, roles)) || models.WaitsFor(u.WaitingOn, id.Email)
}

// upgradeEligible reports whether any owned SMB account can be upgraded now: the banner's condition.
func upgradeEligible(infos []upgradeInfo) bool {
	for _, i := range infos {
		if i.Eligible {
			return true
		}
	}
	return false
}

// ownsSMB reports whether the caller administers an SMB account under an address they signed in with
// before (same CCO id): its owner keeps seeing it after changing their profile mail.
func (s *Server) ownsSMB(c *gin.Context, sa models.SmartAccount, id auth.Identity) bool {
	if !sa.SMB || id.CCOID == "" {
		return false
	}
	emails, err := s.ownEmails(c, id)
	if err != nil {
		return false
	}
	admins, err := models.AdminEmails(c.Request.Context(), s.db, sa.ID)
	return err == nil && slices.ContainsFunc(emails, func(e string) bool { return slices.Contains(admins, e) })
}
