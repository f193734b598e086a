package web

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/licensecentral/clc/internal/auth"
	"github.com/licensecentral/clc/models"
)

// devAppWithOlivia is the dev sign-in with one known user, a partner's Order Fulfillment Manager.
func devAppWithOlivia(t *testing.T) *app {
	t.Helper()
	a := devApp(t)
	if _, err := models.UpsertUser(t.Context(), a.db, models.User{Email: "olivia@partnerx.com", Name: "Olivia",
		Company: "partnerx.com", PlatformRoles: []string{"ofm"}}); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDevLoginPage(t *testing.T) {
	a := devAppWithOlivia(t)
	b := newBrowser(t)
	resp, body := b.do(b.stay, http.MethodGet, a.url+"/dev/login?next=%2Fops%3Ftab%3Dqueues", nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /dev/login: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	labels, fields, hiddenNext := map[string]bool{}, map[string]string{}, []string{}
	var unlabelled []string
	var walk func(n *html.Node, inLabel bool)
	walk = func(n *html.Node, inLabel bool) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				t.Error("the page runs a script")
			case "label":
				labels[attr(n, "for")] = true
				inLabel = true
			case "input", "select", "textarea":
				typ := attr(n, "type")
				switch {
				case typ == "hidden":
					if attr(n, "name") == "next" {
						hiddenNext = append(hiddenNext, attr(n, "value"))
					}
				case typ == "submit" || typ == "button":
				case inLabel:
					fields[attr(n, "name")] = "(wrapped)"
				default:
					fields[attr(n, "name")] = attr(n, "id")
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch, inLabel)
		}
	}
	walk(doc, false)
	for name, id := range fields {
		if id != "(wrapped)" && (id == "" || !labels[id]) {
			unlabelled = append(unlabelled, name)
		}
	}
	if len(unlabelled) > 0 {
		t.Errorf("fields without a label: %v", unlabelled)
	}
	if _, ok := fields["email"]; !ok {
		t.Errorf("no email field: %v", fields)
	}
	if _, ok := fields["roles"]; !ok {
		t.Errorf("no roles field: %v", fields)
	}
	if len(hiddenNext) == 0 || hiddenNext[0] != "/ops?tab=queues" {
		t.Errorf("hidden next fields = %q", hiddenNext)
	}
	if !strings.Contains(body, "olivia@partnerx.com") {
		t.Error("the known user is not offered")
	}
}

func TestDevLoginSignsIn(t *testing.T) {
	a := devAppWithOlivia(t)
	b := newBrowser(t)
	form := url.Values{"email": {" New.Person@Example.com "}, "roles": {"licensing-ops, cisco-support,licensing-ops"},
		"next": {"/whoami?x=1"}}
	resp, body := b.do(b.stay, http.MethodPost, a.url+"/dev/login", form, sameOrigin(a.url))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/whoami?x=1" {
		t.Fatalf("POST /dev/login: %d to %q: %s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	want := auth.Identity{Email: "new.person@example.com", Roles: []string{"licensing-ops", "cisco-support"}}
	if id, redirect := b.whoami(a); redirect != "" || !reflect.DeepEqual(id, want) {
		t.Fatalf("signed in as %+v (redirect %q), want %+v", id, redirect, want)
	}
	if u := user(t, a.db, "new.person@example.com"); u == nil || !reflect.DeepEqual(u.PlatformRoles, want.Roles) {
		t.Fatalf("user row = %+v", u)
	}

	// A known user keeps their company (shown, never a right); the roles are the form's.
	form = url.Values{"email": {"olivia@partnerx.com"}, "roles": {"ofm licensing-ops"}}
	resp, _ = b.do(b.stay, http.MethodPost, a.url+"/dev/login", form, sameOrigin(a.url))
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("POST /dev/login without next: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	want = auth.Identity{Email: "olivia@partnerx.com", Name: "Olivia", Company: "partnerx.com",
		Roles: []string{"ofm", "licensing-ops"}}
	if id, _ := b.whoami(a); !reflect.DeepEqual(id, want) {
		t.Fatalf("signed in as %+v, want %+v", id, want)
	}
	u := user(t, a.db, "olivia@partnerx.com")
	if u.Company != "partnerx.com" || !reflect.DeepEqual(u.PlatformRoles, want.Roles) {
		t.Fatalf("user row = %+v", u)
	}

	resp, body = b.do(b.stay, http.MethodPost, a.url+"/logout", url.Values{CSRFField: {b.csrf(a)}}, sameOrigin(a.url))
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `href="/dev/login"`) {
		t.Fatalf("POST /logout: %d %s", resp.StatusCode, body)
	}
	if _, redirect := b.whoami(a); !strings.HasPrefix(redirect, "/dev/login?next=") {
		t.Fatalf("after sign-out: redirect %q", redirect)
	}
}

func TestDevLoginIgnoresOffSiteNext(t *testing.T) {
	a := devApp(t)
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		b := newBrowser(t)
		form := url.Values{"email": {"bob@acme.com"}, "next": {next}}
		resp, _ := b.do(b.stay, http.MethodPost, a.url+"/dev/login", form, sameOrigin(a.url))
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("next %q: %d to %q, want 303 to /", next, resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body := b.do(b.stay, http.MethodGet, a.url+"/dev/login?next="+url.QueryEscape(next), nil, nil)
		if strings.Contains(body, "evil.example") || strings.Contains(body, "javascript") {
			t.Errorf("next %q is carried by the page", next)
		}
	}
}

func TestDevLoginRefusesBadEmail(t *testing.T) {
	a := devApp(t)
	b := newBrowser(t)
	form := url.Values{"email": {"Bob <bob@acme.com>"}, "roles": {"ofm"}, "next": {"/ops"}}
	resp, body := b.do(b.stay, http.MethodPost, a.url+"/dev/login", form, sameOrigin(a.url))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Email: not an email address") ||
		!strings.Contains(body, `aria-invalid="true"`) {
		t.Fatalf("bad email: %d %s", resp.StatusCode, body)
	}
	if b.cookie(a.url, "clc_session") != "" {
		t.Fatal("a refused sign-in set a session")
	}
	if !strings.Contains(body, `value="/ops"`) || !strings.Contains(body, `value="ofm"`) {
		t.Fatalf("the form lost what was typed: %s", body)
	}
}

func TestDevLoginRefusesCrossSitePosts(t *testing.T) {
	a := devApp(t)
	b := newBrowser(t)
	form := url.Values{"email": {"mallory@evil.example"}}
	resp, _ := b.do(b.stay, http.MethodPost, a.url+"/dev/login", form, http.Header{"Origin": {"https://evil.example"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("cross-site sign-in: %d", resp.StatusCode)
	}
	if u := user(t, a.db, "mallory@evil.example"); u != nil || b.cookie(a.url, "clc_session") != "" {
		t.Fatalf("a cross-site post signed in: %+v", u)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
