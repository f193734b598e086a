package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// A customer contact's task for an account requested on their company's behalf (FEATURES SA5): accept
// (with the headquarters address, or give it in a second step through the same link) or decline.

func init() { purposes[models.PurposeSAAcceptance] = acceptance{} }

type acceptance struct{}

// acceptancePageData is what the acceptance page shows besides the task.
type acceptancePageData struct {
	pageData
	Notice  string
	Step    string
	Address models.Address
}

func (acceptance) open(ctx context.Context, s *Server, l link) (subject, error) {
	sa, name, err := models.FindSmartAccountWithRequester(ctx, s.db, l.SubjectID)
	if err != nil {
		return nil, err
	}
	return newCustomerTask(sa, name, l), nil
}

func newCustomerTask(sa models.SmartAccount, requesterName string, l link) *customerTask {
	v := accountTask(sa, l, "Accept a Smart Account requested for your company", fmt.Sprintf("%s asks to create this "+
		"Smart Account for your company and named you as one who may authorize it. If you accept, you become its "+
		"administrator.", sa.RequestedBy))
	v.Note, v.RequesterName = sa.NoteToCustomer, requesterName
	t := &customerTask{sa: sa, view: v, step: "accept"}
	if sa.Status == models.SAPendingCustomerAddress && sa.AcceptedBy == l.Recipient {
		// The same link carries its recipient through the address step they were asked for.
		t.step = "address"
		v.Title, v.Ask = "Give the headquarters address", "You accepted this Smart Account. One step is left: its headquarters address."
	}
	return t
}

type customerTask struct {
	sa   models.SmartAccount
	view *taskView
	step string
}

func (t *customerTask) task() *taskView { return t.view }

func (t *customerTask) closed() error {
	if t.sa.Status == models.SAPendingCustomerAcceptance || t.step == "address" {
		return nil
	}
	return customerStepClosed(t.sa, models.SAPendingCustomerAcceptance)
}

func (t *customerTask) form(c *gin.Context, s *Server, status int, values url.Values, refusal string) {
	t.page(c, s, status, formAddress(values, "", t.sa.Headquarters), "", refusal, text(values, "reason"))
}

func (t *customerTask) page(c *gin.Context, s *Server, status int, hq models.Address, notice, refusal, reason string) {
	s.writePage(c, status, acceptancePage, acceptancePageData{pageData: pageData{Title: t.view.Title, Status: status,
		Task: t.view, FormError: refusal, Reason: reason}, Notice: notice, Step: t.step, Address: hq})
}

func (t *customerTask) decide(c *gin.Context, s *Server, l link, values url.Values) (string, error) {
	in := linkDecision(l, values)
	if hq := formAddress(values, "", models.Address{}); !hq.IsZero() && in.Decision != process.Decline {
		in.Headquarters = &hq
	}
	res, err := s.processes.Decide(c.Request.Context(), l.WorkflowID, in)
	if err != nil {
		return "", err
	}
	t.sa.Status = res.Status
	if res.Status == models.SAPendingCustomerAddress {
		// Accepted without the address: the page asks for it at once, on the same link.
		t.sa.AcceptedBy = l.Recipient
		next := newCustomerTask(t.sa, t.view.RequesterName, l)
		next.page(c, s, http.StatusOK, t.sa.Headquarters, "Accepted. One step is left: the headquarters address of "+t.sa.Name+".", "", "")
		return "", errPageWritten
	}
	return customerOutcome(in.Decision, t.sa), nil
}

// customerOutcome says what a customer's answer led to, and what happens next.
func customerOutcome(d process.Decision, sa models.SmartAccount) string {
	out := models.CustomerOutcome(string(d), sa)
	switch {
	case d == process.Decline:
		out += " " + sa.RequestedBy + " was told by mail, with your reason."
	case sa.Status == models.SAActive:
		out += " You are its administrator."
	case sa.Status == models.SAPendingApproval:
		out += " An ACTIVE account of " + sa.TLD + " exists, and its administrators decide next."
	case sa.Status == models.SAPendingDomainApproval:
		out += " A Cisco licensing approver checks its domain " + sa.Domain + " next."
	}
	return out
}

// formAddress is the address a form carries; the fields left empty keep the value of base.
func formAddress(values url.Values, prefix string, base models.Address) models.Address {
	f := func(k, old string) string {
		k = prefix + k
		if v := text(values, k); v != "" || values.Has(k) {
			return v
		}
		return old
	}
	return models.Address{Company: f("company", base.Company), Line1: f("line1", base.Line1), Line2: f("line2", base.Line2),
		City: f("city", base.City), Region: f("region", base.Region), PostalCode: f("postalCode", base.PostalCode),
		Country: f("country", base.Country)}
}
