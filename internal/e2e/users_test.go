package e2e

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/licensecentral/clc/models"
)

// upload sends a body of another type than JSON (a CSV upload) and decodes the JSON answer.
func (u *user) upload(method, path, contentType, body string) (int, response) {
	u.t.Helper()
	return u.send(method, path, strings.NewReader(body), "Content-Type", contentType)
}

// An administrator uploads a CSV of 200 users, some rows bad: each bad row is answered with why, the
// others are added, and the users page lists them.
func TestBulkUsersCSV(t *testing.T) {
	tld, admin, saID := activeAccount(t, "bulkco")
	vas := virtualAccounts(t, admin, saID, 2)
	var b strings.Builder
	b.WriteString("email,role,virtualAccountId,includeChildren\n")
	bad := map[int]string{}
	for i := 1; i <= 200; i++ {
		email, role, va, children := fmt.Sprintf("user%03d@%s", i, tld), "SMART_ACCOUNT_USER", "", ""
		switch {
		case i%50 == 0:
			email, bad[i] = "user"+fmt.Sprint(i)+" at "+tld, "email"
		case i%41 == 0:
			role, bad[i] = "SUPERUSER", "role"
		case i%37 == 0:
			role, va, bad[i] = "VIRTUAL_ACCOUNT_USER", "no-such-va", "virtualAccountId"
		case i%3 == 0:
			role, va, children = "VIRTUAL_ACCOUNT_VIEWER", vas[i%2], "true"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s\n", email, role, va, children)
	}
	st, res := admin.upload(http.MethodPost, "/api/v1/smart-accounts/"+saID+"/users", "text/csv", b.String())
	if st != http.StatusOK {
		t.Fatalf("upload: %d %v", st, res)
	}
	rows := res["rows"].([]any)
	if len(rows) != 200 {
		t.Fatalf("%d rows answered, want 200", len(rows))
	}
	for _, x := range rows {
		r := x.(map[string]any)
		n := int(r["row"].(float64))
		field, isBad := bad[n]
		switch {
		case isBad && r["status"] != models.RowRefused:
			t.Errorf("row %d (bad %s) answered %v", n, field, r)
		case isBad && (r["error"].(map[string]any)["field"] != field || str(r["error"].(map[string]any)["message"]) == ""):
			t.Errorf("row %d: the error does not explain %s: %v", n, field, r["error"])
		case !isBad && r["status"] != models.RowAdded:
			t.Errorf("row %d answered %v", n, r)
		}
	}
	counts := res["counts"].(map[string]any)
	if counts[models.RowAdded] != float64(200-len(bad)) || counts[models.RowRefused] != float64(len(bad)) {
		t.Errorf("counts %v (%d bad)", counts, len(bad))
	}
	var held int64
	sys.db.Model(&models.AccountRole{}).Where("smart_account_id = ? AND user_email LIKE 'user%'", saID).Count(&held)
	if held != int64(200-len(bad)) {
		t.Errorf("%d roles held, want %d", held, 200-len(bad))
	}
	// The users page lists them all, page by page.
	seen, after := 0, ""
	for pages := 0; pages < 10; pages++ {
		st, page := admin.get("/api/v1/smart-accounts/" + saID + "/users?limit=100&after=" + after)
		if st != http.StatusOK {
			t.Fatalf("users: %d %v", st, page)
		}
		seen += len(page["users"].([]any))
		if after = str(page["next"]); after == "" {
			break
		}
	}
	if seen != 200-len(bad)+1 {
		t.Errorf("users listed %d, want %d and the administrator", seen, 200-len(bad))
	}
}

// A group holding a VA role lets its member read that VA's licenses and not another's; taken out of
// the group, the member reads none.
func TestGroupRoleOpensItsVALicenses(t *testing.T) {
	tld, admin, saID := activeAccount(t, "groupco")
	base := "/api/v1/smart-accounts/" + saID
	vas := map[string]string{}
	for _, n := range []string{"Lab", "Prod"} {
		st, va := admin.post(base+"/virtual-accounts", map[string]any{"name": n})
		if st != http.StatusCreated {
			t.Fatalf("VA %s: %d %v", n, st, va)
		}
		vas[n] = str(va["id"])
	}
	orders := map[string]string{}
	for _, n := range []string{"Lab", "Prod"} {
		id := "WG-" + n + "-" + uniq()
		orders[n] = id
		ingest(t, orderBody(id, "STANDARD", "fc@"+tld, ""))
		shipLines(t, id, "1")
		if st, body := admin.post("/api/v1/orders/assignments", assignment([]string{id}, to("domain", tld, n))); st != http.StatusAccepted {
			t.Fatalf("assign %s: %d %v", id, st, body)
		}
	}
	for _, id := range orders {
		provisioned(t, id, "1")
	}
	st, g := admin.post(base+"/groups", map[string]any{"name": "Lab team"})
	if st != http.StatusCreated {
		t.Fatalf("group: %d %v", st, g)
	}
	gid := str(g["id"])
	if st, body := admin.do(http.MethodPut, base+"/groups/"+gid+"/roles", map[string]any{"roles": []map[string]any{
		{"role": "VIRTUAL_ACCOUNT_VIEWER", "virtualAccountId": vas["Lab"]}}}); st != http.StatusOK {
		t.Fatalf("roles: %d %v", st, body)
	}
	member := as(t, "tech@"+tld)
	if st, _ := member.get(base + "/licenses"); st != http.StatusForbidden {
		t.Errorf("before joining: %d", st)
	}
	if st, body := admin.post(base+"/groups/"+gid+"/members", map[string]any{"emails": []string{member.email}}); st != http.StatusOK {
		t.Fatalf("members: %d %v", st, body)
	}
	st, lic := member.get(base + "/licenses")
	if st != http.StatusOK {
		t.Fatalf("licenses: %d %v", st, lic)
	}
	rows := lic["licenses"].([]any)
	if len(rows) != 1 || rows[0].(map[string]any)["virtualAccountId"] != vas["Lab"] || rows[0].(map[string]any)["orderId"] != orders["Lab"] {
		t.Errorf("the member sees %v, want the Lab license only", rows)
	}
	if _, prod := member.get(base + "/licenses?virtualAccountId=" + vas["Prod"]); len(prod["licenses"].([]any)) != 0 {
		t.Errorf("the member sees Prod's licenses: %v", prod)
	}
	if _, all := admin.get(base + "/licenses"); len(all["licenses"].([]any)) != 2 {
		t.Errorf("the administrator sees %v", all["licenses"])
	}
	if st, body := admin.do(http.MethodDelete, base+"/groups/"+gid+"/members", map[string]any{"emails": []string{member.email}}); st != http.StatusOK {
		t.Fatalf("remove member: %d %v", st, body)
	}
	if st, _ := member.get(base + "/licenses"); st != http.StatusForbidden {
		t.Errorf("after leaving the group: %d", st)
	}
}
