package e2e

import (
	"net/http"
	"testing"

	"github.com/licensecentral/clc/models"
)

// acknowledgeNotices has the administrator acknowledge every notice of the account.
func acknowledgeNotices(t *testing.T, admin *user, saID string) {
	t.Helper()
	for _, k := range models.Notices {
		if st, body := admin.post("/api/v1/smart-accounts/"+saID+"/notices/"+string(k)+"/acknowledgement", nil); st != http.StatusOK {
			t.Fatalf("acknowledge %s: %d %v", k, st, body)
		}
	}
}

// A license transfer waits for the account's notices: a 409 names the notice still to acknowledge,
// then the next one, and once an administrator acknowledged both the transfer goes through.
func TestNoticeGateOnLicenseTransfer(t *testing.T) {
	tld, admin, saID := activeAccount(t, "noticeco")
	base := "/api/v1/smart-accounts/" + saID
	st, va := admin.post(base+"/virtual-accounts", map[string]any{"name": "Lab"})
	if st != http.StatusCreated {
		t.Fatalf("VA: %d %v", st, va)
	}
	lab, def := str(va["id"]), defaultVA(t, saID)
	id := "WN-" + uniq()
	ingest(t, orderBody(id, "STANDARD", "fc@"+tld, ""))
	shipLines(t, id, "1")
	admin.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, "")))
	provisioned(t, id, "1")
	move := func() (int, response) {
		return admin.post(base+"/licenses/transfers", map[string]any{"sku": "C9300-DNA-E-3Y", "quantity": 3, "from": def, "to": lab})
	}
	notice := func(body response) any {
		e, _ := body["error"].(map[string]any)
		d, _ := e["details"].(map[string]any)
		return d["notice"]
	}
	if st, body := move(); st != http.StatusConflict || notice(body) != string(models.NoticeSmartLicensing) {
		t.Fatalf("before any notice: %d %v", st, body)
	}
	if st, body := admin.post(base+"/notices/SMART_LICENSING/acknowledgement", nil); st != http.StatusOK {
		t.Fatalf("acknowledge: %d %v", st, body)
	}
	if st, body := move(); st != http.StatusConflict || notice(body) != string(models.NoticeAccountAdmin) {
		t.Fatalf("one notice left: %d %v", st, body)
	}
	if st, body := admin.post(base+"/notices/SMART_ACCOUNT_ADMIN/acknowledgement", nil); st != http.StatusOK {
		t.Fatalf("acknowledge: %d %v", st, body)
	}
	if st, body := move(); st != http.StatusOK {
		t.Fatalf("after both notices: %d %v", st, body)
	}
	_, ns := admin.get(base + "/notices")
	for _, x := range ns["notices"].([]any) {
		n := x.(map[string]any)
		if n["acknowledged"] != true || n["acknowledgedByMe"] != true {
			t.Errorf("notice %v", n)
		}
	}
	byVA := map[string]int{}
	for _, l := range licensesOf(t, id, "1") {
		byVA[l.VirtualAccountID] += l.Quantity
	}
	if byVA[lab] != 3 || byVA[def] != 7 {
		t.Errorf("after the transfer: %v", byVA)
	}
}
