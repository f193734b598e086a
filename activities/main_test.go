package activities_test

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"testing"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/activities"
	"github.com/licensecentral/clc/internal/testdb"
	"github.com/licensecentral/clc/models"
	"github.com/licensecentral/clc/process"
)

func TestMain(m *testing.M) { os.Exit(testdb.Main(m)) }

// pkg names this package's shared PostgreSQL database.
const pkg = "activities"

var ctx = context.Background()

func newStore(db *gorm.DB, extra ...string) *activities.Store {
	return &activities.Store{DB: db, ExtraCiscoApprovers: extra, Log: slog.New(slog.DiscardHandler)}
}

// eachStore runs a store test on each database with a store of its own and a suffix that keeps its
// domains and people apart from the other tests sharing the database.
func eachStore(t *testing.T, test func(t *testing.T, db *gorm.DB, s *activities.Store, u string)) {
	testdb.Each(t, pkg, func(t *testing.T, db *gorm.DB) { test(t, db, newStore(db), testdb.Unique()) })
}

// request is a creation request as the API would pass it, under a fresh request id.
func request(name, domain, requester string, nominees ...string) activities.CreateSAInput {
	id := models.NewID()
	if nominees == nil {
		nominees = []string{}
	}
	return activities.CreateSAInput{RequestID: id, WorkflowID: "sa-create/" + id, SARequest: process.SARequest{
		Name: name, Domain: domain, Visibility: models.VisibilityUnrestricted,
		Headquarters:    models.Address{Company: name, Line1: "1 Main St", City: "San Jose", Region: "CA", PostalCode: "95134", Country: "US"},
		NominatedAdmins: nominees,
		Requester:       models.Person{Email: requester, Name: "Requester"},
	}}
}

func create(t *testing.T, s *activities.Store, in activities.CreateSAInput) activities.SAState {
	t.Helper()
	st, err := s.CreateSmartAccount(ctx, in)
	if err != nil {
		t.Fatalf("CreateSmartAccount(%s by %s): %v", in.Domain, in.Requester.Email, err)
	}
	return st
}

func account(t *testing.T, db *gorm.DB, id string) models.SmartAccount {
	t.Helper()
	sa, err := models.FindSmartAccount(ctx, db, id)
	if err != nil {
		t.Fatalf("read account %s: %v", id, err)
	}
	return sa
}

// actions lists an account's event actions, oldest first.
func actions(t *testing.T, db *gorm.DB, id string) []string {
	t.Helper()
	evs, err := models.AccountEvents(ctx, db, id, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Action
	}
	return out
}

func events(t *testing.T, db *gorm.DB, id string) []models.Event {
	t.Helper()
	evs, err := models.AccountEvents(ctx, db, id, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// count tells how many times each action occurs.
func count(acts []string) map[string]int {
	m := map[string]int{}
	for _, a := range acts {
		m[a]++
	}
	return m
}

// adminsOn lists the emails holding SMART_ACCOUNT_ADMINISTRATOR on the account itself, sorted.
func adminsOn(t *testing.T, db *gorm.DB, id string) []string {
	t.Helper()
	admins, err := models.AdminEmails(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	return admins
}

func roleCount(t *testing.T, db *gorm.DB, id string) int {
	t.Helper()
	roles, err := models.AccountRoles(ctx, db, id)
	if err != nil {
		t.Fatal(err)
	}
	return len(roles)
}

func rowCount(t *testing.T, db *gorm.DB, model any, where string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Model(model).Where(where, args...).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}
