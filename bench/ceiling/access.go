package main

import (
	"fmt"
	"net/http"
	"time"

	"github.com/licensecentral/clc/bench/internal/loadtest"
	"github.com/licensecentral/clc/process"
)

// accessKey is the Idempotency-Key of every timed access request: with the requester and the account it
// names the request's process before the POST (FEATURES AC1).
const accessKey = "a"

// prepareAccess makes n ACTIVE accounts, each of its own TLD and its administrator (auto-activated), for
// a colleague of the TLD to ask for a role on.
func prepareAccess(b *loadtest.Client, label string, n int) *set {
	return prepareEach(label, n, "access", func(s *set, i int) error {
		tld := fmt.Sprintf("acc-%s-%s-%d.com", b.Run, label, i)
		id, err := activeAccount(b, tld, "Bench "+tld)
		if err != nil {
			return err
		}
		dev := "dev@" + tld
		s.data[i] = map[string]string{"id": id, "dev": dev}
		// The API's request id of a keyed access request (api.startAccess).
		s.workflowIDs[i] = process.AccessRequestID(loadtest.RequestID(dev, "access-request\n"+id+"\n"+accessKey))
		return nil
	})
}

// access is a colleague's request for an account-wide role: its answer is the request PENDING, the
// administrators mailed after it, which is what a second GET shows too.
func access(b *loadtest.Client, s *set, i int) (time.Duration, error) {
	d := s.data[i]
	t := time.Now()
	st, body, err := b.DoWith(http.MethodPost, "/api/v1/smart-accounts/"+d["id"]+"/access-requests", b.Token(d["dev"]),
		map[string]any{"role": "SMART_ACCOUNT_USER", "reason": "bench"}, "Idempotency-Key", accessKey)
	el := time.Since(t)
	if err == nil && body["status"] != "PENDING" {
		err = fmt.Errorf("access %s: %d %v", d["id"], st, body)
	}
	return el, check(st, http.StatusAccepted, body, err, "access")
}
