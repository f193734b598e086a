// Command users measures user administration on a large account (FEATURES AC4, AC5): one account with
// 20,000 users in 200 groups and 2,000 virtual accounts nested five deep, on a fresh PostgreSQL
// database, with the real API in process. It times the authorization check every request of a member
// makes (the effective-roles query, alone and inside a whole GET of the account), GET …/users page 1,
// and bulk adds of 1,000 users.
//
//	go run ./bench/users -users 20000 -groups 200 -vas 2000
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"time"

	"gorm.io/gorm"

	"github.com/licensecentral/clc/bench/internal/loadtest"
	"github.com/licensecentral/clc/models"
)

func main() {
	scratch := loadtest.ScratchFlag("benchusers")
	var (
		users   = flag.Int("users", 20000, "users of the account")
		groups  = flag.Int("groups", 200, "groups (each user in one)")
		vas     = flag.Int("vas", 2000, "virtual accounts, nested five deep")
		checks  = flag.Int("checks", 2000, "authorization checks to time")
		pages   = flag.Int("pages", 200, "GET users page 1 to time")
		bulks   = flag.Int("bulks", 20, "bulk adds of 1,000 users to time")
		clients = flag.Int("clients", 4, "concurrent clients")
	)
	flag.Parse()
	ctx := context.Background()
	pg, drop := scratch(ctx)
	defer drop()
	db := pg.DB
	start := time.Now()
	saID, vaIDs, emails := seed(ctx, db, *users, *groups, *vas)
	fmt.Printf("seeded %d users in %d groups, %d virtual accounts five deep in %s (database %s)\n",
		len(emails), *groups, len(vaIDs), time.Since(start).Round(time.Second), pg.Name)

	b, stop := loadtest.ServeAPI(ctx, db)
	defer stop()

	fmt.Printf("authorization check (effective roles of a member on the account, in the database): %d checks, %d clients\n", *checks, *clients)
	lat, el, failed := loadtest.Parallel(*clients, *checks, func(i int) (time.Duration, error) {
		e := emails[rand.IntN(len(emails))]
		t0 := time.Now()
		roles, err := models.RolesOn(ctx, db, e, saID)
		if err == nil && len(roles) == 0 {
			err = fmt.Errorf("%s holds no role", e)
		}
		return time.Since(t0), err
	})
	loadtest.Report(lat, el, failed)

	fmt.Printf("GET /smart-accounts/{id} as a member (token, user row, the check, the answer): %d requests, %d clients\n", *checks, *clients)
	lat, el, failed = loadtest.Parallel(*clients, *checks, func(i int) (time.Duration, error) {
		tok := b.Token(emails[rand.IntN(len(emails))])
		t0 := time.Now()
		st, body, err := b.Do(http.MethodGet, "/api/v1/smart-accounts/"+saID, tok, nil)
		if err == nil && st != http.StatusOK {
			err = fmt.Errorf("GET account: %d %v", st, body)
		}
		return time.Since(t0), err
	})
	loadtest.Report(lat, el, failed)

	fmt.Printf("users page 1 read from the database (models.AccountUsers, 100 users): %d reads, %d clients\n", *pages, *clients)
	lat, el, failed = loadtest.Parallel(*clients, *pages, func(i int) (time.Duration, error) {
		t0 := time.Now()
		us, _, err := models.AccountUsers(ctx, db, saID, "", 100)
		if err == nil && len(us) != 100 {
			err = fmt.Errorf("users page: %d", len(us))
		}
		return time.Since(t0), err
	})
	loadtest.Report(lat, el, failed)

	admin := b.Token("admin@bench-users.com")
	fmt.Printf("GET /smart-accounts/{id}/users page 1 (100 users with their roles and groups): %d requests, %d clients\n", *pages, *clients)
	lat, el, failed = loadtest.Parallel(*clients, *pages, func(i int) (time.Duration, error) {
		t0 := time.Now()
		st, body, err := b.Do(http.MethodGet, "/api/v1/smart-accounts/"+saID+"/users?limit=100", admin, nil)
		if err == nil && (st != http.StatusOK || len(body["users"].([]any)) != 100) {
			err = fmt.Errorf("GET users: %d", st)
		}
		return time.Since(t0), err
	})
	loadtest.Report(lat, el, failed)

	fmt.Printf("POST /smart-accounts/{id}/users with 1,000 new users (VA roles, half with children): %d requests, 1 client\n", *bulks)
	lat, el, failed = loadtest.Parallel(1, *bulks, func(i int) (time.Duration, error) {
		rows := make([]map[string]any, 1000)
		for j := range rows {
			rows[j] = map[string]any{"email": fmt.Sprintf("bulk%d-%d@bench-users.com", i, j), "role": "VIRTUAL_ACCOUNT_USER",
				"virtualAccountId": vaIDs[rand.IntN(len(vaIDs))], "includeChildren": j%2 == 0}
		}
		t0 := time.Now()
		st, body, err := b.Do(http.MethodPost, "/api/v1/smart-accounts/"+saID+"/users", admin, map[string]any{"users": rows})
		if err == nil && (st != http.StatusOK || body["counts"].(map[string]any)["ADDED"] != float64(1000)) {
			err = fmt.Errorf("bulk add: %d %v", st, body["counts"])
		}
		return time.Since(t0), err
	})
	loadtest.Report(lat, el, failed)
}

// seed writes the account: its administrator, the virtual account tree (16 roots, 3 children each, five
// levels, then leaves up to n), the users (each a direct role: a tenth on the account, the others on a
// virtual account, a third of those with its children) and the groups (each user in one; each group a
// role with children on a second-level virtual account and a viewer role on another).
func seed(ctx context.Context, db *gorm.DB, nUsers, nGroups, nVAs int) (string, []string, []string) {
	now := models.Now()
	sa := models.SmartAccount{ID: models.NewID(), RequestID: "bench-" + models.NewID(), WorkflowID: "bench", Name: "Bench Users",
		Domain: "bench-users.com", TLD: "bench-users.com", Type: models.SATypeCustomer, Visibility: models.VisibilityUnrestricted,
		Status: models.SAActive, RequestedBy: "admin@bench-users.com", NominatedAdmins: []string{}, CustomerContacts: []string{},
		WaitingOn: []models.Waiting{}, CreatedAt: now, UpdatedAt: now}
	must(db.WithContext(ctx).Create(&sa).Error)
	must(db.Create(&models.AccountRole{ID: models.NewID(), UserEmail: "admin@bench-users.com", SmartAccountID: sa.ID,
		Role: models.RoleSAAdmin, GrantedBy: "bench", CreatedAt: now}).Error)
	var all []models.VirtualAccount
	level := []string{}
	add := func(parent *string) string {
		va := models.VirtualAccount{ID: models.NewID(), SmartAccountID: sa.ID, ParentID: parent, Name: fmt.Sprintf("VA %04d", len(all)),
			IsDefault: len(all) == 0, CreatedAt: now, UpdatedAt: now}
		all = append(all, va)
		return va.ID
	}
	for i := 0; i < 16; i++ {
		level = append(level, add(nil))
	}
	levels := [][]string{level}
	for d := 1; d < 5; d++ {
		next := []string{}
		for _, p := range levels[d-1] {
			for c := 0; c < 3 && len(all) < nVAs; c++ {
				next = append(next, add(&p))
			}
		}
		levels = append(levels, next)
	}
	for i := 0; len(all) < nVAs; i++ {
		p := levels[3][i%len(levels[3])]
		add(&p)
	}
	must(db.CreateInBatches(&all, 500).Error)
	ids := make([]string, len(all))
	for i, v := range all {
		ids[i] = v.ID
	}
	gs := make([]models.UserGroup, nGroups)
	var groles []models.GroupRole
	for i := range gs {
		gs[i] = models.UserGroup{ID: models.NewID(), SmartAccountID: sa.ID, Name: fmt.Sprintf("Group %03d", i), CreatedBy: "bench",
			CreatedAt: now, UpdatedAt: now}
		groles = append(groles,
			models.GroupRole{ID: models.NewID(), GroupID: gs[i].ID, SmartAccountID: sa.ID, VirtualAccountID: levels[1][i%len(levels[1])],
				Role: models.RoleVAUser, IncludeChildren: true, GrantedBy: "bench", CreatedAt: now},
			models.GroupRole{ID: models.NewID(), GroupID: gs[i].ID, SmartAccountID: sa.ID, VirtualAccountID: ids[rand.IntN(len(ids))],
				Role: models.RoleVAViewer, GrantedBy: "bench", CreatedAt: now})
	}
	must(db.CreateInBatches(&gs, 500).Error)
	must(db.CreateInBatches(&groles, 500).Error)
	emails := make([]string, nUsers)
	roles := make([]models.AccountRole, 0, nUsers)
	members := make([]models.GroupMember, 0, nUsers)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%05d@bench-users.com", i)
		r := models.AccountRole{ID: models.NewID(), UserEmail: emails[i], SmartAccountID: sa.ID, Role: models.RoleSAUser,
			GrantedBy: "bench", CreatedAt: now}
		if i%10 != 0 {
			r.Role, r.VirtualAccountID, r.IncludeChildren = models.RoleVAAdmin, ids[rand.IntN(len(ids))], i%3 == 0
		}
		roles = append(roles, r)
		members = append(members, models.GroupMember{GroupID: gs[i%nGroups].ID, UserEmail: emails[i], AddedBy: "bench", CreatedAt: now})
	}
	must(db.CreateInBatches(&roles, 1000).Error)
	must(db.CreateInBatches(&members, 1000).Error)
	must(db.Exec("ANALYZE").Error)
	return sa.ID, ids, emails
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
