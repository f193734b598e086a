package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/licensecentral/clc/internal/fulfillment"
	"github.com/licensecentral/clc/models"
)

// Where did my licenses go (FEATURES OR11): a line shipped, assigned by the account's administrator
// while the fulfillment service was down, deposited once it was back; its trail says each of it, in
// time order, with who and where, to the customer and to ops, and to nobody else.
func TestTrailOfAShippedAssignedLineThroughAnOutage(t *testing.T) {
	tld, admin, saID := activeAccount(t, "trailco")
	id := "WTR-" + uniq()
	ingest(t, orderBody(id, "STANDARD", "fc@"+tld, ""))
	shipLines(t, id, "1", "2")
	controlFulfillment(t, fulfillment.Control{Down: true})
	if st, body := admin.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, ""))); st != http.StatusAccepted {
		t.Fatalf("assign: %d %v", st, body)
	}
	eventually(t, "two failed attempts", func() bool { return line(t, id, "1").ProvAttempts >= 2 })
	sys.fulfillment.Set(fulfillment.Control{})
	provisioned(t, id, "1")

	st, body := admin.get("/api/v1/orders/" + id + "/trail")
	if st != http.StatusOK || body["cut"] != false {
		t.Fatalf("trail: %d %v", st, body)
	}
	trail := body["lines"].([]any)[0].(map[string]any)
	if trail["lineId"] != "1" || trail["provisioningStatus"] != "PROVISIONED" {
		t.Fatalf("line 1's trail: %v", trail)
	}
	var steps []string
	var failed, deposited int
	var made map[string]any
	for _, x := range trail["steps"].([]any) {
		s := x.(map[string]any)
		steps = append(steps, str(s["step"]))
		switch {
		case s["step"] == models.StepAssigned:
			if s["by"] != admin.email || s["to"].(map[string]any)["smartAccountId"] != saID {
				t.Errorf("assignment %v", s)
			}
		case s["step"] == models.StepAttempt && s["outcome"] == models.DepositTransient:
			failed++
			if !strings.Contains(str(s["error"]), "503") || s["attempt"] != float64(failed) {
				t.Errorf("failed attempt %v", s)
			}
		case s["step"] == models.StepAttempt && s["outcome"] == models.OutcomeDeposited:
			deposited++
		case s["step"] == models.StepLicensesMade:
			made = s
		}
	}
	// Ingested, shipped, (stuck: the shipment is past its SLA), assigned, the attempts, the deposit and
	// its licenses.
	got := strings.Join(steps, " ")
	if !strings.HasPrefix(got, "INGESTED SHIPPED ") || !strings.Contains(got, " ASSIGNED DEPOSIT_ATTEMPT ") ||
		!strings.HasSuffix(got, "DEPOSIT_ATTEMPT LICENSES_MADE") {
		t.Errorf("steps %s", got)
	}
	if failed < 2 || deposited != 1 {
		t.Errorf("%d failed attempts, %d deposits: %s", failed, deposited, got)
	}
	to, _ := made["to"].(map[string]any)
	if to["smartAccountId"] != saID || to["virtualAccountId"] != defaultVA(t, saID) || to["virtualAccountName"] != models.DefaultVAName ||
		made["quantity"] != float64(10) || made["licenseId"] != licensesOf(t, id, "1")[0].ID {
		t.Errorf("licenses made %v", made)
	}

	ops := as(t, "ops-"+uniq()+"@cisco.com", models.RoleLicensingOps)
	if st, body := ops.get("/api/v1/orders/" + id + "/trail"); st != http.StatusOK || fmt.Sprint(body["lines"]) == "[]" {
		t.Errorf("ops read the trail: %d %v", st, body)
	}
	if st, _ := as(t, "stranger@"+domainOf("elsewhere")).get("/api/v1/orders/" + id + "/trail"); st != http.StatusNotFound {
		t.Errorf("a stranger read the trail: %d", st)
	}
}
