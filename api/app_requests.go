package api

import (
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
)

// My requests (FEATURES X7; AC1, SA1, SA8): what the caller asked for and where each stands, whom it
// waits for, since when and until when. GET /api/v1/me/requests and the page /app/requests both read
// myRequestsOf; every row is one the caller made (or, for access, is named in).

// myRequest is one thing the caller asked for.
type myRequest struct {
	// Kind is SMART_ACCOUNT, ACCESS or UPGRADE.
	Kind           string           `json:"kind"`
	ID             string           `json:"id"`
	SmartAccountID string           `json:"smartAccountId"`
	AccountName    string           `json:"smartAccountName"`
	What           string           `json:"what"`
	Status         string           `json:"status"`
	WaitingOn      []models.Waiting `json:"waitingOn"`
	DecidedBy      string           `json:"decidedBy,omitempty"`
	Reason         string           `json:"decisionReason,omitempty"`
	CreatedAt      time.Time        `json:"createdAt"`
}

const myRequestsLimit = 200

func (s *Server) myRequestsOf(c *gin.Context) ([]myRequest, error) {
	me := identity(c).Email
	rows, err := models.RequestsBy(c.Request.Context(), s.db, me, myRequestsLimit)
	if err != nil {
		return nil, err
	}
	out := []myRequest{}
	for _, sa := range rows.Accounts {
		waiting := sa.WaitingOn
		if !sa.Status.Pending() || waiting == nil {
			waiting = []models.Waiting{}
		}
		out = append(out, myRequest{Kind: "SMART_ACCOUNT", ID: sa.ID, SmartAccountID: sa.ID, AccountName: sa.Name,
			What: "a Smart Account for " + sa.Domain, Status: string(sa.Status), WaitingOn: waiting, DecidedBy: sa.DecidedBy,
			Reason: sa.DecisionReason, CreatedAt: sa.CreatedAt})
	}
	for _, ar := range rows.Access {
		what := ar.Role.Title()
		if ar.RequestedBy != models.NormalizeEmail(me) {
			what += ", asked for you by " + ar.RequestedBy
		}
		if ar.PartnerDomain != "" {
			what += s.forPartner(c, ar.PartnerDomain)
		}
		out = append(out, myRequest{Kind: "ACCESS", ID: ar.ID, SmartAccountID: ar.SmartAccountID,
			AccountName: rows.Names[ar.SmartAccountID], What: what, Status: string(ar.Status), WaitingOn: ar.WaitingOn(),
			DecidedBy: ar.DecidedBy, Reason: ar.DecisionReason, CreatedAt: ar.CreatedAt})
	}
	for _, u := range rows.Upgrades {
		waiting := u.WaitingOn
		if !u.Status.Pending() || waiting == nil {
			waiting = []models.Waiting{}
		}
		out = append(out, myRequest{Kind: "UPGRADE", ID: u.ID, SmartAccountID: u.SmartAccountID,
			AccountName: rows.Names[u.SmartAccountID], What: "upgrade to " + u.Name + " (" + u.Domain + ")",
			Status: string(u.Status), WaitingOn: waiting, DecidedBy: u.DecidedBy, Reason: u.DecisionReason, CreatedAt: u.CreatedAt})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

// myRequests answers GET /api/v1/me/requests.
func (s *Server) myRequests(c *gin.Context) error {
	out, err := s.myRequestsOf(c)
	return jsonOr(c, http.StatusOK, gin.H{"requests": out}, err)
}

var appRequestsPage = accountsTemplate("requests")

// appRequestsView is the My requests page.
type appRequestsView struct {
	appPage
	Requests []myRequest
}

func (s *Server) appRequests(c *gin.Context) {
	out, err := s.myRequestsOf(c)
	s.appPageOr(c, "/app/directory", appRequestsPage,
		appRequestsView{appPage: s.appPage(c, "My requests", "requests"), Requests: out}, err)
}
