package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/api"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

// The rules of the one registry every emailed link goes through, for every purpose: unknown, used,
// expired and closed links each get their own page and status, change nothing and ask no process; a
// decision its process's validator refuses shows the form again with the refusal, and changes nothing.

// fakeOrders stands in for the order processes: Assign answers assignErr, and is counted.
// linkCase is one purpose's emailed task, ready to be opened: its link, a form its page would post, and
// how to close its subject the way another person or the clock would.
type linkCase struct {
	purpose string
	raw     string
	tok     models.ActionToken
	form    url.Values
	close   func()
	// closedStatus is what a closed task answers: 409 decided by someone, 410 revoked.
	closedStatus int
}

// linkCaseOf is the last of linkCases' links of purpose.
func linkCaseOf(t *testing.T, h *harness, purpose string) linkCase {
	var c linkCase
	for _, lc := range linkCases(t, h) {
		if lc.purpose == purpose {
			c = lc
		}
	}
	return c
}

func linkCases(t *testing.T, h *harness) []linkCase {
	ctx := context.Background()
	h.acme()
	hour := time.Now().Add(time.Hour)
	var out []linkCase

	eng := h.engineering()
	raw, tok := h.issueToken(models.PurposeSAApproval, process.SACreateID(eng.RequestID), eng.ID, "alice@acme.com", hour)
	out = append(out, linkCase{models.PurposeSAApproval, raw, tok, url.Values{"decision": {"APPROVE"}}, func() {
		must(t)(h.store.DecideSmartAccount(ctx, activities.DecideSAInput{SmartAccountID: eng.ID, Actor: "bob@acme.com", Reason: "no"}))
	}, http.StatusConflict})

	widgets := h.foreignDomain(models.VisibilityUnrestricted)
	raw, tok = h.issueToken(models.PurposeDomainApproval, process.DomainApprovalID(widgets.RequestID), widgets.ID, "ann@cisco.com", hour)
	out = append(out, linkCase{models.PurposeDomainApproval, raw, tok, url.Values{"decision": {"APPROVE"}}, func() {
		must(t)(h.store.ResolveDomainApproval(ctx, activities.ResolveDomainInput{SmartAccountID: widgets.ID, Actor: "cy@cisco.com",
			Reason: "not theirs"}))
	}, http.StatusConflict})

	cust, err := h.store.CreateSmartAccount(ctx, activities.CreateSAInput{RequestID: "req-cust", WorkflowID: process.SACreateID("req-cust"),
		SARequest: process.SARequest{Name: "Cust", Domain: "cust.com", Visibility: models.VisibilityUnrestricted,
			Requester: models.Person{Email: "sam@partner.com"}, OnBehalf: true, CustomerContacts: []string{"cto@cust.com", "cfo@cust.com"}}})
	must(t)(cust, err)
	raw, tok = h.issueToken(models.PurposeSAAcceptance, process.SACreateID("req-cust"), cust.SmartAccountID, "cto@cust.com", hour)
	out = append(out, linkCase{models.PurposeSAAcceptance, raw, tok, url.Values{"decision": {"ACCEPT"}}, func() {
		must(t)(h.store.DeclineOnBehalf(ctx, activities.DeclineOnBehalfInput{SmartAccountID: cust.SmartAccountID,
			Actor: "cfo@cust.com", Reason: "not now"}))
	}, http.StatusConflict})

	acme, _, err := models.FindSmartAccountWithRequester(ctx, h.db, h.acmeID())
	must(t)(acme, err)
	ar, err := h.store.CreateAccessRequest(ctx, activities.CreateAccessInput{RequestID: "ar-1", WorkflowID: process.AccessRequestID("ar-1"),
		SmartAccountID: acme.ID, Requester: models.Person{Email: "erin@acme.com"}, Role: models.RoleSAViewer,
		ForEmails: []string{"erin@acme.com"}, Reason: "audit", ExpiresAt: hour})
	must(t)(ar, err)
	raw, tok = h.issueToken(models.PurposeAccessApproval, process.AccessRequestID("ar-1"), "ar-1", "alice@acme.com", hour)
	out = append(out, linkCase{models.PurposeAccessApproval, raw, tok, url.Values{"decision": {"APPROVE"}}, func() {
		must(t)(h.store.DecideAccessRequest(ctx, activities.DecideAccessInput{RequestID: "ar-1", Actor: "bob@acme.com", Reason: "no"}))
	}, http.StatusConflict})

	smb := h.createSA("req-smb", "Kim's", "gmail.com", models.VisibilityUnrestricted, "kim@gmail.com")
	h.createSA("req-big", "Big Co", "bigco.com", models.VisibilityUnrestricted, "boss@bigco.com")
	u, err := h.store.RequestUpgrade(ctx, activities.RequestUpgradeInput{UpgradeID: "up-1", WorkflowID: process.SMBUpgradeID(smb.ID),
		SmartAccountID: smb.ID, Requester: models.Person{Email: "kim@bigco.com"}, Name: "Kim", Domain: "kim.bigco.com",
		Headquarters: models.Address{Company: "Kim", Line1: "1 St", City: "Oslo", Country: "NO"}})
	must(t)(u, err)
	raw, tok = h.issueToken(models.PurposeUpgradeApproval, process.SMBUpgradeID(smb.ID), "up-1", "boss@bigco.com", hour)
	out = append(out, linkCase{models.PurposeUpgradeApproval, raw, tok, url.Values{"decision": {"APPROVE"}}, func() {
		must(t)(h.store.DecideUpgrade(ctx, activities.DecideUpgradeInput{UpgradeID: "up-1", Actor: "boss@bigco.com", Reason: "no"}))
	}, http.StatusConflict})

	in := process.IngestInput{Order: models.Order{ID: "WO-9", Type: models.OrderStandard, EndCustomer: models.Party{Name: "Acme"},
		FulfillmentContact: "fc@acme.com", BookedAt: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC), PayloadHash: "h",
		WorkflowID: "order/WO-9"}, Lines: []models.OrderLine{{ID: "1", SKU: "C9300", Kind: models.LineProduct, Quantity: 1}}}
	models.PrepareOrder(&in.Order, in.Lines, time.Now().UTC())
	must(t)(h.store.RecordOrder(ctx, in))
	now := time.Now().UTC()
	d := models.OrderDelegation{ID: "d-9", OrderID: "WO-9", Delegator: "fc@acme.com", Delegate: "helper@x.com",
		Status: models.DelegationPending, WorkflowID: "delegation/WO-9/d-9", ExpiresAt: hour, CreatedAt: now}
	must(t)(h.store.CreateDelegation(ctx, activities.CreateDelegationInput{Delegation: d}))
	raw, tok = h.issueToken(models.PurposeOrderDelegation, "delegation/WO-9/d-9", "d-9", "helper@x.com", hour)
	out = append(out, linkCase{models.PurposeOrderDelegation, raw, tok,
		url.Values{"decision": {"ASSIGN"}, "smartAccount": {"acme.com"}}, func() {
			must(t)(h.store.CloseDelegation(ctx, activities.CloseDelegationInput{DelegationID: "d-9",
				Status: models.DelegationRevoked, Actor: "fc@acme.com"}))
		}, http.StatusGone})

	in = process.IngestInput{Order: models.Order{ID: "WO-10", Type: models.OrderStandard, EndCustomer: models.Party{Name: "Acme"},
		FulfillmentContact: "fc@acme.com", BookedAt: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC), PayloadHash: "h10",
		WorkflowID: "order/WO-10"}, Lines: []models.OrderLine{{ID: "1", SKU: "C9300-DNA", Kind: models.LineProduct, Quantity: 3,
		SmartLicense: true, SAMandatory: true}}}
	models.PrepareOrder(&in.Order, in.Lines, time.Now().UTC())
	must(t)(h.store.RecordOrder(ctx, in))
	raw, tok = h.issueToken(models.PurposeOrderAssign, "order/WO-10", "WO-10", "fc@acme.com", hour)
	out = append(out, linkCase{models.PurposeOrderAssign, raw, tok,
		url.Values{"decision": {"ASSIGN"}, "smartAccount": {"acme.com"}}, func() {
			must(t)(h.store.AssignOrderLines(ctx, activities.AssignLinesInput{OrderID: "WO-10", Actor: "bob@acme.com",
				Changes: []models.LineTarget{{LineID: "1", SmartAccountID: h.acmeID(), VirtualAccountID: h.acmeDefaultVA()}}}))
		}, http.StatusConflict})
	return out
}

func (h *harness) acmeDefaultVA() string {
	h.t.Helper()
	var va models.VirtualAccount
	if err := h.db.Where("smart_account_id = ? AND is_default", h.acmeID()).Take(&va).Error; err != nil {
		h.t.Fatal(err)
	}
	return va.ID
}

// must fails the test on a setup step's error.
func must(t *testing.T) func(any, error) {
	return func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (h *harness) acmeID() string {
	h.t.Helper()
	var sa models.SmartAccount
	if err := h.db.Where("domain = ?", "acme.com").Take(&sa).Error; err != nil {
		h.t.Fatal(err)
	}
	return sa.ID
}

func newLinkHarness(t *testing.T) (*harness, *fakeOrders) {
	h := newHarness(t)
	orders := &fakeOrders{db: h.db}
	h.srv = api.New(api.Options{DB: h.db, Processes: h.fake, Orders: orders, Verifier: h.v, Log: discard}).Handler()
	return h, orders
}

func TestLinkRulesForEveryPurpose(t *testing.T) {
	rules := []struct {
		name   string
		status func(linkCase) int
		text   string
		bad    bool
		setup  func(*harness, *linkCase)
	}{
		{"unknown", func(linkCase) int { return http.StatusNotFound }, "not valid", true, func(h *harness, c *linkCase) {
			c.raw, _ = models.LinkToken([]byte("not-the-server-link-secret-32-by"), c.tok.MailKey)
		}},
		{"used", func(linkCase) int { return http.StatusGone }, "already used", false, func(h *harness, c *linkCase) {
			if err := h.db.Model(&models.ActionToken{}).Where("id = ?", c.tok.ID).
				Updates(map[string]any{"used_at": time.Now().Add(-time.Hour).UTC(), "outcome": "Done before."}).Error; err != nil {
				t.Fatal(err)
			}
		}},
		{"expired", func(linkCase) int { return http.StatusGone }, "expired", false, func(h *harness, c *linkCase) {
			if err := h.db.Model(&models.ActionToken{}).Where("id = ?", c.tok.ID).
				Update("expires_at", time.Now().Add(-time.Minute).UTC()).Error; err != nil {
				t.Fatal(err)
			}
		}},
		{"closed", func(c linkCase) int { return c.closedStatus }, "", false, func(h *harness, c *linkCase) { c.close() }},
	}
	for _, rule := range rules {
		t.Run(rule.name, func(t *testing.T) {
			h, orders := newLinkHarness(t)
			for _, c := range linkCases(t, h) {
				t.Run(c.purpose, func(t *testing.T) {
					rule.setup(h, &c)
					before := h.snapshot()
					for _, rec := range []struct {
						method string
						p      page
					}{
						{"GET", parsePage(t, h.do(http.MethodGet, "/a/"+c.raw, "", nil), rule.status(c))},
						{"POST", parsePage(t, h.form("/a/"+c.raw, c.form), rule.status(c))},
					} {
						p := rec.p
						if len(p.all("form")) != 0 {
							t.Errorf("%s: a %s link shows a form", rec.method, rule.name)
						}
						if rule.text != "" && !strings.Contains(p.text(), rule.text) {
							t.Errorf("%s: page does not say %q: %s", rec.method, rule.text, p.text())
						}
						if rule.name == "closed" && !strings.Contains(p.text(), "No longer needed") && !strings.Contains(p.text(), "revoked") {
							t.Errorf("%s: a closed task's page does not say why: %s", rec.method, p.text())
						}
						if rule.name == "used" && (!strings.Contains(p.text(), "Done before.") || !strings.Contains(p.text(), c.tok.Recipient)) {
							t.Errorf("%s: the used page does not say what was done and by whom: %s", rec.method, p.text())
						}
						if bad := strings.Contains(p.body, `class="outcome bad"`); bad != rule.bad {
							t.Errorf("%s: page marked as an error = %v, want %v", rec.method, bad, rule.bad)
						}
					}
					if h.snapshot() != before {
						t.Errorf("a %s link changed the database", rule.name)
					}
				})
			}
			if n := len(h.fake.decideCalls()); n != 0 {
				t.Errorf("Decide called %d times", n)
			}
			if n := len(orders.calls()); n != 0 {
				t.Errorf("Assign called %d times", n)
			}
		})
	}
}

// A decision the process's validator refuses is shown on the form again, with the refusal and with
// what was typed; the link stays usable and nothing changes.
func TestLinkRefusalShowsTheFormAgain(t *testing.T) {
	h, orders := newLinkHarness(t)
	refusal := models.Invalid("reason", "a decline needs a reason for the requester")
	h.fake.decideErr, orders.assignErr = refusal, refusal
	for _, c := range linkCases(t, h) {
		t.Run(c.purpose, func(t *testing.T) {
			before := h.snapshot()
			c.form.Set("reason", "typed by hand")
			p := parsePage(t, h.form("/a/"+c.raw, c.form), http.StatusBadRequest)
			if len(p.all("form")) != 1 || !strings.Contains(p.text(), refusal.Message) {
				t.Errorf("the form is not shown again with the refusal: %s", p.text())
			}
			typed := "typed by hand" // the order pages have no reason: what they keep is the account typed
			if c.purpose == models.PurposeOrderDelegation || c.purpose == models.PurposeOrderAssign {
				typed = `value="` + c.form.Get("smartAccount") + `"`
			}
			if !strings.Contains(p.body, typed) {
				t.Errorf("the form lost what was typed (%s)", typed)
			}
			if h.tokenRow(c.tok.ID).UsedAt != nil || h.snapshot() != before {
				t.Errorf("a refused decision changed the database")
			}
		})
	}
	if n := len(h.fake.decideCalls()) + len(orders.calls()); n != 7 {
		t.Errorf("%d decisions sent, want one per purpose", n)
	}
}

// The delegate's page names what it did not find: a missing virtual account is not reported as a
// missing Smart Account.
func TestDelegatePageNamesEachMiss(t *testing.T) {
	h, orders := newLinkHarness(t)
	c := linkCaseOf(t, h, models.PurposeOrderDelegation)
	for _, tc := range []struct{ account, va, want string }{
		{"acme.com", "NOPE", `The Smart Account Acme has no virtual account "NOPE".`},
		{"Acme", "NOPE", `The Smart Account Acme has no virtual account "NOPE".`},
		{"nobody.example.com", "", `No Smart Account has the domain identifier or the name "nobody.example.com".`},
	} {
		p := parsePage(t, h.form("/a/"+c.raw, url.Values{"decision": {"ASSIGN"}, "smartAccount": {tc.account},
			"virtualAccount": {tc.va}}), http.StatusNotFound)
		if !strings.Contains(p.text(), tc.want) || len(p.all("form")) != 1 {
			t.Errorf("%s / %s: page says %s", tc.account, tc.va, p.text())
		}
	}
	if len(orders.calls()) != 0 {
		t.Errorf("an assignment was sent for an account that was not found")
	}
}
