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
	a := provisionedBesideLab(t, "noticeco", "WN")
	admin, saID, id, def, lab := a.admin, a.saID, a.order, a.def, a.lab
	base := "/api/v1/smart-accounts/" + saID
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
	if byVA := quantityByVA(t, id, "1"); byVA[lab] != 3 || byVA[def] != 7 {
		t.Errorf("after the transfer: %v", byVA)
	}
}
