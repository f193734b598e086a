package models_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
)

// BenchmarkOrderActorOf is the lookup every order request now makes (the partner rights of the
// caller's address), on PostgreSQL among 2,000 partners of 5 OFMs each, a tenth of them distributors
// serving 20 resellers: for an OFM of a distributor and for an address with no partner role.
//
//	go test -run '^$' -bench OrderActorOf ./models/
func BenchmarkOrderActorOf(b *testing.B) {
	db := testdb.Shared(b, pkg)
	u := testdb.Unique()
	for i := 0; i < 2000; i++ {
		domain := fmt.Sprintf("b%04d-%s.com", i, u)
		var resellers []string
		if i%10 == 0 {
			for r := 1; r <= 20; r++ {
				resellers = append(resellers, fmt.Sprintf("b%04d-%s.com", (i+r)%2000, u))
			}
		}
		var ofms []string
		for o := 0; o < 5; o++ {
			ofms = append(ofms, fmt.Sprintf("ofm%d@%s", o, domain))
		}
		register(b, db, domain, resellers, ofms...)
	}
	for _, c := range []struct{ name, email string }{
		{"distributor's OFM", "ofm2@b0100-" + u + ".com"},
		{"no partner role", "fc@customer-" + u + ".com"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := models.OrderActorOf(context.Background(), db, c.email, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
